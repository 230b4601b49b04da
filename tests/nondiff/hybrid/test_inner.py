"""The inner trainers: convergence on a bounded quadratic, caps, failures, best-seen points."""

import numpy as np
import pytest

from nondiff.hybrid import adam, lbfgsb

C = np.array([0.3, -0.7, 2.5])  # optimum; the last coordinate lies outside the box [-1, 1]


def quad(x):
    return float(np.sum((x - C) ** 2 * [1.0, 10.0, 1.0])), 2 * (x - C) * [1.0, 10.0, 1.0]


@pytest.mark.parametrize("trainer, steps", [(adam, 600), (lbfgsb, 40)])
def test_bounded_quadratic(trainer, steps):
    out = trainer(quad, np.zeros(3), lo=-np.ones(3), hi=np.ones(3), steps=steps)
    np.testing.assert_allclose(out.theta, [0.3, -0.7, 1.0], atol=1e-4)
    assert out.evaluations <= steps


@pytest.mark.parametrize("trainer", [adam, lbfgsb])
def test_cap_and_failures_keep_the_best_point(trainer):
    calls = []

    def breaks(x):
        calls.append(x.copy())
        if len(calls) > 3:
            raise RuntimeError("simulator crashed")
        return quad(x)

    out = trainer(breaks, np.zeros(3), lo=-np.ones(3), hi=np.ones(3), steps=50)
    assert out.evaluations == 4
    values = [quad(x)[0] for x in calls[:3]]
    assert out.value == min(values)
    np.testing.assert_array_equal(out.theta, calls[int(np.argmin(values))])


def test_non_finite_value_stops_training():
    def cliff(x):  # (x + 1)^2, undefined left of -0.05
        if x[0] < -0.05:
            return float("nan"), np.zeros(1)
        return float((x[0] + 1) ** 2), 2 * (x + 1)

    out = adam(cliff, np.zeros(1), steps=100, lr=0.1)  # one step of 0.1 falls off
    assert out.value == 1.0 and out.evaluations == 2
    np.testing.assert_array_equal(out.theta, [0.0])


def test_unbounded_adam_uses_an_absolute_rate():
    out = adam(lambda x: (float(x @ x), 2 * x), np.array([1.0]), steps=1 + 1, lr=0.25)
    assert out.theta[0] == pytest.approx(0.75)
