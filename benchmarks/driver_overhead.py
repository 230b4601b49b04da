"""Driver overhead per evaluation and history memory (issue 2's figures).

Overhead = total wall time of ``minimize`` minus the time spent inside the objective, divided by
the number of evaluations; random search on sphere, dimension 10, 100,000 evaluations, serial.
Raw pycma's own ask/tell overhead per evaluation is measured in the same script for reference.
Memory: peak RSS growth of a 1,000,000-evaluation vectorized run in dimension 10.

    python benchmarks/driver_overhead.py [--evals 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import nondiff as nd  # noqa: E402

DIM = 10


class Timed:
    """Wraps an objective and accumulates the time spent inside it."""

    def __init__(self, fn):
        self.fn, self.inside = fn, 0.0

    def __call__(self, x):
        t = time.perf_counter()
        v = self.fn(x)
        self.inside += time.perf_counter() - t
        return v


def sphere(x):
    return float(np.dot(x, x))


def sphere_batch(X):
    return np.einsum("ij,ij->i", X, X)


def driver_overhead(evals: int, batch: bool) -> float:
    space = nd.Space(x=nd.Array((DIM,), -5.0, 5.0))
    timed = Timed(sphere_batch if batch else sphere)
    obj = nd.Objective(timed, space, batch=batch, call="vector")
    t = time.perf_counter()
    res = nd.minimize(obj, space, "random", budget=evals, seed=0,
                      strategy_options={"batch_size": 1000 if batch else 100})
    total = time.perf_counter() - t
    assert res.nfev == evals
    return (total - timed.inside) / evals


def kwargs_overhead(evals: int) -> float:
    """Per-call objective taking 10 keyword parameters (params dicts built per candidate)."""
    space = nd.Space({f"x{i}": nd.Real(-5.0, 5.0) for i in range(DIM)})
    timed = Timed(lambda kw: sum(v * v for v in kw.values()))
    obj = nd.Objective(lambda **kw: timed(kw), space)
    t = time.perf_counter()
    res = nd.minimize(obj, space, "random", budget=evals, seed=0)
    total = time.perf_counter() - t
    assert res.nfev == evals
    return (total - timed.inside) / evals


def pycma_overhead(evals: int) -> float:
    import cma

    es = cma.CMAEvolutionStrategy(DIM * [1.0], 0.5, {"verbose": -9, "verb_log": 0,
                                                      "verb_disp": 0, "seed": 1})
    inside, n = 0.0, 0
    t = time.perf_counter()
    while n < evals:
        X = es.ask()
        t1 = time.perf_counter()
        f = [sphere(np.asarray(x)) for x in X]
        inside += time.perf_counter() - t1
        es.tell(X, f)
        n += len(X)
        if es.stop():
            es = cma.CMAEvolutionStrategy(DIM * [1.0], 0.5, {"verbose": -9, "verb_log": 0,
                                                              "verb_disp": 0, "seed": n})
    return (time.perf_counter() - t - inside) / n


def history_memory(evals: int) -> tuple[float, float]:
    """(MB of history arrays, MB of peak RSS growth) for a vectorized run of ``evals``."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    space = nd.Space(x=nd.Array((DIM,), -5.0, 5.0))
    obj = nd.Objective(sphere_batch, space, batch=True, call="vector")
    res = nd.minimize(obj, space, "random", budget=evals, seed=0,
                      strategy_options={"batch_size": 10000})
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    held = sum(a.nbytes for a in res.history.arrays().values()) / 2**20
    return held, after - before


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--evals", type=int, default=100_000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    rows = {"per-call": [], "per-call kwargs": [], "vectorized": [], "raw pycma": []}
    for _ in range(args.repeats):  # interleaved so machine load hits all three alike
        rows["per-call"].append(driver_overhead(args.evals, batch=False))
        rows["per-call kwargs"].append(kwargs_overhead(args.evals))
        rows["vectorized"].append(driver_overhead(args.evals, batch=True))
        rows["raw pycma"].append(pycma_overhead(args.evals // 5))
    for name, vals in rows.items():
        print(f"{name:>15}: {statistics.median(vals) * 1e6:7.2f} us/eval overhead "
              f"(median of {len(vals)}: {', '.join(f'{v * 1e6:.2f}' for v in vals)})")
    held, rss = history_memory(1_000_000)
    print(f"history of 1,000,000 evals, dim {DIM}: arrays {held:.0f} MB, "
          f"peak RSS growth {rss:.0f} MB")


if __name__ == "__main__":
    main()
