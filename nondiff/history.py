"""The record of every evaluation of a run, held in growable numpy arrays.

One row per evaluation: the candidate's id, its unit-cube vector, the raw value in the user's
sense (NaN when the evaluation failed), its status code, wall seconds and the generation.
Error texts are kept sparsely by row. A million evaluations in dimension 10 take about 110 MB.
"""

from __future__ import annotations

import numpy as np

__all__ = ["History"]

_COLUMNS = {"ids": np.int64, "values": np.float64, "status": np.int8,
            "seconds": np.float64, "generation": np.int32}


class History:
    """Append-only evaluation history with amortized O(1) appends of whole batches."""

    def __init__(self, space, capacity: int = 256):
        self.space = space
        self._n = 0
        self._vectors = np.empty((capacity, space.dim), dtype=np.float64)
        self._cols = {k: np.empty(capacity, dtype=t) for k, t in _COLUMNS.items()}
        self.errors: dict[int, str] = {}

    def __len__(self) -> int:
        return self._n

    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        cap = self._vectors.shape[0]
        if need <= cap:
            return
        cap = max(need, 2 * cap)
        vectors = np.empty((cap, self.space.dim), dtype=np.float64)
        vectors[: self._n] = self._vectors[: self._n]
        self._vectors = vectors
        for k, col in self._cols.items():
            new = np.empty(cap, dtype=col.dtype)
            new[: self._n] = col[: self._n]
            self._cols[k] = new

    def append(self, ids, vectors, values, status, seconds, generation: int, errors=None):
        """Append one batch; ``errors`` maps an index within the batch to its error text."""
        m = len(ids)
        self._reserve(m)
        s = slice(self._n, self._n + m)
        self._vectors[s] = vectors
        self._cols["ids"][s] = ids
        self._cols["values"][s] = values
        self._cols["status"][s] = status
        self._cols["seconds"][s] = seconds
        self._cols["generation"][s] = generation
        for i, text in (errors or {}).items():
            self.errors[self._n + int(i)] = text
        self._n += m

    @property
    def vectors(self) -> np.ndarray:
        return self._vectors[: self._n]

    def __getattr__(self, name):
        cols = self.__dict__.get("_cols")
        if cols is not None and name in cols:
            return cols[name][: self._n]
        raise AttributeError(name)

    def params(self, i: int) -> dict:
        """The decoded parameters of row ``i``."""
        return self.space.to_params(self.space.decode(self.vectors[i : i + 1]))[0]

    def best_so_far(self, sign: int = 1) -> np.ndarray:
        """Best value (user sense) after each evaluation; NaN until the first success."""
        v = np.where(np.isnan(self.values), np.inf, sign * self.values)
        best = np.minimum.accumulate(v) if v.size else v
        return np.where(np.isinf(best), np.nan, sign * best)

    def arrays(self) -> dict[str, np.ndarray]:
        """All columns as plain arrays (for checkpoints and reports)."""
        out = {k: v[: self._n] for k, v in self._cols.items()}
        out["vectors"] = self.vectors
        return out

    @classmethod
    def from_arrays(cls, space, arrays: dict, errors: dict[int, str]) -> History:
        n = len(arrays["ids"])
        h = cls(space, capacity=max(n, 256))
        h.append(arrays["ids"], arrays["vectors"], arrays["values"], arrays["status"],
                 arrays["seconds"], 0)
        h._cols["generation"][:n] = arrays["generation"]
        h.errors = {int(k): v for k, v in errors.items()}
        return h
