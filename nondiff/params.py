"""The typed parameters a :class:`~nondiff.space.Space` is made of.

Each parameter converts between three forms of its values: **user values** (what an objective
receives: float, int, the choice object, or a bool / int / float array), a **genome column** (a
typed numpy array with a leading population axis) and a **unit-cube block** of ``size`` float
columns in ``[0, 1]`` (the vector encoding continuous strategies search). Permutations use random
keys (Bean, "Genetic algorithms and random keys for sequencing and optimization", ORSA Journal
on Computing 6(2), 1994). Every conversion works on a whole population with a few numpy calls.
Errors name the parameter once it has one (a parameter built on its own gets its name when it is
placed in a Space).
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Mapping

import numpy as np

__all__ = ["Param", "Real", "Integer", "Categorical", "Bits", "Permutation", "Array"]

# Integer cells are decoded with floor(u * m) in float64; keeping the range well inside the 53-bit
# mantissa makes every encode/decode round trip exact (the rounding error stays far below 1/2).
_MAX_INT_SPAN = 2**48
_MAX_INT_ABS = 2**62
_FLOAT_MAX = 1.7976931348623157e308  # sys.float_info.max, a Python float: exact int comparisons
_LOW, _HIGH = 0.25, 0.75  # encoded scores: other / chosen choice, unset / set bit
_BOOLS = frozenset({bool, np.bool_})


def _plain(x):
    return x.item() if isinstance(x, np.generic) else x  # np.float64(2.0) is shown as 2.0


def _is_real(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


def _lerp(lo, hi, u: np.ndarray) -> np.ndarray:
    """``lo + u (hi - lo)``, written to give exactly ``lo`` at u = 0 and ``hi`` at u = 1."""
    return lo * (1.0 - u) + hi * u


def _clamp(x, lo, hi) -> np.ndarray:
    return np.minimum(np.maximum(x, lo), hi)  # np.clip costs twice as much on small arrays


def same(a, b) -> bool:
    """Structural equality of definitions: same types, equal values, never an array truth test."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and same_choice(a, b)


def same_choice(a, b) -> bool:
    """Whether two choice objects are the same choice (identity, or ``==`` without arrays)."""
    try:
        return a is b or bool(a == b)
    except (TypeError, ValueError):  # e.g. numpy arrays: no single truth value
        return False


