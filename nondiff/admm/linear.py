"""The linear maps of an ADMM constraint ``A x + B z = c``.

A map knows its shape, how to apply itself and its adjoint, and whether ``M^T M = s^2 I``
(``gram_scale = s^2``); that property is what lets a term with a known prox solve its ADMM
sub-problem in closed form. :class:`Identity` covers ``x - z = 0`` and scalar multiples,
:class:`Stack` the consensus form (``N`` copies of one variable), :class:`Matrix` anything else
(a dense array or a scipy sparse matrix).
"""

from __future__ import annotations

import numpy as np

__all__ = ["LinearMap", "Identity", "Stack", "Matrix", "as_map"]


class LinearMap:
    """Base class: ``shape``, ``apply(x)``, ``adjoint(y)``, ``gram()`` and ``gram_scale``."""

    shape: tuple[int, int]
    gram_scale: float | None = None

    def apply(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def adjoint(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def gram(self) -> np.ndarray:
        """``M^T M`` as a dense array."""
        return self.gram_scale * np.eye(self.shape[1])


class Identity(LinearMap):
    """``scale * I`` of size ``n``."""

    def __init__(self, n: int, scale: float = 1.0):
        if float(scale) == 0.0:
            raise ValueError("Identity scale must be nonzero")
        self.shape, self.scale = (int(n), int(n)), float(scale)
        self.gram_scale = self.scale**2

    def apply(self, x):
        return self.scale * x

    def adjoint(self, y):
        return self.scale * y


class Stack(LinearMap):
    """``scale * [I; I; ...; I]``: ``copies`` stacked copies of an ``n``-vector (consensus)."""

    def __init__(self, copies: int, n: int, scale: float = 1.0):
        if copies < 1:
            raise ValueError(f"Stack copies must be >= 1, got {copies}")
        self.copies, self.n, self.scale = int(copies), int(n), float(scale)
        self.shape = (self.copies * self.n, self.n)
        self.gram_scale = self.copies * self.scale**2

    def apply(self, x):
        return self.scale * np.tile(x, self.copies)

    def adjoint(self, y):
        return self.scale * y.reshape(self.copies, self.n).sum(axis=0)


class Matrix(LinearMap):
    """A dense or scipy sparse matrix ``M``."""

    def __init__(self, M):
        if not hasattr(M, "shape") or len(M.shape) != 2:
            raise ValueError("a constraint matrix must be two-dimensional")
        self.M = M if hasattr(M, "tocsr") else np.asarray(M, dtype=float)
        self.shape = tuple(int(s) for s in M.shape)
        self.gram_scale = None

    def apply(self, x):
        return np.asarray(self.M @ x).reshape(-1)

    def adjoint(self, y):
        return np.asarray(self.M.T @ y).reshape(-1)

    def gram(self):
        G = self.M.T @ self.M
        return G.toarray() if hasattr(G, "toarray") else np.asarray(G)


def as_map(M, n: int | None, default_scale: float, name: str) -> LinearMap:
    """Turn ``None`` (``default_scale * I``), a scalar, an array or a map into a LinearMap."""
    if isinstance(M, LinearMap):
        return M
    if M is None or np.ndim(M) == 0:
        if n is None:
            raise ValueError(f"cannot tell the size of {name}: pass x0/z0 or a matrix")
        return Identity(n, default_scale if M is None else float(M))
    if np.ndim(M) != 2 and not hasattr(M, "tocsr"):
        raise ValueError(f"{name} must be None, a scalar, a 2-d array or a LinearMap")
    return Matrix(M)
