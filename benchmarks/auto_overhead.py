"""Overhead per evaluation of ``auto`` (and its components) on the sphere in dimension 10.

Two figures per configuration, best of ``--repeat`` runs:

- *strategy*: the time spent in ``ask`` and ``tell`` alone, divided by the evaluations, with the
  objective computed outside the timed part (the cost the issue bounds at 20 microseconds);
- *driver*: the time of a whole ``nondiff.minimize`` run minus the objective's own time,
  divided by the evaluations (strategy plus the driver's history, records and checks).

The first row is the reference measured in the same run: pycma used directly (``ask``,
``tell``, ``stop``, ``bounds=[0, 1]``, IPOP restarts), the per-evaluation cost a user of
pycma pays.

A short warm-up run first loads every module, so one-time imports are not counted.

Usage::

    python benchmarks/auto_overhead.py --budget 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nondiff import registry
from nondiff.minimize import minimize
from nondiff.space import Array, Space

DIM = 10
SPACE = Space(x=Array((DIM,), -5.0, 5.0))
CONFIGS = {"auto": ("auto", {}),
           "auto[bipop]": ("auto", {"portfolio": "bipop"}),
           "cmaes-bipop": ("cmaes", {"restarts": 10**9, "restart_strategy": "bipop"}),
           "auto[bfgs-restarts]": ("auto", {"portfolio": "bfgs-restarts"})}


def config(label: str):
    """(strategy name, options) of a label: one of CONFIGS or ``auto[<portfolio>]``."""
    if label in CONFIGS:
        return CONFIGS[label]
    if label.startswith("auto[") and label.endswith("]"):
        return "auto", {"portfolio": label[5:-1]}
    raise SystemExit(f"--configs: unknown label {label!r}")


def sphere_rows(X):
    return ((10.0 * X - 5.0 - 1.0) ** 2).sum(axis=1)


def strategy_time(name, opts, budget, seed=0):
    s = registry.create(name, SPACE, seed=seed, budget=budget, **opts)
    spent, n = 0.0, 0
    while s.stop() is None:
        t0 = time.perf_counter()
        batch = s.ask()
        spent += time.perf_counter() - t0
        values = sphere_rows(batch.vectors)
        t0 = time.perf_counter()
        s.tell(batch, values)
        spent += time.perf_counter() - t0
        n += len(batch)
    return spent / n


def raw_pycma_time(budget, seed=0):
    """The reference: pycma used directly (ask, tell, stop; bounds [0, 1]; IPOP restarts)."""
    import cma

    rng, spent, n, popsize = np.random.default_rng(seed), 0.0, 0, None
    while n < budget:
        opts = {"bounds": [0.0, 1.0], "verbose": -9, "verb_log": 0, "seed": int(seed) + 1}
        if popsize:
            opts["popsize"] = popsize
        es = cma.CMAEvolutionStrategy(rng.uniform(0, 1, DIM), 0.25, opts)
        while n < budget:
            t0 = time.perf_counter()
            X = es.ask()
            spent += time.perf_counter() - t0
            values = sphere_rows(np.asarray(X))
            t0 = time.perf_counter()
            es.tell(X, values.tolist())
            stop = es.stop()
            spent += time.perf_counter() - t0
            n += len(X)
            if stop:
                popsize = 2 * es.popsize
                break
    return spent / n


def driver_time(name, opts, budget, seed=0):
    calls = [0.0]

    def f(x):
        t0 = time.perf_counter()
        v = float(((x - 1.0) ** 2).sum())
        calls[0] += time.perf_counter() - t0
        return v

    t0 = time.perf_counter()
    res = minimize(f, SPACE, name, budget=budget, seed=seed, strategy_options=opts)
    return (time.perf_counter() - t0 - calls[0]) / res.nfev


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--configs", default=",".join(CONFIGS),
                    help="labels of CONFIGS, or auto[<portfolio>] for any of auto's portfolios")
    args = ap.parse_args(argv)
    print(f"sphere dim {DIM}, budget {args.budget}, best of {args.repeat}")
    print("| configuration | strategy us/eval | with driver us/eval |")
    print("|---|---|---|")
    raw = min(raw_pycma_time(args.budget, r) for r in range(args.repeat))
    print(f"| raw pycma (reference: ask/tell/stop, BoundTransform) | {raw * 1e6:.1f} | |")
    for label in args.configs.split(","):
        name, opts = config(label)
        strategy_time(name, opts, 200)  # imports (pycma takes about a second) are not overhead
        s = min(strategy_time(name, opts, args.budget, r) for r in range(args.repeat))
        d = min(driver_time(name, opts, args.budget, r) for r in range(args.repeat))
        print(f"| {label} | {s * 1e6:.1f} | {d * 1e6:.1f} |", flush=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
