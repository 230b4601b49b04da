"""Fault injection: objectives that raise, return garbage, hang, crash their worker (SIGKILL,
segfault), commands that fail, Ctrl-C in the middle of a batch, and Dask's merging of repeated
evaluations. Each run must finish with the right status counts and no lost record."""

import ctypes
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from nondiff import Integer, Real, Space
from nondiff.evaluate import Evaluator
from nondiff.objective import Objective
from nondiff.outcome import Status
from nondiff.strategy import candidates_from_vectors

pytestmark = pytest.mark.fault

SPACE = Space(x=Real(0, 1), n=Integer(0, 4))


def cands(n=20, seed=0):
    return candidates_from_vectors(SPACE, np.random.default_rng(seed).random((n, 2)), 0)


def pick(counts: dict, seed=0):
    """Candidates with ``counts[n]`` of each value of the integer parameter ``n``, shuffled."""
    chosen = []
    for c in cands(200, seed):
        k = c.params["n"]
        if counts.get(k, 0) > sum(d.params["n"] == k for d in chosen):
            chosen.append(c)
    order = np.random.default_rng(seed).permutation(len(chosen))
    return [chosen[i] for i in order]


def assert_complete(out, n):
    """Every candidate has exactly one record; values exist exactly for the OK ones."""
    assert len(out.values) == len(out.status) == len(out.seconds) == n
    assert sum(out.counts().values()) == n
    ok = out.status == Status.OK
    assert np.isfinite(out.values[ok]).all() and np.isnan(out.values[~ok]).all()
    failed = set(np.flatnonzero(~ok & (out.status != Status.INTERRUPTED)).tolist())
    assert failed <= set(out.errors)


def fails_30_percent(x, n):
    if int(x * 1e6) % 10 < 3:
        raise RuntimeError(f"bad point {x}")
    return x + n


def bad_returns(x, n):
    return [float("nan"), -np.inf, None, "1.5", x][n]


def hangs(x, n):
    if n == 0:
        time.sleep(60)
    return x


def dies(x, n):
    if n == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    if n == 1:
        ctypes.string_at(0)  # segfault
    return x


def noisy(x, n):
    return x + int.from_bytes(os.urandom(6), "little") / 2**48


@pytest.mark.parametrize("workers", [1, 2])
def test_objective_raising_on_30_percent(workers):
    cs = cands(60)
    expected_bad = [int(c.params["x"] * 1e6) % 10 < 3 for c in cs]
    assert 10 <= sum(expected_bad) <= 30  # the test really exercises failures
    with Evaluator(fails_30_percent, SPACE, workers=workers) as ev:
        out = ev.evaluate(cs)
    assert_complete(out, 60)
    assert ((out.status == Status.ERROR) == expected_bad).all()
    assert all("RuntimeError: bad point" in out.errors[i] for i in np.flatnonzero(expected_bad))
    ok = ~np.array(expected_bad)
    np.testing.assert_array_equal(out.values[ok],
                                  [c.params["x"] + c.params["n"] for c, g in zip(cs, ok) if g])


@pytest.mark.parametrize("workers", [1, 2])
def test_nan_inf_none_and_string_returns(workers):
    cs = cands(30)
    n = np.array([c.params["n"] for c in cs])
    assert set(n) == {0, 1, 2, 3, 4}
    with Evaluator(bad_returns, SPACE, workers=workers) as ev:
        out = ev.evaluate(cs)
    assert_complete(out, 30)
    expected = np.array([Status.NAN, Status.NAN, Status.ERROR, Status.ERROR, Status.OK])[n]
    np.testing.assert_array_equal(out.status, expected)
    texts = {int(k): out.errors[i] for i, k in enumerate(n) if i in out.errors}
    assert "nan" in texts[0] and "-inf" in texts[1]
    assert "NoneType" in texts[2] and "str" in texts[3]


def test_hung_objective_is_stopped_at_the_timeout():
    cs = pick({0: 2, 2: 4, 3: 4, 4: 2})
    hung = np.array([c.params["n"] == 0 for c in cs])
    t0 = time.monotonic()
    with Evaluator(hangs, SPACE, workers=2, timeout=0.5) as ev:
        out = ev.evaluate(cs)
        again = ev.evaluate([c for c, h in zip(cs, hung) if not h])
    assert time.monotonic() - t0 < 9
    assert_complete(out, 12)
    np.testing.assert_array_equal(out.status == Status.TIMEOUT, hung)
    assert all("timed out after 0.5 s" in out.errors[i] for i in np.flatnonzero(hung))
    assert (out.seconds[hung] >= 0.5).all()
    assert (again.status == Status.OK).all()  # replaced workers serve the next batch


def test_command_exiting_1_is_an_error_with_stderr():
    prog = "import sys; print('diverged at step 7', file=sys.stderr); sys.exit(1)"
    cmd = f"{sys.executable} -c \"{prog}\" {{x}}"
    obj = Objective.from_command(cmd, space=SPACE)
    with Evaluator(obj, SPACE) as ev:
        out = ev.evaluate(cands(3))
    assert_complete(out, 3)
    assert (out.status == Status.ERROR).all()
    assert all("exited with status 1" in t and "diverged at step 7" in t
               for t in out.errors.values())


def test_worker_killed_or_segfaulting_mid_batch():
    cs = pick({0: 1, 1: 1, 2: 3, 3: 3, 4: 3})
    n = np.array([c.params["n"] for c in cs])
    with Evaluator(dies, SPACE, workers=2) as ev:
        out = ev.evaluate(cs)
        again = ev.evaluate(cs[:3])
    assert_complete(out, 11)
    np.testing.assert_array_equal(out.status == Status.CRASHED, n <= 1)
    assert all("SIGKILL" in out.errors[i] for i in np.flatnonzero(n == 0))
    assert all("SIGSEGV" in out.errors[i] for i in np.flatnonzero(n == 1))
    ok = n > 1
    np.testing.assert_array_equal(out.values[ok], [c.params["x"] for c in np.array(cs)[ok]])
    assert_complete(again, 3)


