"""Proximal operators: the z-steps (and x-steps) of ADMM that have a closed form.

Every term here is a function ``g`` with its proximal operator
``prox(v, t) = argmin_x g(x) + ||x - v||^2 / (2 t)`` (Parikh & Boyd [1], Sec. 1.1) and its value
``g(x)`` (``+inf`` outside the set for indicators). A term also solves the ADMM sub-problem
``argmin_x g(x) + rho/2 ||M x - w||^2`` for every linear map with ``M^T M = s^2 I`` (identity,
``-I``, scalar multiples, stacked copies in consensus form), since then the sub-problem is
``prox(M^T w / s^2, 1 / (rho s^2))``.

The closed forms ([1], Sec. 6): soft thresholding for L1 (6.5.2), block soft thresholding for
the L2 norm (6.5.1), shrinkage for squared L2 and elastic net (6.5.3), clipping for boxes
(6.2.1), the sort-based Euclidean projection onto the simplex (Held et al. [2]; Duchi et al. [3],
Fig. 1). The two nonconvex sets (integers, at most ``k`` nonzeros) use exact Euclidean
projections, which is the nonconvex ADMM heuristic of Takapoui, Moehle, Boyd & Bemporad [4]
(Sec. 3, eq. (5)); they are heuristics: ADMM then finds good points, not certified optima.

[1] N. Parikh, S. Boyd, "Proximal algorithms", Found. Trends Optim. 1(3), 2014.
[2] M. Held, P. Wolfe, H. Crowder, "Validation of subgradient optimization", Math. Prog. 1974.
[3] J. Duchi, S. Shalev-Shwartz, Y. Singer, T. Chandra, "Efficient projections onto the
    l1-ball for learning in high dimensions", ICML 2008.
[4] R. Takapoui, N. Moehle, S. Boyd, A. Bemporad, "A simple effective heuristic for embedded
    mixed-integer quadratic programming", Int. J. Control 93(1), 2020.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ProxTerm", "Zero", "L1", "L2", "SquaredL2", "ElasticNet", "Box", "NonNegative",
    "Simplex", "IntegerSet", "Cardinality", "CustomProx",
]


def _nonnegative(name, value):
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def _positive_step(t):
    if not np.isfinite(t) or t <= 0:
        raise ValueError(f"prox step t must be a finite number > 0, got {t!r}")


class ProxTerm:
    """Base of the terms with a known prox: subclasses define ``prox`` and ``__call__``."""

    #: True when the term is convex (ADMM's convergence theory applies)
    convex = True

    def prox(self, v: np.ndarray, t: float) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> float:
        raise NotImplementedError

    def solve(self, w: np.ndarray, rho: float, M) -> np.ndarray:
        """``argmin_x g(x) + rho/2 ||M x - w||^2`` for a map with ``M^T M = s^2 I``."""
        s2 = M.gram_scale
        if s2 is None:
            raise ValueError(
                f"{type(self).__name__} has a prox but its constraint matrix is not a multiple of "
                "an orthogonal map; pass it as a Quadratic, Smooth or BlackBox term instead"
            )
        return self.prox(M.adjoint(w) / s2, 1.0 / (rho * s2))


class Zero(ProxTerm):
    """``g(x) = 0`` (no regularization): the prox is the identity."""

    def prox(self, v, t):
        return np.array(v, dtype=float)

    def __call__(self, x):
        return 0.0


class L1(ProxTerm):
    """``g(x) = lam ||x||_1``; prox = soft thresholding at ``lam t`` ([1], 6.5.2)."""

    def __init__(self, lam=1.0):
        self.lam = _nonnegative("lam", lam)

    def prox(self, v, t):
        _positive_step(t)
        k = self.lam * t
        return np.sign(v) * np.maximum(np.abs(v) - k, 0.0)

    def __call__(self, x):
        return self.lam * float(np.abs(x).sum())


class L2(ProxTerm):
    """``g(x) = lam ||x||_2`` (not squared); prox = block soft thresholding ([1], 6.5.1)."""

    def __init__(self, lam=1.0):
        self.lam = _nonnegative("lam", lam)

    def prox(self, v, t):
        _positive_step(t)
        norm = float(np.linalg.norm(v))
        if norm <= self.lam * t:
            return np.zeros_like(v, dtype=float)
        return (1.0 - self.lam * t / norm) * np.asarray(v, dtype=float)

    def __call__(self, x):
        return self.lam * float(np.linalg.norm(x))


class SquaredL2(ProxTerm):
    """``g(x) = lam/2 ||x||_2^2``; prox = ``v / (1 + lam t)``."""

    def __init__(self, lam=1.0):
        self.lam = _nonnegative("lam", lam)

    def prox(self, v, t):
        _positive_step(t)
        return np.asarray(v, dtype=float) / (1.0 + self.lam * t)

    def __call__(self, x):
        return 0.5 * self.lam * float(np.dot(np.ravel(x), np.ravel(x)))


class ElasticNet(ProxTerm):
    """``g(x) = l1 ||x||_1 + l2/2 ||x||^2``; prox = soft threshold then shrink ([1], 6.5.3)."""

    def __init__(self, l1=1.0, l2=1.0):
        self.l1 = _nonnegative("l1", l1)
        self.l2 = _nonnegative("l2", l2)

    def prox(self, v, t):
        _positive_step(t)
        soft = np.sign(v) * np.maximum(np.abs(v) - self.l1 * t, 0.0)
        return soft / (1.0 + self.l2 * t)

    def __call__(self, x):
        x = np.ravel(x)
        return self.l1 * float(np.abs(x).sum()) + 0.5 * self.l2 * float(x @ x)


class Box(ProxTerm):
    """Indicator of ``lo <= x <= hi`` (bounds may be arrays and infinite); prox = clipping."""

    def __init__(self, lo=-np.inf, hi=np.inf):
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        if np.any(np.isnan(lo)) or np.any(np.isnan(hi)):
            raise ValueError("Box bounds lo and hi must not be NaN")
        if np.any(lo > hi):
            raise ValueError("Box needs lo <= hi everywhere")
        self.lo, self.hi = lo, hi

    def prox(self, v, t):
        return np.clip(v, self.lo, self.hi)

    def __call__(self, x, tol=1e-9):
        x = np.asarray(x, dtype=float)
        scale = 1.0 + np.abs(x)
        inside = np.all(x >= self.lo - tol * scale) and np.all(x <= self.hi + tol * scale)
        return 0.0 if inside else np.inf


class NonNegative(Box):
    """Indicator of ``x >= 0``; prox = ``max(v, 0)``."""

    def __init__(self):
        super().__init__(0.0, np.inf)


class Simplex(ProxTerm):
    """Indicator of ``{x >= 0, sum x = s}``; prox = Euclidean projection ([2], [3] Fig. 1)."""

    def __init__(self, s=1.0):
        self.s = float(s)
        if not np.isfinite(self.s) or self.s <= 0:
            raise ValueError(f"Simplex radius s must be a finite number > 0, got {s!r}")

    def prox(self, v, t):
        v = np.asarray(v, dtype=float)
        mu = np.sort(v)[::-1]
        cums = np.cumsum(mu) - self.s
        k = np.arange(1, v.size + 1)
        # the largest k with mu_k > (sum of the k largest - s) / k fixes the threshold theta
        rho = np.nonzero(mu * k > cums)[0][-1]
        theta = cums[rho] / (rho + 1.0)
        return np.maximum(v - theta, 0.0)

    def __call__(self, x, tol=1e-9):
        x = np.asarray(x, dtype=float)
        ok = np.all(x >= -tol) and abs(x.sum() - self.s) <= tol * max(1.0, self.s)
        return 0.0 if ok else np.inf


class IntegerSet(ProxTerm):
    """Indicator of vectors in ``[lo, hi]`` whose entries selected by ``integer`` are integers.

    The prox rounds the integer entries and clips all of them, the exact Euclidean projection,
    so ADMM with this term is the mixed-integer heuristic of [4] (Sec. 3). ``integer=None``
    makes every entry integer.
    """

    convex = False

    def __init__(self, lo=-np.inf, hi=np.inf, integer=None):
        self.integer = None if integer is None else np.asarray(integer, dtype=bool)
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        mask = True if self.integer is None else self.integer
        self.lo = np.where(mask, np.ceil(lo), lo)
        self.hi = np.where(mask, np.floor(hi), hi)
        if np.any(self.lo > self.hi):
            raise ValueError("IntegerSet needs an admissible value in [lo, hi] for every entry")

    def prox(self, v, t):
        v = np.asarray(v, dtype=float)
        mask = True if self.integer is None else self.integer
        return np.clip(np.where(mask, np.rint(v), v), self.lo, self.hi)

    def __call__(self, x, tol=1e-9):
        x = np.asarray(x, dtype=float)
        mask = np.ones(x.shape, bool) if self.integer is None else self.integer
        integral = np.all(np.abs(x - np.rint(x))[mask] <= tol)
        ok = integral and np.all((x >= self.lo - tol) & (x <= self.hi + tol))
        return 0.0 if ok else np.inf


class Cardinality(ProxTerm):
    """Indicator of ``{x : at most k nonzeros}``; prox keeps the ``k`` largest ``|v_i|`` ([4]).

    ``lo``/``hi`` optionally bound the kept entries (a box intersected with the set); the
    projection then clips first and keeps the ``k`` entries whose clipped value gains the most.
    """

    convex = False

    def __init__(self, k, lo=-np.inf, hi=np.inf):
        if isinstance(k, bool) or int(k) != k or k < 0:
            raise ValueError(f"Cardinality k must be an integer >= 0, got {k!r}")
        self.k = int(k)
        self.lo, self.hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        if np.any(self.lo > 0) or np.any(self.hi < 0):
            raise ValueError("Cardinality bounds need lo <= 0 <= hi (zero must be allowed)")

    def prox(self, v, t):
        v = np.asarray(v, dtype=float)
        c = np.clip(v, self.lo, self.hi)
        # keeping entry i instead of zeroing it lowers ||x - v||^2 by v_i^2 - (c_i - v_i)^2
        gain = v**2 - (c - v) ** 2
        if self.k >= v.size:
            return c
        out = np.zeros_like(v)
        if self.k:
            keep = np.argpartition(-gain, self.k - 1)[: self.k]
            out[keep] = c[keep]
        return out

    def __call__(self, x, tol=1e-12):
        return 0.0 if np.count_nonzero(np.abs(x) > tol) <= self.k else np.inf


class CustomProx(ProxTerm):
    """A user's term: ``prox(v, t)`` and optionally its value ``fun(x)`` (0 when not given).

    Examples
    --------
    >>> import numpy as np
    >>> half = CustomProx(lambda v, t: v / 2, fun=lambda x: 0.0)
    >>> half.prox(np.array([2.0, 4.0]), 1.0)
    array([1., 2.])
    """

    def __init__(self, prox, fun=None, *, convex=True):
        if not callable(prox):
            raise TypeError("CustomProx prox must be callable as prox(v, t)")
        if fun is not None and not callable(fun):
            raise TypeError("CustomProx fun must be callable as fun(x)")
        self._prox, self._fun, self.convex = prox, fun, bool(convex)

    def prox(self, v, t):
        return np.asarray(self._prox(np.asarray(v, dtype=float), float(t)), dtype=float)

    def __call__(self, x):
        return 0.0 if self._fun is None else float(self._fun(x))
