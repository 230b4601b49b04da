"""Front-ends for common problems: lasso (and its path), box-constrained least squares, and the
nonconvex heuristics for mixed-integer and cardinality-constrained least squares.

Each returns an :class:`~nondiff.admm.result.ADMMResult` whose ``x`` is the solution in the
sense a user expects (the ``z`` iterate, which lies exactly in the constraint set or has the
exact zeros of the L1 prox) and whose ``fun`` is the objective there. The lasso splitting is
Boyd et al. [1], Sec. 6.4; the nonconvex ones are Takapoui et al. [2], Sec. 3-4: ADMM with
the projection onto the nonconvex set, random restarts, and a polishing step that solves the
convex problem with the discrete choice (integer values or the support) fixed.

[1] S. Boyd et al., "Distributed optimization and statistical learning via the alternating
    direction method of multipliers", Found. Trends Mach. Learn. 3(1), 2011.
[2] R. Takapoui, N. Moehle, S. Boyd, A. Bemporad, "A simple effective heuristic for embedded
    mixed-integer quadratic programming", Int. J. Control 93(1), 2020.
"""

from __future__ import annotations

import numpy as np

from nondiff import seeding
from nondiff.admm.prox import L1, Box, Cardinality, IntegerSet
from nondiff.admm.result import ADMMResult
from nondiff.admm.solver import admm
from nondiff.admm.terms import LeastSquares

__all__ = [
    "lasso", "lasso_path", "lambda_max", "box_least_squares",
    "mixed_integer_least_squares", "cardinality_least_squares",
]


def lambda_max(D, b) -> float:
    """The smallest ``lam`` for which the lasso solution is zero: ``||D^T b||_inf``."""
    return float(np.abs(np.asarray(D).T @ np.asarray(b)).max())


def _at_z(res: ADMMResult, fun) -> ADMMResult:
    res["x_smooth"] = res.x
    res["x"] = res.z
    res["fun"] = float(fun(res.z))
    return res


def lasso(D, b, lam, **options) -> ADMMResult:
    """Minimize ``1/2 ||D x - b||^2 + lam ||x||_1`` ([1], Sec. 6.4).

    Parameters
    ----------
    D : (m, n) array
    b : (m,) array
    lam : float
        Weight of the L1 term (see :func:`lambda_max`).
    **options
        Passed to :func:`~nondiff.admm.solver.admm` (``rho``, ``alpha``, ``eps_abs``,
        ``warm_start``, ...).

    Returns
    -------
    ADMMResult
        ``x`` is the sparse iterate ``z``; ``fun`` the lasso objective there.
    """
    f, g = LeastSquares(D, b), L1(lam)
    res = admm(f, g, **options)
    return _at_z(res, lambda x: f(x) + g(x))


def lasso_path(D, b, lams, *, warm=True, **options) -> list[ADMMResult]:
    """Lasso solutions along ``lams``, each warm-started from the previous one when ``warm``.

    The factorization of ``D`` is computed once for the whole path.
    """
    f, results, previous = LeastSquares(D, b), [], None
    for lam in lams:
        g = L1(lam)
        res = admm(f, g, warm_start=previous if warm else None, **options)
        previous = res
        results.append(_at_z(res, lambda x, g=g: f(x) + g(x)))
    return results


def box_least_squares(D, b, lo, hi, **options) -> ADMMResult:
    """Minimize ``1/2 ||D x - b||^2`` subject to ``lo <= x <= hi``."""
    f, g = LeastSquares(D, b), Box(lo, hi)
    return _at_z(admm(f, g, **options), f)


def _restarts(f, g, n, restarts, seed, polish, options):
    """Best polished result of ADMM from ``restarts`` random starts ([2], Sec. 4).

    Each start draws its own ``z0`` and, unless the caller fixes ``rho``, its own penalty
    log-uniformly in ``[0.1, 1] x`` the mean squared column norm of ``D`` (the curvature scale
    of ``f``): for a nonconvex set the penalty decides which point ADMM settles on, so varying
    it diversifies the restarts as much as the starting point does.
    """
    rng = seeding.as_generator(seed)
    curvature = float((f.D**2).sum()) / n
    scale = np.linalg.norm(f.b) / np.sqrt(max(curvature, 1e-300) * n)
    options = {"max_iter": 200, "adaptive_rho": False, **options}
    best = None
    for _ in range(restarts):
        z0 = rng.standard_normal(n) * scale
        rho = curvature * 10.0 ** rng.uniform(-1.0, 0.0)
        res = admm(f, g, z0=z0, **{"rho": rho, **options})
        x = polish(res.z)
        res["x_smooth"], res["x"], res["fun"] = res.x, x, f(x)
        if best is None or res.fun < best.fun:
            best = res
    best["restarts"] = restarts
    return best


def _check_restarts(restarts):
    if isinstance(restarts, bool) or int(restarts) != restarts or restarts < 1:
        raise ValueError(f"restarts must be a positive integer, got {restarts!r}")
    return int(restarts)


def mixed_integer_least_squares(D, b, integer, lo=-np.inf, hi=np.inf, *, restarts=10,
                                seed=None, **options) -> ADMMResult:
    """Heuristic for ``min 1/2 ||D x - b||^2`` with ``x_i`` integer where ``integer[i]``.

    ADMM with the projection onto the mixed-integer box ([2], Sec. 3), ``restarts`` random
    starts, each polished by solving the least squares over the continuous entries with the
    integer ones fixed to their projected values; the best polished point is returned.
    """
    D = np.asarray(D, dtype=float)
    f, g = LeastSquares(D, b), IntegerSet(lo, hi, integer=integer)
    mask = np.broadcast_to(np.asarray(integer, dtype=bool), (D.shape[1],))

    def polish(z):
        x = g.prox(z, 1.0)
        free = ~mask
        if free.any():
            rhs = f.b - D[:, mask] @ x[mask]
            sol = np.linalg.lstsq(D[:, free], rhs, rcond=None)[0]
            x[free] = np.clip(sol, np.broadcast_to(g.lo, x.shape)[free],
                              np.broadcast_to(g.hi, x.shape)[free])
        return x

    return _restarts(f, g, D.shape[1], _check_restarts(restarts), seed, polish, options)


def cardinality_least_squares(D, b, k, *, restarts=10, seed=None, **options) -> ADMMResult:
    """Heuristic for ``min 1/2 ||D x - b||^2`` subject to at most ``k`` nonzeros.

    ADMM with the projection keeping the ``k`` largest entries ([2]), ``restarts`` random
    starts, each polished by least squares on the support it found; the best is returned.
    """
    D = np.asarray(D, dtype=float)
    f, g = LeastSquares(D, b), Cardinality(k)

    def polish(z):
        support = np.flatnonzero(g.prox(z, 1.0))
        x = np.zeros(D.shape[1])
        if support.size:
            x[support] = np.linalg.lstsq(D[:, support], f.b, rcond=None)[0]
        return x

    return _restarts(f, g, D.shape[1], _check_restarts(restarts), seed, polish, options)
