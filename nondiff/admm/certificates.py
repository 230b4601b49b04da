"""OSQP's infeasibility certificates for QP-shaped ADMM problems.

For ``minimize 1/2 x^T P x + q^T x`` subject to ``A x = z``, ``lo <= z <= hi``, the differences
of successive ADMM iterates converge to certificates (Banjac et al. [1]; Stellato et al. [2],
Sec. 3.4):

- primal infeasibility, eq. (13): ``dy = y+ - y`` with ``||A^T dy||_inf <= eps ||dy||_inf`` and
  ``hi^T max(dy, 0) + lo^T min(dy, 0) <= -eps ||dy||_inf``;
- dual infeasibility (unbounded below), eq. (14): ``dx = x+ - x`` with
  ``||P dx||_inf <= eps ||dx||_inf``, ``q^T dx <= -eps ||dx||_inf`` and ``A dx`` in the recession
  cone of the box up to ``eps ||dx||_inf``.

[1] G. Banjac, P. Goulart, B. Stellato, S. Boyd, "Infeasibility detection in the alternating
    direction method of multipliers for convex optimization", JOTA 183, 2019.
[2] B. Stellato et al., "OSQP: an operator splitting solver for quadratic programs", 2020.
"""

from __future__ import annotations

import numpy as np

from nondiff.admm.linear import Identity
from nondiff.admm.prox import Box

__all__ = ["QPCertificates"]


class QPCertificates:
    """Checks the two certificates; ``last`` keeps the vector that proved infeasibility."""

    def __init__(self, f, A, lo, hi, eps_pinf=1e-4, eps_dinf=1e-4):
        self.f, self.A = f, A
        self.lo = np.broadcast_to(lo, (A.shape[0],))
        self.hi = np.broadcast_to(hi, (A.shape[0],))
        self.eps_pinf, self.eps_dinf = eps_pinf, eps_dinf
        self.last = None

    @classmethod
    def detect(cls, f, g, A, B, c):
        """Certificates when the problem has the QP shape, otherwise None."""
        quadratic = hasattr(f, "hess_dot") and hasattr(f, "q")
        minus_identity = isinstance(B, Identity) and B.scale == -1.0
        if quadratic and isinstance(g, Box) and minus_identity and not np.any(c):
            return cls(f, A, g.lo, g.hi)
        return None

    def check(self, dy, dx) -> str | None:
        """``"primal_infeasible"``, ``"dual_infeasible"`` or None."""
        if self._primal(dy):
            self.last = dy
            return "primal_infeasible"
        if self._dual(dx):
            self.last = dx
            return "dual_infeasible"
        return None

    def _primal(self, dy) -> bool:
        size = np.abs(dy).max(initial=0.0)
        if size <= 1e-12:
            return False
        eps = self.eps_pinf * size
        if np.abs(self.A.adjoint(dy)).max() > eps:
            return False
        pos, neg = np.maximum(dy, 0.0), np.minimum(dy, 0.0)
        # an infinite bound with a non-negligible multiplier makes the support function +inf
        if np.any(np.isinf(self.hi) & (pos > eps)) or np.any(np.isinf(self.lo) & (neg < -eps)):
            return False
        hi = np.where(np.isinf(self.hi), 0.0, self.hi)
        lo = np.where(np.isinf(self.lo), 0.0, self.lo)
        return float(hi @ pos + lo @ neg) < -eps

    def _dual(self, dx) -> bool:
        size = np.abs(dx).max(initial=0.0)
        if size <= 1e-12:
            return False
        eps = self.eps_dinf * size
        if np.abs(self.f.hess_dot(dx)).max() > eps or float(self.f.q @ dx) > -eps:
            return False
        Adx = self.A.apply(dx)
        up_ok = np.isinf(self.hi) | (Adx <= eps)  # finite hi: A dx must not grow upwards
        down_ok = np.isinf(self.lo) | (Adx >= -eps)
        return bool(np.all(up_ok & down_ok))
