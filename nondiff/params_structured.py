"""The parameters made of several entries: :class:`Bits`, :class:`Permutation` and
:class:`Array` (see :mod:`nondiff.params` for the conversions every parameter provides).

Permutations use random keys (Bean, "Genetic algorithms and random keys for sequencing and
optimization", ORSA Journal on Computing 6(2), 1994).
"""

from __future__ import annotations

import numpy as np

from nondiff.params import _HIGH, _LOW, Param, _clamp, _is_int, _lerp

__all__ = ["Bits", "Permutation", "Array"]


class _Sized(Param):
    """A parameter made of ``n`` entries (bits, permutations)."""

    spec_required = ("n",)

    def __init__(self, n, *, name=None):
        super().__init__(name)
        if not _is_int(n):
            raise self.error(f"n must be an int, got {n!r}", TypeError)
        if n < 1:
            raise self.error(f"n must be >= 1, got {n!r}")
        self.n = self.size = int(n)
        self.column_shape = (self.n,)

    def spec(self) -> dict:
        return {"type": self.type_name, "n": self.n}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.n})"


class Bits(_Sized):
    """``n`` independent bits; user values are bool arrays of shape ``(n,)``.

    Examples
    --------
    >>> Bits(3).validate([1, 0, 1]).tolist()
    [True, False, True]
    """

    kind, type_name, _dtype = "bits", "bits", np.bool_

    def steps(self) -> np.ndarray:
        return np.full(self.n, 0.5)

    def sample(self, rng, n: int) -> np.ndarray:
        return rng.random((n, self.n)) < 0.5

    def encode(self, col) -> np.ndarray:
        return np.where(col, _HIGH, _LOW)

    def encode_into(self, col, out: np.ndarray) -> None:
        # no temporary: for large bit populations the allocation dominates the generation
        np.multiply(col, _HIGH - _LOW, out=out)
        out += _LOW

    def decode(self, u: np.ndarray) -> np.ndarray:
        return u >= 0.5

    def center(self) -> np.ndarray:
        return np.zeros((1, self.n), dtype=bool)

    def check_column(self, col) -> np.ndarray:
        col = self._bounded(self._typed(col, "biu", "bools (or 0/1)"), 0, 1)
        return col.astype(bool, copy=False)


class Permutation(_Sized):
    """An ordering of ``0..n-1``; user values are int arrays of shape ``(n,)``.

    The vector encoding is random keys: element ``perm[j]`` gets the key ``(j + 1/2) / n`` and a
    stable argsort of the keys decodes, so any real vector is a valid permutation. The
    keys are continuous (:meth:`steps` is 0): every ordering of them is a permutation.

    Examples
    --------
    >>> Permutation(3).decode(np.array([[0.9, 0.1, 0.5]])).tolist()
    [[1, 2, 0]]
    """

    kind, type_name, _dtype = "permutation", "perm", np.int64

    def sample(self, rng, n: int) -> np.ndarray:
        return rng.permuted(np.broadcast_to(np.arange(self.n), (n, self.n)), axis=1)

    def encode(self, col) -> np.ndarray:
        col = np.asarray(col, dtype=np.int64)
        keys = np.empty(col.shape, dtype=np.float64)
        ranks = np.broadcast_to((np.arange(self.n) + 0.5) / self.n, col.shape)
        np.put_along_axis(keys, col, ranks, axis=1)
        return keys

    def decode(self, u: np.ndarray) -> np.ndarray:
        return np.argsort(u, axis=1, kind="stable").astype(np.int64)

    def center(self) -> np.ndarray:
        return np.arange(self.n, dtype=np.int64)[None]

    def check_column(self, col) -> np.ndarray:
        col = self._typed(col, "iu", "integers")
        bad = (np.sort(col, axis=1) != np.arange(self.n)).any(axis=1)
        if bad.any():
            row = col[bad][0].tolist()
            raise self.error(f"{row} is not a permutation of 0..{self.n - 1}")
        return col.astype(np.int64, copy=False)


