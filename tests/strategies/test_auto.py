"""The ``auto`` strategy: its choices, its phase switching, its state, and the conformance checks
on the spaces the registry-wide suite does not cover (continuous, integer)."""

import numpy as np
import pytest

from nondiff import registry
from nondiff.conformance import check_strategy
from nondiff.minimize import minimize
from nondiff.space import Array, Bits, Categorical, Integer, Permutation, Real, Space
from strategies.auto import PORTFOLIOS, Auto

CONT = Space(x=Real(-2.0, 3.0), w=Array((3,), -1.0, 1.0))
WIDE = Space(x=Real(-2.0, 3.0), w=Array((5,), -1.0, 1.0))  # dimension 6: BFGS + BIPOP


def _drive(s, f, until=None):
    """Ask/tell ``s`` on ``f`` (rows of unit-cube vectors) until it stops; every batch's ids."""
    ids = []
    while s.stop() is None and (until is None or not until(s)):
        b = s.ask()
        ids.append(np.asarray(b.ids))
        s.tell(b, f(b.vectors))
    return ids


def _sphere(X):
    return ((X - 0.3) ** 2).sum(axis=1)


@pytest.mark.parametrize("space", [CONT, Space(x=Real(-2, 3), k=Integer(0, 5))],
                         ids=["continuous", "integer"])
def test_conformance_on_other_spaces(space):
    check_strategy("auto", space)


@pytest.mark.parametrize(("space", "kw", "plan", "first"), [
    (CONT, {}, "scan-nm-restarts", "nm"),
    (WIDE, {}, "scan-bfgs-bipop-scaled", "local"),
    (CONT, {"noisy": True}, "cmaes-noise", "cmaes"),
    (CONT, {"workers": 8}, "ipop-wide", "cmaes"),
    (CONT, {"vectorized": True}, "ipop-wide", "cmaes"),
    (CONT, {"portfolio": "bfgs-restarts"}, "bfgs-restarts", "local"),
    (Space(x=Real(0, 1), k=Integer(0, 9)), {}, "bipop", "cmaes"),
    (Space(x=Real(0, 1), c=Categorical(["a", "b", "c"])), {}, "ga", "ga"),
    (Space(b=Bits(5)), {}, "ga", "ga"),
    (Space(p=Permutation(5)), {}, "ga", "ga"),
])
def test_plan_follows_the_space_and_the_setting(space, kw, plan, first):
    s = Auto(space, seed=0, budget=100, **kw)
    assert s.plan_name == plan
    assert s.component == first
    assert s.decisions and all(isinstance(d, str) for d in s.decisions)
    assert plan in s.describe()


def test_wide_population_matches_the_workers():
    s = Auto(CONT, seed=0, budget=500, workers=12)
    assert len(s.ask()) == 12


@pytest.mark.parametrize(("kw", "exc", "word"), [
    ({"budget": 0}, ValueError, "budget"), ({"workers": 0}, ValueError, "workers"),
    ({"noisy": "yes"}, TypeError, "noisy"), ({"vectorized": 1}, TypeError, "vectorized"),
    ({"portfolio": "nope"}, ValueError, "portfolio"), ({"colour": 1}, TypeError, "colour"),
])
def test_bad_options_name_the_parameter(kw, exc, word):
    with pytest.raises(exc, match=word):
        Auto(CONT, seed=0, **kw)


def test_forced_portfolio_needs_a_continuous_space():
    with pytest.raises(ValueError, match="portfolio"):
        Auto(Space(c=Categorical(["a", "b"])), portfolio="bipop")


@pytest.mark.parametrize(("dim", "budget", "plan"), [
    (2, 999, "scan-nm-restarts"), (2, 1000, "scan-bfgs-bipop-scaled"),
    (5, 2499, "scan-nm-restarts"), (6, 100, "scan-bfgs-bipop-scaled"),
    (2, None, "scan-bfgs-bipop-scaled")])
def test_nelder_mead_in_low_dimension_at_small_budgets(dim, budget, plan):
    s = Auto(Space(x=Array((dim,), 0.0, 1.0)), seed=0, budget=budget)
    assert s.plan_name == plan


def test_local_phase_hands_over_to_cmaes_and_ids_keep_increasing():
    s = Auto(CONT, seed=3, budget=600, portfolio="scan-bfgs-bipop-scaled")
    ids = np.concatenate(_drive(s, _sphere))
    assert np.array_equal(ids, np.arange(600)), "ids must be 0..budget-1, one per evaluation"
    events = [what for _, what in s._state.log]
    assert events[0].startswith("start local") and "start cmaes (phase 1)" in events
    # the local phase alone solves the sphere: the best is the closed-form minimizer
    assert np.allclose(s.best[0].vector, 0.3, atol=1e-6)


