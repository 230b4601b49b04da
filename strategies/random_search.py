"""Random search: uniform sampling (``random``) and scrambled Sobol sequences (``sobol``).

Both sample the space's unit-cube encoding, so every parameter type is covered: reals are
uniform (log-uniform when ``log=True``), integers, categoricals and bits uniform over their
values, permutations uniform over all orders (random keys). Sobol points come from
``scipy.stats.qmc.Sobol`` with Owen scrambling [1]; they fill the cube more evenly than
independent draws for budgets that are powers of two.

[1] A. B. Owen, "Scrambling Sobol' and Niederreiter-Xing points", J. Complexity 14 (1998).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nondiff import seeding
from nondiff.strategy import Candidate, candidates_from_vectors
from strategies._common import Ledger

__all__ = ["RandomSearch", "SobolSearch"]


@dataclass
class _State:
    rng: np.random.Generator
    drawn: int = 0  # points generated so far (the Sobol engine is rebuilt from this)


class RandomSearch:
    """Independent uniform samples of the whole space, ``batch_size`` per ask.

    Parameters
    ----------
    space : Space
    seed : int, optional
    budget : int, optional
        Unused: the driver evaluates only what the budget allows of the last batch.
    batch_size : int
        Candidates per ask (a generation); large batches suit vectorized objectives.
    """

    supported_types = ("real", "integer", "categorical", "bits", "permutation", "array")

    def __init__(self, space, *, seed=None, budget=None, batch_size=100):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.space = space
        self.batch_size = int(batch_size)
        self._ledger = Ledger(space)
        self._state = _State(rng=seeding.as_generator(seed))

    def _draw(self, n: int) -> np.ndarray:
        return self._state.rng.random((n, self.space.dim))

    def ask(self) -> list[Candidate]:
        n = self.batch_size
        X = self._draw(n)
        self._state.drawn += n
        return candidates_from_vectors(self.space, X, self._ledger.issue(n))

    def tell(self, candidates, values) -> None:
        self._ledger.accept(candidates, values)

    def stop(self) -> str | None:
        return None

    @property
    def best(self) -> tuple[Candidate, float] | None:
        return self._ledger.best

    def state_dict(self) -> dict:
        return {
            "ledger": self._ledger.state_dict(),
            "rng": seeding.generator_state(self._state.rng),
            "drawn": self._state.drawn,
        }

    def load_state_dict(self, state: dict) -> None:
        self._ledger.load_state_dict(state["ledger"])
        seeding.set_generator_state(self._state.rng, state["rng"])
        self._state.drawn = int(state["drawn"])


class SobolSearch(RandomSearch):
    """Scrambled Sobol points over the unit cube; the sequence is fixed by the seed.

    The default batch size is a power of two, which keeps Sobol's balance properties.
    """

    def __init__(self, space, *, seed=None, budget=None, batch_size=128):
        super().__init__(space, seed=seed, budget=budget, batch_size=batch_size)
        # the engine's own seed is drawn once from the run's seed, so it is plain data
        self._engine_seed = int(self._state.rng.integers(2**63))
        self._engine = self._new_engine()

    def _new_engine(self):
        from scipy.stats import qmc

        return qmc.Sobol(d=self.space.dim, scramble=True, seed=self._engine_seed)

    def _draw(self, n: int) -> np.ndarray:
        import warnings

        with warnings.catch_warnings():
            # balance warnings for non-power-of-two draws are expected in the last batch
            warnings.simplefilter("ignore", UserWarning)
            return self._engine.random(n)

    def state_dict(self) -> dict:
        return {**super().state_dict(), "engine_seed": self._engine_seed}

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self._engine_seed = int(state["engine_seed"])
        self._engine = self._new_engine()
        if self._state.drawn:  # scipy's fast_forward(0) overflows
            self._engine.fast_forward(self._state.drawn)
