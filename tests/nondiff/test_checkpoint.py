import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import nondiff as nd
from nondiff import checkpoint, registry
from nondiff.errors import CheckpointError, UsageError
from nondiff.strategy import Pickled
from strategies.random_search import RandomSearch

OBJECTIVE = """
import time

def f(x, k, act):
    time.sleep({sleep})
    return (x - 0.3) ** 2 + abs(k - 2) + (act == "b")
"""

SPACE = {"x": {"type": "real", "lo": -1, "hi": 1}, "k": {"type": "int", "lo": 0, "hi": 5},
         "act": {"type": "cat", "choices": ["a", "b"]}}


@pytest.fixture
def objfile(tmp_path):
    path = tmp_path / "obj.py"
    path.write_text(OBJECTIVE.format(sleep=0.0))
    return path


def space():
    return nd.Space.from_dict(SPACE)


def run(objfile, budget, **kw):
    return nd.minimize(f"{objfile}:f", space(), "random", budget=budget, seed=3,
                       strategy_options={"batch_size": 20}, **kw)


def test_extending_a_finished_run_matches_an_unbroken_run(objfile, tmp_path):
    ck = tmp_path / "run.ckpt"
    short = run(objfile, 100, checkpoint=ck)
    assert short.nfev == 100 and ck.exists()
    resumed = nd.resume(ck, budget=260)
    unbroken = run(objfile, 260)
    assert resumed.nfev == 260
    assert np.array_equal(resumed.history.vectors, unbroken.history.vectors)
    assert np.array_equal(resumed.history.values, unbroken.history.values)
    assert resumed.fun == unbroken.fun and resumed.params == unbroken.params