@pytest.mark.parametrize("space", [CONT, WIDE], ids=["nelder-mead", "bfgs"])
def test_first_point_is_the_centre_of_the_box(space):
    s = Auto(space, seed=0, budget=50)
    assert np.array_equal(s.ask().vectors[0], np.full(space.dim, 0.5))


def test_state_round_trip_after_the_switch():
    a = Auto(CONT, seed=5, budget=400)
    _drive(a, _sphere, until=lambda s: s.component == "cmaes" and s._ledger.next_id > 150)
    b = Auto(CONT, seed=5, budget=400)
    b.load_state_dict(a.state_dict())
    for _ in range(3):
        ca, cb = a.ask(), b.ask()
        assert np.array_equal(ca.ids, cb.ids) and np.array_equal(ca.vectors, cb.vectors)
        a.tell(ca, _sphere(ca.vectors))
        b.tell(cb, _sphere(cb.vectors))
    assert a.best[1] == b.best[1]


def test_last_phase_restarts_when_its_component_stops():
    s = Auto(CONT, seed=1, budget=300, portfolio="bfgs-restarts")
    _drive(s, _sphere)
    starts = [what for _, what in s._state.log if what.startswith("start local")]
    assert len(starts) >= 3, "converged local runs must be restarted from random points"
    assert s.stop() == "budget"


def test_minimize_reaches_a_known_optimum():
    # Rosenbrock in 3 dimensions, minimum 0 at (1, 1, 1), inside the box [-2, 2]^3
    space = Space(x=Array((3,), -2.0, 2.0))

    def rosen(x):
        return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))

    res = minimize(rosen, space, "auto", budget=1500, seed=0)
    assert res.fun < 1e-6
    assert np.allclose(res.x, 1.0, atol=1e-3)


def test_failures_never_become_the_best_on_the_local_phase():
    def f(X):
        v = _sphere(X)
        v[X[:, 0] > 0.5] = np.inf  # the centre (0.5) itself succeeds
        return v

    s = Auto(CONT, seed=0, budget=200)
    _drive(s, f)
    assert np.isfinite(s.best[1]) and s.best[0].vector[0] <= 0.5


def test_registered_under_auto():
    assert registry.get("auto") is Auto
    assert set(PORTFOLIOS) >= {"bfgs-bipop", "bipop", "bfgs-restarts"}


def test_a_program_with_differentiable_parameters_goes_to_hybrid():
    pytest.importorskip("strategies.hybrid")
    space = Space(w=Real(-2, 2), k=Integer(0, 10))

    def f(w, k):  # w is differentiable, k an integer: optimum 0 at w = 0, k = 0
        return (w - 0.1 * k) ** 2 + 0.01 * k

    s = Auto(space, seed=0, budget=300, program=f)
    assert s.plan_name == "hybrid" and s.component == "hybrid"
    assert "w" in s.decisions[0]
    assert s._state.child_spec["options"]["gradient"] == ["w"]
    res = minimize(f, space, "auto", budget=300, seed=0, strategy_options={"program": f})
    assert res.params["k"] == 0 and abs(res.params["w"]) < 1e-3


def test_a_program_without_gradients_stays_black_box():
    pytest.importorskip("strategies.hybrid")
    space = Space(a=Real(-1, 1), b=Real(-1, 1))

    def f(a, b):  # a step function: no usable gradient anywhere
        return float(a > 0) + float(b > 0)

    s = Auto(space, seed=0, budget=100, program=f)
    assert s.plan_name == "scan-nm-restarts"
    assert any("no parameter has a usable gradient" in d for d in s.decisions)


@pytest.mark.parametrize("budget, factor", [(200 * 6, 3), (500 * 6 - 1, 3), (500 * 6, 4)])
def test_global_phase_population_grows_with_the_budget(budget, factor):
    """3x pycma's default population, 4x from 500 evaluations per dimension (WIDE has 6)."""
    s = Auto(WIDE, seed=0, budget=budget)
    _drive(s, _sphere, until=lambda s: s.component == "cmaes")
    assert s._child.es.popsize == factor * (4 + int(3 * np.log(WIDE.dim)))
    assert f"{factor}x pycma's default population" in " ".join(s.decisions)


def test_numpy_integer_budget_is_accepted():
    s = Auto(CONT, seed=0, budget=np.int64(40))
    ids = np.concatenate(_drive(s, _sphere))
    assert s.budget == 40 and type(s.budget) is int and np.array_equal(ids, np.arange(40))