class Array(Param):
    """A float array of a fixed ``shape`` with elementwise bounds ``lo``/``hi``.

    ``lo`` and ``hi`` are numbers or arrays broadcastable to ``shape``; the vector encoding is
    the array flattened in C order, each element scaled linearly into ``[0, 1]``.

    Examples
    --------
    >>> Array((2, 2), -1, 1).center().tolist()
    [[[0.0, 0.0], [0.0, 0.0]]]
    """

    kind, type_name, _dtype = "array", "array", np.float64
    spec_required = ("shape", "lo", "hi")

    def __init__(self, shape, lo, hi, *, name=None):
        super().__init__(name)
        self.shape = self.column_shape = self._shape(shape)
        self.size = int(np.prod(self.shape))
        self.lo, self.hi = self._bound(lo, "lo"), self._bound(hi, "hi")
        self._lo = np.broadcast_to(self.lo, self.shape).reshape(-1)
        self._hi = np.broadcast_to(self.hi, self.shape).reshape(-1)
        if not (self._lo < self._hi).all():
            raise self.error(f"needs lo < hi everywhere, got lo={self.lo!r}, hi={self.hi!r}")
        self._span = self._hi - self._lo
        if not np.isfinite(self._span).all():
            raise self.error("hi - lo overflows float64")

    def _shape(self, shape) -> tuple[int, ...]:
        dims = (shape,) if _is_int(shape) else shape
        if not isinstance(dims, (tuple, list)) or not all(_is_int(d) for d in dims):
            raise self.error(f"shape must be an int or a tuple of ints, got {shape!r}", TypeError)
        if len(dims) == 0 or min(dims) < 1:
            raise self.error(f"shape needs at least one dimension, all >= 1, got {shape!r}")
        return tuple(int(d) for d in dims)

    def _bound(self, value, what: str):
        """``value`` as a float, or as a read-only float array of ``shape``."""
        try:
            arr = np.asarray(value)
            full = np.broadcast_to(arr, self.shape)
        except ValueError:  # ragged, or the wrong shape
            raise self.error(f"{what} must be a number or an array broadcastable to "
                             f"{self.shape}, got {value!r}") from None
        if arr.dtype.kind not in "iuf":
            raise self.error(f"{what} must be numeric, got {value!r}", TypeError)
        full = full.astype(np.float64)  # a copy, made read-only below
        if not np.isfinite(full).all():
            raise self.error(f"{what} must be finite, got {value!r}")
        full.setflags(write=False)
        return float(arr) if arr.ndim == 0 else full

    def spec(self) -> dict:
        lo, hi = (b if isinstance(b, float) else b.tolist() for b in (self.lo, self.hi))
        return {"type": self.type_name, "shape": list(self.shape), "lo": lo, "hi": hi}

    def __repr__(self) -> str:
        spec = self.spec()
        return f"Array({self.shape!r}, {spec['lo']!r}, {spec['hi']!r})"

    def sample(self, rng, n: int) -> np.ndarray:
        return self.decode(rng.random((n, self.size)))

    def encode(self, col) -> np.ndarray:
        flat = np.asarray(col, dtype=np.float64).reshape(-1, self.size)
        return _clamp((flat - self._lo) / self._span, 0.0, 1.0)

    def decode(self, u: np.ndarray) -> np.ndarray:
        x = _clamp(_lerp(self._lo, self._hi, u), self._lo, self._hi)
        return x.reshape((u.shape[0], *self.shape))

    def center(self) -> np.ndarray:
        return self.decode(np.full((1, self.size), 0.5))

    def check_column(self, col) -> np.ndarray:
        col = self._typed(col, "iuf", "real numbers").astype(np.float64, copy=False)
        flat = col.reshape(col.shape[0], -1)
        bad = ~((flat >= self._lo) & (flat <= self._hi))
        if bad.any():
            row, j = np.argwhere(bad)[0]
            where = tuple(map(int, np.unravel_index(j, self.shape)))
            raise self.error(f"value {flat[row, j].item()!r} at index {where} is outside "
                             f"[{self._lo[j]}, {self._hi[j]}]")
        return col
