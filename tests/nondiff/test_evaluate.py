"""Evaluator: the same outcome in process, in a process pool and on an executor (candidate
order kept whatever the completion order), worker set-up (reuse, BLAS pinning, SIGINT ignored),
pickling checks, on_error="raise" and option validation."""

import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from nondiff import Array, Categorical, Integer, Real, Space
from nondiff.errors import ObjectiveError
from nondiff.evaluate import Evaluator
from nondiff.objective import Objective
from nondiff.outcome import Status
from nondiff.strategy import candidates_from_vectors

SPACE = Space(x=Real(-2, 2), n=Integer(0, 4), c=Categorical(["a", "b", "c"]))


def cands(space=SPACE, n=10, seed=0):
    return candidates_from_vectors(space, np.random.default_rng(seed).random((n, space.dim)), 0)


def shuffled(x, n, c):
    """Deterministic value; sleeps so that later candidates often finish first."""
    time.sleep(0.01 * (4 - n) / 4)
    if c == "c" and n == 3:
        raise ValueError("c3")
    return (x - 1) ** 2 + n + (c == "b")


def batch_fn(x, n, c):
    return (x - 1) ** 2 + n + (c == "b")


def worker_facts(x, n, c):
    """The worker's pid, after checking how the worker was set up."""
    if os.environ.get("OMP_NUM_THREADS") != "1" or os.environ.get("MKL_NUM_THREADS") != "1":
        raise RuntimeError("BLAS threads not pinned")
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        raise RuntimeError("SIGINT not ignored")
    return float(os.getpid())


class Custom(Exception):
    pass


def raise_custom(x, n, c):
    raise Custom("from the objective")


def returns_nan(x, n, c):
    return float("nan")


def reference(cs):
    values = []
    for c in cs:
        try:
            values.append(shuffled(**c.params))
        except ValueError:
            values.append(np.nan)
    return np.array(values)


@pytest.fixture(scope="module")
def pool2():
    with Evaluator(shuffled, SPACE, workers=2) as ev:
        yield ev


def test_inline_outcome_matches_direct_calls():
    cs = cands(n=30)
    with Evaluator(shuffled, SPACE) as ev:
        out = ev.evaluate(cs)
    assert ev.mode == "inline"
    np.testing.assert_array_equal(out.values, reference(cs))
    assert ((out.status == Status.ERROR) == np.isnan(reference(cs))).all()
    assert set(out.errors) == set(np.flatnonzero(out.status).tolist())
    assert all("ValueError: c3" in t for t in out.errors.values())
    assert all("in shuffled" in t.splitlines()[1] for t in out.errors.values())  # user frame first


def test_pool_keeps_candidate_order(pool2):
    cs = cands(n=30)
    out = pool2.evaluate(cs)
    assert pool2.mode == "processes"
    np.testing.assert_array_equal(out.values, reference(cs))
    assert out.counts()["error"] == int(np.isnan(reference(cs)).sum())
    assert all(t.startswith("Traceback") and "in shuffled" in t.splitlines()[1]
               for t in out.errors.values())
    assert not out.interrupted


def test_thread_executor_keeps_candidate_order():
    cs = cands(n=30)
    with ThreadPoolExecutor(3) as pool, Evaluator(shuffled, SPACE, executor=pool) as ev:
        out = ev.evaluate(cs)
    np.testing.assert_array_equal(out.values, reference(cs))


def test_batch_objective_is_chunked_per_worker():
    cs = cands(n=11)
    obj = Objective(batch_fn, SPACE, batch=True)
    expected = [batch_fn(**c.params) for c in cs]
    with Evaluator(obj, SPACE, workers=2) as ev:
        out = ev.evaluate(cs)
    np.testing.assert_allclose(out.values, expected, rtol=1e-15)
    with ThreadPoolExecutor(3) as pool, Evaluator(obj, SPACE, executor=pool) as ev:
        np.testing.assert_allclose(ev.evaluate(cs).values, expected, rtol=1e-15)