class Param:
    """Base of the parameter types: naming, errors, equality and the bulk conversions.

    Subclasses set ``kind``, ``type_name`` (the ``"type"`` of :meth:`to_dict`), ``size`` (the
    number of unit-cube columns) and ``column_shape`` (the genome column's shape after the
    population axis), and implement, each for a whole population:

    - ``sample(rng, n)``: a genome column of ``n`` uniform draws;
    - ``encode(col)`` -> ``(n, size)`` in the unit cube, and ``decode(u)`` back (``u`` already
      clipped into the cube);
    - ``check_column(col)``: dtype, shape and bounds checked, the column normalized;
    - ``center()``: a genome column of one;
    - ``spec()``: the definition as a dict (:meth:`to_dict` without the JSON checks).
    """

    kind = type_name = ""
    spec_required: tuple[str, ...] = ()
    spec_optional: tuple[str, ...] = ()

    def __init__(self, name=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a str, got {type(name).__name__}")
        self.name = name

    def named(self, name: str) -> Param:
        """A copy of this parameter carrying ``name`` (used when it is placed in a Space)."""
        clone = copy.copy(self)
        clone.name = name
        return clone

    def error(self, message: str, cls=ValueError) -> Exception:
        """An exception whose message starts with the parameter's name."""
        where = f"parameter {self.name!r}" if self.name else type(self).__name__
        return cls(f"{where}: {message}")

    def to_dict(self) -> dict:
        """The JSON-able definition, e.g. ``{"type": "real", "lo": 0.0, "hi": 1.0, ...}``."""
        return self.spec()

    def __eq__(self, other):
        if not isinstance(other, Param):
            return NotImplemented
        return type(self) is type(other) and same(self.spec(), other.spec())

    def steps(self) -> np.ndarray:
        """Width of one discrete cell of each unit-cube column (0 for continuous columns)."""
        return np.zeros(self.size)

    def from_values(self, values) -> np.ndarray:
        """The genome column for a list of user values, checked against the definition."""
        values = list(values)
        if not values:
            return np.empty((0, *self.column_shape), dtype=self._dtype)
        try:
            return self.check_column(np.asarray(values))
        except (TypeError, ValueError):
            pass
        # The bulk check failed: validate one by one so the error names the offending value.
        checked = [self.validate(v) for v in values]
        return self.check_column(np.asarray(checked).reshape(len(checked), *self.column_shape))

    def encode_into(self, col, out: np.ndarray) -> None:
        """Write ``encode(col)`` into ``out`` (a column block of a bigger matrix)."""
        out[...] = self.encode(col)

    def validate(self, value):
        """``value`` checked against the definition and normalized (ValueError/TypeError)."""
        return self.check_column(np.asarray(value)[None])[0].copy()

    def to_column(self, col: np.ndarray) -> np.ndarray:
        """User values of a genome column as one array (a copy; categoricals become choices)."""
        return np.array(col, dtype=self._dtype)

    def to_values(self, col: np.ndarray) -> list:
        """User values of a genome column as a list (fresh objects, safe to mutate)."""
        return list(np.array(col, dtype=self._dtype))

    def _typed(self, col, kinds: str, what: str) -> np.ndarray:
        """``col`` as an array of the genome column's shape whose dtype kind is in ``kinds``."""
        col = np.asarray(col)
        if col.dtype.kind not in kinds:
            raise self.error(f"expected {what}, got values of dtype {col.dtype}", TypeError)
        if col.ndim != 1 + len(self.column_shape) or col.shape[1:] != self.column_shape:
            got = col.shape[1:] if col.ndim else col.shape
            raise self.error(f"expected values of shape {self.column_shape}, got shape {got}")
        return col

    def _bounded(self, col: np.ndarray, lo, hi) -> np.ndarray:
        bad = ~((col >= lo) & (col <= hi))  # NaN fails both comparisons
        if bad.any():
            raise self.error(f"value {col[bad].flat[0].item()!r} is outside [{lo}, {hi}]")
        return col


class _Scalar(Param):
    """A single number in ``[lo, hi]``: one unit-cube column, a 1-D genome column."""

    size, column_shape = 1, ()

    def validate(self, value):
        if not self._accepts(value):
            raise self.error(f"expected {self._what}, got {_plain(value)!r}", TypeError)
        try:
            number = self._py(value)  # numpy scalars become Python scalars
        except OverflowError:  # an int too big for a float
            number = None
        if number is None or not self.lo <= number <= self.hi:
            raise self.error(f"value {_plain(value)!r} is outside [{self.lo}, {self.hi}]")
        return number

    def from_values(self, values) -> np.ndarray:
        values = list(values)
        if not _BOOLS.isdisjoint(map(type, values)):  # numpy would silently turn bools to 0/1
            for v in values:
                self.validate(v)
        return super().from_values(values)

    def check_column(self, col) -> np.ndarray:
        col = self._typed(col, self._kinds, self._what)
        return self._bounded(col, self.lo, self.hi).astype(self._dtype, copy=False)

    def to_values(self, col) -> list:
        return np.asarray(col, dtype=self._dtype).tolist()


class Real(_Scalar):
    """A real number in ``[lo, hi]``, searched linearly or, with ``log=True``, in log space.

    Examples
    --------
    >>> Real(1e-4, 1.0, log=True).validate(0.01)
    0.01
    """

    kind, type_name = "real", "real"
    spec_required, spec_optional = ("lo", "hi"), ("log",)
    _dtype, _py, _kinds, _what = np.float64, float, "iuf", "a real number"
    _accepts = staticmethod(_is_real)

    def __init__(self, lo, hi, *, log=False, name=None):
        super().__init__(name)
        self.lo, self.hi = self._bound(lo, "lo"), self._bound(hi, "hi")
        if not isinstance(log, bool):
            raise self.error(f"log must be True or False, got {log!r}", TypeError)
        self.log = log
        if not self.lo < self.hi:
            raise self.error(f"needs lo < hi, got lo={lo!r}, hi={hi!r}")
        if log and self.lo <= 0:
            raise self.error(f"log=True needs lo > 0, got lo={lo!r}")
        if not np.isfinite(self.hi - self.lo):
            raise self.error(f"hi - lo overflows float64 (lo={lo!r}, hi={hi!r})")
        self._a, self._b = (np.log(self.lo), np.log(self.hi)) if log else (self.lo, self.hi)

    def _bound(self, value, what: str) -> float:
        if not _is_real(value):
            raise self.error(f"{what} must be a real number, got {value!r}", TypeError)
        number = float(value) if abs(value) <= _FLOAT_MAX else np.inf  # float() could overflow
        if not np.isfinite(number):
            raise self.error(f"{what} must be finite, got {value!r}")
        return number

    def spec(self) -> dict:
        return {"type": self.type_name, "lo": self.lo, "hi": self.hi, "log": self.log}

    def __repr__(self) -> str:
        return f"Real({self.lo!r}, {self.hi!r}{', log=True' if self.log else ''})"

    def sample(self, rng, n: int) -> np.ndarray:
        # uniform in [lo, hi], or log-uniform: log x ~ U(log lo, log hi)
        return self.decode(rng.random((n, 1)))

    def encode(self, col) -> np.ndarray:
        t = np.log(col) if self.log else np.asarray(col, dtype=np.float64)
        return _clamp((t - self._a) / (self._b - self._a), 0.0, 1.0)[:, None]

    def decode(self, u: np.ndarray) -> np.ndarray:
        u = u[:, 0]
        if not self.log:
            return _clamp(_lerp(self.lo, self.hi, u), self.lo, self.hi)
        x = _clamp(np.exp(self._a + u * (self._b - self._a)), self.lo, self.hi)
        return np.where(u == 0.0, self.lo, np.where(u == 1.0, self.hi, x))  # exact end points

    def center(self) -> np.ndarray:
        """The midpoint of the encoding (the geometric mean of lo and hi when ``log``)."""
        return self.decode(np.full((1, 1), 0.5))


class Integer(_Scalar):
    """An integer in ``lo..hi`` (both inclusive), encoded by the centres of equal cells.

    Examples
    --------
    >>> Integer(1, 8).encode(np.array([1, 8]))[:, 0].tolist()
    [0.0625, 0.9375]
    """

    kind, type_name = "integer", "int"
    spec_required, spec_optional = ("lo", "hi"), ()
    _dtype, _py, _kinds, _what = np.int64, int, "iu", "an int"
    _accepts = staticmethod(_is_int)

    def __init__(self, lo, hi, *, name=None):
        super().__init__(name)
        self.lo, self.hi = self._bound(lo, "lo"), self._bound(hi, "hi")
        if not self.lo < self.hi:
            raise self.error(f"needs lo < hi, got lo={lo!r}, hi={hi!r}")
        if self.hi - self.lo >= _MAX_INT_SPAN:
            raise self.error(f"hi - lo must be below 2**48 for an exact encoding, got {hi - lo}")
        self._m = self.hi - self.lo + 1  # number of cells

    def _bound(self, value, what: str) -> int:
        if not _is_int(value):
            raise self.error(f"{what} must be an int, got {value!r}", TypeError)
        if abs(int(value)) > _MAX_INT_ABS:
            raise self.error(f"{what} must be within +-2**62, got {value!r}")
        return int(value)

    def spec(self) -> dict:
        return {"type": self.type_name, "lo": self.lo, "hi": self.hi}

    def __repr__(self) -> str:
        return f"Integer({self.lo!r}, {self.hi!r})"

    def steps(self) -> np.ndarray:
        return np.full(1, 1.0 / self._m)

    def sample(self, rng, n: int) -> np.ndarray:
        return rng.integers(self.lo, self.hi, size=n, endpoint=True, dtype=np.int64)

    def encode(self, col) -> np.ndarray:
        k = np.asarray(col, dtype=np.int64) - self.lo
        return _clamp((k + 0.5) / self._m, 0.0, 1.0)[:, None]

    def decode(self, u: np.ndarray) -> np.ndarray:
        k = np.minimum(np.floor(u[:, 0] * self._m), self._m - 1)
        return k.astype(np.int64) + self.lo

    def center(self) -> np.ndarray:
        return np.array([(self.lo + self.hi) // 2], dtype=np.int64)


_JSON_SCALARS = (str, int, float, bool, type(None))


class Categorical(Param):
    """One of a list of ``choices`` (any objects; JSON scalars if the space is saved).

    Choices that compare equal (``1`` and ``1.0`` or ``True``) are duplicates. The genome holds
    the choice's index; the vector encoding holds one score per choice and decodes by argmax.

    Examples
    --------
    >>> Categorical(["relu", "tanh"]).to_values(np.array([1, 0]))
    ['tanh', 'relu']
    """

    kind, type_name = "categorical", "cat"
    spec_required = ("choices",)
    column_shape, _dtype = (), np.int64

    def __init__(self, choices, *, name=None):
        super().__init__(name)
        self.choices = self._as_tuple(choices)
        if not self.choices:
            raise self.error("choices must not be empty")
        self.size = len(self.choices)
        self._index = self._build_index()
        self._array = self._choice_array()

    def _as_tuple(self, choices) -> tuple:
        if isinstance(choices, np.ndarray):
            return tuple(choices.tolist())
        unordered = isinstance(choices, (str, bytes, set, frozenset, Mapping))
        if unordered or not hasattr(choices, "__iter__"):
            raise self.error(f"choices must be a list or tuple, got {choices!r}", TypeError)
        return tuple(choices)

    def _build_index(self) -> dict:
        """choice -> index for hashable choices; raises on duplicates (``==``, not identity)."""
        index: dict = {}
        unhashable: list[int] = []
        for i, c in enumerate(self.choices):
            try:
                j = index.setdefault(c, i)
            except TypeError:  # unhashable: compared with the other unhashable ones by ==
                j = next((k for k in unhashable if same_choice(self.choices[k], c)), i)
                unhashable.append(i)
            if j != i:
                raise self.error(f"duplicate choices {self.choices[j]!r} and {c!r}")
        return index

    def _choice_array(self) -> np.ndarray:
        kinds = {type(c) for c in self.choices}
        if len(kinds) == 1 and kinds <= {str, int, float, bool}:
            return np.array(self.choices)
        out = np.empty(self.size, dtype=object)
        out[:] = list(self.choices)
        return out

    def spec(self) -> dict:
        return {"type": self.type_name, "choices": list(self.choices)}

    def to_dict(self) -> dict:
        for c in self.choices:
            if not isinstance(c, _JSON_SCALARS) or (isinstance(c, float) and not np.isfinite(c)):
                raise self.error(f"choice {c!r} is not a JSON scalar (str, int, float, bool, None)")
        return self.spec()

    def __repr__(self) -> str:
        return f"Categorical({list(self.choices)!r})"

    def steps(self) -> np.ndarray:
        return np.full(self.size, _HIGH - _LOW)

    def sample(self, rng, n: int) -> np.ndarray:
        return rng.integers(0, self.size, size=n, dtype=np.int64)

    def encode(self, col) -> np.ndarray:
        col = np.asarray(col, dtype=np.int64)
        u = np.full((col.shape[0], self.size), _LOW)
        u[np.arange(col.shape[0]), col] = _HIGH
        return u

    def decode(self, u: np.ndarray) -> np.ndarray:
        return np.argmax(u, axis=1).astype(np.int64)  # ties go to the first choice

    def center(self) -> np.ndarray:
        return np.zeros(1, dtype=np.int64)

    def index(self, value) -> int:
        """The index of ``value`` among the choices; ValueError naming the parameter if absent."""
        try:
            return self._index[value]
        except (KeyError, TypeError):
            pass
        for i, c in enumerate(self.choices):
            if same_choice(c, value):
                return i
        raise self.error(f"value {_plain(value)!r} is not one of the choices "
                         f"{list(self.choices)!r}")

    def validate(self, value):
        return self.choices[self.index(value)]

    def from_values(self, values) -> np.ndarray:
        return np.array([self.index(v) for v in values], dtype=np.int64)

    def check_column(self, col) -> np.ndarray:
        col = self._typed(col, "iu", "choice indices")
        return self._bounded(col, 0, self.size - 1).astype(np.int64, copy=False)

    def to_values(self, col) -> list:
        choices = self.choices
        return [choices[i] for i in np.asarray(col, dtype=np.int64).tolist()]

    def to_column(self, col) -> np.ndarray:
        return self._array[np.asarray(col, dtype=np.int64)]


# the parameters made of several entries live in their own module; importable from here too
from nondiff.params_structured import Array, Bits, Permutation  # noqa: E402
