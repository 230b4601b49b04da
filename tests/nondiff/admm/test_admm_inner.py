"""Inner solvers: a lasso whose smooth part is only a Python function (explicit gradient and
autodiff gradient), and a piecewise-constant function on the simplex through a black-box
strategy, both against closed-form or closed-prox references."""

import numpy as np
import pytest

from nondiff.admm import L1, Simplex, admm
from nondiff.admm.inner import BlackBox, Smooth
from nondiff.admm.problems import lambda_max, lasso

RNG = np.random.default_rng(0)
D = RNG.standard_normal((30, 12))
B = D @ np.r_[np.ones(4) * 2, np.zeros(8)] + 0.1 * RNG.standard_normal(30)
LAM = 0.2 * lambda_max(D, B)
REFERENCE = lasso(D, B, LAM, eps_abs=1e-12, eps_rel=1e-12, max_iter=3000)


def test_smooth_with_a_user_gradient_matches_the_lasso():
    f = Smooth(lambda x: 0.5 * np.sum((D @ x - B) ** 2), lambda x: D.T @ (D @ x - B), dim=12)
    res = admm(f, L1(LAM), eps_abs=1e-6, eps_rel=1e-6)
    assert res.success
    np.testing.assert_allclose(res.z, REFERENCE.x, atol=1e-5)
    assert f.nfev > 0


def test_smooth_with_autodiff_gradients_matches_the_lasso():
    ad = pytest.importorskip("nondiff.autodiff", reason="nondiff.autodiff is not available")
    anp = pytest.importorskip("nondiff.autodiff.numpy")
    assert hasattr(ad, "value_and_grad")

    def f(x):  # only a Python function: no prox, no matrix handed to ADMM
        r = anp.dot(D, x) - B
        return 0.5 * anp.sum(r * r)

    res = admm(Smooth(f, dim=12), L1(LAM), eps_abs=1e-6, eps_rel=1e-6)
    assert res.success
    np.testing.assert_allclose(res.z, REFERENCE.x, atol=1e-4)


def test_smooth_validation():
    with pytest.raises(TypeError, match="fun"):
        Smooth(3)
    with pytest.raises(TypeError, match="grad"):
        Smooth(lambda x: 0.0, grad=3)


T = np.array([-0.114, 0.037, 0.601, 0.382, -0.106])


def staircase(x):
    """Piecewise constant: x quantized to a grid of 0.01 (zero gradient almost everywhere)."""
    return float(np.sum((np.floor(x * 100) / 100 - T) ** 2))


def test_black_box_solves_a_piecewise_constant_problem_on_the_simplex():
    # the minimizer over the simplex is the projection of T, up to the grid of 0.01
    target = Simplex().prox(T, 1.0)
    term = BlackBox(staircase, -1.0, 1.0, 5, strategy="snes", budget=150, seed=0)
    res = admm(term, Simplex(), rho=1.0, max_iter=40)
    assert Simplex()(res.z) == 0.0
    assert np.abs(res.z - target).max() <= 0.015
    assert staircase(res.z) <= staircase(target) + 1e-3
    assert term.nfev == 40 * 150


def test_black_box_is_reproducible_and_validated():
    runs = [admm(BlackBox(staircase, -1, 1, 5, budget=40, seed=3), Simplex(), max_iter=3)
            for _ in range(2)]
    np.testing.assert_array_equal(runs[0].z, runs[1].z)
    with pytest.raises(ValueError, match="budget"):
        BlackBox(staircase, -1, 1, 5, budget=0)
    with pytest.raises(ValueError, match="unknown strategy"):
        admm(BlackBox(staircase, -1, 1, 5, strategy="nope"), Simplex(), max_iter=1)
