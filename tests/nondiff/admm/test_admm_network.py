"""Taylor et al. ADMM training: each closed-form step against a brute-force or least-squares
oracle, and a small generated classification task learned with the autodiff engine's gradient
entry points disabled."""

import contextlib

import numpy as np
import pytest

from nondiff.admm import network as N

RNG = np.random.default_rng(0)
GRID = np.linspace(-6, 6, 120001)  # resolution 1e-4


def brute(cost, *args):
    return np.array([GRID[np.argmin(cost(GRID, *a))] for a in zip(*args)])


def test_relu_z_step_matches_a_grid_search():
    a, m = RNG.normal(0, 1.5, 40), RNG.normal(0, 1.5, 40)
    beta, gamma = 0.7, 3.0

    def cost(z, a_, m_):
        return gamma * (a_ - np.maximum(z, 0)) ** 2 + beta * (z - m_) ** 2

    z = N._relu_z_step(a, m, beta, gamma)
    ref = brute(cost, a, m)
    np.testing.assert_allclose(cost(z, a, m), cost(ref, a, m), atol=1e-7)
    assert np.all(cost(z, a, m) <= cost(ref, a, m) + 1e-12)


def test_hinge_z_step_matches_a_grid_search():
    Y = (RNG.random(40) > 0.5).astype(float)
    m, lam = RNG.normal(0, 1.5, 40), RNG.normal(0, 0.5, 40)
    beta = 0.4

    def cost(z, y, m_, l_):
        hinge = np.maximum(1 - z, 0) if y > 0.5 else np.maximum(z, 0)
        return hinge + l_ * z + beta * (z - m_) ** 2

    z = N._hinge_z_step(Y, m, lam, beta)
    for i in range(40):
        ref = GRID[np.argmin(cost(GRID, Y[i], m[i], lam[i]))]
        assert cost(z[i], Y[i], m[i], lam[i]) <= cost(ref, Y[i], m[i], lam[i]) + 1e-12


def test_activation_step_solves_its_least_squares_problem():
    W_next = RNG.standard_normal((4, 6 + 1))  # bias column last
    z_next, hz = RNG.standard_normal((4, 9)), RNG.standard_normal((6, 9))
    beta, gamma = 0.3, 2.0
    a = N._activation_step(W_next, z_next, hz, beta, gamma)
    # stacked least squares: sqrt(beta) (V a + c - z) and sqrt(gamma) (a - hz)
    V, c = W_next[:, :-1], W_next[:, -1:]
    M = np.vstack([np.sqrt(beta) * V, np.sqrt(gamma) * np.eye(6)])
    rhs = np.vstack([np.sqrt(beta) * (z_next - c), np.sqrt(gamma) * hz])
    np.testing.assert_allclose(a, np.linalg.lstsq(M, rhs, rcond=None)[0], atol=1e-10)


def test_weight_step_is_least_squares_with_a_bias():
    a_prev, z = RNG.standard_normal((5, 30)), RNG.standard_normal((3, 30))
    W = N._least_squares_weights(z, a_prev, ridge=0.0)
    A = np.vstack([a_prev, np.ones((1, 30))])
    np.testing.assert_allclose(W, np.linalg.lstsq(A.T, z.T, rcond=None)[0].T, atol=1e-10)


@contextlib.contextmanager
def no_gradients():
    ad = pytest.importorskip("nondiff.autodiff", reason="nondiff.autodiff is not available")
    names = [n for n in ("grad", "value_and_grad", "vjp") if hasattr(ad, n)]
    saved = {n: getattr(ad, n) for n in names}

    def refuse(*args, **kwargs):
        raise AssertionError("gradient requested")

    for n in names:
        setattr(ad, n, refuse)
    try:
        yield
    finally:
        for n, fn in saved.items():
            setattr(ad, n, fn)


def rings(n, rng):
    """Three concentric noisy rings in 2-D: not linearly separable."""
    labels = rng.integers(0, 3, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = 1.0 + labels + 0.15 * rng.standard_normal(n)
    return np.c_[radius * np.cos(angle), radius * np.sin(angle)] / 3, labels


def test_learns_a_nonlinear_task_without_gradients():
    rng = np.random.default_rng(1)
    X, y = rings(600, rng)
    Xt, yt = rings(300, rng)
    with no_gradients():
        nets = [N.train_network(X, y, (64,), iterations=40, seed=s) for s in range(5)]
    linear = np.c_[X, np.ones(len(X))]
    w = np.linalg.lstsq(linear, np.eye(3)[y], rcond=None)[0]
    linear_acc = (np.c_[Xt, np.ones(len(Xt))] @ w).argmax(1).__eq__(yt).mean()
    # the scheme is a heuristic whose result depends on the initial weights, so the claim is
    # over five seeds (measured: 0.94-0.99, median 0.99; the linear classifier gets 0.40)
    accuracy = [net.accuracy(Xt, yt) for net in nets]
    assert np.median(accuracy) >= 0.95 and min(accuracy) >= 0.9
    assert min(accuracy) > linear_acc + 0.3
    assert all(len(net.history["loss"]) == 40 for net in nets)
    assert all(net.history["loss"][-1] < net.history["loss"][0] for net in nets)


def test_training_is_reproducible_and_validated():
    X, y = rings(100, np.random.default_rng(2))
    a = N.train_network(X, y, (8,), iterations=3, seed=4)
    b = N.train_network(X, y, (8,), iterations=3, seed=4)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    for kwargs, match in [({"hidden": ()}, "hidden"), ({"beta": 0.0}, "beta"),
                          ({"iterations": 0}, "iterations"), ({"warmup": -1}, "warmup"),
                          ({"init_scale": 0.0}, "init_scale")]:
        with pytest.raises(ValueError, match=match):
            N.train_network(X, y, **kwargs)
