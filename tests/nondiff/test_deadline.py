"""``Evaluator.evaluate(deadline=...)`` and ``max_time`` enforced through it: a process pool is
given the whole generation at once (no barrier every ``workers`` candidates) and stops at the
deadline, killing what still runs; in process no evaluation starts after it. The driver then
stops with ``max_time`` and does not tell the generation that was cut."""

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import nondiff as nd
from nondiff import registry
from nondiff.evaluate import Evaluator
from nondiff.outcome import Status
from nondiff.strategy import candidates_from_vectors

SPACE = nd.Space(x=nd.Real(0, 1))
INTERRUPTED = int(Status.INTERRUPTED)


def sleeps(x):
    """Sleeps 0.05 s (x=0) to 0.3 s (x=1); returns the wall clock at its start."""
    start = time.time()
    time.sleep(0.05 + 0.25 * x)
    return start


def finishes(x):
    """Sleeps 0.05 s to 0.3 s; returns the wall clock at its end."""
    time.sleep(0.05 + 0.25 * x)
    return time.time()


def batch_sleeps(x):
    time.sleep(0.05)
    return np.asarray(x, dtype=float)


def cands(xs):
    return candidates_from_vectors(SPACE, np.asarray(xs, dtype=float).reshape(-1, 1), 0)


@pytest.fixture(scope="module")
def pool():
    with Evaluator(sleeps, SPACE, workers=2) as ev:
        yield ev


def test_the_pool_takes_the_whole_generation_without_a_barrier(pool):
    # long, short, short, long, ...: in pairs (the old chunked schedule) every pair waits for
    # its long task, 4 x 0.3 = 1.2 s; list scheduling on two workers needs 0.8 s
    long_short = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]
    chunked_bound = sum(0.05 + 0.25 * max(a, b) for a, b in zip(long_short[::2],
                                                               long_short[1::2]))
    t = time.perf_counter()
    out = pool.evaluate(cands(long_short), deadline=time.monotonic() + 30)
    wall = time.perf_counter() - t
    assert (out.status == 0).all() and not out.deadline_passed and not out.interrupted
    starts = out.values
    # a barrier would hold candidate 2 until candidate 0 (0.3 s) is done
    assert starts[2] - starts[0] < 0.2
    assert wall < chunked_bound - 0.15


def test_the_deadline_kills_running_tasks_and_starts_nothing_new(pool):
    xs = [1.0] * 8  # 0.3 s each: two finish, two are killed, four never start
    t = time.perf_counter()
    out = pool.evaluate(cands(xs), deadline=time.monotonic() + 0.45)
    wall = time.perf_counter() - t
    assert out.deadline_passed and not out.interrupted
    assert out.status.tolist() == [0, 0] + [INTERRUPTED] * 6
    assert wall < 0.45 + 0.15
    assert "time limit" in out.errors[2] and "time limit" in out.errors[3]
    assert 4 not in out.errors  # never started: no text
    again = pool.evaluate(cands([0.0, 0.0]))  # the killed workers were replaced
    assert (again.status == 0).all()


def test_a_deadline_already_past_evaluates_nothing(pool):
    out = pool.evaluate(cands([0.0, 0.0, 0.0]), deadline=time.monotonic() - 1)
    assert out.deadline_passed and (out.status == INTERRUPTED).all()


def test_in_process_no_evaluation_starts_after_the_deadline():
    with Evaluator(sleeps, SPACE) as ev:
        assert ev.mode == "inline"
        # 0.1 s each: they start at 0, 0.1, 0.2, then 0.3 > the deadline at 0.25
        out = ev.evaluate(cands([0.2] * 10), deadline=time.monotonic() + 0.25)
    assert out.deadline_passed and not out.interrupted
    assert out.status.tolist() == [0, 0, 0] + [INTERRUPTED] * 7
    assert np.isfinite(out.seconds).all() and (out.seconds[3:] == 0).all()


def test_in_process_a_batch_objective_is_one_call_started_before_the_deadline():
    obj = nd.Objective(batch_sleeps, SPACE, batch=True)
    with Evaluator(obj, SPACE) as ev:
        out = ev.evaluate(cands([0.1, 0.2, 0.3]), deadline=time.monotonic() + 0.01)
        late = ev.evaluate(cands([0.1, 0.2]), deadline=time.monotonic() - 0.01)
    assert out.values.tolist() == [0.1, 0.2, 0.3] and not out.deadline_passed
    assert late.deadline_passed and (late.status == INTERRUPTED).all()


def test_a_user_executor_does_not_enforce_a_deadline():
    with ThreadPoolExecutor(2) as pool, Evaluator(finishes, SPACE, executor=pool) as ev:
        out = ev.evaluate(cands([0.0, 0.0]), deadline=time.monotonic() - 1)
    assert (out.status == 0).all() and not out.deadline_passed


@pytest.mark.parametrize("bad, error", [("soon", TypeError), (True, TypeError),
                                        (float("nan"), ValueError)])
def test_a_bad_deadline_is_refused_by_name(pool, bad, error):
    with pytest.raises(error, match="deadline"):
        pool.evaluate(cands([0.0]), deadline=bad)


class Spy:
    """Random search (4 per generation) that remembers which candidate ids were told."""

    def __init__(self):
        self.inner = registry.create("random", SPACE, seed=3, batch_size=4)
        self.told: list[int] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def tell(self, candidates, values):
        self.told.extend(c.id for c in candidates)
        return self.inner.tell(candidates, values)


def test_max_time_with_workers_ends_at_the_limit_and_the_cut_generation_is_not_told():
    spy, limit = Spy(), 0.6
    t0_wall, t0 = time.time(), time.perf_counter()
    res = nd.minimize(finishes, SPACE, spy, budget=10**6, seed=0, workers=2, max_time=limit)
    wall = time.perf_counter() - t0
    assert res.stop_reason == "max_time" and res.message == "time limit reached"
    assert wall < limit + 0.3  # pool start-up counts in the limit; the cut takes no grace
    h = res.history
    ok = h.status == 0
    # the objective returned when it finished: none that finished after the limit counts
    assert (h.values[ok] <= t0_wall + limit + 0.05).all()
    assert res.nfev == ok.sum() and res.counts["interrupted"] == (h.status == INTERRUPTED).sum()
    # the generation cut by the deadline is recorded but never told
    cut = h.status == INTERRUPTED
    assert cut.any() and set(h.ids[cut]).isdisjoint(spy.told)
    assert (h.generation[cut] == res.nit).all() and len(spy.told) == 4 * res.nit


def slow_sphere(x):
    time.sleep(0.05)
    return (x - 0.3) ** 2


def sphere(x):
    return (x - 0.3) ** 2


def test_a_run_cut_in_the_pool_resumes_to_the_unbroken_run(tmp_path):
    ck = tmp_path / "run.ckpt"
    opts = {"batch_size": 8}
    cut = nd.minimize(slow_sphere, SPACE, "random", budget=40, seed=5, workers=2,
                      max_time=0.5, checkpoint=ck, strategy_options=opts)
    assert cut.stop_reason == "max_time" and cut.counts["interrupted"] > 0
    resumed = nd.resume(ck, objective=sphere, max_time=3600)
    unbroken = nd.minimize(sphere, SPACE, "random", budget=40, seed=5, strategy_options=opts)
    assert np.array_equal(resumed.history.vectors, unbroken.history.vectors)
    assert resumed.nfev == unbroken.nfev == 40 and resumed.fun == unbroken.fun