@pytest.mark.fault
def test_sigkill_then_resume_gives_the_unbroken_result(tmp_path):
    obj = tmp_path / "slow.py"
    obj.write_text(OBJECTIVE.format(sleep=0.003))
    ck = tmp_path / "run.ckpt"
    script = textwrap.dedent(f"""
        import nondiff as nd
        nd.minimize({str(obj)!r} + ":f", nd.Space.from_dict({SPACE!r}), "random", budget=400,
                    seed=3, strategy_options={{"batch_size": 20}}, checkpoint={str(ck)!r},
                    checkpoint_every=40)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 30
    while time.time() < deadline and proc.poll() is None:
        if ck.exists() and len(checkpoint.load(ck)["history"]["ids"]) >= 120:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    saved = len(checkpoint.load(ck)["history"]["ids"])
    assert 120 <= saved < 400
    resumed = nd.resume(ck)
    unbroken = nd.minimize(f"{obj}:f", space(), "random", budget=400, seed=3,
                           strategy_options={"batch_size": 20})
    assert resumed.nfev == 400 and resumed.stop_reason == "budget"
    assert np.array_equal(resumed.history.values, unbroken.history.values)
    assert resumed.fun == unbroken.fun and resumed.params == unbroken.params


def test_truncated_or_garbage_checkpoint_names_the_file(objfile, tmp_path):
    ck = tmp_path / "run.ckpt"
    run(objfile, 40, checkpoint=ck)
    data = ck.read_bytes()
    ck.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="run.ckpt.*(truncated|corrupted)"):
        nd.resume(ck)
    ck.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="run.ckpt"):
        nd.resume(ck)
    with pytest.raises(CheckpointError, match="does not exist"):
        nd.resume(tmp_path / "missing.ckpt")


def test_changed_space_or_strategy_is_refused_with_the_differences(objfile, tmp_path):
    ck = tmp_path / "run.ckpt"
    run(objfile, 40, checkpoint=ck)
    changed = dict(SPACE, x={"type": "real", "lo": -2, "hi": 1})
    with pytest.raises(UsageError, match="changed space.*x"):
        nd.resume(ck, space=nd.Space.from_dict(changed), budget=80)
    with pytest.raises(UsageError, match="sobol"):
        nd.resume(ck, strategy="sobol", budget=80)


class PickledState(RandomSearch):
    """A random search that keeps part of its state pickled, as the pycma adapter must."""

    def state_dict(self):
        import pickle

        return {**super().state_dict(), "blob": Pickled(pickle.dumps({"answer": 42}))}

    def load_state_dict(self, state):
        import pickle

        assert pickle.loads(state["blob"].data) == {"answer": 42}
        super().load_state_dict(state)


def test_pickled_state_is_signed_and_a_tampered_file_is_refused(objfile, tmp_path):
    registry.register("pickled-test", PickledState)
    try:
        ck = tmp_path / "run.ckpt"
        nd.minimize(f"{objfile}:f", space(), "pickled-test", budget=40, seed=0, checkpoint=ck)
        assert nd.resume(ck, budget=60).nfev == 60
        with np.load(ck) as z:
            arrays = {k: z[k] for k in z.files}
        blob = next(k for k in arrays if "blob" in k)
        raw = bytearray(arrays[blob].tobytes())
        raw[-2] ^= 1
        arrays[blob] = np.frombuffer(bytes(raw), dtype=np.uint8)
        with open(ck, "wb") as f:  # a path would get ".npz" appended
            np.savez(f, **arrays)
        with pytest.raises(CheckpointError, match="trust"):
            nd.resume(ck, budget=80)
    finally:
        registry.unregister("pickled-test")


def test_checkpoint_files_hold_no_pickles_outside_signed_blobs(objfile, tmp_path):
    ck = tmp_path / "run.ckpt"
    run(objfile, 40, checkpoint=ck)
    with np.load(ck, allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)


def test_resume_with_objective_keeps_the_saved_direction_and_keeps_checkpointing(tmp_path):
    ck = tmp_path / "run.ckpt"

    def f(x, k, act):
        return -((x - 0.5) ** 2) - abs(k - 1)

    half = nd.minimize(f, space(), "random", budget=40, seed=2, direction="maximize",
                       checkpoint=ck, strategy_options={"batch_size": 20})
    resumed = nd.resume(ck, objective=f, budget=100)
    unbroken = nd.minimize(f, space(), "random", budget=100, seed=2, direction="maximize",
                           strategy_options={"batch_size": 20})
    assert half.nfev == 40 and resumed.fun == unbroken.fun == np.nanmax(unbroken.history.values)
    assert len(checkpoint.load(ck)["history"]["ids"]) == 100  # the resumed run saved again
    wrong = nd.Objective(f, space(), direction="minimize")
    with pytest.raises(UsageError, match="maximize"):
        nd.resume(ck, objective=wrong, budget=120)


def test_extension_mid_generation_replays_the_cut_generation(objfile, tmp_path):
    ck = tmp_path / "run.ckpt"
    run(objfile, 50, checkpoint=ck)       # the last generation of 20 is cut after 10
    resumed = nd.resume(ck, budget=90)
    unbroken = run(objfile, 90)
    assert np.array_equal(resumed.history.vectors, unbroken.history.vectors)
    assert resumed.fun == unbroken.fun


def test_unsaveable_runs_are_refused_before_any_evaluation(tmp_path):
    calls = []
    odd = nd.Space(pair=nd.Categorical([(1, 2), (3, 4)]))
    with pytest.raises(UsageError, match="pair"):
        nd.minimize(lambda pair: calls.append(1) or 0.0, odd, "random", budget=10,
                    checkpoint=tmp_path / "c.ckpt")
    assert not calls
    with pytest.raises(UsageError, match="registry name"):
        nd.minimize(quadratic, space(), RandomSearch(space(), seed=0), budget=10,
                    checkpoint=tmp_path / "c.ckpt")


def quadratic(x, k, act):
    return (x - 0.3) ** 2 + k


def test_ctrl_c_in_a_callback_returns_the_best_so_far_with_a_checkpoint(tmp_path):
    ck = tmp_path / "run.ckpt"

    def stop_hard(info):
        if info.nfev >= 40:
            raise KeyboardInterrupt

    res = nd.minimize(quadratic, space(), "random", budget=200, seed=0, checkpoint=ck,
                      callbacks=[stop_hard], strategy_options={"batch_size": 20})
    assert res.stop_reason == "interrupted" and res.nfev == 40 and ck.exists()
    resumed = nd.resume(ck, objective=quadratic)
    unbroken = nd.minimize(quadratic, space(), "random", budget=200, seed=0,
                           strategy_options={"batch_size": 20})
    assert np.array_equal(resumed.history.values, unbroken.history.values)


def test_a_run_cut_by_max_time_mid_generation_resumes_to_the_unbroken_run(tmp_path):
    import time

    ck = tmp_path / "run.ckpt"

    def slow(x, k, act):
        time.sleep(0.005)
        return quadratic(x, k, act)

    cut = nd.minimize(slow, space(), "random", budget=200, seed=4, max_time=0.2, checkpoint=ck)
    assert cut.stop_reason == "max_time" and cut.nfev < 100  # inside the first generation
    resumed = nd.resume(ck, objective=quadratic, max_time=3600)
    unbroken = nd.minimize(quadratic, space(), "random", budget=200, seed=4)
    assert np.array_equal(resumed.history.vectors, unbroken.history.vectors)
    assert resumed.fun == unbroken.fun


def test_stop_rules_wait_for_the_replay_and_reinforce_anchors_do_not_move(tmp_path):
    """A target hit in a generation that was then interrupted: the resumed run finishes that
    generation as the unbroken run did (stop rules see replayed rows only once told)."""
    calls = {"n": 0, "at": None}

    def f(x, k, act):
        calls["n"] += 1
        if calls["at"] == calls["n"]:
            raise KeyboardInterrupt
        return quadratic(x, k, act)

    target = 0.05
    for strategy in ("cmaes", "reinforce"):
        ref = nd.minimize(f, space(), strategy, budget=400, seed=3, target=target)
        hit = int(np.flatnonzero(ref.history.values <= target)[0])
        ck = tmp_path / f"{strategy}.ckpt"
        calls.update(n=0, at=hit + 2)
        cut = nd.minimize(f, space(), strategy, budget=400, seed=3, target=target,
                          checkpoint=ck)
        calls.update(at=None)
        resumed = nd.resume(ck, objective=f)
        assert cut.stop_reason == "interrupted"
        assert (resumed.nfev, resumed.nit, resumed.stop_reason) == (ref.nfev, ref.nit, "target")
