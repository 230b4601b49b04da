"""Discrete and mixed problems with optima known exactly, or a stated reference value.

- ``onemax`` / ``leadingones`` on ``Bits(d)``: the number of bits differing from a hidden
  string drawn per instance, and ``d`` minus the length of the prefix agreeing with it (Droste,
  Jansen and Wegener, *On the analysis of the (1+1) evolutionary algorithm*, TCS 276, 2002);
  optimum 0.
- ``knapsack``: 0/1 knapsack with ``d`` items, integer weights and values in 1..30 and capacity
  half the total weight; the value is minus the packed value, or the excess weight (> 0) when
  over capacity, so every infeasible packing is worse than every feasible one. The optimum
  is minus the dynamic-programming optimum (Bellman's recursion over capacities).
- ``tsp``: ``d`` cities uniform in the unit square, a ``Permutation(d)`` tour, value its closed
  length. Reference (``exact=False``): the best of 2-opt local search (Croes, 1958) from ten
  random tours; a strategy may beat it, giving a negative precision.
- ``mixed``: a configuration problem with a categorical optimizer, an integer depth, a
  log-scaled learning rate and ``d`` reals; the value is a sum of non-negative terms that are
  all 0 at the instance's hidden configuration, so the optimum is 0.
"""

from __future__ import annotations

import math

import numpy as np

from nondiff.bench.suites import Problem, instance_rng

__all__ = ["FUNCTIONS", "FIXED_DIMS", "knapsack_optimum", "two_opt", "tour_length"]

FIXED_DIMS: dict[str, int] = {}
CONTINUOUS: frozenset[str] = frozenset()  # no problem here has a continuous box
OPTIMIZERS = ("sgd", "adam", "rmsprop", "adagrad")


# --- bit strings -------------------------------------------------------------------------------
class _OneMax:
    def __init__(self, mask):
        self.mask = mask

    def __call__(self, x) -> float:
        return float(np.count_nonzero(np.asarray(x, dtype=bool) != self.mask))


class _LeadingOnes(_OneMax):
    def __call__(self, x) -> float:
        agree = np.asarray(x, dtype=bool) == self.mask
        prefix = self.mask.size if agree.all() else int(np.argmin(agree))
        return float(self.mask.size - prefix)


def _bits_problem(cls):
    def build(spec) -> Problem:
        from nondiff.space import Bits, Space

        mask = instance_rng(spec).random(spec.dim) < 0.5
        return Problem(spec, Space(x=Bits(spec.dim)), cls(mask), 0.0, call="kwargs")

    return build


# --- knapsack ----------------------------------------------------------------------------------
class _Knapsack:
    def __init__(self, weights, values, capacity):
        self.weights, self.values, self.capacity = weights, values, capacity

    def __call__(self, x) -> float:
        take = np.asarray(x, dtype=bool)
        weight = int(self.weights[take].sum())
        if weight > self.capacity:
            return float(weight - self.capacity)
        return -float(self.values[take].sum())


def knapsack_optimum(weights, values, capacity: int) -> int:
    """The best packed value, by dynamic programming over capacities 0..capacity."""
    best = np.zeros(capacity + 1, dtype=np.int64)  # best[c]: best value within weight c
    for w, v in zip(weights, values):
        if w <= capacity:
            # every capacity at once, from the table before this item (0/1: item used once)
            best[w:] = np.maximum(best[w:], best[: capacity + 1 - w] + v)
    return int(best[-1])


def _knapsack(spec) -> Problem:
    from nondiff.space import Bits, Space

    rng = instance_rng(spec)
    w, v = rng.integers(1, 31, spec.dim), rng.integers(1, 31, spec.dim)
    cap = int(w.sum()) // 2
    return Problem(spec, Space(x=Bits(spec.dim)), _Knapsack(w, v, cap),
                   -float(knapsack_optimum(w, v, cap)), call="kwargs")


# --- travelling salesman -----------------------------------------------------------------------
class _Tour:
    def __init__(self, cities):
        self.cities = cities

    def __call__(self, x) -> float:
        return tour_length(self.cities, np.asarray(x))


def tour_length(cities, tour) -> float:
    """Length of the closed tour visiting ``cities[tour]`` in order."""
    p = cities[np.asarray(tour)]
    return float(np.linalg.norm(p - np.roll(p, -1, axis=0), axis=1).sum())


def two_opt(cities, tour) -> np.ndarray:
    """2-opt local search: reverse segments while some reversal shortens the tour."""
    tour = np.array(tour)
    n = len(tour)
    improved = True
    while improved:
        improved = False
        for i in range(n - 2):
            p = cities[tour]
            a, b = p[i], p[i + 1]
            c, d = p[i + 2 :], p[(np.arange(i + 2, n) + 1) % n]
            # replacing edges (a,b),(c,d) by (a,c),(b,d) reverses tour[i+1..j]
            delta = (np.linalg.norm(a - c, axis=1) + np.linalg.norm(b - d, axis=1)
                     - np.linalg.norm(a - b) - np.linalg.norm(c - d, axis=1))
            k = int(np.argmin(delta))
            if delta[k] < -1e-12:
                j = i + 2 + k
                tour[i + 1 : j + 1] = tour[i + 1 : j + 1][::-1].copy()
                improved = True
    return tour


def _tsp(spec) -> Problem:
    from nondiff.space import Permutation, Space

    if spec.dim < 5:
        raise ValueError(f"tsp needs dim >= 5 cities, got {spec.dim}")
    rng = instance_rng(spec)
    cities = rng.random((spec.dim, 2))
    ref = min(tour_length(cities, two_opt(cities, rng.permutation(spec.dim)))
              for _ in range(10))
    return Problem(spec, Space(x=Permutation(spec.dim)), _Tour(cities), ref, exact=False,
                   call="kwargs")


# --- mixed configuration -----------------------------------------------------------------------
class _Mixed:
    def __init__(self, cat_cost, depth, log_lr, x_opt):
        self.cat_cost, self.depth, self.log_lr, self.x_opt = cat_cost, depth, log_lr, x_opt

    def __call__(self, optimizer, depth, lr, x) -> float:
        return (self.cat_cost[optimizer] + 0.1 * (depth - self.depth) ** 2
                + (math.log10(lr) - self.log_lr) ** 2
                + float(np.sum((np.asarray(x) - self.x_opt) ** 2)))


def _mixed(spec) -> Problem:
    from nondiff.space import Array, Categorical, Integer, Real, Space

    rng = instance_rng(spec)
    costs = dict(zip(OPTIMIZERS, rng.permutation([0.0, 0.5, 1.0, 1.5]).tolist()))
    fn = _Mixed(costs, int(rng.integers(1, 9)), float(rng.uniform(-4, -1)),
                rng.uniform(-0.8, 0.8, spec.dim))
    space = Space(optimizer=Categorical(OPTIMIZERS), depth=Integer(1, 8),
                  lr=Real(1e-5, 1.0, log=True), x=Array((spec.dim,), -1.0, 1.0))
    return Problem(spec, space, fn, 0.0, call="kwargs")


FUNCTIONS = {"onemax": _bits_problem(_OneMax), "leadingones": _bits_problem(_LeadingOnes),
             "knapsack": _knapsack, "tsp": _tsp, "mixed": _mixed}
