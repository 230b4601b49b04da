"""One check_grads line per elementwise primitive: scalar, vector, matrix and broadcast shapes,
forward and reverse mode, order 2."""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import check_grads, grad

R = np.random.default_rng(0)
SHAPES = [(), (3,), (2, 3)]


def _x(shape, lo=-1.0, hi=1.0):
    return float(R.uniform(lo, hi)) if shape == () else R.uniform(lo, hi, size=shape)


def check(f, *args):
    check_grads(f, modes=("fwd", "rev"), order=2)(*args)


UNARY = {  # primitive -> domain
    anp.negative: (-1, 1), anp.exp: (-1, 1), anp.exp2: (-1, 1), anp.log: (0.5, 2),
    anp.log2: (0.5, 2), anp.log10: (0.5, 2), anp.log1p: (-0.5, 1), anp.expm1: (-1, 1),
    anp.sqrt: (0.5, 2), anp.cbrt: (0.5, 2), anp.square: (-1, 1), anp.reciprocal: (0.5, 2),
    anp.sin: (-2, 2), anp.cos: (-2, 2), anp.tan: (-1, 1), anp.arcsin: (-0.8, 0.8),
    anp.arccos: (-0.8, 0.8), anp.arctan: (-2, 2), anp.sinh: (-1, 1), anp.cosh: (-1, 1),
    anp.tanh: (-1, 1), anp.arcsinh: (-2, 2), anp.arccosh: (1.5, 3), anp.arctanh: (-0.8, 0.8),
    anp.abs: (0.2, 1), anp.sinc: (0.2, 1.5), anp.deg2rad: (-1, 1), anp.rad2deg: (-1, 1),
    anp.positive: (-1, 1),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("prim", list(UNARY), ids=lambda p: p.name)
def test_unary(prim, shape):
    check(prim, _x(shape, *UNARY[prim]))


def test_abs_negative_side():
    check(anp.abs, -_x((3,), 0.2, 1))


BINARY = {
    anp.add: (-1, 1, -1, 1), anp.subtract: (-1, 1, -1, 1), anp.multiply: (-1, 1, -1, 1),
    anp.divide: (-1, 1, 0.5, 2), anp.power: (0.5, 2, -1, 2), anp.arctan2: (0.2, 1, 0.2, 1),
    anp.hypot: (0.2, 1, 0.2, 1), anp.logaddexp: (-1, 1, -1, 1), anp.maximum: (-1, 1, -1, 1),
    anp.minimum: (-1, 1, -1, 1), anp.remainder: (2.1, 2.9, 0.7, 0.9),
}
PAIRS = [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3))]


@pytest.mark.parametrize("shapes", PAIRS, ids=str)
@pytest.mark.parametrize("prim", list(BINARY), ids=lambda p: p.name)
def test_binary(prim, shapes):
    lo1, hi1, lo2, hi2 = BINARY[prim]
    check(prim, _x(shapes[0], lo1, hi1), _x(shapes[1], lo2, hi2))


@pytest.mark.parametrize("shape", SHAPES)
def test_clip(shape):
    check(lambda x: anp.clip(x, -0.5, 0.5), _x(shape))


@pytest.mark.parametrize("shapes", PAIRS, ids=str)
def test_where(shapes):
    c = _x(shapes[0]) > 0
    check(lambda x, y: anp.where(c, x, y), _x(shapes[0]), _x(shapes[1]))


def test_operators_and_scalar_power():
    check(lambda x, y: (x * 2.0 - y / 3.0) ** 2 + 1.0 / (1.5 + x) - (-y) ** 3, _x((3,)), _x((3,)))
    check(lambda x: 2.0 ** x + x ** 0 + abs(x) % 0.3, _x((2, 3), 0.2, 1))


def test_pytorch_conventions_at_kinks():
    assert grad(anp.abs)(0.0) == 0.0
    assert grad(lambda x: anp.maximum(x, 0.0))(0.0) == 0.5
    assert grad(lambda x: anp.minimum(x, 1.0))(1.0) == 0.5
    assert grad(lambda x: anp.clip(x, 0.0, 1.0))(1.0) == 1.0
    with np.errstate(divide="ignore"):
        assert grad(lambda x: anp.sqrt(x))(0.0) == np.inf
    assert grad(lambda y: anp.power(0.0, y))(2.0) == 0.0
    assert grad(lambda x: x ** 0.0)(0.0) == 0.0
