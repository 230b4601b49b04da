"""0/1 knapsack with the genetic algorithm: a bit mask, a capacity constraint, an exact check.

Which of 100 items to pack so that the total value is largest while the total weight stays
within the capacity. The items are a seeded *weakly correlated* instance (value = weight plus
noise), harder for greedy rules than independent values. The GA sees

- the space ``Space(take=Bits(100))``;
- a batch objective (the whole generation at once) returning the packed value, maximized;
- the constraint ``g = weight - capacity <= 0``, handled by Deb's feasibility rules, and
  optionally (``--repair``) a repair hook that unpacks the worst value-per-weight items of an
  overweight mask until it fits.

The exact optimum comes from dynamic programming over capacities, so the run reports its gap.
Run with ``python examples/knapsack.py [--budget 30000] [--seed 0] [--repair]``.
"""

from __future__ import annotations

import argparse

import numpy as np

import nondiff as nd
from nondiff import seeding


def instance(n: int = 100, seed: int = 2026):
    """Weights in 1..100, values = weight + U{-10..10} (at least 1), capacity = half the weight."""
    rng = seeding.as_generator(seed)
    weights = rng.integers(1, 101, n)
    values = np.maximum(1, weights + rng.integers(-10, 11, n))
    return weights, values, int(weights.sum() // 2)


def dp_optimum(weights, values, capacity) -> int:
    """Exact optimum: best[c] = best value within capacity c, one item at a time."""
    best = np.zeros(capacity + 1, dtype=np.int64)
    for w, v in zip(weights, values):
        # Read the previous row before writing (the right-hand side is a copy), so each item
        # is packed at most once.
        best[w:] = np.maximum(best[w:], best[: capacity + 1 - w] + v)
    return int(best[capacity])


def make_repair(weights, values, capacity):
    """A vectorized repair: drop the lowest value-per-weight packed items until the mask fits."""
    worst_first = np.argsort(values / weights)

    def repair(genome):
        take = genome["take"][:, worst_first]
        packed = take * weights[worst_first]
        total = packed.sum(axis=1, keepdims=True)
        # Item i (in worst-first order) goes while what is left before it still overflows.
        left_before = total - (np.cumsum(packed, axis=1) - packed)
        take &= ~(left_before > capacity)
        genome["take"][:, worst_first] = take
        return genome

    return repair


def solve(budget=30_000, seed=0, repair=False, n=100):
    """Run the GA on the seeded instance; returns (best mask, its value, optimum, instance)."""
    weights, values, capacity = instance(n)
    objective = nd.Objective(lambda take: take @ values, nd.Space(take=nd.Bits(n)),
                             direction="maximize", batch=True)
    options = dict(popsize=100, constraint=lambda g: g["take"] @ weights - capacity,
                   vectorized=True, dedupe=True)
    if repair:
        options["repair"] = make_repair(weights, values, capacity)
    res = nd.minimize(objective, strategy="ga", budget=budget, seed=seed,
                      strategy_options=options)
    take, value = res.params["take"], res.fun  # with a constraint: the best feasible point
    return take, value, dp_optimum(weights, values, capacity), (weights, values, capacity)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repair", action="store_true")
    args = parser.parse_args(argv)
    take, value, optimum, (weights, _, capacity) = solve(args.budget, args.seed, args.repair)
    print(f"packed {take.sum()} items, weight {take @ weights}/{capacity}, value {value:.0f}")
    print(f"dynamic-programming optimum {optimum}: gap {100 * (1 - value / optimum):.2f}%")
    return value, optimum


if __name__ == "__main__":
    main()
