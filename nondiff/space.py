"""Search spaces: named, typed parameters and the two representations strategies work on.

A :class:`Space` is an ordered mapping from names to parameters (:class:`Real`,
:class:`Integer`, :class:`Categorical`, :class:`Bits`, :class:`Permutation`, :class:`Array`,
defined in :mod:`nondiff.params`). It validates user values, samples, and converts between

- **params**: a list of dicts ``name -> user value``, what objectives receive;
- a **genome**: a dict ``name -> numpy array`` with a leading population axis ``n`` (for
  genetic algorithms and batch objectives): float64 ``(n,)`` for a real, int64 ``(n,)`` for an
  integer, the int64 choice *index* ``(n,)`` for a categorical, bool ``(n, k)`` for bits, int64
  ``(n, k)`` for a permutation, float64 ``(n, *shape)`` for an array;
- a **vector** matrix ``X`` of shape ``(n, space.dim)`` in the unit cube (for ES, CMA-ES and
  other continuous strategies). :meth:`Space.decode` accepts any real matrix: it clips into the
  cube first, so every decoded point is valid.

Round trips hold for every type: ``decode(encode(p)) == p`` (exactly for discrete types, to a
few ulps for reals and arrays) and ``from_params(to_params(g)) == g``.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from nondiff.params import (
    Array,
    Bits,
    Categorical,
    Integer,
    Param,
    Permutation,
    Real,
    same,
)
from nondiff.seeding import as_generator

__all__ = ["Space", "Param", "Real", "Integer", "Categorical", "Bits", "Permutation", "Array"]

# The "type" of a to_dict entry -> parameter class; the long spellings are accepted on input.
_TYPES = {
    "real": Real,
    "int": Integer,
    "integer": Integer,
    "cat": Categorical,
    "categorical": Categorical,
    "bits": Bits,
    "perm": Permutation,
    "permutation": Permutation,
    "array": Array,
}


class Space(Mapping):
    """An ordered, named collection of parameters.

    Parameters
    ----------
    params : mapping or iterable of (name, Param) pairs, optional
        The parameters in order. Keyword arguments are appended after them.
    **kwparams : Param
        More parameters by name.

    Raises
    ------
    ValueError
        For no parameters, a duplicate name or a name that is not a Python identifier.
    TypeError
        For a value that is not a parameter.

    Examples
    --------
    >>> space = Space(lr=Real(1e-4, 1.0, log=True), depth=Integer(1, 8),
    ...               act=Categorical(["relu", "tanh"]))
    >>> space.dim, space.names
    (4, ('lr', 'depth', 'act'))
    >>> space.to_params(space.decode([[0.5, 0.0, 0.2, 0.9]]))
    [{'lr': 0.010000000000000004, 'depth': 1, 'act': 'tanh'}]
    >>> space.validate({"lr": 0.1, "depth": 3, "act": "tanh"})
    {'lr': 0.1, 'depth': 3, 'act': 'tanh'}
    """

    def __init__(self, params=None, /, **kwparams):
        self._params: dict[str, Param] = {}
        for name, param in [*_pairs(params), *kwparams.items()]:
            self._add(name, param)
        if not self._params:
            raise ValueError("a Space needs at least one parameter")
        self._layout()

    def _add(self, name, param) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"parameter {name!r}: the name must be a Python identifier")
        if name in self._params:
            raise ValueError(f"parameter {name!r}: duplicate name")
        if not isinstance(param, Param):
            raise TypeError(f"parameter {name!r}: expected a Real, Integer, Categorical, Bits, "
                            f"Permutation or Array, got {type(param).__name__}")
        self._params[name] = param.named(name)  # a copy: one Param may serve in several spaces

    def _layout(self) -> None:
        self._names = tuple(self._params)
        ends = np.cumsum([p.size for p in self._params.values()])
        self._slices = {n: slice(int(e - p.size), int(e)) for (n, p), e in
                        zip(self._params.items(), ends)}
        self._steps = np.concatenate([p.steps() for p in self._params.values()])
        self._kinds = frozenset(p.kind for p in self._params.values())
        self._steps.setflags(write=False)

    # --- the mapping and its layout ---------------------------------------------------------

    def __getitem__(self, name: str) -> Param:
        return self._params[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names in order."""
        return self._names

    @property
    def dim(self) -> int:
        """Length of the vector encoding."""
        return self._steps.shape[0]

    @property
    def kinds(self) -> frozenset[str]:
        """The parameter kinds present (``"real"``, ``"integer"``, ...)."""
        return self._kinds

    @property
    def slices(self) -> Mapping[str, slice]:
        """Read-only mapping name -> slice of the vector encoding."""
        return MappingProxyType(self._slices)

    @property
    def vector_steps(self) -> np.ndarray:
        """Per vector column, the width of one discrete cell in the unit cube (0: continuous).

        ``1/(hi-lo+1)`` for an integer, ``0.5`` for bit and choice scores, 0 for reals, arrays
        and permutation keys (continuous random keys). Read-only.
        """
        return self._steps

    # --- sampling and conversions -----------------------------------------------------------

    def sample(self, rng, n: int) -> dict[str, np.ndarray]:
        """A genome of ``n`` independent uniform draws (log-uniform for ``log`` reals).

        ``rng`` is a ``numpy.random.Generator`` or a seed for :func:`nondiff.seeding.as_generator`.
        """
        rng = as_generator(rng)
        n = _count(n)
        return {name: p.sample(rng, n) for name, p in self._params.items()}

    def center(self) -> dict[str, np.ndarray]:
        """A genome of one: midpoints, the first choice, zero bits, the identity permutation."""
        return {name: p.center() for name, p in self._params.items()}

    def encode_genome(self, genome: Mapping) -> np.ndarray:
        """The unit-cube matrix ``(n, dim)`` of a genome."""
        n = self._rows(genome)
        X = np.empty((n, self.dim))
        for name, p in self._params.items():
            p.encode_into(genome[name], X[:, self._slices[name]])
        return X

    def decode(self, X) -> dict[str, np.ndarray]:
        """The genome of the rows of ``X`` (any real ``(n, dim)`` matrix, clipped into the cube).

        Raises ValueError for a wrong shape or NaN entries.
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ValueError(f"X must have shape (n, {self.dim}), got {X.shape}")
        lo, hi = (X.min(), X.max()) if X.size else (0.0, 1.0)  # NaN propagates into both
        if np.isnan(lo) or np.isnan(hi):
            raise ValueError(f"X has NaN entries in columns {_nan_columns(self, X)}")
        U = X if lo >= 0.0 and hi <= 1.0 else np.clip(X, 0.0, 1.0)  # no copy when inside
        return {name: p.decode(U[:, self._slices[name]]) for name, p in self._params.items()}

    def encode(self, params_list) -> np.ndarray:
        """The unit-cube matrix ``(n, dim)`` of a list of parameter dicts."""
        return self.encode_genome(self.from_params(params_list))

    def to_params(self, genome: Mapping) -> list[dict]:
        """One dict ``name -> user value`` per row of a (valid) genome."""
        self._rows(genome)
        columns = [p.to_values(genome[name]) for name, p in self._params.items()]
        names = self._names
        return [dict(zip(names, row)) for row in zip(*columns)]

    def from_params(self, params_list) -> dict[str, np.ndarray]:
        """The genome of a list of parameter dicts, checked (ValueError/TypeError naming it)."""
        rows = list(params_list)
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise TypeError(f"params[{i}] must be a dict, got {type(row).__name__}")
            if len(row) != len(self._names) or any(name not in row for name in self._names):
                self._check_names(row, where=f"params[{i}]")
        return {name: p.from_values([row[name] for row in rows])
                for name, p in self._params.items()}

    def to_columns(self, genome: Mapping) -> dict[str, np.ndarray]:
        """User values by name as arrays with a leading population axis (for batch objectives).

        Categoricals are mapped to their choices (a numpy array of the choices' type, or of
        objects when the choices are mixed); every array is a fresh copy.
        """
        self._rows(genome)
        return {name: p.to_column(genome[name]) for name, p in self._params.items()}

    # --- validation -------------------------------------------------------------------------

    def validate(self, params: Mapping) -> dict:
        """``params`` checked and normalized: a new dict in the space's order.

        Numpy scalars become Python scalars, categorical values become the choice objects,
        arrays become fresh numpy arrays of the genome's dtype.

        Raises
        ------
        ValueError
            Missing or unknown names, out-of-range values, invalid permutations.
        TypeError
            Values of the wrong type.
        """
        if not isinstance(params, Mapping):
            raise TypeError(f"params must be a dict, got {type(params).__name__}")
        self._check_names(params, where="params")
        return {name: p.validate(params[name]) for name, p in self._params.items()}

    def validate_genome(self, genome: Mapping) -> dict[str, np.ndarray]:
        """``genome`` checked (names, shapes, dtypes, bounds; vectorized) and normalized."""
        self._rows(genome)
        return {name: p.check_column(genome[name]) for name, p in self._params.items()}

    def _check_names(self, params: Mapping, where: str) -> None:
        missing = [name for name in self._names if name not in params]
        unknown = [name for name in params if name not in self._params]
        if missing or unknown:
            parts = [f"missing {_quoted(missing)}"] * bool(missing)
            parts += [f"unknown {_quoted(unknown)}"] * bool(unknown)
            raise ValueError(f"{where}: {' and '.join(parts)} (the space has {_quoted(self)})")

    def _rows(self, genome: Mapping) -> int:
        """The population size of ``genome``, after checking its names and column shapes."""
        if not isinstance(genome, Mapping):
            raise TypeError(f"a genome must be a dict of arrays, got {type(genome).__name__}")
        if genome.keys() != self._params.keys():
            self._check_names(genome, where="genome")
        n = None
        for name, p in self._params.items():
            shape = np.shape(genome[name])
            if not shape or shape[1:] != p.column_shape:
                raise p.error(f"genome column has shape {shape}, expected (n, *{p.column_shape})")
            if shape[0] != n and n is not None:
                lengths = {name: len(genome[name]) for name in self._names}
                raise ValueError(f"genome columns need one population length, got {lengths}")
            n = shape[0]
        return n

    # --- definitions: JSON, equality, differences -------------------------------------------

    def to_dict(self) -> dict:
        """The JSON-able definition ``{name: {"type": ..., ...}}`` (see :meth:`from_dict`).

        Raises ValueError naming a categorical parameter whose choices are not JSON scalars.
        """
        return {name: p.to_dict() for name, p in self._params.items()}

    @classmethod
    def from_dict(cls, d: Mapping) -> Space:
        """A Space from :meth:`to_dict`'s format.

        Each entry is ``{"type": T, ...}`` with ``T`` one of ``real`` (lo, hi, optional log),
        ``int``/``integer`` (lo, hi), ``cat``/``categorical`` (choices), ``bits`` (n),
        ``perm``/``permutation`` (n), ``array`` (shape, lo, hi).

        Examples
        --------
        >>> Space.from_dict({"x": {"type": "real", "lo": 0, "hi": 1}, "k": {"type": "int",
        ...                  "lo": 1, "hi": 3}})
        Space(x=Real(0.0, 1.0), k=Integer(1, 3))
        """
        if not isinstance(d, Mapping):
            raise TypeError(f"a space definition must be a dict, got {type(d).__name__}")
        return cls([(name, _from_entry(name, entry)) for name, entry in d.items()])

    def __eq__(self, other):
        if not isinstance(other, Space):
            return NotImplemented
        return self._names == other._names and all(
            self._params[n] == other._params[n] for n in self._names
        )

    def __repr__(self) -> str:
        if any(keyword.iskeyword(n) for n in self._names):  # not valid as keyword arguments
            return f"Space({self._params!r})"
        return f"Space({', '.join(f'{n}={p!r}' for n, p in self._params.items())})"

    def diff(self, other: Space) -> list[str]:
        """Human-readable differences from ``self`` to ``other`` (empty when equal).

        Examples
        --------
        >>> Space(x=Real(0, 1), k=Integer(1, 3)).diff(Space(x=Real(0, 2), b=Bits(4)))
        ["parameter 'k' removed", "parameter 'b' added", "parameter 'x': hi 1.0 -> 2.0"]
        """
        if not isinstance(other, Space):
            raise TypeError(f"diff needs a Space, got {type(other).__name__}")
        out = [f"parameter {n!r} removed" for n in self._names if n not in other]
        out += [f"parameter {n!r} added" for n in other._names if n not in self]
        for name in (n for n in self._names if n in other):
            out += _param_diff(name, self._params[name].spec(), other[name].spec())
        common = [n for n in self._names if n in other]
        if common != [n for n in other._names if n in self]:
            out.append(f"parameter order changed: {', '.join(self._names)} -> "
                       f"{', '.join(other._names)}")
        return out


def _pairs(params) -> list:
    if params is None:
        return []
    if isinstance(params, Mapping):
        return list(params.items())
    pairs = list(params)
    for item in pairs:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise TypeError(f"Space takes a mapping or (name, Param) pairs, got item {item!r}")
    return pairs


def _count(n) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an int, got {n!r}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return int(n)


def _quoted(names) -> str:
    return ", ".join(repr(n) for n in names)


def _nan_columns(space: Space, X: np.ndarray) -> str:
    bad = np.isnan(X).any(axis=0)
    return _quoted(n for n, sl in space.slices.items() if bad[sl].any())


def _from_entry(name, entry) -> Param:
    where = f"parameter {name!r}"
    if not isinstance(entry, Mapping):
        raise TypeError(f"{where}: expected a dict with a 'type', got {entry!r}")
    cls = _TYPES.get(entry.get("type"))
    if cls is None:
        raise ValueError(f"{where}: unknown type {entry.get('type')!r}; expected one of "
                         f"{_quoted(_TYPES)}")
    allowed = {"type", *cls.spec_required, *cls.spec_optional}
    missing = [k for k in cls.spec_required if k not in entry]
    unknown = [k for k in entry if k not in allowed]
    if missing or unknown:
        raise ValueError(f"{where}: {entry['type']!r} needs keys {_quoted(cls.spec_required)}"
                         f" (optional: {_quoted(cls.spec_optional) or 'none'}); missing "
                         f"{_quoted(missing) or 'none'}, unknown {_quoted(unknown) or 'none'}")
    return cls(**{k: v for k, v in entry.items() if k != "type"}, name=name)


def _param_diff(name: str, a: dict, b: dict) -> list[str]:
    if a["type"] != b["type"]:
        return [f"parameter {name!r}: type {a['type']} -> {b['type']}"]
    return [f"parameter {name!r}: {key} {a[key]!r} -> {b[key]!r}"
            for key in a if not same(a[key], b[key])]
