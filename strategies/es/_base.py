"""What the Gaussian evolution strategies of this package share: the ask/tell plumbing.

Every strategy here searches the space's unit-cube vector encoding (``space.dim`` numbers in
[0, 1]). The search distribution lives in an *unbounded* coordinate ``y`` and a candidate is
``fold(y)``, one of two maps into the cube (option ``bounds``):

- ``"clip"`` (default): ``clip(y, 0, 1)``, and after every update the mean is clamped into the
  cube. With the mean inside, at most about half of a coordinate's samples land on a face, so
  the objective seen by the distribution never has a flat plateau around the mean.
- ``"reflect"``: the triangle wave of period 2, identity on [0, 1] and mirrored at each face;
  samples stay distinct, but every face becomes a mirror-symmetric point of the folded
  objective where an antithetic pair ``mean +- eps`` gives two equal values and the mean
  gradient vanishes. PGPE in dimension 100 parked coordinates there in 1 of 10 seeds
  (benchmarks/es_sphere100.py), which is why clipping is the default.

Integers, categoricals and bits reach the strategies through the same encoding (the space
decodes cells), so they are searched as continuous relaxations. On such a dimension the
objective is piecewise constant: once the standard deviation is small against a cell, every
sample lands in the mean's cell and a rank-based gradient estimate is zero. OpenAI-ES and PGPE
therefore keep two things on discrete dimensions (continuous ones get neither):

- a floor on the standard deviation, :func:`discrete_sigma_floor`. pycma (4.5,
  ``integer_std_lower_bound`` in ``cma/options_parameters.py``; the "LB" of Marty et al.,
  "LB+IC-CMA-ES: two simple modifications of CMA-ES to handle mixed-integer problems",
  PPSN 2024) targets a probability ``p = 2 / (2 + N + N_int)`` that a sample leaves the
  mean's cell, with the mean at a cell centre: ``sigma = 0.5 / -Phi^-1(p / 2)`` cells. We
  take that target. pycma then also caps the floor at ``0.2`` cells and at ``mu_eff / N``;
  we drop those two caps, which suit CMA-ES, whose mean jumps to the selected samples: a
  search-gradient step is proportional to the slope of the Gaussian-smoothed step function,
  ``phi(w / (2 sigma)) / sigma`` at a cell centre, and at 0.2 cells a rare crossing moved the
  mean too little (with the box below, on ``Integer(0, 5)`` and a 4-way categorical,
  OpenAI-ES stalled in 8 of 20 seeds after 300 evaluations and 1 after 1000 at 0.2 cells;
  at the target, 0.36 cells there, in 5 and 0).
- a box on the mean (our choice, not pycma's) so the floor's assumption of a mean within half
  a cell of the nearest decision boundary holds: integers and bits stay between the centres of
  their outermost cells, ``[w / 2, 1 - w / 2]``; a categorical's scores stay within
  ``0.5 +- 0.25 / sqrt 2``, so two scores differ by at most ``0.25 sqrt 2`` and the
  hyperplane where they tie is at most a quarter (half a cell) away. Clipping into [0, 1]
  alone left scores at 0 and 1, 0.71 (almost three half-cells) from a tie, which such a
  floor almost never crosses.
  Both boxes decode to the values they contain, so the box only keeps the mean where the
  samples still inform it (:func:`discrete_mean_box`).

A generation whose told values are all ``+inf`` (every evaluation failed) is not passed to
``_update``: it carries no ranking, and tie-breaking by position would move the mean and the
step size on noise. The distribution stays as it was, like the pycma adapter
(:mod:`strategies.cmaes`). The (1+1)-ES opts out: there a failed offspring is an unsuccessful
mutation and shrinks the step size by the 1/5th rule.

A subclass supplies ``_sample(n) -> (z, y)`` (standard normal draws and the points they give)
and ``_update(z, y, values)`` (one generation of the paper's update, given only the rows that
were told); this module keeps ids, the pending ask, the budget, the RNG and the state dict.
"""

from __future__ import annotations

import dataclasses
import math
from statistics import NormalDist

