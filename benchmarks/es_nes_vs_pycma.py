"""Evaluations to f < 1e-8: xNES and SNES (strategies.es) against raw pycma, dimension 10.

xNES runs with its default step-size rule (CSA) as ``xnes``, and with the paper's fixed
``eta_sigma`` (``xnes-nes``) and adaptation sampling (``xnes-as``) for comparison.

Functions on [-5, 5]^10: sphere ``sum x_i^2``, ellipsoid ``sum 10^(6 (i-1)/(d-1)) x_i^2``
(condition 1e6) and Rosenbrock. For each of 10 seeds, all three optimizers start from the same
point (uniform in [-3, 3]^10) with the same initial step (2 in the function's units, 0.2 in the
unit cube the strategies search) and run until the best value is below 1e-8 or the budget is
spent (an unsolved run counts as the budget). Raw pycma runs with its defaults in the function's
own coordinates, its sampler seeded from the same seed. The strategies run through ask/tell
with batch evaluation of each generation.

When evosax and jax import (run with ``/work/venv-es/bin/python``), evosax's ``xNES`` with the
same population, default rates and start runs too, as an independent xNES implementation (it
updates B by an elementwise exponential, not a matrix exponential, so only its sphere numbers
are strictly comparable).

Usage: ``python benchmarks/es_nes_vs_pycma.py [--seeds 10] [--budget 100000]``; prints, per
function, the median (and min-max) evaluations of each optimizer and the ratio to pycma.
"""

import argparse
import sys
from pathlib import Path

import cma
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nondiff import seeding  # noqa: E402
from nondiff.space import Array, Space  # noqa: E402
from strategies.es import SNES, XNES  # noqa: E402

DIM, TARGET, LO, HI = 10, 1e-8, -5.0, 5.0
COND = 1e6 ** (np.arange(DIM) / (DIM - 1))


def sphere(Z):
    return (Z**2).sum(axis=-1)


def ellipsoid(Z):
    return (COND * Z**2).sum(axis=-1)


def rosenbrock(Z):
    return (100 * (Z[..., 1:] - Z[..., :-1] ** 2) ** 2 + (1 - Z[..., :-1]) ** 2).sum(axis=-1)


FUNCTIONS = {"sphere": sphere, "ellipsoid": ellipsoid, "rosenbrock": rosenbrock}


def run_pycma(f, x0, seed, budget):
    rng = seeding.as_generator(seed)
    es = cma.CMAEvolutionStrategy(x0, 0.2 * (HI - LO), {
        "verbose": -9, "verb_log": 0, "verb_disp": 0, "seed": np.nan,
        "randn": lambda a, b: rng.standard_normal((a, b)), "tolfun": 0, "tolx": 0,
        "tolfunhist": 0, "tolflatfitness": 1e9})
    n = 0
    while n < budget:
        X = es.ask()
        v = f(np.asarray(X))
        es.tell(X, list(v))
        n += len(X)
        if v.min() < TARGET:
            return n
        if es.stop():
            break
    return budget


def run_strategy(cls, f, x0, seed, budget, **options):
    space = Space(x=Array((DIM,), LO, HI))
    es = cls(space, seed=seed, x0=(x0 - LO) / (HI - LO), sigma0=0.2, **options)
    n = 0
    while n < budget and es.stop() is None:
        cands = es.ask()
        v = f(LO + (HI - LO) * cands.vectors)
        es.tell(cands, v)
        n += len(cands)
        if v.min() < TARGET:
            return n
    return budget


def evosax_xnes():
    """A runner for evosax's xNES, or None when evosax is not installed."""
    try:
        import jax
        import jax.numpy as jnp
        from evosax.algorithms import xNES
    except ImportError:
        return None
    es = xNES(population_size=4 + int(3 * np.log(DIM)), solution=jnp.zeros(DIM))
    params = es.default_params.replace(std_init=0.2 * (HI - LO))

    def run(f, x0, seed, budget):
        key = jax.random.key(seed)
        state, n = es.init(key, jnp.asarray(x0), params), 0
        while n < budget:
            k_ask, k_tell, key = jax.random.split(key, 3)
            pop, state = es.ask(k_ask, state, params)
            v = f(np.asarray(pop, dtype=float))
            state, _ = es.tell(k_tell, pop, jnp.asarray(v), state, params)
            n += len(v)
            if v.min() < TARGET:
                return n
        return budget
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budget", type=int, default=100_000)
    args = ap.parse_args()
    ev_xnes = evosax_xnes()
    print(f"evaluations to f < {TARGET:g}, d={DIM}, {args.seeds} seeds, budget {args.budget}")
    for name, f in FUNCTIONS.items():
        evals = {"pycma": [], "xnes": [], "xnes-nes": [], "xnes-as": [], "snes": []}
        if ev_xnes is not None:
            evals["evosax-xnes"] = []
        for seed in range(args.seeds):
            x0 = seeding.as_generator(1000 + seed).uniform(-3.0, 3.0, DIM)
            evals["pycma"].append(run_pycma(f, x0, seed, args.budget))
            evals["xnes"].append(run_strategy(XNES, f, x0, seed, args.budget))
            evals["xnes-nes"].append(run_strategy(XNES, f, x0, seed, args.budget,
                                                  step_size="nes"))
            evals["xnes-as"].append(run_strategy(XNES, f, x0, seed, args.budget,
                                                 step_size="adaptation-sampling"))
            evals["snes"].append(run_strategy(SNES, f, x0, seed, args.budget))
            if ev_xnes is not None:
                evals["evosax-xnes"].append(ev_xnes(f, x0, seed, args.budget))
        ref = np.median(evals["pycma"])
        for algo, ns in evals.items():
            ns = np.array(ns)
            solved = int((ns < args.budget).sum())
            print(f"  {name:10s} {algo:11s} median {np.median(ns):8.0f}  [{ns.min()}-{ns.max()}]  "
                  f"solved {solved}/{args.seeds}  ratio to pycma {np.median(ns) / ref:5.2f}")


if __name__ == "__main__":
    main()
