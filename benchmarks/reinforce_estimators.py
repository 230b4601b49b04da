"""REINFORCE figures of issue 6: estimator speed against hand-written numpy, variance
reduction, and the ``reinforce`` strategy on OneMax-200 and a 20-city TSP.

    python benchmarks/reinforce_estimators.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import nondiff as nd  # noqa: E402
import nondiff.autodiff.numpy as anp  # noqa: E402
from nondiff.bench.suites.discrete import tour_length, two_opt  # noqa: E402
from nondiff.stochastic import Bernoulli, Estimator, sample  # noqa: E402

DIMS, SAMPLES = 100, 10_000


def program(theta):
    z = sample(Bernoulli(theta), name="z")
    return anp.sum((z - 0.45) ** 2, axis=-1)


def numpy_rloo(theta, rng, k=SAMPLES):
    """The same estimate written by hand: RLOO weights times the Bernoulli score z - p."""
    p = 1.0 / (1.0 + np.exp(-theta))
    z = (rng.random((k, theta.size)) < p).astype(float)
    f = ((z - 0.45) ** 2).sum(axis=1)
    w = f - (f.sum() - f) / (k - 1)
    return (w @ (z - p)) / k


def speed(repeats):
    theta = np.linspace(-2.5, 2.5, DIMS)
    est, rng = Estimator(program, SAMPLES, seed=0, vectorized=True), np.random.default_rng(0)
    ours, ref = [], []
    for _ in range(repeats):  # interleaved
        t = time.perf_counter()
        est(theta)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        numpy_rloo(theta, rng)
        ref.append(time.perf_counter() - t)
    a, b = statistics.median(ours), statistics.median(ref)
    print(f"estimate, {SAMPLES} samples x {DIMS} Bernoullis: nondiff {a * 1e3:.2f} ms, "
          f"hand-written numpy {b * 1e3:.2f} ms, ratio {a / b:.2f} (target <= 5)")


def variance(replicates=50_000):
    theta = np.tile(np.linspace(-2.5, 2.5, 20), (replicates, 1))
    out = {}
    for name in ("none", "rloo", "moving-average"):
        est = Estimator(program, 4, baseline=name, seed=1, vectorized=True)
        for _ in range(4 if name == "moving-average" else 0):
            est(theta)
        out[name] = est(theta).grad.var(axis=0).sum()
    for name in ("rloo", "moving-average"):
        print(f"joint variance {name}/plain: {out[name] / out['none'] * 100:.3f}% (target <= 0.5%)")


def tsp_reference(cities, starts=50, seed=0):
    """Best 2-opt local optimum from random starts."""
    rng = np.random.default_rng(seed)
    return min(tour_length(cities, two_opt(cities, rng.permutation(len(cities))))
               for _ in range(starts))


def strategy_runs(seeds=5):
    space = nd.Space(b=nd.Bits(200))
    onemax = nd.Objective(lambda b: -b.sum(axis=1).astype(float), space, batch=True)
    evals = [nd.minimize(onemax, space, "reinforce", budget=20_000, seed=s, target=-200)
             for s in range(seeds)]
    print(f"OneMax-200: solved {sum(r.fun == -200 for r in evals)}/{seeds}, evaluations "
          f"{[r.nfev for r in evals]} (budget 20,000)")
    pts = np.random.default_rng(12345).random((20, 2))
    D = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    tsp_space = nd.Space(tour=nd.Permutation(20))
    tsp = nd.Objective(lambda tour: D[tour, np.roll(tour, -1, axis=1)].sum(axis=1), tsp_space,
                       batch=True)
    ref = tsp_reference(pts)
    ratios = [nd.minimize(tsp, tsp_space, "reinforce", budget=100_000, seed=s).fun / ref
              for s in range(seeds)]
    print(f"TSP-20 (seed 12345): tour / 2-opt reference {[round(float(r), 4) for r in ratios]} "
          f"after 100,000 evaluations (target <= 1.02)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    speed(args.repeats)
    variance()
    strategy_runs()


if __name__ == "__main__":
    main()
