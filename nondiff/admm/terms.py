"""Smooth quadratic terms whose ADMM sub-problem is a linear system, with cached factorizations.

The x-step of ADMM for ``f(x) = 1/2 x^T P x + q^T x`` is the linear system
``(P + rho M^T M) x = -q + rho M^T w`` (Boyd et al. [1], Sec. 4.2). Each term factors once and
keeps what makes a change of ``rho`` cheap:

- ``M^T M = s^2 I``: an eigendecomposition ``P = V diag(l) V^T``, so every ``rho`` costs two
  matrix-vector products. :class:`LeastSquares` ``1/2 ||D x - b||^2`` works on the smaller
  Gram matrix (``D D^T`` when ``D`` is wide) through the matrix inversion lemma ([1],
  Sec. 4.2.4): Cholesky factorizations for the first few values of rho, then one
  eigendecomposition if rho keeps changing.
- a general ``M``: a Cholesky factorization of ``P + rho M^T M`` (scipy ``cho_factor``), kept
  until ``rho`` changes.

[1] S. Boyd, N. Parikh, E. Chu, B. Peleato, J. Eckstein, "Distributed optimization and
    statistical learning via the alternating direction method of multipliers",
    Found. Trends Mach. Learn. 3(1), 2011.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

__all__ = ["Quadratic", "LeastSquares"]


class _Cholesky:
    """``(P + rho G)^{-1}`` through cho_factor, refactored only when ``rho`` changes."""

    def __init__(self, P, G):
        self.P, self.G, self.rho, self.factor = P, G, None, None

    def solve(self, r, rho):
        if rho != self.rho:
            self.factor = scipy.linalg.cho_factor(self.P + rho * self.G)
            self.rho = rho
        return scipy.linalg.cho_solve(self.factor, r)


class Quadratic:
    """``f(x) = 1/2 x^T P x + q^T x + r`` with ``P`` symmetric positive semidefinite.

    Parameters
    ----------
    P : (n, n) array
    q : (n,) array, optional
        Zero when not given.
    r : float
        A constant, only for reported objective values.
    """

    convex = True

    def __init__(self, P, q=None, r=0.0):
        P = np.asarray(P, dtype=float)
        if P.ndim != 2 or P.shape[0] != P.shape[1]:
            raise ValueError(f"Quadratic P must be a square matrix, got shape {P.shape}")
        if not np.allclose(P, P.T, atol=1e-10 * (1 + np.abs(P).max())):
            raise ValueError("Quadratic P must be symmetric")
        self.P, self.dim, self.r = P, P.shape[0], float(r)
        self.q = np.zeros(self.dim) if q is None else _vector(q, self.dim, "q")
        self._eig = None
        self._chol = {}

    def __call__(self, x):
        return 0.5 * float(x @ (self.P @ x)) + float(self.q @ x) + self.r

    def hess_dot(self, dx):
        """``P dx`` (used by the dual infeasibility certificate)."""
        return self.P @ dx

    def solve(self, w, rho, M):
        """``argmin_x f(x) + rho/2 ||M x - w||^2``."""
        rhs = -self.q + rho * M.adjoint(w)
        if M.gram_scale is not None:
            if self._eig is None:
                self._eig = np.linalg.eigh(self.P)
            lam, V = self._eig
            return V @ ((V.T @ rhs) / (lam + rho * M.gram_scale))
        chol = self._chol.setdefault(id(M), _Cholesky(self.P, M.gram()))
        return chol.solve(rhs, rho)


class _GramEig:
    """``(D^T D + mu I)^{-1}`` for any ``mu > 0``, factoring the smaller Gram matrix only.

    The first ``CHOLESKY_LIMIT`` values of ``mu`` get a Cholesky factorization each (about a
    tenth of the cost of an eigendecomposition); when rho keeps changing, one
    eigendecomposition replaces them and makes every later ``mu`` free.
    """

    CHOLESKY_LIMIT = 3

    def __init__(self, D):
        self.D = D
        self.wide = D.shape[0] < D.shape[1]
        self.G = D @ D.T if self.wide else D.T @ D
        self.eig = None
        self.chol = {}

    def _small_solve(self, r, mu):
        """``(G + mu I)^{-1} r`` for the small Gram matrix ``G``."""
        if self.eig is None and mu not in self.chol and len(self.chol) >= self.CHOLESKY_LIMIT:
            self.eig, self.chol = np.linalg.eigh(self.G), {}
        if self.eig is not None:
            lam, V = self.eig
            return V @ ((V.T @ r) / (lam + mu))
        if mu not in self.chol:
            self.chol[mu] = scipy.linalg.cho_factor(self.G + mu * np.eye(self.G.shape[0]))
        return scipy.linalg.cho_solve(self.chol[mu], r)

    def solve(self, r, mu):
        if not self.wide:
            return self._small_solve(r, mu)
        # matrix inversion lemma: (D'D + mu I)^-1 = (I - D' (DD' + mu I)^-1 D) / mu
        return (r - self.D.T @ self._small_solve(self.D @ r, mu)) / mu


class LeastSquares:
    """``f(x) = 1/2 ||D x - b||^2``.

    Parameters
    ----------
    D : (m, n) array
    b : (m,) array
    """

    convex = True

    def __init__(self, D, b):
        D = np.asarray(D, dtype=float)
        if D.ndim != 2:
            raise ValueError(f"LeastSquares D must be a 2-d array, got shape {D.shape}")
        self.D, self.b, self.dim = D, _vector(b, D.shape[0], "b"), D.shape[1]
        self.Dtb = D.T @ self.b
        self._eig = None
        self._quad = None

    def __call__(self, x):
        res = self.D @ x - self.b
        return 0.5 * float(res @ res)

    def hess_dot(self, dx):
        return self.D.T @ (self.D @ dx)

    @property
    def q(self):
        return -self.Dtb

    def solve(self, w, rho, M):
        """``argmin_x f(x) + rho/2 ||M x - w||^2``."""
        if M.gram_scale is None:
            if self._quad is None:
                self._quad = Quadratic(self.D.T @ self.D, -self.Dtb)
            return self._quad.solve(w, rho, M)
        if self._eig is None:
            self._eig = _GramEig(self.D)
        return self._eig.solve(self.Dtb + rho * M.adjoint(w), rho * M.gram_scale)


def _vector(v, n, name):
    v = np.asarray(v, dtype=float).reshape(-1)
    if v.shape != (n,):
        raise ValueError(f"{name} must have {n} entries, got {v.shape[0]}")
    return v
