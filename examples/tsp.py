"""Travelling salesman with the genetic algorithm on permutations (optionally memetic).

A tour of random cities in the unit square is a ``Permutation``; the objective is the closed
tour length, evaluated for the whole generation at once (a batch objective). The GA uses order
crossover (OX) and inversion mutation, keeps the best of parents and children (steady-state
replacement), and with ``--memetic`` climbs every child with random 2-opt moves scored by the
tour length itself before it is evaluated (``local_objective``: cheap numpy code, counted
apart from the budget). The run is compared with nearest-neighbour tours improved by 2-opt.

Run with ``python examples/tsp.py [--cities 50] [--budget 100000] [--seed 0] [--memetic]``.
"""

from __future__ import annotations

import argparse

import numpy as np

import nondiff as nd
from nondiff import seeding


def cities(n: int = 50, seed: int = 12345) -> np.ndarray:
    """``n`` uniform points in the unit square."""
    return seeding.as_generator(seed).random((n, 2))


def distances(xy: np.ndarray) -> np.ndarray:
    return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1))


def tour_lengths(dist: np.ndarray, tours: np.ndarray) -> np.ndarray:
    """Closed-tour length of each row of ``tours`` (shape ``(n, k)``)."""
    return dist[tours, np.roll(tours, -1, axis=1)].sum(axis=1)


def nn_two_opt(dist: np.ndarray, start: int) -> np.ndarray:
    """A nearest-neighbour tour from ``start`` improved by 2-opt to a local optimum."""
    n = len(dist)
    tour, free = [start], np.ones(n, dtype=bool)
    free[start] = False
    for _ in range(n - 1):
        tour.append(int(np.argmin(np.where(free, dist[tour[-1]], np.inf))))
        free[tour[-1]] = False
    tour, improved = np.array(tour), True
    while improved:
        improved = False
        for i in range(n - 2):
            c, d = tour[i + 2 :], np.roll(tour, -1)[i + 2 :]
            gain = dist[tour[i], c] + dist[tour[i + 1], d] - dist[tour[i], tour[i + 1]] - dist[c, d]
            gain = gain[:-1] if i == 0 else gain  # edge (n-1, 0) touches city tour[0]
            if gain.size and gain.min() < -1e-12:
                j = i + 2 + int(np.argmin(gain))
                tour[i + 1 : j + 1] = tour[i + 1 : j + 1][::-1]
                improved = True
    return tour


def solve(n_cities=50, budget=100_000, seed=0, memetic=False):
    """Run the GA; returns (result, reference length)."""
    dist = distances(cities(n_cities))
    space = nd.Space(tour=nd.Permutation(n_cities))
    objective = nd.Objective(lambda tour: tour_lengths(dist, tour), space, batch=True)
    options = dict(popsize=100, mode="steady-state", offspring=100, crossover="ox",
                   mutation="inversion", mutation_rate=1.0)
    if memetic:
        options.update(memetic=True, local_size=8, local_rounds=8,
                       local_objective=lambda g: tour_lengths(dist, g["tour"]))
    res = nd.minimize(objective, strategy="ga", budget=budget, seed=seed,
                      strategy_options=options)
    starts = range(min(20, n_cities))
    reference = min(tour_lengths(dist, nn_two_opt(dist, s)[None])[0] for s in starts)
    return res, float(reference)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=50)
    parser.add_argument("--budget", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memetic", action="store_true")
    args = parser.parse_args(argv)
    res, reference = solve(args.cities, args.budget, args.seed, args.memetic)
    print(f"GA tour length {res.fun:.4f} after {res.nfev} evaluations")
    print(f"nearest neighbour + 2-opt (best of 20 starts): {reference:.4f} "
          f"-> GA is {100 * (res.fun / reference - 1):+.2f}%")
    print("tour:", " ".join(map(str, res.params["tour"])))
    return res, reference


if __name__ == "__main__":
    main()
