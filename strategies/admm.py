"""ADMM: the front door to nondiff's splitting solver (the implementation is ``nondiff.admm``).

ADMM minimizes ``f(x) + g(z)`` subject to ``A x + B z = c`` (Boyd et al. [1]) with proximal
steps where a term has a known prox, cached factorizations where it is quadratic, and an inner
solver (L-BFGS on autodiff gradients, or a black-box strategy from the registry) where it is
only a Python function. :class:`ADMM` fixes the solver's options once and solves many problems
with them; the module also re-exports the terms and front-ends, so that
``from strategies.admm import ADMM, L1, Smooth, lasso`` is all a user imports.

ADMM is not registered as an ask/tell strategy: it needs the split (two functions and a linear
constraint), which the single-objective Strategy protocol cannot carry, and the driver's
best-so-far bookkeeping compares objective values only, which would ignore ``g`` (for example
report infeasible points when ``g`` is a constraint). Black-box search *inside* ADMM goes the
other way round: :class:`~nondiff.admm.inner.BlackBox` runs any registered strategy as the
x-step.

[1] S. Boyd, N. Parikh, E. Chu, B. Peleato, J. Eckstein, "Distributed optimization and
    statistical learning via the alternating direction method of multipliers",
    Found. Trends Mach. Learn. 3(1), 2011.
[2] B. Stellato et al., "OSQP: an operator splitting solver for quadratic programs", 2020.
"""

from __future__ import annotations

from nondiff.admm import (
    L1,
    L2,
    ADMMResult,
    Box,
    Cardinality,
    CustomProx,
    ElasticNet,
    Identity,
    IntegerSet,
    LeastSquares,
    Matrix,
    NonNegative,
    Quadratic,
    Simplex,
    SquaredL2,
    Stack,
    Zero,
    admm,
)
from nondiff.admm.consensus import Separable, consensus
from nondiff.admm.inner import BlackBox, Smooth
from nondiff.admm.network import train_network
from nondiff.admm.problems import (
    box_least_squares,
    cardinality_least_squares,
    lambda_max,
    lasso,
    lasso_path,
    mixed_integer_least_squares,
)
from nondiff.admm.solver import _settings

__all__ = [
    "ADMM", "admm", "ADMMResult", "Identity", "Matrix", "Stack",
    "Zero", "L1", "L2", "SquaredL2", "ElasticNet", "Box", "NonNegative", "Simplex",
    "IntegerSet", "Cardinality", "CustomProx", "Quadratic", "LeastSquares", "Smooth", "BlackBox",
    "Separable", "consensus", "lasso", "lasso_path", "lambda_max", "box_least_squares",
    "mixed_integer_least_squares", "cardinality_least_squares", "train_network",
]


class ADMM:
    """ADMM with its options fixed at construction; :meth:`minimize` solves one problem.

    Parameters
    ----------
    **options
        Any keyword of :func:`nondiff.admm.admm` except the problem and starting points:
        ``alpha`` (over-relaxation, default 1.6), ``rho`` (initial penalty), ``eps_abs``,
        ``eps_rel``, ``max_iter``, ``adaptive_rho``, ``adapt_tolerance``, ``rho_bounds``,
        ``detect_infeasibility``, ``callback``. They are validated here; unknown names raise
        ``TypeError``.

    Examples
    --------
    >>> import numpy as np
    >>> solver = ADMM(alpha=1.6, eps_abs=1e-8, eps_rel=1e-8)
    >>> res = solver.minimize(LeastSquares(np.eye(2), [3.0, 0.2]), L1(1.0))
    >>> res.stop_reason, np.round(res.z, 6)
    ('converged', array([2., 0.]))
    """

    _OPTIONS = ("alpha", "rho", "eps_abs", "eps_rel", "max_iter", "adaptive_rho",
                "adapt_tolerance", "rho_bounds", "detect_infeasibility", "callback")

    def __init__(self, **options):
        unknown = sorted(set(options) - set(self._OPTIONS))
        if unknown:
            raise TypeError(f"unknown ADMM option(s) {unknown}; known: {list(self._OPTIONS)}")
        defaults = {"alpha": 1.6, "eps_abs": 1e-6, "eps_rel": 1e-5, "max_iter": 1000,
                    "adaptive_rho": True, "adapt_tolerance": 3.0, "rho_bounds": (1e-6, 1e6),
                    "callback": None}
        merged = {**defaults, **{k: v for k, v in options.items() if k in defaults}}
        _settings(**merged)  # validate now, not at the first solve
        if "rho" in options and not float(options["rho"]) > 0:
            raise ValueError(f"rho must be a finite number > 0, got {options['rho']!r}")
        self.options = dict(options)

    def minimize(self, f, g, A=None, B=None, c=None, *, x0=None, z0=None, u0=None,
                 warm_start=None) -> ADMMResult:
        """Minimize ``f(x) + g(z)`` subject to ``A x + B z = c`` (see :func:`nondiff.admm.admm`)."""
        return admm(f, g, A, B, c, x0=x0, z0=z0, u0=u0, warm_start=warm_start, **self.options)
