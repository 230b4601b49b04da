"""The memetic option of the genetic algorithm: stochastic hill climbing on each child.

How it fits ask/tell: local search needs objective values, and there are two honest sources.

- By default every local-search move is *asked* as an ordinary candidate and counts against the
  budget exactly like a child. After the children of a generation are told, the GA spends
  ``local_rounds`` extra asks on them; each ask holds ``local_size`` neighbours of each of the
  best ``local_fraction`` of the children, and a child moves to its best neighbour when that
  neighbour ranks better (same order as selection, constraints included). This is a batched
  (1 + m) hill climber per child [1]. Spending the moves on the best children only matters:
  on the 50-city TSP of ``benchmarks/ga_tsp.py`` climbing every child wastes most of the budget
  on children that replacement throws away.
- With ``local_objective=h`` (a cheap *vectorized* function of a genome, e.g. the objective
  itself when it is a numpy expression, or a surrogate), the GA climbs each child on ``h``
  before asking it (:func:`climb`), so only the improved children are asked and counted. The
  calls of ``h`` are counted apart (``GeneticAlgorithm.local_evaluations``) and never touch the
  budget, which counts evaluations of the objective.

A neighbour changes one parameter, drawn with probability proportional to its number of genes,
by the local move of its kind: a 2-opt move (segment reversal) for permutations, one bit flip for
bits, +-1 for integers, another choice for categoricals, a small Gaussian step for reals and
arrays (see :data:`strategies.ga_operators.LOCAL_MOVES`).

[1] P. Moscato, "On evolution, search, optimization, genetic algorithms and martial arts:
    towards memetic algorithms", Caltech C3P report 826 (1989); N. Krasnogor and J. Smith,
    "A tutorial for competent memetic algorithms", IEEE TEC 9(5) (2005), section II.
"""

from __future__ import annotations

import numpy as np

from strategies import ga_operators as ops
from strategies.ga_constraints import ranks

__all__ = ["neighbours", "improve", "climb"]


def neighbours(rng, genome: dict, specs: dict, weights: np.ndarray, m: int):
    """``m`` neighbours of every row of ``genome``, child-major; returns (genome, parent index)."""
    n = len(next(iter(genome.values())))
    parent = np.repeat(np.arange(n), m)
    out = {k: v[parent].copy() for k, v in genome.items()}
    which = rng.choice(len(specs), size=n * m, p=weights)
    for j, (name, spec) in enumerate(specs.items()):
        rows = np.nonzero(which == j)[0]
        if rows.size:
            out[name][rows] = ops.local_move(spec, rng, out[name][rows])
    return out, parent


def improve(children, values, viol, cand, cand_values, cand_viol, parent, handling, penalty):
    """Move each child to its best neighbour when that neighbour ranks strictly better.

    Returns the updated ``(children, values, viol)``; ``parent[i]`` is the child of neighbour ``i``.
    """
    n = len(values)
    all_v = np.concatenate([values, cand_values])
    all_c = np.concatenate([viol, cand_viol])
    r = ranks(all_v, all_c, handling, penalty)
    best = np.arange(n)
    best_rank = r[:n].copy()
    # Ranks are distinct, so each child's best rank identifies exactly one winner.
    np.minimum.at(best_rank, parent, r[n:])
    winner = np.full(n, -1)
    hit = r[n:] == best_rank[parent]
    winner[parent[hit]] = np.nonzero(hit)[0]
    moved = (winner >= 0) & (best_rank < r[:n])
    src = winner[moved]
    best[moved] = n + src
    children = {k: v.copy() for k, v in children.items()}
    for k in children:
        children[k][moved] = cand[k][src]
    return children, all_v[best], all_c[best]


def climb(rng, genome, score, specs, weights, m, rounds, handling, penalty):
    """Hill-climb every row of ``genome`` on ``score(genome) -> (values, violation)``.

    ``rounds`` rounds of ``m`` neighbours per row; returns the climbed genome and the number of
    rows scored.
    """
    values, viol = score(genome)
    used = len(values)
    for _ in range(rounds):
        cand, parent = neighbours(rng, genome, specs, weights, m)
        cand_values, cand_viol = score(cand)
        used += len(cand_values)
        genome, values, viol = improve(genome, values, viol, cand, cand_values, cand_viol,
                                       parent, handling, penalty)
    return genome, used
