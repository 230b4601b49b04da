"""Genetic algorithm on the typed genome: generational or steady-state, any Space.

The population is stored as the space's typed genome (one array per parameter, leading
population axis), so one generation is a few numpy calls per parameter: selection of parents
(tournament [1] or truncation [2]), crossover of pairs with probability ``crossover_rate``,
per-gene mutation, an optional repair hook, optional duplicate elimination, then replacement.
Operators come from per-kind tables (:mod:`strategies.ga_operators`): SBX and polynomial mutation
for reals and arrays [3], uniform/arithmetic crossover with creep or reset mutation for integers,
uniform crossover and resampling for categoricals, uniform/one-/two-point crossover and bit flips
for bits, OX/PMX/cycle crossover and swap/insertion/inversion for permutations.

- *generational*: each ask holds ``popsize - elitism`` children; the next population is the
  ``elitism`` best parents plus the children.
- *steady-state*: each ask holds ``offspring`` children; parents and children are merged and the
  worst are dropped (replace-worst) [2].

Constraints (``g(params) <= 0`` feasible) are evaluated by the GA itself when it builds an ask
and rank candidates by Deb's feasibility rules or a penalty (:mod:`strategies.ga_constraints`);
the memetic option asks local-search moves as ordinary candidates (:mod:`strategies.ga_memetic`).

References
----------
[1] B. L. Miller and D. E. Goldberg, "Genetic algorithms, tournament selection, and the effects
    of noise", Complex Systems 9 (1995).
[2] D. Whitley, "The GENITOR algorithm and selection pressure", ICGA 1989 (steady-state,
    replace-worst); T. Blickle and L. Thiele, "A comparison of selection schemes used in
    evolutionary algorithms", Evolutionary Computation 4(4) (1996), section 5 (truncation).
[3] K. Deb and R. B. Agrawal, "Simulated binary crossover for continuous search space",
    Complex Systems 9 (1995); K. Deb, "Multi-objective optimization using evolutionary
    algorithms", Wiley 2001, sections 4.2.1 and 4.2.4.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nondiff import seeding
from nondiff.strategy import Candidate, candidate_ids, candidates_from_genome
from strategies import ga_memetic as memetic
from strategies import ga_operators as ops
from strategies._common import Ledger
from strategies.ga_constraints import apply_repair, constraint_violation, order, ranks
from strategies.ga_options import build_params, check_callable, check_int

__all__ = ["GeneticAlgorithm"]

_DEDUPE_TRIES = 10


@dataclass
class _State:
    """Everything that changes between asks; ``tell`` is the only mutator."""

    rng: np.random.Generator
    phase: str = "init"  # "init" -> "offspring" (-> "local" x local_rounds) -> "offspring" ...
    generation: int = 0
    told: int = 0
    pop: dict | None = None  # population genome
    pop_values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pop_viol: np.ndarray = field(default_factory=lambda: np.zeros(0))
    asked: dict | None = None  # genome of the pending ask
    asked_viol: np.ndarray = field(default_factory=lambda: np.zeros(0))
    asked_first: int = 0
    brood: dict | None = None  # children under local search (memetic)
    brood_values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    brood_viol: np.ndarray = field(default_factory=lambda: np.zeros(0))
    local_parent: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    local_round: int = 0
    local_evaluations: int = 0  # calls-worth of local_objective rows (not in the budget)


_GENOMES = ("pop", "asked", "brood")
_ARRAYS = ("pop_values", "pop_viol", "asked_viol", "brood_values", "brood_viol", "local_parent")
_SCALARS = ("phase", "generation", "told", "asked_first", "local_round", "local_evaluations")


class GeneticAlgorithm:
    """A vectorized genetic algorithm with typed operators for every parameter kind.

    Parameters
    ----------
    space : Space
        Any space; every parameter kind is handled natively on the typed genome.
    seed : int or numpy.random.Generator, optional
    budget : int, optional
        Evaluations; the last ask is shortened so that the strategy never asks beyond it.
    popsize : int, default 100
    mode : {"generational", "steady-state"}
    offspring : int, optional
        Children per ask in steady-state mode (default 2); generational mode always asks
        ``popsize - elitism``.
    selection : {"tournament", "truncation"}
    tournament_size : int, default 3
    truncation : float, default 0.5
        Fraction of the population that truncation selection draws parents from.
    elitism : int, default 1
        Best parents copied unchanged into the next generation (generational mode).
    crossover_rate : float, default 0.9
        Probability that a pair of parents is recombined (otherwise the children are copies).
    mutation_rate : float, optional
        Per-gene mutation probability; default ``1 / G`` for ``G`` genes in the genome (a bit,
        a permutation position, an array element and a scalar parameter are one gene each). A
        permutation mutates with probability ``1 - (1 - rate) ** k``, ``k`` its length.
    crossover, mutation : str or dict, optional
        Operator names: a string used for every parameter, or a dict keyed by parameter name or
        kind. Defaults: reals/arrays ``sbx``/``polynomial``, integers ``uniform``/``creep``,
        categoricals ``uniform``/``resample``, bits ``uniform``/``flip``, permutations
        ``ox``/``inversion``. See :func:`strategies.ga_operators.register_operator`.
    eta_c, eta_m : float, default 15 and 20
        Distribution indices of SBX and polynomial mutation (larger = children nearer parents).
    creep : int, optional
        Largest creep step for integers (default 5% of the range, at least 1).
    dedupe : bool, default False
        Re-mutate children identical to a parent or to an earlier child (up to 10 tries),
        then replace those still identical by random individuals (up to 10 more tries).
    constraint : callable, optional
        ``g(params) -> float or array``, feasible where every component is ``<= 0``.
    constraint_handling : {"feasibility", "penalty"}
    penalty : float, default 1000
        Weight of the violation in ``"penalty"`` mode.
    repair : callable, optional
        ``repair(params) -> params`` applied to every child before it is asked.
    vectorized : bool, default False
        ``constraint`` and ``repair`` take (and ``repair`` returns) the whole children genome,
        a dict name -> array with a leading population axis (categoricals as indices).
    memetic : bool, default False
        Hill-climb every child: with asked local moves, or on ``local_objective`` when given
        (see :mod:`strategies.ga_memetic`).
    local_objective : callable, optional
        ``h(genome) -> values`` (vectorized, minimized) used for the memetic climb instead of
        asking moves; its calls are counted in ``local_evaluations``, not in the budget.
    local_size : int, default 4
        Neighbours per child per local round.
    local_rounds : int, default 1
        Local rounds (asks) per generation.
    local_fraction : float, default 1.0
        With asked moves, the share of each brood (its best children) that climbs.
    local_step : float, default 0.05
        Standard deviation of a real local move as a fraction of its range.

    Raises
    ------
    ValueError, TypeError
        For a bad option, naming it.

    Examples
    --------
    >>> from nondiff.space import Bits, Space
    >>> space = Space(mask=Bits(20))
    >>> ga = GeneticAlgorithm(space, seed=0, popsize=20)
    >>> for _ in range(30):
    ...     cands = ga.ask()
    ...     ga.tell(cands, [-float(c.params["mask"].sum()) for c in cands])
    >>> ga.best[1]
    -20.0
    """

    supported_types = ("real", "integer", "categorical", "bits", "permutation", "array")

    def __init__(self, space, *, seed=None, budget=None, **options):
        self.space = space
        self.budget = None if budget is None else check_int("budget", budget, 1)
        self._constraint = check_callable("constraint", options.pop("constraint", None))
        self._repair = check_callable("repair", options.pop("repair", None))
        self._local_objective = check_callable("local_objective",
                                               options.pop("local_objective", None))
        self._p = build_params(space, options)
        self._ledger = Ledger(space)
        self._state = _State(rng=seeding.as_generator(seed))

    # --- ask ------------------------------------------------------------------------------

    def ask(self) -> list[Candidate]:
        """The next batch: the initial population, a brood of children, or local moves."""
        s = self._state
        if s.phase == "local":
            genome = self._local_moves()
        elif s.phase == "init" or s.pop is None or len(s.pop_values) == 0:
            s.phase = "init"
            genome = self.space.sample(s.rng, self._capped(self._p.popsize))
        else:
            genome = self._breed(self._capped(self._brood_size()))
        # Local rounds ask local_size neighbours per child: the budget may cut the last ones.
        genome = _head(genome, self._capped(_length(genome)))
        s.asked = genome
        s.asked_viol = self._violation(genome)
        s.asked_first = self._ledger.issue(_length(genome))
        return candidates_from_genome(self.space, genome, s.asked_first)

    def _local_moves(self) -> dict:
        s, p = self._state, self._p
        # Only the best local_fraction of the brood climbs (best by told value and violation).
        top = order(s.brood_values, s.brood_viol, p.handling, p.penalty)
        top = top[: max(1, int(np.ceil(p.local_fraction * len(top))))]
        genome, parent = memetic.neighbours(s.rng, _take(s.brood, top), p.specs,
                                            p.gene_weights, p.local_size)
        s.local_parent = top[parent]
        return genome

    def _brood_size(self) -> int:
        p = self._p
        return p.popsize - p.elitism if p.mode == "generational" else p.offspring

    def _capped(self, n: int) -> int:
        if self.budget is None:
            return n
        return max(1, min(n, self.budget - self._state.told))

    def _violation(self, genome) -> np.ndarray:
        return constraint_violation(self._constraint, self.space, genome, _length(genome),
                                    self._p.vectorized)

    def _breed(self, n: int) -> dict:
        s, p = self._state, self._p
        pairs = (n + 1) // 2
        # --- select 2 * pairs parents ---
        idx = self._select(2 * pairs)
        mum, dad = _take(s.pop, idx[:pairs]), _take(s.pop, idx[pairs:])
        # --- recombine with probability crossover_rate per pair ---
        cross = np.nonzero(s.rng.random(pairs) < p.crossover_rate)[0]
        for name, spec in p.specs.items():
            if cross.size == 0:
                break
            c, d = ops.crossover(p.crossovers[name], spec, s.rng,
                                 mum[name][cross], dad[name][cross])
            mum[name][cross], dad[name][cross] = c, d
        children = _head(_concat(mum, dad), n)
        # --- mutate, repair, remove duplicates ---
        children = self._repaired(self._mutated(children))
        if p.dedupe:
            children = self._deduped(children)
        if p.memetic and self._local_objective is not None:
            children = self._climbed(children)
        return children

    def _climbed(self, children) -> dict:
        p, s = self._p, self._state
        children, used = memetic.climb(
            s.rng, children, self._local_score, p.specs, p.gene_weights, p.local_size,
            p.local_rounds, p.handling, p.penalty)
        s.local_evaluations += used
        return children

    def _local_score(self, genome):
        values = np.asarray(self._local_objective(genome), dtype=float).reshape(-1)
        if values.shape != (_length(genome),):
            raise ValueError(f"local_objective must return one value per row, got {values.shape}")
        return np.where(np.isnan(values), np.inf, values), self._violation(genome)

    def _select(self, n: int) -> np.ndarray:
        s, p = self._state, self._p
        r = ranks(s.pop_values, s.pop_viol, p.handling, p.penalty)
        size = len(r)
        if p.selection == "truncation":
            top = order(s.pop_values, s.pop_viol, p.handling, p.penalty)
            return top[s.rng.integers(0, max(1, int(round(p.truncation * size))), size=n)]
        # Tournament: the best-ranked of tournament_size uniform draws (with replacement) [1].
        entrants = s.rng.integers(0, size, size=(n, p.tournament_size))
        return entrants[np.arange(n), np.argmin(r[entrants], axis=1)]

    def _mutated(self, genome) -> dict:
        p, rng = self._p, self._state.rng
        return {name: ops.mutate(p.mutations[name], p.specs[name], rng, genome[name])
                for name in genome}

    def _repaired(self, genome) -> dict:
        return apply_repair(self._repair, self.space, genome, self._p.vectorized)

    def _deduped(self, children) -> dict:
        pop_keys = _row_keys(self._state.pop)
        for attempt in range(2 * _DEDUPE_TRIES):
            dup = _duplicates(pop_keys, _row_keys(children))
            if not dup.any():
                break
            # Re-mutate first; a converged population can trap that, so then draw immigrants.
            if attempt < _DEDUPE_TRIES:
                again = self._mutated(_take(children, dup))
            else:
                again = self.space.sample(self._state.rng, int(dup.sum()))
            again = self._repaired(again)
            for name in children:
                children[name][dup] = again[name]
        return children

    # --- tell -----------------------------------------------------------------------------

    def tell(self, candidates, values) -> None:
        """Record the values of (a subset of) the last ask and advance the generation."""
        s = self._state
        values = np.asarray(values, dtype=float).reshape(-1)
        ids = candidate_ids(candidates)
        if len(ids) != values.shape[0]:
            raise ValueError(f"tell got {len(ids)} candidates but {values.shape[0]} values")
        if np.isnan(values).any():
            raise ValueError("tell got NaN values: failures must be passed as +inf")
        rows = ids - s.asked_first
        n_asked = 0 if s.asked is None else _length(s.asked)
        foreign = ids[(rows < 0) | (rows >= n_asked)]
        if foreign.size:
            raise ValueError(f"tell got candidate ids {foreign[:5].tolist()} the last ask did "
                             "not issue")
        if s.asked is None:
            return  # an empty tell with no ask pending
        viol = s.asked_viol[rows]
        # Infeasible points never become the reported best.
        self._ledger.accept(candidates, np.where(viol > 0, np.inf, values))
        s.told += len(rows)
        handler = {"init": self._tell_init, "offspring": self._tell_brood,
                   "local": self._tell_local}[s.phase]
        everything = len(rows) == n_asked and bool((rows == np.arange(n_asked)).all())
        handler(s.asked if everything else _take(s.asked, rows), values, viol, rows)
        s.asked = None

    def _tell_init(self, genome, values, viol, rows) -> None:
        s = self._state
        s.pop, s.pop_values, s.pop_viol = genome, values, viol
        s.phase = "offspring"

    def _tell_brood(self, genome, values, viol, rows) -> None:
        s = self._state
        if self._p.memetic and self._local_objective is None and len(values):
            s.brood, s.brood_values, s.brood_viol = genome, values, viol
            s.phase, s.local_round = "local", 0
        else:
            self._replace(genome, values, viol)

    def _tell_local(self, genome, values, viol, rows) -> None:
        s, p = self._state, self._p
        parent = s.local_parent[rows]
        s.brood, s.brood_values, s.brood_viol = memetic.improve(
            s.brood, s.brood_values, s.brood_viol, genome, values, viol, parent,
            p.handling, p.penalty)
        s.local_round += 1
        if s.local_round >= p.local_rounds:
            self._replace(s.brood, s.brood_values, s.brood_viol)
            s.brood = None

    def _replace(self, genome, values, viol) -> None:
        s, p = self._state, self._p
        ranked = order(s.pop_values, s.pop_viol, p.handling, p.penalty)
        if p.mode == "generational":
            # Elites, then children, then the next-best parents if the brood came back short.
            keep = ranked[: max(p.elitism, p.popsize - len(values))]
            merged = _concat(_take(s.pop, keep), genome)
            m_values = np.concatenate([s.pop_values[keep], values])
            m_viol = np.concatenate([s.pop_viol[keep], viol])
            best = np.arange(min(p.popsize, len(m_values)))
        else:
            merged = _concat(s.pop, genome)
            m_values = np.concatenate([s.pop_values, values])
            m_viol = np.concatenate([s.pop_viol, viol])
            best = order(m_values, m_viol, p.handling, p.penalty)[: p.popsize]
        s.pop, s.pop_values, s.pop_viol = _take(merged, best), m_values[best], m_viol[best]
        s.generation += 1
        s.phase = "offspring"

    # --- protocol -------------------------------------------------------------------------

    def stop(self) -> str | None:
        """``"budget"`` once the budget has been told, else None."""
        if self.budget is not None and self._state.told >= self.budget:
            return "budget"
        return None

    @property
    def best(self) -> tuple[Candidate, float] | None:
        """Best feasible candidate told so far and its value (infeasible ones are never best)."""
        return self._ledger.best

    @property
    def constrained(self) -> bool:
        """True with a constraint: the driver then reports :attr:`best`, which is feasible."""
        return self._constraint is not None

    @property
    def local_evaluations(self) -> int:
        """Rows scored by ``local_objective`` so far (outside the evaluation budget)."""
        return self._state.local_evaluations

    @property
    def population(self) -> tuple[dict, np.ndarray]:
        """Current population genome and objective values (copies)."""
        s = self._state
        return _take(s.pop, np.arange(len(s.pop_values))), s.pop_values.copy()

    def state_dict(self) -> dict:
        s = self._state
        out = {"ledger": self._ledger.state_dict(), "rng": seeding.generator_state(s.rng)}
        out.update({k: getattr(s, k) for k in _SCALARS + _ARRAYS})
        out.update({k: getattr(s, k) for k in _GENOMES})
        return out

    def load_state_dict(self, state: dict) -> None:
        s = self._state
        self._ledger.load_state_dict(state["ledger"])
        seeding.set_generator_state(s.rng, state["rng"])
        s.phase = str(state["phase"])
        for k in _SCALARS[1:]:
            setattr(s, k, int(state[k]))
        for k in _ARRAYS:
            setattr(s, k, np.asarray(state[k], dtype=getattr(s, k).dtype))
        for k in _GENOMES:
            setattr(s, k, self._genome_from(state[k]))

    def _genome_from(self, g):
        if g is None:
            return None
        template = self.space.sample(seeding.as_generator(0), 1)
        return {k: np.asarray(g[k], dtype=template[k].dtype).reshape(-1, *template[k].shape[1:])
                for k in template}


# --- genome columns ------------------------------------------------------------------------


def _length(genome) -> int:
    return len(next(iter(genome.values())))


def _take(genome, idx) -> dict:
    return {k: v[idx] for k, v in genome.items()}


def _head(genome, n: int) -> dict:
    """The first ``n`` individuals (the genome itself when it has no more)."""
    return genome if _length(genome) <= n else {k: v[:n] for k, v in genome.items()}


def _concat(a, b) -> dict:
    return {k: np.concatenate([a[k], b[k]]) for k in a}


def _row_keys(genome) -> np.ndarray:
    """A 64-bit hash of each individual's genes, for duplicate detection.

    Each (position, value) pair goes through the splitmix64 finalizer (Steele et al., OOPSLA
    2014) and the results are summed modulo 2**64, so equal individuals always hash equal and
    different ones collide with probability about 2**-64 (a collision only costs a mutation).
    """
    n = _length(genome)
    cols = [np.ascontiguousarray(np.asarray(v, np.float64).reshape(n, -1)) for v in genome.values()]
    x = np.concatenate(cols, axis=1).view(np.uint64)
    x = x + np.arange(x.shape[1], dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return (x ^ (x >> np.uint64(31))).sum(axis=1, dtype=np.uint64)


def _duplicates(pop_keys, child_keys) -> np.ndarray:
    """Mask of children equal to a parent or to an earlier child."""
    allk = np.concatenate([pop_keys, child_keys])
    _, first = np.unique(allk, return_index=True)
    is_first = np.zeros(len(allk), dtype=bool)
    is_first[first] = True
    return ~is_first[len(pop_keys):]
