"""OpenAI-ES and PGPE on the sphere in dimension 100: evaluations until the best value < 1e-3.

``f(x) = sum (x_i - 1)^2`` on [-5, 5]^100, each seed starting from a uniform random mean drawn
by the strategy from its seed, budget 200,000 evaluations (the stated budget). Settings:

- OpenAI-ES: popsize 100, sigma0 0.05 and lr 0.02 (unit-cube coordinates), Adam, sigma and
  learning rate both decayed by 0.99 per generation (a fixed sigma cannot sample points within
  1e-3 of the optimum in dimension 100: the samples alone add ``100 (10 sigma)^2`` to f);
- PGPE: the defaults (popsize 16, sigma0 0.1, center_lr 0.2, sigma_lr 0.1, plain gradient
  steps, learned per-dimension sigma).

Usage: ``python benchmarks/es_sphere100.py [--seeds 10] [--budget 200000]``; prints the median
and range of evaluations to the target, the solved count, and f at the final mean.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nondiff.space import Array, Space  # noqa: E402
from strategies.es import PGPE, OpenAIES  # noqa: E402

DIM, TARGET = 100, 1e-3
SPACE = Space(x=Array((DIM,), -5.0, 5.0))
CONFIGS = {
    "openai-es": (OpenAIES, dict(popsize=100, sigma0=0.05, lr=0.02, sigma_decay=0.99,
                                 lr_decay=0.99)),
    "pgpe": (PGPE, {}),
}


def f(X):
    return ((-5.0 + 10.0 * X - 1.0) ** 2).sum(axis=1)


def run(cls, kwargs, seed, budget):
    es, n = cls(SPACE, seed=seed, **kwargs), 0
    while n < budget and es.stop() is None:
        cands = es.ask()
        v = f(cands.vectors)
        es.tell(cands, v)
        n += len(cands)
        if v.min() < TARGET:
            break
    return n if es.best[1] < TARGET else budget, float(f(es.mean[None])[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budget", type=int, default=200_000)
    args = ap.parse_args()
    print(f"sphere d={DIM}: evaluations to best f < {TARGET:g}, budget {args.budget}")
    for name, (cls, kwargs) in CONFIGS.items():
        runs = [run(cls, kwargs, seed, args.budget) for seed in range(args.seeds)]
        ns = np.array([r[0] for r in runs])
        solved = int((ns < args.budget).sum())
        print(f"  {name:10s} median {np.median(ns):8.0f}  [{ns.min()}-{ns.max()}]  solved "
              f"{solved}/{args.seeds}  f(mean) median {np.median([r[1] for r in runs]):.2e}")


if __name__ == "__main__":
    main()
