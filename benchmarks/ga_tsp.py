"""TSP, 50 random cities in the unit square (seed 12345): tour quality and time per generation.

Reference: nearest-neighbour tours from cities 0-19, each improved by 2-opt to a local optimum,
best of the 20 (computed here, in the same run). GA runs, 100,000 evaluations each, seeds 0-4:

- ``plain``: steady-state (parents + 100 children, best 100 kept), tournament 3, OX crossover
  at 0.9, inversion mutation on every child; no memetic option. The issue asks for <= 5% above
  the reference.
- ``memetic``: the same plus ``memetic=True`` with ``local_objective`` = the tour length itself
  (vectorized): every child climbs 8 rounds of 8 random 2-opt moves before it is asked. Those
  climbing evaluations are not in the 100,000 (they are printed); the issue asks for <= 1%.
- ``memetic-asked``: ``memetic=True`` without ``local_objective``: the best 10% of each brood
  climbs 3 rounds of 10 random 2-opt moves, asked and counted in the same 100,000 evaluations.

Time per generation is compared on one configuration both libraries run identically:
generational, population 100, tournament 3, one elite, OX (``cxOrdered``) at 0.9 and inversion
(``mutInversion``) on every child, timed in turns. The issue asks for nondiff
at least 2x faster.

    PYTHONPATH=. /work/venv-ga/bin/python benchmarks/ga_tsp.py [--seeds 5] [--timed 200]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ga_common import (  # noqa: E402
    DeapGA,
    alternate,
    deap_available,
    median,
    report,
    run_ga,
    stack_param,
)

from nondiff import seeding  # noqa: E402
from nondiff.space import Permutation, Space  # noqa: E402
from strategies.ga import GeneticAlgorithm  # noqa: E402

N_CITIES, BUDGET = 50, 100_000
XY = seeding.as_generator(12345).random((N_CITIES, 2))
DIST = np.sqrt(((XY[:, None, :] - XY[None, :, :]) ** 2).sum(axis=-1))
PLAIN = dict(popsize=100, mode="steady-state", offspring=100, crossover="ox",
             mutation="inversion", mutation_rate=1.0, tournament_size=3)
CONFIGS = {
    "plain": PLAIN,
    "memetic": dict(PLAIN, memetic=True, local_size=8, local_rounds=8,
                    local_objective=lambda g: tour_lengths(g["tour"])),
    "memetic-asked": dict(PLAIN, memetic=True, local_size=10, local_rounds=3, local_fraction=0.1),
}
TIMED = dict(popsize=100, mode="generational", elitism=1, crossover="ox", mutation="inversion",
             mutation_rate=1.0, tournament_size=3, crossover_rate=0.9)


def tour_lengths(tours: np.ndarray) -> np.ndarray:
    """Closed-tour lengths of a batch of tours, shape ``(n, k)`` -> ``(n,)``."""
    return DIST[tours, np.roll(tours, -1, axis=1)].sum(axis=1)


def nearest_neighbour(start: int) -> np.ndarray:
    tour, free = [start], np.ones(N_CITIES, dtype=bool)
    free[start] = False
    for _ in range(N_CITIES - 1):
        nxt = int(np.argmin(np.where(free, DIST[tour[-1]], np.inf)))
        tour.append(nxt)
        free[nxt] = False
    return np.array(tour)


def two_opt(tour: np.ndarray) -> np.ndarray:
    """Best-improvement 2-opt per first city until no move shortens the tour."""
    tour, n, improved = tour.copy(), len(tour), True
    while improved:
        improved = False
        for i in range(n - 2):
            a, b = tour[i], tour[i + 1]
            c, d = tour[i + 2 :], np.roll(tour, -1)[i + 2 :]
            gain = DIST[a, c] + DIST[b, d] - DIST[a, b] - DIST[c, d]
            if i == 0:
                gain = gain[:-1]  # edge (n-1, 0) shares city a with edge (0, 1)
            if gain.size and gain.min() < -1e-12:
                j = i + 2 + int(np.argmin(gain))
                tour[i + 1 : j + 1] = tour[i + 1 : j + 1][::-1]
                improved = True
    return tour


def reference_length() -> float:
    return min(float(tour_lengths(two_opt(nearest_neighbour(s))[None])[0]) for s in range(20))


def evaluate(cands) -> np.ndarray:
    return tour_lengths(stack_param(cands, "tour"))


def run_config(options: dict, seed: int) -> tuple[float, int]:
    ga = GeneticAlgorithm(Space(tour=Permutation(N_CITIES)), seed=seed, budget=BUDGET,
                          **options)
    r = run_ga(ga, evaluate, 10**7)
    assert r["evals"] == BUDGET
    return r["best"], ga.local_evaluations


def timed(seed: int, n: int) -> tuple[list, list]:
    """Alternating per-generation times of nondiff's GA and DEAP's (cxOrdered, mutInversion)."""
    from deap import tools

    ga = GeneticAlgorithm(Space(tour=Permutation(N_CITIES)), seed=seed, **TIMED)
    dp = DeapGA(lambda: random.sample(range(N_CITIES), N_CITIES),
                lambda ind: (float(tour_lengths(np.array(ind)[None])[0]),),
                (tools.cxOrdered, {}), (tools.mutInversion, {}), popsize=100, seed=seed)
    return alternate(ga, evaluate, dp, n)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--timed", type=int, default=200)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    args = ap.parse_args(argv)
    ref = reference_length()
    print(f"reference (NN + 2-opt, best of 20 starts): {ref:.4f}")
    for name in args.configs.split(","):
        gaps = []
        for seed in range(args.seeds):
            best, local = run_config(CONFIGS[name], seed)
            gaps.append(100 * (best / ref - 1))
            print(f"  {name} seed {seed}: {best:.4f} ({gaps[-1]:+.2f}%), "
                  f"{BUDGET} evaluations + {local} local_objective rows")
        print(f"{name}: median {median(gaps):+.2f}%, worst {max(gaps):+.2f}% vs reference")
    if not deap_available():
        print("DEAP not installed: no timing comparison")
        return 0
    nd, dp = [], []
    for seed in range(args.seeds):
        a, b = timed(seed, args.timed)
        nd, dp = nd + a, dp + b
    report(nd, dp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