import numpy as np

from nondiff import seeding
from nondiff.strategy import candidate_ids, candidates_from_vectors
from strategies._common import Ledger, check_option, nes_utilities

__all__ = ["GaussianES", "reflect", "clip", "nes_utilities", "check_option",
           "discrete_sigma_floor", "discrete_mean_box"]

_DTYPES = {"float64": np.float64, "float32": np.float32}


def reflect(y: np.ndarray) -> np.ndarray:
    """Map unbounded coordinates into [0, 1] by mirroring at the faces (period 2)."""
    if y.size and y.min() >= 0.0 and y.max() <= 1.0:
        return y  # the common case costs two reductions instead of four passes
    return 1.0 - np.abs(1.0 - np.mod(y, 2.0))


def clip(y: np.ndarray) -> np.ndarray:
    """Map unbounded coordinates into [0, 1] by clipping."""
    if y.size and y.min() >= 0.0 and y.max() <= 1.0:
        return y  # two reductions instead of a copy
    return np.clip(y, 0.0, 1.0)


_FOLDS = {"clip": clip, "reflect": reflect}


def discrete_sigma_floor(space) -> np.ndarray | None:
    """Per-dimension lower bound on the standard deviation; ``None`` when all are continuous.

    Discrete dimension ``i`` (``space.vector_steps[i] > 0``) gets ``vector_steps[i] * 0.5 /
    -Phi^-1(p / 2)`` with ``p = 2 / (2 + N + N_int)`` (module docstring); continuous ones 0.
    """
    steps = np.asarray(space.vector_steps, dtype=float)
    n_int = int(np.count_nonzero(steps))
    if n_int == 0:
        return None
    p = 2.0 / (2 + len(steps) + n_int)
    return steps * (0.5 / -NormalDist().inv_cdf(p / 2))


def discrete_mean_box(space) -> tuple[np.ndarray, np.ndarray] | None:
    """Bounds on the mean of discrete dimensions (module docstring); ``None`` if there are none.

    ``[w / 2, 1 - w / 2]`` for integers and bits, ``0.5 +- 0.25 / sqrt 2`` for categorical
    scores, ``[0, 1]`` for continuous dimensions.
    """
    steps = np.asarray(space.vector_steps, dtype=float)
    if not steps.any():
        return None
    lo = steps / 2
    for name in space.names:
        if space[name].kind == "categorical":
            lo[space.slices[name]] = 0.5 - 0.25 / math.sqrt(2)
    return lo, 1.0 - lo


