"""Hypergradients against central finite differences and closed forms on quadratics."""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.hybrid.hypergrad import hypergrad, sgd_hd, unrolled_sgd

A = np.array([1.0, 2.0, 0.5, 1.5])  # train loss curvatures
B = np.array([0.3, -0.2, 1.0, 0.0])  # train optimum
C = np.array([1.0, 0.7, 2.0, 1.2])  # validation loss curvatures
D = np.array([0.2, 0.1, 0.8, -0.3])  # validation optimum
W0 = np.array([1.0, -1.0, 0.5, 2.0])
T = 100


def train(w):
    return 0.5 * anp.sum(A * (w - B) ** 2)


def val(w):
    return 0.5 * anp.sum(C * (w - D) ** 2)


def val_after(lr, momentum=0.0, init_scale=1.0):
    w = unrolled_sgd(train, W0, lr=lr, momentum=momentum, init_scale=init_scale, steps=T)
    return float(val(w))


@pytest.mark.parametrize("name", ["lr", "momentum", "init_scale"])
def test_hypergradient_matches_central_differences(name):
    h = {"lr": 0.05, "momentum": 0.3, "init_scale": 0.8}
    value, g = hypergrad(train, val, W0, steps=T, **h)
    eps = 1e-6
    up, down = dict(h), dict(h)
    up[name] += eps
    down[name] -= eps
    fd = (val_after(**up) - val_after(**down)) / (2 * eps)
    assert value == pytest.approx(val_after(**h), rel=1e-12)
    assert g[name] == pytest.approx(fd, rel=1e-5)


def test_lr_hypergradient_matches_closed_form():
    # plain SGD on the quadratic: w_T - B = (1 - lr A)^T (w0 - B), so
    # d w_T / d lr = -T A (1 - lr A)^(T-1) (w0 - B)
    lr = 0.05
    value, g = hypergrad(train, val, W0, lr=lr, steps=T)
    r = 1 - lr * A
    wT = B + r**T * (W0 - B)
    dw = -T * A * r ** (T - 1) * (W0 - B)
    assert value == pytest.approx(0.5 * np.sum(C * (wT - D) ** 2), rel=1e-12)
    assert g["lr"] == pytest.approx(np.sum(C * (wT - D) * dw), rel=1e-10)


def test_online_hypergradient_descent_follows_closed_form_trajectory():
    # 1-D quadratic f = a/2 (w - b)^2: g_t = a (w_{t-1} - b), so SGD-HD is the scalar recurrence
    # alpha_t = alpha_{t-1} + beta g_t g_{t-1}, w_t = w_{t-1} - alpha_t g_t (g_0 = 0)
    a, b, beta, lr = 2.0, 0.5, 0.01, 0.05
    w_end, lrs = sgd_hd(lambda w: 0.5 * a * (w - b) ** 2, 3.0, lr=lr, beta=beta, steps=50)
    w, alpha, prev, expected = 3.0, lr, 0.0, []
    for _ in range(50):
        g = a * (w - b)
        alpha += beta * g * prev
        w -= alpha * g
        prev = g
        expected.append(alpha)
    np.testing.assert_allclose(lrs, expected, rtol=1e-13)
    assert float(w_end) == pytest.approx(w, rel=1e-12)
    assert lrs[-1] > lr  # the learning rate grows while successive gradients agree


def test_online_hypergradient_descent_adapts_a_too_small_rate_on_vectors():
    def loss(w):
        return 0.5 * anp.sum(A * (w - B) ** 2)
    _, fixed = sgd_hd(loss, W0, lr=0.01, beta=0.0, steps=100)
    w, lrs = sgd_hd(loss, W0, lr=0.01, beta=0.001, steps=100)
    assert np.all(fixed == 0.01)
    assert lrs[-1] > 0.05
    assert float(loss(w)) < float(loss(unrolled_sgd(loss, W0, lr=0.01, steps=100)))
