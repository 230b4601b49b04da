"""OneMax, 1,000 bits: solved on every seed, and time per generation against DEAP.

Configuration (both libraries): population 100, tournament of 3, uniform crossover with
probability 0.9 per pair, bit-flip mutation at 1/1000 per bit, one elite, generational.
Figures: generations and evaluations to reach 1,000 ones on seeds 0-4 (nondiff), and the medians
of wall and CPU time of one generation (ask + evaluate + tell for nondiff; select + varAnd +
evaluate for DEAP) over ``--timed`` generations per seed, timed in turns in one process.
The issue asks for every seed solved and nondiff at least 20x faster per generation.

    PYTHONPATH=. /work/venv-ga/bin/python benchmarks/ga_onemax.py [--seeds 5] [--timed 200]
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
    fmt,
    median,
    report,
    run_ga,
    stack_param,
)

from nondiff.space import Bits, Space  # noqa: E402
from strategies.ga import GeneticAlgorithm  # noqa: E402

N_BITS, POPSIZE = 1000, 100
OPTIONS = dict(popsize=POPSIZE, tournament_size=3, crossover="uniform", crossover_rate=0.9,
               mutation_rate=1.0 / N_BITS, elitism=1)


def onemax(cands) -> np.ndarray:
    return -stack_param(cands, "mask").sum(axis=1).astype(float)


def solve(seed: int, max_gens: int) -> dict:
    ga = GeneticAlgorithm(Space(mask=Bits(N_BITS)), seed=seed, **OPTIONS)
    return run_ga(ga, onemax, max_gens + 1, until=lambda best: best <= -N_BITS)


def timed(seed: int, generations: int) -> tuple[list, list]:
    """Alternating per-generation times of nondiff's GA and DEAP's on the same problem."""
    from deap import tools

    ga = GeneticAlgorithm(Space(mask=Bits(N_BITS)), seed=seed, **OPTIONS)
    dp = DeapGA(lambda: [random.randint(0, 1) for _ in range(N_BITS)],
                lambda ind: (-float(sum(ind)),),
                (tools.cxUniform, {"indpb": 0.5}), (tools.mutFlipBit, {"indpb": 1.0 / N_BITS}),
                popsize=POPSIZE, seed=seed)
    return alternate(ga, onemax, dp, generations)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--timed", type=int, default=200, help="generations timed per seed")
    ap.add_argument("--max-gens", type=int, default=5000)
    args = ap.parse_args(argv)
    solved, nd_times, dp_times = 0, [], []
    for seed in range(args.seeds):
        r = solve(seed, args.max_gens)
        ok = r["best"] <= -N_BITS
        solved += ok
        print(f"seed {seed}: best {-r['best']:.0f}/{N_BITS} after {r['asks'] - 1} generations "
              f"({r['evals']} evaluations) {'solved' if ok else 'NOT solved'}")
        if deap_available():
            nd, dp = timed(seed, args.timed)
            nd_times += nd
            dp_times += dp
        else:
            nd_times += r["times"][1 : args.timed + 1]
    print(f"solved on {solved} of {args.seeds} seeds")
    if dp_times:
        report(nd_times, dp_times)
    else:
        print(f"nondiff: median {fmt(median(nd_times))} per generation; DEAP not installed")
    return 0 if solved == args.seeds else 1


if __name__ == "__main__":
    sys.exit(main())
