"""Primitives without derivative: numpy's values, no gradient through them, and the
conversions of traced values (bool, int, float) behave as in plain Python."""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import grad
from nondiff.autodiff.numpy import nograd

X = np.array([-1.5, -0.5, 0.0, 0.7, 2.2])
UNARY = ["floor", "ceil", "round", "rint", "trunc", "fix", "sign", "isnan", "isinf", "isfinite",
         "argmax", "argmin", "argsort", "logical_not", "any", "all", "zeros_like", "ones_like"]
BINARY = ["greater", "greater_equal", "less", "less_equal", "equal", "not_equal",
          "floor_divide", "logical_and", "logical_or", "logical_xor", "heaviside"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_values_and_zero_gradient(name):
    prim = getattr(nograd, name)
    expected = getattr(np, name)(X)

    def f(x):
        out = prim(x)
        assert np.array_equal(np.asarray(anp.stop_gradient(out)), expected)
        return anp.sum(x * 0.0 + anp.sum(out * 1.0))

    assert np.allclose(grad(f)(X), 0.0)


@pytest.mark.parametrize("name", BINARY)
def test_binary_values(name):
    prim = getattr(nograd, name)
    y = X[::-1] + 0.25  # no division by zero
    out = grad(lambda x: anp.sum(x * prim(x, y)))(X)
    assert np.allclose(out, getattr(np, name)(X, y), equal_nan=True)


def test_conversions_inside_grad():
    def f(x):
        n = int(x)  # a cast: fine, just not differentiable
        total = x * 0.0
        for _ in range(n):
            total = total + x
        if total > 1.0 and x.item() > 0:
            return total
        return -total
    assert grad(f)(3.5) == pytest.approx(3.0)


def test_where_with_traced_condition_and_indexing_by_argmax():
    x = np.array([0.5, -2.0, 3.0])
    assert np.allclose(grad(lambda v: anp.sum(anp.where(v > 0, v ** 2, 0.0)))(x), [1.0, 0, 6.0])
    assert np.allclose(grad(lambda v: v[anp.argmax(v)] * 2.0)(x), [0, 0, 2.0])
