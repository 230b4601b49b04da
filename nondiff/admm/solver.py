"""Scaled-form ADMM with over-relaxation, residual stopping and scale-invariant adaptive rho.

Solves ``minimize f(x) + g(z) subject to A x + B z = c`` by the iteration of Boyd et al. [1]
(Sec. 3.1.1, scaled form, with the over-relaxation of Sec. 3.4.3)::

    x+  = argmin_x f(x) + rho/2 ||A x + B z - c + u||^2
    Ax^ = alpha A x+ - (1 - alpha) (B z - c)
    z+  = argmin_z g(z) + rho/2 ||Ax^ + B z - c + u||^2
    u+  = u + Ax^ + B z+ - c

It stops when the primal residual ``r = A x + B z - c`` and dual residual
``s = rho A^T B (z+ - z)`` fall below ``eps_pri = sqrt(p) eps_abs + eps_rel max(||Ax||, ||Bz||,
||c||)`` and ``eps_dual = sqrt(n) eps_abs + eps_rel ||rho A^T u||`` ([1], eq. (3.12)).

Adaptive rho follows OSQP (Stellato et al. [2], Sec. 5.2, eq. (27)): the residuals are first
normalized by the magnitudes they are compared with, ``rho <- rho sqrt((||r|| / max(||Ax||,
||Bz||, ||c||)) / (||s|| / max(||A^T y||, ||grad f(x)||)))`` (OSQP's ``max(||Px||, ||A^T y||,
||q||)`` for a general ``f``; the x-step gives ``grad f(x)`` for free), which is invariant to
rescaling the data (plain
residual balancing, [1] eq. (3.13), is not). It changes rho only when the factor leaves
``[1/adapt_tolerance, adapt_tolerance]`` so that factorizations are rebuilt rarely (one change
is at most ``MAX_STEP``; when ``z`` did not move at all the estimate is undefined and rho only
steps up just past the tolerance, since a stuck ``z`` means the penalty is too weak), and it
rescales the scaled dual ``u`` by ``rho_old / rho_new`` so that ``y = rho u`` is unchanged
([1], Sec. 3.4.1).

For QP-shaped problems (``f`` quadratic, ``g`` a box indicator, ``A x - z = 0``) the run also
checks OSQP's infeasibility certificates ([2], Sec. 3.4, eqs. (13)-(14)) on the differences of
successive iterates ``dy = y+ - y`` and ``dx = x+ - x``.

[1] S. Boyd, N. Parikh, E. Chu, B. Peleato, J. Eckstein, "Distributed optimization and
    statistical learning via the alternating direction method of multipliers",
    Found. Trends Mach. Learn. 3(1), 2011.
[2] B. Stellato, G. Banjac, P. Goulart, A. Bemporad, S. Boyd, "OSQP: an operator splitting
    solver for quadratic programs", Math. Prog. Comp. 12, 2020.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from nondiff.admm.certificates import QPCertificates
from nondiff.admm.linear import LinearMap, as_map
from nondiff.admm.result import ADMMResult, make_result

__all__ = ["admm"]


@dataclass(frozen=True)
class _Settings:
    alpha: float
    eps_abs: float
    eps_rel: float
    max_iter: int
    adaptive_rho: bool
    adapt_tolerance: float
    rho_bounds: tuple[float, float]
    callback: object


@dataclass
class _Problem:
    f: object
    g: object
    A: LinearMap
    B: LinearMap
    c: np.ndarray
    certificates: QPCertificates | None


@dataclass
class _State:
    x: np.ndarray
    z: np.ndarray
    u: np.ndarray
    rho: float
    Bz: np.ndarray
    nit: int = 0
    history: dict = field(default_factory=lambda: {k: [] for k in _HISTORY})


MAX_STEP = 100.0
ZERO_DUAL_STEP = 1.01
_HISTORY = ("primal_residual", "dual_residual", "eps_primal", "eps_dual", "rho")


def admm(f, g, A=None, B=None, c=None, *, x0=None, z0=None, u0=None, warm_start=None,
         rho=None, alpha=1.6, eps_abs=1e-6, eps_rel=1e-5, max_iter=1000, adaptive_rho=True,
         adapt_tolerance=3.0, rho_bounds=(1e-6, 1e6), detect_infeasibility=True,
         callback=None) -> ADMMResult:
    """Minimize ``f(x) + g(z)`` subject to ``A x + B z = c`` by ADMM.

    Parameters
    ----------
    f, g : term
        Objects with ``solve(w, rho, M) -> argmin_x term(x) + rho/2 ||M x - w||^2`` and
        ``__call__(x) -> value``: a prox term from :mod:`nondiff.admm.prox`, a quadratic from
        :mod:`nondiff.admm.terms`, or an inner-solver term from :mod:`nondiff.admm.inner`
        (a plain Python function solved by L-BFGS with autodiff gradients, or black-box).
    A, B : None, scalar, 2-d array, sparse matrix or LinearMap
        ``None`` means ``A = I`` and ``B = -I`` (the constraint ``x = z``).
    c : array, optional
        Zero when not given.
    x0, z0, u0 : array, optional
        Starting points (zeros by default); ``u0`` is the scaled dual ``y / rho``.
    warm_start : ADMMResult, optional
        Start from a previous result's ``x, z``, dual ``y`` and final rho.
    rho : float, optional
        Initial penalty (1.0, or the warm start's final rho, when not given).
    alpha : float
        Over-relaxation in (0, 2); 1.5-1.8 usually speeds convergence ([1], Sec. 3.4.3).
    eps_abs, eps_rel : float
        Absolute and relative tolerances of the residual stopping rule.
    max_iter : int
    adaptive_rho : bool
        OSQP's normalized residual balancing (module docstring).
    adapt_tolerance : float
        Rho changes only by factors outside ``[1/adapt_tolerance, adapt_tolerance]``. OSQP
        uses 5 because it refactors on each change; the terms here cache eigendecompositions,
        so changes are cheap and the tighter band measured fewer iterations on the lasso
        benchmarks (``benchmarks/admm_lasso.py``).
    rho_bounds : (float, float)
    detect_infeasibility : bool
        Check OSQP's certificates when the problem is QP-shaped.
    callback : callable, optional
        ``callback(state_dict)`` after every iteration; returning True stops the run.

    Returns
    -------
    ADMMResult
        ``x, z, u, y, fun, nit, success, status, message, stop_reason`` (one of ``converged``,
        ``max_iter``, ``primal_infeasible``, ``dual_infeasible``, ``callback``) and the
        histories ``primal_residuals, dual_residuals, eps_primal, eps_dual, rho_history``.

    Examples
    --------
    >>> import numpy as np
    >>> from nondiff.admm import LeastSquares, L1, admm
    >>> D = np.eye(3); b = np.array([3.0, -0.5, 1.0])
    >>> res = admm(LeastSquares(D, b), L1(1.0))
    >>> np.round(res.z, 4)
    array([ 2., -0.,  0.])
    """
    settings = _settings(alpha, eps_abs, eps_rel, max_iter, adaptive_rho, adapt_tolerance,
                         rho_bounds, callback)
    problem = _problem(f, g, A, B, c, x0, z0, warm_start, detect_infeasibility)
    state = _initial_state(problem, x0, z0, u0, warm_start, rho)
    start = time.perf_counter()
    reason = _run(problem, state, settings)
    return make_result(problem, state, reason, time.perf_counter() - start)


def _settings(alpha, eps_abs, eps_rel, max_iter, adaptive_rho, adapt_tolerance, rho_bounds,
              callback) -> _Settings:
    if not 0 < float(alpha) < 2:
        raise ValueError(f"alpha must be in (0, 2), got {alpha!r}")
    for name, v in (("eps_abs", eps_abs), ("eps_rel", eps_rel)):
        if not float(v) >= 0:
            raise ValueError(f"{name} must be >= 0, got {v!r}")
    if isinstance(max_iter, bool) or int(max_iter) != max_iter or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    if not float(adapt_tolerance) >= 1:
        raise ValueError(f"adapt_tolerance must be >= 1, got {adapt_tolerance!r}")
    lo, hi = (float(b) for b in rho_bounds)
    if not 0 < lo <= hi:
        raise ValueError(f"rho_bounds must satisfy 0 < lo <= hi, got {rho_bounds!r}")
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable")
    return _Settings(float(alpha), float(eps_abs), float(eps_rel), int(max_iter),
                     bool(adaptive_rho), float(adapt_tolerance), (lo, hi), callback)


def _size(*candidates):
    for v in candidates:
        if v is not None:
            return int(v)
    return None


def _problem(f, g, A, B, c, x0, z0, warm_start, detect) -> _Problem:
    for name, term in (("f", f), ("g", g)):
        if not (hasattr(term, "solve") and callable(term)):
            raise TypeError(f"{name} must be an ADMM term (solve(w, rho, M) and __call__)")
    ws = warm_start
    n = _size(getattr(f, "dim", None), A.shape[1] if hasattr(A, "shape") else None,
              None if ws is None else ws.x.size, None if x0 is None else np.size(x0))
    A = as_map(A, n, 1.0, "A")
    m = _size(getattr(g, "dim", None), B.shape[1] if hasattr(B, "shape") else None,
              None if ws is None else ws.z.size, None if z0 is None else np.size(z0), A.shape[0])
    B = as_map(B, m, -1.0, "B")
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"A has {A.shape[0]} rows but B has {B.shape[0]}")
    c = np.zeros(A.shape[0]) if c is None else np.asarray(c, dtype=float).reshape(-1)
    if c.shape != (A.shape[0],):
        raise ValueError(f"c must have {A.shape[0]} entries, got {c.shape[0]}")
    cert = QPCertificates.detect(f, g, A, B, c) if detect else None
    return _Problem(f, g, A, B, c, cert)


def _start_vector(v, n, name):
    if v is None:
        return np.zeros(n)
    v = np.array(v, dtype=float).reshape(-1)
    if v.shape != (n,):
        raise ValueError(f"{name} must have {n} entries, got {v.shape[0]}")
    return v


def _initial_state(problem, x0, z0, u0, warm_start, rho) -> _State:
    n, m, p = problem.A.shape[1], problem.B.shape[1], problem.A.shape[0]
    if warm_start is not None:
        x0 = warm_start.x if x0 is None else x0
        z0 = warm_start.z if z0 is None else z0
        rho = warm_start.rho if rho is None else float(rho)
        u0 = warm_start.y / rho if u0 is None else u0
    rho = 1.0 if rho is None else float(rho)
    if not (math.isfinite(rho) and rho > 0):
        raise ValueError(f"rho must be a finite number > 0, got {rho!r}")
    z = _start_vector(z0, m, "z0")
    return _State(x=_start_vector(x0, n, "x0"), z=z, u=_start_vector(u0, p, "u0"), rho=rho,
                  Bz=problem.B.apply(z))


def _run(problem, state, settings) -> str:
    for _ in range(settings.max_iter):
        y_old, x_old = state.rho * state.u, state.x
        norms = _iterate(problem, state, settings.alpha)
        state.nit += 1
        eps_pri, eps_dual = _record(state, norms, settings)
        if norms["r"] <= eps_pri and norms["s"] <= eps_dual:
            return "converged"
        if problem.certificates is not None:
            found = problem.certificates.check(state.rho * state.u - y_old, state.x - x_old)
            if found:
                return found
        if settings.callback is not None and settings.callback(_snapshot(state)):
            return "callback"
        if settings.adaptive_rho:
            _adapt_rho(state, norms, settings)
    return "max_iter"


def _iterate(problem, state, alpha) -> dict:
    """One ADMM iteration in place; returns the norms the stopping rule and rho need."""
    A, B, c = problem.A, problem.B, problem.c
    w = c - state.Bz - state.u
    x = problem.f.solve(w, state.rho, A)
    Ax = A.apply(x)
    # the x-step's optimality condition gives grad f(x) = rho A^T (w - A x) for free
    grad_f = float(np.linalg.norm(state.rho * A.adjoint(w - Ax)))
    Ax_hat = alpha * Ax - (1.0 - alpha) * (state.Bz - c)
    z = problem.g.solve(c - Ax_hat - state.u, state.rho, B)
    Bz = B.apply(z)
    state.u = state.u + Ax_hat + Bz - c
    dual = state.rho * A.adjoint(Bz - state.Bz)
    state.x, state.z, state.Bz = x, z, Bz
    return {
        "r": float(np.linalg.norm(Ax + Bz - c)), "s": float(np.linalg.norm(dual)),
        "Ax": float(np.linalg.norm(Ax)), "Bz": float(np.linalg.norm(Bz)),
        "c": float(np.linalg.norm(c)),
        "Aty": float(np.linalg.norm(state.rho * A.adjoint(state.u))), "grad_f": grad_f,
    }


def _record(state, norms, settings) -> tuple[float, float]:
    p, n = state.u.size, state.x.size
    scale_pri = max(norms["Ax"], norms["Bz"], norms["c"])
    eps_pri = math.sqrt(p) * settings.eps_abs + settings.eps_rel * scale_pri
    eps_dual = math.sqrt(n) * settings.eps_abs + settings.eps_rel * norms["Aty"]
    h = state.history
    for key, value in zip(_HISTORY, (norms["r"], norms["s"], eps_pri, eps_dual, state.rho)):
        h[key].append(value)
    return eps_pri, eps_dual


def _adapt_rho(state, norms, settings) -> None:
    tol = settings.adapt_tolerance
    factor = _rho_factor(norms)
    if factor is None:
        # z did not move at all (stuck at a kink or a bound): the dual residual carries no
        # scale, so only step rho up by the smallest change that counts
        factor = ZERO_DUAL_STEP * tol if norms["r"] > 0 else 1.0
    factor = min(max(factor, 1.0 / MAX_STEP), MAX_STEP)
    if 1.0 / tol <= factor <= tol:
        return
    lo, hi = settings.rho_bounds
    new_rho = min(max(state.rho * factor, lo), hi)
    state.u = state.u * (state.rho / new_rho)  # keep y = rho u unchanged
    state.rho = new_rho


def _rho_factor(norms) -> float | None:
    """OSQP's estimate sqrt(normalized primal / normalized dual residual), or None if s = 0."""
    if norms["s"] == 0.0:
        return None
    tiny = 1e-10  # OSQP's guard against dividing by a zero normalization
    primal = norms["r"] / (max(norms["Ax"], norms["Bz"], norms["c"]) + tiny)
    dual = norms["s"] / (max(norms["Aty"], norms["grad_f"]) + tiny)
    return math.sqrt(primal / (dual + tiny))


def _snapshot(state) -> dict:
    return {"x": state.x, "z": state.z, "u": state.u, "rho": state.rho, "nit": state.nit,
            "primal_residual": state.history["primal_residual"][-1],
            "dual_residual": state.history["dual_residual"][-1]}
