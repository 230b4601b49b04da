"""check_grads for reductions and scipy.special rules, over axes and keepdims."""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import check_grads, grad

R = np.random.default_rng(1)
X = R.uniform(0.5, 1.5, size=(2, 3))
AXES = [None, 0, 1, -1, (0, 1)]


def check(f, *args):
    check_grads(f, modes=("fwd", "rev"), order=2)(*args)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "min", "var", "std"])
def test_reduction(name, axis, keepdims):
    fun = getattr(anp, name)
    check(lambda x: fun(x, axis=axis, keepdims=keepdims), X)


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "min"])
def test_reduction_scalar_and_vector(name):
    fun = getattr(anp, name)
    check(fun, 0.7)
    check(fun, X[0])


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_cumsum(axis):
    check(lambda x: anp.cumsum(x, axis=axis), X)


def test_prod_with_zeros_is_exact():
    x = np.array([2.0, 0.0, 3.0, 4.0])
    assert np.allclose(grad(anp.prod)(x), [0.0, 24.0, 0.0, 0.0])
    assert np.allclose(grad(anp.prod)(np.array([0.0, 0.0, 3.0])), 0.0)
    check(anp.prod, x)


def test_max_splits_ties_evenly():
    assert np.allclose(grad(anp.max)(np.array([1.0, 3.0, 3.0])), [0.0, 0.5, 0.5])


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, 1], ids=str)
def test_logsumexp(axis, keepdims):
    check(lambda x: anp.special.logsumexp(x, axis=axis, keepdims=keepdims), X)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [None, 0, -1], ids=str)
def test_softmax(name, axis):
    fun = getattr(anp.special, name)
    check(lambda x: fun(x, axis=axis), X)


@pytest.mark.parametrize("name", ["expit", "erf", "gammaln", "digamma"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_special_unary(name, shape):
    x = 0.7 if shape == () else R.uniform(0.5, 1.5, size=shape)
    check(getattr(anp.special, name), x)


def test_logit():
    check(anp.special.logit, R.uniform(0.2, 0.8, size=(2, 3)))


def test_logsumexp_value_matches_scipy():
    import scipy.special as sp

    x = np.array([[0.0, -np.inf, 1e3], [-np.inf, -np.inf, -np.inf]])
    for axis in (None, 0, 1):
        for keepdims in (False, True):
            got = anp.special.logsumexp(x, axis=axis, keepdims=keepdims)
            want = sp.logsumexp(x, axis=axis, keepdims=keepdims)
            assert np.shape(got) == np.shape(want) and np.allclose(got, want)
