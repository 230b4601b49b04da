"""The result of an ADMM run, in scipy.optimize's vocabulary plus ADMM's own fields.

``x, fun, nit, success, status, message`` as in :class:`scipy.optimize.OptimizeResult`; ``z``,
``u`` (scaled dual) and ``y = rho u`` (the dual variable), the final ``rho``, ``stop_reason``
and the per-iteration histories ``primal_residuals``, ``dual_residuals``, ``eps_primal``,
``eps_dual`` and ``rho_history``. ``status`` is 0 converged, 1 max_iter, 2 primal_infeasible,
3 dual_infeasible, 4 callback.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import OptimizeResult

__all__ = ["ADMMResult", "STATUS", "make_result"]

STATUS = {"converged": 0, "max_iter": 1, "primal_infeasible": 2, "dual_infeasible": 3,
          "callback": 4}

_MESSAGES = {
    "converged": "primal and dual residuals below their tolerances",
    "max_iter": "maximum number of iterations reached",
    "primal_infeasible": "the constraints are infeasible (certificate: dy)",
    "dual_infeasible": "the problem is unbounded below (certificate: dx)",
    "callback": "stopped by the callback",
}


class ADMMResult(OptimizeResult):
    """Outcome of :func:`nondiff.admm.admm` (see the module docstring for the fields)."""


def _objective(problem, state) -> float:
    try:
        return float(problem.f(state.x)) + float(problem.g(state.z))
    except (ValueError, FloatingPointError, ArithmeticError):
        return float("nan")


def make_result(problem, state, reason: str, elapsed: float) -> ADMMResult:
    """Assemble the result of a run that stopped for ``reason``."""
    h = state.history
    certificate = None
    if problem.certificates is not None and reason.endswith("infeasible"):
        certificate = problem.certificates.last
    return ADMMResult(
        x=state.x, z=state.z, u=state.u, y=state.rho * state.u, rho=state.rho,
        fun=_objective(problem, state), nit=state.nit, success=reason == "converged",
        status=STATUS[reason], stop_reason=reason, message=_MESSAGES[reason],
        certificate=certificate, elapsed=elapsed,
        primal_residuals=np.array(h["primal_residual"]),
        dual_residuals=np.array(h["dual_residual"]),
        eps_primal=np.array(h["eps_primal"]), eps_dual=np.array(h["eps_dual"]),
        rho_history=np.array(h["rho"]),
    )
