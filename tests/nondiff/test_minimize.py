import time

import numpy as np
import pytest

import nondiff as nd
from nondiff.errors import ObjectiveError, UsageError


def space2():
    return nd.Space(x=nd.Real(-2.0, 2.0), y=nd.Real(-2.0, 2.0))


def quad(x, y):
    return (x - 1.0) ** 2 + (y + 0.5) ** 2


def test_random_search_finds_the_quadratic_minimum_region():
    res = nd.minimize(quad, space2(), "random", budget=2000, seed=0)
    assert res.nfev == 2000 and res.stop_reason == "budget" and res.success
    assert res.fun < 0.01
    assert abs(res.params["x"] - 1.0) < 0.1 and abs(res.params["y"] + 0.5) < 0.1
    # the reported best re-evaluates to the reported value
    assert quad(**res.params) == pytest.approx(res.fun, abs=0)
    assert res.counts["ok"] == 2000 and len(res.history) == 2000


def test_best_matches_history_and_best_so_far_is_monotone():
    res = nd.minimize(quad, space2(), "sobol", budget=256, seed=1)
    assert res.fun == np.nanmin(res.history.values)
    trace = res.history.best_so_far()
    assert np.all(np.diff(trace) <= 0) and trace[-1] == res.fun


def test_maximize_direction():
    res = nd.minimize(lambda x, y: -quad(x, y), space2(), "random", budget=500, seed=0,
                      direction="maximize")
    assert res.fun > -0.05 and res.fun == np.nanmax(res.history.values)


def test_same_seed_same_result_interleaved_runs():
    r1 = nd.minimize(quad, space2(), "random", budget=300, seed=42)
    noise = nd.minimize(quad, space2(), "random", budget=300, seed=7)
    r2 = nd.minimize(quad, space2(), "random", budget=300, seed=42)
    assert np.array_equal(r1.history.values, r2.history.values)
    assert not np.array_equal(r1.history.values, noise.history.values)


def test_target_stops_early():
    res = nd.minimize(quad, space2(), "random", budget=100_000, seed=0, target=0.05)
    assert res.stop_reason == "target" and res.fun <= 0.05 and res.nfev < 100_000


def test_max_time_stops_even_inside_a_generation():
    def slow(x, y):
        time.sleep(0.01)
        return quad(x, y)

    t = time.perf_counter()
    res = nd.minimize(slow, space2(), "random", budget=10**6, seed=0, max_time=0.3)
    wall = time.perf_counter() - t
    # one generation of random search is 100 evaluations (1 s): the limit cuts it short
    assert res.stop_reason == "max_time" and 5 <= res.nfev < 100 and wall < 0.8
    # the rest of the generation is recorded as interrupted (not evaluated, not counted)
    assert res.nit == 0 and res.counts["interrupted"] == len(res.history) - res.nfev > 0


def test_callback_sees_progress_and_can_stop():
    seen = []

    def cb(info):
        seen.append((info.nfev, info.best_value))
        return info.nfev >= 300

    res = nd.minimize(quad, space2(), "random", budget=1000, seed=0, callbacks=[cb])
    assert res.stop_reason == "callback" and res.nfev == 300
    assert [n for n, _ in seen] == [100, 200, 300]
    assert seen[-1][1] == res.fun


def test_failures_are_recorded_ranked_worst_and_counted():
    def flaky(x, y):
        if x > 1.5:
            raise RuntimeError("boom")
        if y > 1.5:
            return float("nan")
        return quad(x, y)

    res = nd.minimize(flaky, space2(), "random", budget=400, seed=3)
    c = res.counts
    assert c["error"] > 0 and c["nan"] > 0 and c["ok"] + c["error"] + c["nan"] == 400
    assert np.isfinite(res.fun) and res.params["x"] <= 1.5
    err_rows = np.flatnonzero(res.history.status == int(nd.Status.ERROR))
    assert all("boom" in res.history.errors[int(i)] for i in err_rows)


def test_first_ten_failures_stop_the_run_with_the_traceback():
    def broken(x, y):
        raise ZeroDivisionError("user bug here")

    with pytest.raises(ObjectiveError, match="user bug here") as info:
        nd.minimize(broken, space2(), "random", budget=1000, seed=0,
                    strategy_options={"batch_size": 4})
    partial = info.value.result
    assert partial is not None and 10 <= partial.nfev <= 12 and partial.counts["error"] >= 10


def test_bad_arguments_are_usage_errors_naming_them():
    with pytest.raises(UsageError, match="budget"):
        nd.minimize(quad, space2(), "random", budget=0)
    with pytest.raises(UsageError, match="no-such"):
        nd.minimize(quad, space2(), "no-such", budget=10)
    with pytest.raises(UsageError, match="batch_size"):
        nd.minimize(quad, space2(), "random", budget=10, strategy_options={"batch_size": 0})
    with pytest.raises(UsageError, match="space"):
        nd.minimize(quad, None, "random", budget=10)


def test_batch_objective_single_call_per_generation():
    calls = []

    def batch(X):
        calls.append(X.shape)
        return ((X - 0.25) ** 2).sum(axis=1)

    space = nd.Space(x=nd.Array((5,), -1.0, 1.0))
    obj = nd.Objective(batch, space, batch=True)
    res = nd.minimize(obj, space, "random", budget=1000, seed=0,
                      strategy_options={"batch_size": 250})
    assert calls == [(250, 5)] * 4 and res.nfev == 1000
    assert isinstance(res.x, np.ndarray) and res.x.shape == (5,)


def test_a_converged_strategy_is_a_success():
    res = nd.minimize(quad, space2(), "cmaes", budget=5000, seed=0)
    assert res.stop_reason.startswith("converged") and res.success and res.fun < 1e-10


@pytest.mark.parametrize("kw, name", [
    ({"max_time": "1"}, "max_time"), ({"max_time": -1}, "max_time"),
    ({"target": "low"}, "target"), ({"checkpoint_every": 0}, "checkpoint_every"),
    ({"callbacks": print}, "callbacks"), ({"callbacks": [1]}, "callbacks"),
    ({"strategy_options": [1]}, "strategy_options"), ({"seed": -1}, "seed"),
    ({"workers": 0}, "workers"), ({"timeout": 0}, "timeout"),
])
def test_every_driver_argument_is_checked_before_running(kw, name):
    with pytest.raises(UsageError, match=name):
        nd.minimize(quad, space2(), "random", budget=10, **kw)


def test_a_constrained_strategy_reports_its_best_feasible_point():
    space = nd.Space(x=nd.Real(0.0, 1.0), y=nd.Real(0.0, 1.0))
    # the unconstrained minimum (0, 0) is infeasible: x + y >= 1 is required
    res = nd.minimize(lambda x, y: x * x + y * y, space, "ga", budget=600, seed=0,
                      strategy_options={"constraint": lambda p: 1.0 - p["x"] - p["y"]})
    assert res.params["x"] + res.params["y"] >= 1.0 - 1e-12
    assert res.fun == pytest.approx(0.5, abs=0.05)
    assert res.fun > np.nanmin(res.history.values)  # infeasible points scored lower
