"""The Strategy protocol every optimizer implements, and the Candidate it hands out.

A strategy is an ask/tell object over a :class:`~nondiff.space.Space`:

- ``ask() -> list[Candidate]``: the next batch (a whole generation). Ids increase strictly over
  the life of the strategy.
- ``tell(candidates, values)``: the only mutator. ``candidates`` is the last ask's list or a
  prefix-free subset of it (the driver may evaluate fewer when the budget runs out); ``values``
  is a float64 array in the *minimization* sense where every failed evaluation (error, NaN,
  timeout, crash) is ``+inf``. NaN never reaches a strategy. Telling ids that did not come
  from the last ask raises ``ValueError``; telling nothing (``tell([], [])``) with no ask
  pending changes nothing.
- ``stop() -> str | None``: the strategy's own reason to stop (e.g. ``"converged"``), or None.
- ``state_dict() / load_state_dict(d)``: all mutable state (RNG included) as plain data: dicts,
  lists, str, int, float, bool, None and numpy arrays, plus :class:`Pickled` for third-party
  objects that can only be pickled. Taken between a tell and the next ask. A fresh strategy
  built with the same arguments and loaded with the state asks exactly what the original asks.
- ``best``: ``(Candidate, value)`` of the best candidate told so far, or None.
- ``supported_types``: the parameter kinds handled natively (``"real"``, ``"integer"``,
  ``"categorical"``, ``"bits"``, ``"permutation"``, ``"array"``); others go through the
  space's vector encoding.

Constructors take ``(space, *, seed=None, budget=None, **options)``, validate options there and
raise ``ValueError``/``TypeError`` naming the bad option.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Candidate", "Strategy", "Pickled", "Batch", "candidates_from_vectors",
           "candidates_from_genome", "stack_vectors", "candidate_ids"]

PARAM_KINDS = ("real", "integer", "categorical", "bits", "permutation", "array")


class Candidate:
    """One point to evaluate: a unique ``id``, its unit-cube ``vector`` and its ``params``.

    ``params`` (a dict name -> value) is decoded from ``vector`` on first access when the
    strategy did not supply it, so vectorized runs never build per-candidate dicts.
    """

    __slots__ = ("id", "_vector", "_params", "_space")

    def __init__(self, id, space, *, vector=None, params=None):
        if vector is None and params is None:
            raise ValueError("a Candidate needs a vector or params")
        self.id = int(id)
        self._space = space
        self._vector = vector
        self._params = params

    @property
    def vector(self) -> np.ndarray:
        if self._vector is None:
            self._vector = self._space.encode([self._params])[0]
        return self._vector

    @property
    def params(self) -> dict:
        if self._params is None:
            self._params = self._space.to_params(self._space.decode(self._vector[None, :]))[0]
        return self._params

    def __repr__(self) -> str:
        return f"Candidate(id={self.id}, params={self.params!r})"


class Batch(Sequence):
    """The candidates of one ask, held as a matrix of vectors and a first id.

    It is a sequence of :class:`Candidate` objects, built only when accessed, so vectorized
    consumers (history, batch objectives, ``tell`` bookkeeping) read ``vectors`` and ``ids``
    and a generation costs a few numpy calls, not one Python object per individual.
    Contiguous slices stay Batches.
    """

    __slots__ = ("space", "vectors", "first_id", "params", "_items")

    def __init__(self, space, vectors: np.ndarray, first_id: int, params=None):
        self.space, self.vectors, self.first_id = space, vectors, int(first_id)
        self.params = params  # list of dicts when the strategy already has them (GAs)
        self._items: list[Candidate | None] = [None] * len(vectors)

    @property
    def ids(self) -> np.ndarray:
        return np.arange(self.first_id, self.first_id + len(self.vectors), dtype=np.int64)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            params = None if self.params is None else self.params[start:stop]
            return Batch(self.space, self.vectors[start:stop], self.first_id + start, params)
        item = self._items[i]
        if item is None:
            p = None if self.params is None else self.params[i]
            item = Candidate(self.first_id + (i % len(self)), self.space,
                             vector=self.vectors[i], params=p)
            self._items[i] = item
        return item

    def __repr__(self) -> str:
        return f"Batch(ids {self.first_id}..{self.first_id + len(self) - 1})"


def candidates_from_vectors(space, X: np.ndarray, first_id: int) -> Batch:
    """Candidates for the rows of ``X`` (unit-cube vectors), ids ``first_id, first_id+1, ...``."""
    return Batch(space, np.asarray(X, dtype=float), first_id)


def stack_vectors(candidates) -> np.ndarray:
    """The candidates' vectors as an (n, dim) matrix, without copying when they are a Batch."""
    if isinstance(candidates, Batch):
        return candidates.vectors
    return np.stack([c.vector for c in candidates])


def candidate_ids(candidates) -> np.ndarray:
    """The candidates' ids as an int64 array."""
    if isinstance(candidates, Batch):
        return candidates.ids
    return np.fromiter((c.id for c in candidates), dtype=np.int64, count=len(candidates))


def candidates_from_genome(space, genome: dict, first_id: int) -> Batch:
    """Candidates for a population genome (dict name -> array with a leading population axis)."""
    # params are decoded from the vectors like every other candidate's, so what is evaluated
    # is exactly what the history records (the genome's floats may differ by an ulp)
    return Batch(space, space.encode_genome(genome), first_id)


@dataclass(frozen=True)
class Pickled:
    """Opaque pickled bytes inside a state_dict (e.g. pycma's state).

    Checkpoints store these with an HMAC made from a per-user key, and refuse to unpickle a
    foreign or tampered file unless the user passes an explicit trust flag.
    """

    data: bytes


@runtime_checkable
class Strategy(Protocol):
    """The ask/tell protocol (see the module docstring for the contract)."""

    supported_types: tuple[str, ...]

    def ask(self) -> list[Candidate]: ...

    def tell(self, candidates: list[Candidate], values: np.ndarray) -> None: ...

    def stop(self) -> str | None: ...

    def state_dict(self) -> dict: ...

    def load_state_dict(self, state: dict) -> None: ...

    @property
    def best(self) -> tuple[Candidate, float] | None: ...
