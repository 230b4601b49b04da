"""Baselines: exact budgets, recorded values, failures ranked worst, reproducible seeds."""

from __future__ import annotations

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


@pytest.mark.parametrize("name", sorted(baselines.BASELINES))
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