CTRL_C_SCRIPT = """
import json, sys, time
import numpy as np
from nondiff import Integer, Real, Space
from nondiff.evaluate import Evaluator
from nondiff.strategy import candidates_from_vectors

def slow(x, n):
    time.sleep(0.25)
    return x

if __name__ == "__main__":
    space = Space(x=Real(0, 1), n=Integer(0, 4))
    cs = candidates_from_vectors(space, np.random.default_rng(0).random((20, 2)), 0)
    with Evaluator(slow, space, workers=int(sys.argv[1]), grace=1.0) as ev:
        print("READY", flush=True)
        out = ev.evaluate(cs)
    finite_ok = bool(np.isfinite(out.values[out.status == 0]).all())
    print(json.dumps({"interrupted": out.interrupted, "counts": out.counts(),
                      "n": len(out.status), "finite_ok": finite_ok}))
"""


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_mid_batch_returns_a_partial_outcome(tmp_path, workers):
    script = tmp_path / "ctrl_c.py"
    script.write_text(textwrap.dedent(CTRL_C_SCRIPT))
    proc = subprocess.Popen([sys.executable, str(script), str(workers)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "READY"
        time.sleep(0.9)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
        out, err = proc.communicate(timeout=8)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    counts = report["counts"]
    assert report["interrupted"] and report["n"] == 20 and report["finite_ok"]
    assert counts["ok"] >= 2 and counts["interrupted"] >= 5
    assert counts["ok"] + counts["interrupted"] == 20  # nothing lost, nothing crashed


def test_noisy_objective_twice_at_one_point_through_dask():
    distributed = pytest.importorskip("distributed")
    c = cands(1)[0]
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                       dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        # the hazard: by default Dask gives both submissions one key and computes once
        assert client.submit(noisy, **c.params).key == client.submit(noisy, **c.params).key
        with Evaluator(noisy, SPACE, executor=client) as ev:
            out = ev.evaluate([c, c])
    assert_complete(out, 2)
    assert (out.status == Status.OK).all()
    assert out.values[0] != out.values[1]


def test_command_timeout_in_worker_processes():
    prog = "import sys, time; time.sleep(30 if float(sys.argv[1]) == 0 else 0); print(1.0)"
    obj = Objective.from_command(f"{sys.executable} -c \"{prog}\" {{n}}", space=SPACE,
                                 timeout=1.0)
    cs = pick({0: 1, 2: 2, 3: 1})
    t0 = time.monotonic()
    with Evaluator(obj, SPACE, workers=2) as ev:
        out = ev.evaluate(cs)
    assert time.monotonic() - t0 < 8
    assert_complete(out, 4)
    hung = np.array([c.params["n"] == 0 for c in cs])
    np.testing.assert_array_equal(out.status == Status.TIMEOUT, hung)
    assert all("process group killed" in out.errors[i] for i in np.flatnonzero(hung))


def naps(x, n):
    if n == 0:
        time.sleep(1.5)
    return x


def test_executor_task_past_its_timeout_is_abandoned():
    from concurrent.futures import ThreadPoolExecutor

    cs = pick({0: 1, 2: 3, 4: 2})
    pool = ThreadPoolExecutor(2)
    try:
        with Evaluator(naps, SPACE, executor=pool, timeout=0.3) as ev:
            assert ev.mode == "executor"
            out = ev.evaluate(cs)
    finally:
        pool.shutdown(wait=True)
    assert_complete(out, 6)
    hung = np.array([c.params["n"] == 0 for c in cs])
    np.testing.assert_array_equal(out.status == Status.TIMEOUT, hung)
    assert all("abandoned" in out.errors[i] for i in np.flatnonzero(hung))


CTRL_C_COMMAND_SCRIPT = """
import json, sys
from nondiff import Real, Space
from nondiff.evaluate import Evaluator
from nondiff.objective import Objective
from nondiff.strategy import candidates_from_vectors

if __name__ == "__main__":
    pidfile = sys.argv[1]
    prog = f"import os, time; open({pidfile!r}, 'w').write(str(os.getpid())); time.sleep(30)"
    space = Space(x=Real(0, 1))
    obj = Objective.from_command(f"{sys.executable} -c \\"{prog}\\" {{x}}", space=space)
    with Evaluator(obj, space) as ev:
        print("READY", flush=True)
        out = ev.evaluate(candidates_from_vectors(space, [[0.5], [0.6]], 0))
    print(json.dumps({"interrupted": out.interrupted, "status": out.status.tolist()}))
"""


def test_ctrl_c_during_an_inline_command_kills_its_process_group(tmp_path):
    script, pidfile = tmp_path / "ctrl_c_cmd.py", tmp_path / "pid"
    script.write_text(textwrap.dedent(CTRL_C_COMMAND_SCRIPT))
    proc = subprocess.Popen([sys.executable, str(script), str(pidfile)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "READY"
        deadline = time.monotonic() + 5
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGINT)  # the command runs in its own session: not hit
        out, err = proc.communicate(timeout=8)
    finally:
        proc.kill()
    report = json.loads(out.strip().splitlines()[-1])
    assert report == {"interrupted": True, "status": [5, 5]}, err
    command_pid = int(pidfile.read_text())
    time.sleep(0.2)
    assert not _alive(command_pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is dead, only not yet reaped
        return f.read().split()[2] != "Z"
