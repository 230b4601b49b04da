"""Baselines: exact budgets, recorded values, failures ranked worst, reproducible seeds."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pytest

from nondiff.bench import baselines
from nondiff.bench.suites import ProblemSpec, build


def test_budgeted_records_and_stops_at_the_budget():
    f = baselines.Budgeted(lambda x: float(x.sum()), 3)
    assert [f(np.ones(2)) for _ in range(3)] == [2.0, 2.0, 2.0]
    with pytest.raises(baselines.BudgetSpent):
        f(np.ones(2))
    assert f.values == [2.0, 2.0, 2.0]


def test_budgeted_turns_failures_into_nan_records_and_huge_values():
    def boom(x):
        raise RuntimeError("no")

    f = baselines.Budgeted(boom, 2)
    assert f(np.zeros(1)) == 1e300 and np.isnan(f.values[0])


# ngopt (optional nevergrad, ~7 ms per evaluation) has its own test below
CORE = sorted(set(baselines.BASELINES) - {"ngopt"})
LO, HI = np.array([-1.0, 2.0, -7.0]), np.array([3.0, 10.0, -6.0])  # centre (1, 6, -6.5)


def _lopsided():
    """A shifted sphere on an asymmetric box, and the points it is called at."""
    p = build(ProblemSpec("classic", "sphere", 3, 1))
    record = []

    def fn(x):
        record.append(np.array(x, dtype=float))
        return float(np.sum((x - [2.0, 3.0, -6.2]) ** 2))

    return dataclasses.replace(p, fn=fn, bounds=(LO, HI)), record


def _needs_nevergrad():
    return pytest.importorskip(
        "nevergrad", reason="nevergrad is not installed (optional: pip install nevergrad)")


@pytest.mark.parametrize("name", CORE)
def test_each_baseline_spends_exactly_the_budget_and_improves(name):
    p = build(ProblemSpec("classic", "sphere", 3, 1))
    values, reason = baselines.run(name, p, 300, seed=5)
    assert values.size <= 300 and (reason == "budget") == (values.size == 300)
    assert np.nanmin(values) < 0.05 * values[0]
    again, _ = baselines.run(name, p, 300, seed=5)
    assert np.array_equal(values, again)


def test_baselines_refuse_problems_without_a_box():
    p = build(ProblemSpec("discrete", "onemax", 5, 1))
    with pytest.raises(ValueError, match="continuous box"):
        baselines.run("scipy-de", p, 10, seed=0)
    assert not baselines.supports(p.spec)
    assert baselines.supports(ProblemSpec("programs", "cartpole", 5, 1))


@pytest.mark.parametrize("name", ["scipy-nm", "scipy-da", "scipy-de"])
def test_the_first_evaluated_point_is_the_centre_of_the_box(name):
    p, points = _lopsided()
    values, _ = baselines.run(name, p, 60, seed=2)
    assert values.size == 60 and np.array_equal(points[0], (LO + HI) / 2)
    assert all(np.all((LO <= x) & (x <= HI)) for x in points)


def test_nelder_mead_restarts_from_uniform_points_after_the_centre(monkeypatch):
    import scipy.optimize

    starts, real = [], scipy.optimize.minimize
    monkeypatch.setattr(scipy.optimize, "minimize",
                        lambda f, x0, **kw: (starts.append(np.array(x0)), real(f, x0, **kw))[1])
    p, _ = _lopsided()
    baselines.run("scipy-nm", p, 600, seed=4, xatol=1e-2, fatol=1e-2)  # loose: quick restarts
    assert len(starts) >= 3 and np.array_equal(starts[0], (LO + HI) / 2)
    later = np.array(starts[1:])
    assert np.all((LO <= later) & (later <= HI)) and np.all(later != (LO + HI) / 2)
    assert len({tuple(x) for x in later}) == len(later)


def test_pycma_starts_at_the_centre_then_ipop_restarts_from_uniform_means(monkeypatch):
    import cma

    starts = []

    class Recording(cma.CMAEvolutionStrategy):
        def __init__(self, x0, sigma0, opts):
            starts.append((np.array(x0), sigma0, opts.get("popsize")))
            super().__init__(x0, sigma0, opts)

    monkeypatch.setattr(cma, "CMAEvolutionStrategy", Recording)
    p, _ = _lopsided()
    p = dataclasses.replace(p, fn=lambda x: 1.0)  # flat: pycma stops at once, so it restarts
    baselines.run("pycma", p, 300, seed=1)
    x0s, sigmas, pops = zip(*starts)
    assert len(starts) >= 3 and np.array_equal(x0s[0], (LO + HI) / 2)
    assert sigmas == (0.3 * 8.0,) * len(starts)  # 0.3 times the widest side
    later = np.array(x0s[1:])
    assert np.all((LO <= later) & (later <= HI)) and np.all(later != (LO + HI) / 2)
    assert pops[0] is None and all(b == 2 * a for a, b in zip(pops[1:], pops[2:]))


def test_ngopt_without_nevergrad_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "nevergrad", None)  # makes `import nevergrad` fail
    p, _ = _lopsided()
    with pytest.raises(ImportError, match="pip install nevergrad"):
        baselines.run("ngopt", p, 10, seed=0)


def test_ngopt_runs_from_the_centre_reproducibly_and_improves():
    _needs_nevergrad()
    p = build(ProblemSpec("classic", "sphere", 2, 1))
    points = []
    q = dataclasses.replace(p, fn=lambda x: (points.append(np.array(x)), p.fn(x))[1])
    values, reason = baselines.run("ngopt", q, 50, seed=3)
    assert values.size == 50 and reason == "budget"
    assert np.array_equal(points[0], np.zeros(2))  # the centre of [-5, 5]^2
    assert np.nanmin(values) < 1e-3 * values[0]
    again, _ = baselines.run("ngopt", p, 50, seed=3)
    assert np.array_equal(values, again)


def test_nelder_mead_step_builds_an_axis_simplex_of_that_fraction_of_the_box():
    p, points = _lopsided()
    baselines.run("scipy-nm", p, 30, seed=0, step=0.2)
    # the centre (1, 6, -6.5), then one vertex per axis, 0.2 of the widths (4, 8, 1) away
    expected = [[1.0, 6.0, -6.5], [1.8, 6.0, -6.5], [1.0, 7.6, -6.5], [1.0, 6.0, -6.3]]
    np.testing.assert_allclose(points[:4], expected, rtol=0, atol=1e-12)


def test_simplex_edges_turn_inwards_at_the_upper_bound():
    s = baselines._simplex(np.array([2.9, 2.0, -6.1]), LO, HI, 0.25)
    np.testing.assert_allclose(s, [[2.9, 2.0, -6.1], [1.9, 2.0, -6.1], [2.9, 4.0, -6.1],
                                   [2.9, 2.0, -6.35]], rtol=0, atol=1e-12)


def test_pycma_bipop_starts_at_the_centre_then_bipop_restarts(monkeypatch):
    import cma.evolution_strategy as es_module

    runs = []

    class Recording(es_module.CMAEvolutionStrategy):
        def __init__(self, x0, sigma0, opts=None, **kw):
            super().__init__(x0, sigma0, opts, **kw)
            runs.append((np.array(self.x0), self.popsize))

    monkeypatch.setattr(es_module, "CMAEvolutionStrategy", Recording)
    p, _ = _lopsided()
    p = dataclasses.replace(p, fn=lambda x: 1.0)  # flat: every run stops at once
    values, _ = baselines.run("pycma-bipop", p, 600, seed=1)
    assert values.size == 600
    x0s, pops = zip(*runs)
    assert np.array_equal(x0s[0], (LO + HI) / 2)
    later = np.array(x0s[1:])
    assert len(later) >= 3 and np.all((LO <= later) & (later <= HI))
    assert max(pops) > pops[0]  # BIPOP's large runs grow the population
