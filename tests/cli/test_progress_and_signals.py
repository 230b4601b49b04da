"""The progress bar (only on a terminal, with the best value so far) and Ctrl-C -> exit 130."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

import pytest

from cli._run import Progress


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def info(nfev, best, budget=100):
    return SimpleNamespace(nfev=nfev, budget=budget, best_value=best)


def test_progress_bar_shows_position_and_best_value(monkeypatch):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    bar = Progress(enabled=True)
    bar(info(10, 2.0))
    bar(info(20, 1.0))  # within the redraw interval: not drawn
    bar(info(100, 0.5))  # the last one is always drawn
    bar.close()
    out = tty.getvalue()
    assert "optimizing" in out and "10/100" in out and "best 2" in out
    assert "20/100" not in out
    assert "100/100" in out and "best 0.5" in out


def test_disabled_progress_writes_nothing(monkeypatch):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    bar = Progress(enabled=False)
    bar(info(10, 2.0))
    bar.close()
    assert tty.getvalue() == ""


SLOW = """
    import pathlib
    import time

    def f(x):
        pathlib.Path(__file__).with_name("started").touch()
        time.sleep(0.01)
        return (x - 0.5) ** 2
"""


@pytest.mark.fault
def test_sigint_mid_run_exits_130_with_the_best_so_far(tmp_path, run):
    obj, ckpt = tmp_path / "slow.py", tmp_path / "run.npz"
    obj.write_text(textwrap.dedent(SLOW))
    code = ("import sys; from cli.main import main; "
            f"main(['optimize', '{obj}:f', '--param', 'x=real:0:1', '--budget', '100000', "
            f"'--seed', '0', '--checkpoint', '{ckpt}', '--json'])")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    started = tmp_path / "started"
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.3)  # a few more evaluations
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    doc = json.loads(out)
    assert doc["exit_code"] == 130 and doc["error"] == "interrupted"
    assert doc["stop_reason"] == "interrupted" and 0 < doc["nfev"] < 100000
    assert doc["value"] == pytest.approx((doc["params"]["x"] - 0.5) ** 2)
    # the checkpoint written on Ctrl-C resumes the run
    resumed = run("resume", ckpt, "--budget", doc["nfev"] + 5, "--json").json()
    assert resumed["exit_code"] == 0 and resumed["nfev"] == doc["nfev"] + 5
    assert resumed["value"] <= doc["value"]


CHATTY = """
    import os
    import sys

    print("loading the chatty module")

    def f(x):
        print("evaluating", x)
        os.write(1, b"raw write to fd 1\\n")
        return (x - 0.5) ** 2
"""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_json_stdout_stays_one_document_when_the_objective_prints(tmp_path, workers):
    obj = tmp_path / "chatty.py"
    obj.write_text(textwrap.dedent(CHATTY))
    code = ("from cli.main import main; "
            f"main(['optimize', '{obj}:f', '--param', 'x=real:0:1', '--budget', '6', "
            f"'--seed', '0', '--workers', '{workers}', '--json'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)  # fails on anything but one JSON document
    assert doc["nfev"] == 6
    assert "evaluating" in out.stderr and "raw write to fd 1" in out.stderr
    assert "loading the chatty module" in out.stderr