class GaussianES:
    """Ask/tell plumbing shared by OpenAIES, PGPE, SNES, XNES and OnePlusOneES (not public)."""

    supported_types = ("real", "array")
    _skip_all_failed = True  # the (1+1)-ES learns from a lone failure (1/5th rule), so False

    def _setup(self, space, *, seed, budget, x0, dtype="float64", bounds="clip"):
        if getattr(space, "dim", 0) < 1:
            raise ValueError("space must have at least one dimension")
        if budget is not None:
            budget = check_option("budget", budget, low=1, integer=True, inclusive=True)
        if dtype not in _DTYPES:
            raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
        if bounds not in _FOLDS:
            raise ValueError(f"bounds must be 'clip' or 'reflect', got {bounds!r}")
        self.space, self.budget, self.dtype = space, budget, _DTYPES[dtype]
        self._fold, self._clamp = _FOLDS[bounds], bounds == "clip"
        self._rng = seeding.as_generator(seed)
        self._table = None
        self._ledger = Ledger(space)
        self._asked = None
        self._mean_box = None  # subclasses may set discrete_mean_box(space)
        return self._initial_point(x0)

    def _initial_point(self, x0) -> np.ndarray:
        """``x0`` in unit-cube coordinates, or a uniform draw from the run's generator."""
        dim = self.space.dim
        if x0 is None:
            return self._rng.uniform(0.0, 1.0, dim)
        x0 = np.asarray(x0, dtype=float).reshape(-1)
        if x0.shape != (dim,) or not np.all((x0 >= 0) & (x0 <= 1)):
            raise ValueError(f"x0 must be {dim} numbers in [0, 1] (the unit-cube encoding)")
        return x0.copy()

    def _normal(self, n: int) -> np.ndarray:
        # z ~ N(0, I) in the configured dtype (float32 halves the memory of big batches)
        dim = self.space.dim
        if self._table is None:
            return self._rng.standard_normal((n, dim), dtype=self.dtype)
        # rows of the noise table at uniform random offsets: a gather instead of n * dim draws
        return self._table_rows[self._rng.integers(0, len(self._table_rows), size=n)]

    def _make_noise_table(self, size: int) -> None:
        """Draw ``size`` N(0, 1) numbers once; ``_normal`` then reads windows of ``dim`` of them.

        The table's seed is drawn from the run's generator, so a strategy rebuilt with the same
        arguments rebuilds the same table and a state_dict need not carry it.
        """
        table_rng = seeding.as_generator(int(self._rng.integers(2**63)))
        self._table = table_rng.standard_normal(size, dtype=self.dtype)
        self._table_rows = np.lib.stride_tricks.sliding_window_view(self._table, self.space.dim)

    def _mirrored_normal(self, n: int) -> np.ndarray:
        """``n`` rows ``z_1..z_h, -z_1..-z_h`` (first half drawn, second mirrored), no concat."""
        half = (n + 1) // 2
        z = np.empty((2 * half, self.space.dim), dtype=self.dtype)
        z[:half] = self._normal(half)
        np.negative(z[:half], out=z[half:])
        return z[:n]

    # --- the protocol ---------------------------------------------------------------------

    def ask(self):
        n = self._batch_size()
        if self.budget is not None:
            n = max(0, min(n, self.budget - self._ledger.next_id))
        z, y = self._sample(n)
        self._asked = (z, y, self._ledger.issue(n))
        return candidates_from_vectors(self.space, self._fold(y), self._asked[2])

    def tell(self, candidates, values) -> None:
        values = self._ledger.accept(candidates, values)
        if self._asked is None:
            return  # an empty tell with no ask pending (accept refuses any candidate then)
        z, y, first = self._asked
        rows = candidate_ids(candidates) - first
        self._asked = None
        if self._skip_all_failed and not np.isfinite(values).any():
            # every evaluation failed: no ranking to learn from (ranks would only order the
            # samples by position), so as in strategies/cmaes.py the generation is not told
            # and the next ask samples the same distribution again
            self._state.generation += 1
            return
        if rows.size == len(z) and np.array_equal(rows, np.arange(len(z))):
            self._update(z, y, values)  # the whole ask in order: no 2 x (n, dim) copies
        elif rows.size:
            self._update(z[rows], y[rows], values)
        if self._clamp:
            self._state.mean = np.clip(self._state.mean, 0.0, 1.0)
        if self._mean_box is not None:
            self._state.mean = np.clip(self._state.mean, *self._mean_box)
        self._state.generation += 1

    def stop(self) -> str | None:
        if self.budget is not None and self._ledger.next_id >= self.budget:
            return "budget"
        return self._stop()

    def _stop(self) -> str | None:
        return None

    @property
    def best(self):
        return self._ledger.best

    @property
    def mean(self) -> np.ndarray:
        """The distribution's centre mapped into the unit cube (the recommendation)."""
        return self._fold(np.asarray(self._state.mean, dtype=float))

    def state_dict(self) -> dict:
        return {
            "state": dataclasses.asdict(self._state),
            "rng": seeding.generator_state(self._rng),
            "ledger": self._ledger.state_dict(),
        }

    def load_state_dict(self, state: dict) -> None:
        fresh = self._state
        fields = {}
        for f in dataclasses.fields(fresh):
            old, new = getattr(fresh, f.name), state["state"][f.name]
            fields[f.name] = np.array(new, dtype=old.dtype) if isinstance(old, np.ndarray) else new
        self._state = type(fresh)(**fields)
        seeding.set_generator_state(self._rng, state["rng"])
        self._ledger.load_state_dict(state["ledger"])
        self._asked = None
