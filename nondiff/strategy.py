"""The Strategy protocol every optimizer implements, and the Candidate it hands out.

A strategy is an ask/tell object over a :class:`~nondiff.space.Space`:

- ``ask() -> list[Candidate]``: the next batch (a whole generation). Ids increase strictly over
  the life of the strategy.
- ``tell(candidates, values)``: the only mutator. ``candidates`` is the last ask's list or a
  prefix-free subset of it (the driver may evaluate fewer when the budget runs out); ``values``
  is a float64 array in the *minimization* sense where every failed evaluation (error, NaN,
  timeout, crash) is ``+inf``. NaN never reaches a strategy. Telling ids that did not come
  from the last ask raises ``ValueError``.
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

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Candidate", "Strategy", "Pickled", "candidates_from_vectors", "candidates_from_genome"]

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


def candidates_from_vectors(space, X: np.ndarray, first_id: int) -> list[Candidate]:
    """Candidates for the rows of ``X`` (unit-cube vectors), ids ``first_id, first_id+1, ...``."""
    X = np.asarray(X, dtype=float)
    return [Candidate(first_id + i, space, vector=X[i]) for i in range(X.shape[0])]


def candidates_from_genome(space, genome: dict, first_id: int) -> list[Candidate]:
    """Candidates for a population genome (dict name -> array with a leading population axis)."""
    rows = space.to_params(genome)
    X = space.encode_genome(genome)
    return [
        Candidate(first_id + i, space, vector=X[i], params=p) for i, p in enumerate(rows)
    ]


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
