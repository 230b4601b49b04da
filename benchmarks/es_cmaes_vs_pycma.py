"""The cmaes adapter against raw pycma: exactness on BBOB f1-f24 (dim 10) and overhead.

1. **Exactness.** For each BBOB function (coco-experiment's ``cocoex`` suite "bbob",
   instance 1, dimension 10) the adapter (``strategies.cmaes.CMAES``) and a raw
   ``cma.CMAEvolutionStrategy`` run side by side with the same x0, sigma0, options and the
   same seeded sampler (``seeding.spawn(seed, 2)[0]``, the stream the adapter documents), both
   on the same function of the unit-cube vector ``problem(lo + (hi - lo) x)`` with bounds
   [0, 1]. The script compares the best-so-far value after every generation and counts the
   functions where the two sequences are identical, bit for bit.
2. **Overhead.** Time per evaluation of the ask/tell loop on a vectorized sphere (so the
   objective costs almost nothing) for raw pycma's canonical loop (``while not es.stop(): X =
   es.ask(); es.tell(X, f(X))``) and for the adapter (``while s.stop() is None: c = s.ask();
   s.tell(c, f(c.vectors))``), interleaved in rounds; it prints the medians of wall and process
   CPU time per evaluation and the ratio adapter / raw.

Usage: ``python benchmarks/es_cmaes_vs_pycma.py [--evals 4000] [--rounds 7]``.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cma  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nondiff import seeding  # noqa: E402
from nondiff.space import Array, Space  # noqa: E402
from strategies.cmaes import CMAES  # noqa: E402

DIM, SIGMA0 = 10, 0.2


def raw_pycma(seed, x0, sigma0):
    rng = seeding.spawn(seed, 2)[0]
    opts = {"bounds": [[0.0] * len(x0), [1.0] * len(x0)], "verbose": -9, "verb_log": 0,
            "verb_disp": 0, "seed": np.nan, "randn": lambda a, b: rng.standard_normal((a, b))}
    return cma.CMAEvolutionStrategy(x0, sigma0, opts)


def best_sequences(f_unit, seed, x0, evals):
    """Best-so-far after each generation, adapter and raw, until either stops."""
    space = Space(x=Array((DIM,), 0.0, 1.0))
    ad, raw = CMAES(space, seed=seed, x0=x0, sigma0=SIGMA0), raw_pycma(seed, x0, SIGMA0)
    seq_ad, seq_raw, n = [], [], 0
    while n < evals and ad.stop() is None and not raw.stop():
        cands = ad.ask()
        ad.tell(cands, f_unit(cands.vectors))
        X = raw.ask()
        raw.tell(X, list(f_unit(np.asarray(X))))
        seq_ad.append(ad.best[1])
        seq_raw.append(raw.best.f)
        n += len(cands)
    return seq_ad, seq_raw, n


def exactness(evals):
    import cocoex

    suite = cocoex.Suite("bbob", "", f"dimensions:{DIM} instance_indices:1")
    same = 0
    print(f"BBOB d={DIM} i=1, up to {evals} evaluations, sigma0={SIGMA0} in the unit cube")
    for fid in range(1, 25):
        problem = suite.get_problem_by_function_dimension_instance(fid, DIM, 1)
        lo, hi = np.asarray(problem.lower_bounds), np.asarray(problem.upper_bounds)

        def f_unit(X, problem=problem, lo=lo, hi=hi):
            return np.array([problem(lo + (hi - lo) * x) for x in X])

        x0 = seeding.as_generator(fid).uniform(0.1, 0.9, DIM)
        a, r, n = best_sequences(f_unit, seed=fid, x0=x0, evals=evals)
        ok = a == r
        same += ok
        print(f"  f{fid:<2d} generations {len(a):4d} evals {n:5d} identical {ok} "
              f"final best {a[-1]:.6e} / {r[-1]:.6e}")
        problem.free()
    print(f"identical best-value sequences: {same}/24")


def overhead(rounds, gens):
    space = Space(x=Array((DIM,), 0.0, 1.0))
    x0 = np.full(DIM, 0.7)

    def sphere(X):
        return ((np.asarray(X) - 0.5) ** 2).sum(axis=1) + 1.0  # never reaches tolfun

    def run_raw():  # pycma's canonical loop
        es = raw_pycma(1, x0, SIGMA0)
        t0, c0, n = time.perf_counter(), time.process_time(), 0
        while not es.stop() and n < gens * es.popsize:
            X = es.ask()
            es.tell(X, list(sphere(X)))
            n += len(X)
        return (time.perf_counter() - t0) / n, (time.process_time() - c0) / n

    def run_adapter():
        s = CMAES(space, seed=1, x0=x0, sigma0=SIGMA0)
        t0, c0, n = time.perf_counter(), time.process_time(), 0
        while s.stop() is None and n < gens * s.es.popsize:
            c = s.ask()
            s.tell(c, sphere(c.vectors))
            n += len(c)
        return (time.perf_counter() - t0) / n, (time.process_time() - c0) / n

    run_raw(), run_adapter()  # warm up imports and caches
    raw, ad = [], []
    for _ in range(rounds):
        raw.append(run_raw())
        ad.append(run_adapter())
    raw, ad = np.array(raw) * 1e6, np.array(ad) * 1e6
    print(f"overhead, d={DIM}, {gens} generations x {rounds} interleaved rounds (medians):")
    for k, what in enumerate(("wall", "cpu")):
        r, a = np.median(raw[:, k]), np.median(ad[:, k])
        ratios = ad[:, k] / raw[:, k]
        print(f"  {what}: raw pycma {r:.1f} us/eval, adapter {a:.1f} us/eval, ratio {a / r:.3f} "
              f"(per-round ratios p10-p90 {np.percentile(ratios, 10):.3f}-"
              f"{np.percentile(ratios, 90):.3f})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--evals", type=int, default=4000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--gens", type=int, default=300)
    ap.add_argument("--skip-exactness", action="store_true")
    args = ap.parse_args()
    if not args.skip_exactness:
        exactness(args.evals)
    overhead(args.rounds, args.gens)


if __name__ == "__main__":
    main()