def test_vector_objective_in_process():
    space = Space(w=Array((3,), -1, 1))
    cs = cands(space, 5)
    with Evaluator(np.sum, space) as ev:
        out = ev.evaluate(cs)
    np.testing.assert_allclose(out.values, [c.params["w"].sum() for c in cs], atol=1e-12)


def test_workers_are_set_up_once_and_reused():
    with Evaluator(worker_facts, SPACE, workers=2) as ev:
        first = ev.evaluate(cands(n=8))
        second = ev.evaluate(cands(n=8, seed=1))
    assert (first.status == Status.OK).all() and (second.status == Status.OK).all(), first.errors
    pids = set(first.values) | set(second.values)
    assert len(pids) <= 2 and os.getpid() not in pids
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_unpicklable_objective_is_refused_before_any_evaluation():
    with pytest.raises(TypeError, match="module level"):
        Evaluator(lambda x, n, c: x, SPACE, workers=2)
    with ProcessPoolExecutor(1) as pool, pytest.raises(TypeError, match="module level"):
        Evaluator(lambda x, n, c: x, SPACE, executor=pool)


def test_timeout_on_a_python_objective_isolates_it():
    with Evaluator(worker_facts, SPACE, timeout=30) as ev:
        assert ev.mode == "processes"
        out = ev.evaluate(cands(n=2))
    assert out.status.tolist() == [0, 0] and out.values[0] != os.getpid()
    with pytest.raises(ValueError, match="isolate"):
        Evaluator(worker_facts, SPACE, timeout=30, isolate=False)


def test_on_error_raise_reraises_the_original_exception():
    with Evaluator(Objective(raise_custom, SPACE, on_error="raise"), SPACE) as ev:
        with pytest.raises(Custom):
            ev.evaluate(cands(n=3))
    with Evaluator(Objective(returns_nan, SPACE, on_error="raise"), SPACE) as ev:
        with pytest.raises(ObjectiveError, match="nan"):
            ev.evaluate(cands(n=2))


def test_on_error_raise_from_workers_then_fresh_results():
    obj = Objective(shuffled, SPACE, on_error="raise")
    bad = [c for c in cands(n=60) if c.params["c"] == "c" and c.params["n"] == 3][:1]
    good = [c for c in cands(n=60, seed=1) if not (c.params["c"] == "c" and c.params["n"] == 3)]
    with Evaluator(obj, SPACE, workers=2) as ev:
        with pytest.raises(ValueError, match="c3") as info:
            ev.evaluate(good[:5] + bad + good[5:10])
        assert "raised in worker process" in "".join(getattr(info.value, "__notes__", []))
        # busy workers were replaced, so no stale result from the first batch is read
        out = ev.evaluate(good[10:20])
    np.testing.assert_array_equal(out.values, reference(good[10:20]))


def test_empty_batch():
    with Evaluator(shuffled, SPACE) as ev:
        out = ev.evaluate([])
    assert out.values.shape == (0,) and out.counts()["ok"] == 0
    with pytest.raises(RuntimeError, match="closed"):
        ev.evaluate(cands(n=1))


@pytest.mark.parametrize("kw, exc, word", [
    ({"workers": 0}, ValueError, "workers"), ({"workers": 1.5}, TypeError, "workers"),
    ({"grace": -1}, ValueError, "grace"), ({"executor": object()}, TypeError, "executor"),
    ({"isolate": "yes"}, TypeError, "isolate"),
])
def test_bad_options_name_the_parameter(kw, exc, word):
    with pytest.raises(exc, match=word):
        Evaluator(shuffled, SPACE, **kw)


def test_file_reference_is_reimported_by_workers(tmp_path):
    path = tmp_path / "objective_file.py"
    path.write_text("import os\n\ndef f(x, n, c):\n    return os.getpid() + 0.0 * x\n")
    obj = Objective.from_reference(f"{path}:f", SPACE)
    with Evaluator(obj, SPACE, workers=2) as ev:
        out = ev.evaluate(cands(n=4))
    assert (out.status == Status.OK).all() and os.getpid() not in set(out.values)


def test_space_is_required():
    with pytest.raises(ValueError, match="space"):
        Evaluator(Objective(shuffled), None)
