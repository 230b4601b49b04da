"""ADMM: split an objective into parts with known proximal steps and parts solved numerically.

``admm(f, g, A, B, c)`` minimizes ``f(x) + g(z)`` subject to ``A x + B z = c``. Each of ``f``
and ``g`` is a *term*: a closed-form prox (:mod:`~nondiff.admm.prox`), a quadratic with cached
factorizations (:mod:`~nondiff.admm.terms`), or any Python function solved by an inner solver
(:mod:`~nondiff.admm.inner`: L-BFGS with autodiff gradients, or a black-box strategy from the
registry). :mod:`~nondiff.admm.problems` holds the front-ends (lasso, box least squares,
consensus across shards, mixed-integer and cardinality-constrained least squares) and
:mod:`~nondiff.admm.network` the layer-wise training of Taylor et al. (2016).
"""

from nondiff.admm.linear import Identity, LinearMap, Matrix, Stack
from nondiff.admm.prox import (
    L1,
    L2,
    Box,
    Cardinality,
    CustomProx,
    ElasticNet,
    IntegerSet,
    NonNegative,
    ProxTerm,
    Simplex,
    SquaredL2,
    Zero,
)
from nondiff.admm.result import ADMMResult
from nondiff.admm.solver import admm
from nondiff.admm.terms import LeastSquares, Quadratic

__all__ = [
    "admm", "ADMMResult", "LinearMap", "Identity", "Stack", "Matrix",
    "ProxTerm", "Zero", "L1", "L2", "SquaredL2", "ElasticNet", "Box", "NonNegative", "Simplex",
    "IntegerSet", "Cardinality", "CustomProx", "Quadratic", "LeastSquares",
]
