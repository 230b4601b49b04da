"""The driver under faults: Ctrl-C mid-run, process workers, failures at scale."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import nondiff as nd

OBJECTIVE = """
import math, time

def f(x, k):
    time.sleep({sleep})
    if k == 3:
        raise ValueError("k=3 is broken")
    return (x - 0.3) ** 2 + abs(k - 2)
"""
SPACE = {"x": {"type": "real", "lo": -1, "hi": 1}, "k": {"type": "int", "lo": 0, "hi": 5}}


@pytest.mark.fault
def test_ctrl_c_returns_best_so_far_and_writes_a_checkpoint(tmp_path):
    obj = tmp_path / "obj.py"
    obj.write_text(OBJECTIVE.format(sleep=0.01))
    ck, out = tmp_path / "run.ckpt", tmp_path / "out.json"
    script = textwrap.dedent(f"""
        import json, nondiff as nd
        res = nd.minimize({str(obj)!r} + ":f", nd.Space.from_dict({SPACE!r}), "random",
                          budget=100000, seed=1, checkpoint={str(ck)!r},
                          strategy_options={{"batch_size": 10}})
        json.dump(res.to_json_dict(), open({str(out)!r}, "w"))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    time.sleep(2.5)
    os.kill(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    res = json.loads(out.read_text())
    assert res["stop_reason"] == "interrupted" and 20 < res["nfev"] < 100000
    assert res["counts"]["ok"] + res["counts"]["error"] == res["nfev"]
    # the reported best re-evaluates to the reported value
    spec = {"__file__": str(obj)}
    exec(compile(obj.read_text().format(sleep=0), str(obj), "exec"), spec)
    assert spec["f"](**res["params"]) == pytest.approx(res["value"], abs=0)
    resumed = nd.resume(ck, budget=res["nfev"] + 30)
    assert resumed.nfev == res["nfev"] + 30 and resumed.fun <= res["value"]


@pytest.mark.fault
def test_process_workers_give_the_serial_run_with_failures_counted(tmp_path):
    obj = tmp_path / "obj.py"
    obj.write_text(OBJECTIVE.format(sleep=0))
    space = nd.Space.from_dict(SPACE)
    serial = nd.minimize(f"{obj}:f", space, "random", budget=120, seed=4)
    parallel = nd.minimize(f"{obj}:f", space, "random", budget=120, seed=4, workers=2)
    assert np.array_equal(serial.history.vectors, parallel.history.vectors)
    np.testing.assert_array_equal(serial.history.values, parallel.history.values)
    assert serial.counts == parallel.counts and serial.counts["error"] > 0
    assert serial.params == parallel.params and serial.params["k"] != 3
