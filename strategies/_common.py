"""Helpers every strategy shares: id bookkeeping, the best so far, and fitness shaping.

:class:`Ledger` is the part of a strategy's state that is the same everywhere (the next id,
the ids of the pending ask, the best candidate). Strategies keep one as a field and include
its ``state_dict`` in their own.
"""

from __future__ import annotations

import math

import numpy as np

from nondiff.strategy import Batch, Candidate, candidate_ids

__all__ = ["Ledger", "finite_or_worst", "ranks", "centered_ranks", "nes_utilities",
           "check_option"]


class Ledger:
    """Issued ids, the pending ask and the best candidate of one strategy."""

    def __init__(self, space):
        self.space = space
        self.next_id = 0
        self.pending = range(0)
        self.best_vector: np.ndarray | None = None
        self.best_value = np.inf
        self.best_id = -1

    def issue(self, n: int) -> int:
        """Reserve ``n`` consecutive ids for a new ask and return the first."""
        first = self.next_id
        self.next_id += n
        self.pending = range(first, first + n)
        return first

    def accept(self, candidates, values) -> np.ndarray:
        """Check a tell against the pending ask, update the best, return values as float64."""
        values = np.asarray(values, dtype=float).reshape(-1)
        if len(candidates) != values.shape[0]:
            raise ValueError(
                f"tell got {len(candidates)} candidates but {values.shape[0]} values"
            )
        if not self._within_pending(candidates):
            self._check_ids(candidate_ids(candidates))
        if values.size and math.isnan(values.sum()) and np.isnan(values).any():
            raise ValueError("tell got NaN values: failures must be passed as +inf")
        self.pending = range(0)
        if values.size:
            i = int(values.argmin())
            if values[i] < self.best_value or self.best_vector is None:
                self.best_value = float(values[i])
                self.best_vector = np.array(candidates[i].vector, dtype=float)
                self.best_id = candidates[i].id
        return values

    def _within_pending(self, candidates) -> bool:
        """A Batch inside the pending range: distinct ids the last ask issued, no check needed."""
        p = self.pending
        return (isinstance(candidates, Batch) and isinstance(p, range)
                and p.start <= candidates.first_id
                and candidates.first_id + len(candidates) <= p.stop)

    def _check_ids(self, ids: np.ndarray) -> None:
        p = self.pending
        if isinstance(p, range):
            unknown = ids[(ids < p.start) | (ids >= p.stop)] if len(p) else ids
        else:  # a set of ids (strategies that pick the pending ids themselves)
            unknown = ids[~np.isin(ids, np.fromiter(p, dtype=np.int64, count=len(p)))]
        if unknown.size:
            raise ValueError(
                f"tell got candidate ids {unknown[:5].tolist()} that the last ask did not issue")
        if np.unique(ids).size != ids.size:
            raise ValueError("tell got the same candidate twice")

    @property
    def best(self) -> tuple[Candidate, float] | None:
        if self.best_vector is None:
            return None
        return Candidate(self.best_id, self.space, vector=self.best_vector), self.best_value

    def state_dict(self) -> dict:
        return {
            "next_id": self.next_id,
            "best_vector": self.best_vector,
            "best_value": self.best_value,
            "best_id": self.best_id,
        }

    def load_state_dict(self, state: dict) -> None:
        self.next_id = int(state["next_id"])
        bv = state["best_vector"]
        self.best_vector = None if bv is None else np.asarray(bv, dtype=float)
        self.best_value = float(state["best_value"])
        self.best_id = int(state["best_id"])
        self.pending = range(0)


def finite_or_worst(values: np.ndarray) -> np.ndarray:
    """Replace +inf (failed evaluations) by a finite value worse than every finite one.

    For strategies whose arithmetic uses the values themselves, not only their ranks.
    """
    values = np.asarray(values, dtype=float)
    bad = ~np.isfinite(values)
    if not bad.any():
        return values
    finite = values[~bad]
    if finite.size == 0:
        return np.zeros_like(values)
    worst = finite.max() + max(1.0, abs(finite.max() - finite.min()))
    out = values.copy()
    out[bad & (values > 0)] = worst
    out[bad & (values < 0)] = finite.min() - max(1.0, abs(finite.max() - finite.min()))
    return out


def ranks(values: np.ndarray) -> np.ndarray:
    """0-based ranks (0 = best = smallest); ties broken by position, +inf ranks last."""
    order = np.argsort(values, kind="stable")
    r = np.empty(len(values), dtype=np.int64)
    r[order] = np.arange(len(values))
    return r


def centered_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks mapped linearly to [-0.5, 0.5], best = -0.5 (Salimans et al. 2017, fitness shaping)."""
    n = len(values)
    if n < 2:
        return np.zeros(n)
    return ranks(values) / (n - 1) - 0.5


def nes_utilities(n: int) -> np.ndarray:
    """Rank-based utilities of NES (Wierstra et al. 2014, Sec. 3.1 'fitness shaping').

    ``u_k = max(0, ln(n/2 + 1) - ln k) / sum_j max(0, ln(n/2 + 1) - ln j) - 1/n`` for ranks
    ``k = 1..n`` (1 = best). They sum to zero, so no baseline is needed.
    """
    k = np.arange(1, n + 1)
    w = np.maximum(0.0, math.log(n / 2 + 1) - np.log(k))
    return w / w.sum() - 1.0 / n


def check_option(name, value, *, low=None, high=None, integer=False, inclusive=False):
    """Validate a numeric option; raise TypeError/ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if integer and int(value) != value:
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    too_low = low is not None and (value < low if inclusive else value <= low)
    if too_low or (high is not None and value > high):
        bound = f">= {low}" if inclusive else f"> {low}"
        rng = bound if high is None else f"{bound} and <= {high}"
        raise ValueError(f"{name} must be {rng}, got {value!r}")
    return int(value) if integer else float(value)
