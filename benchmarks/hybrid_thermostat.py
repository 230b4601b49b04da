"""The thermostat controller (examples/hybrid_thermostat.py): cost at equal evaluation budgets.

For seeds 0-4 (the seed picks the day's weather and the methods' randomness), each method gets
the same budget of function evaluations (a value-and-gradient call counts as one function
evaluation; gradient evaluations are reported apart):

- ``hybrid``: CMA-ES on the thresholds, 10 Adam steps per candidate on the gains (Lamarckian);
- ``cmaes``: CMA-ES alone on all 50 parameters;
- ``adam``: gradient descent alone (Adam, lr 0.02 of the box width) on all 50 parameters from
  the centre of the box (the thresholds' gradient is zero: they stay where they start);
- ``lbfgs``: L-BFGS-B alone, the same way.

It prints the table of best costs (lower is better) and the median per method.

Usage: ``python benchmarks/hybrid_thermostat.py [--seeds 5] [--budget 2000]``.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import hybrid_thermostat as th  # noqa: E402

from nondiff import minimize  # noqa: E402
from nondiff.hybrid import adam, lbfgsb  # noqa: E402
from nondiff.hybrid import minimize as hybrid_minimize  # noqa: E402
from nondiff.hybrid.program import BoundProgram  # noqa: E402


def run_hybrid(program, budget, seed):
    res = hybrid_minimize(program, th.SPACE, budget=budget, seed=seed, steps=10, lr=0.02)
    return res.fun, res.nfev, res.njev


def run_cmaes(program, budget, seed):
    res = minimize(program, th.SPACE, "cmaes", budget=budget, seed=seed)
    return res.fun, res.nfev, 0


def run_gradient(trainer, program, budget, seed):
    bound = BoundProgram(program, th.SPACE, th.SPACE.names)
    centre = th.SPACE.to_params(th.SPACE.center())[0]
    options = {"lr": 0.02} if trainer is adam else {}
    out = trainer(lambda t: bound.value_and_grad({}, t), bound.pack(centre), lo=bound.lo,
                  hi=bound.hi, steps=budget, **options)
    return out.value, bound.nfev, bound.njev


METHODS = {
    "hybrid": run_hybrid,
    "cmaes": run_cmaes,
    "adam": lambda p, b, s: run_gradient(adam, p, b, s),
    "lbfgs": lambda p, b, s: run_gradient(lbfgsb, p, b, s),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--budget", type=int, default=2000)
    args = ap.parse_args()
    table = {m: [] for m in METHODS}
    for seed in range(args.seeds):
        program = th.make_program(th.make_day(seed))
        for name, run in METHODS.items():
            t0 = time.perf_counter()
            cost, nfev, njev = run(program, args.budget, seed)
            table[name].append(cost)
            print(f"seed {seed} {name:6s}: cost {cost:.4f} ({nfev} function, {njev} gradient "
                  f"evaluations, {time.perf_counter() - t0:4.1f} s)", flush=True)
    print(f"\n| method | {' | '.join(f'seed {s}' for s in range(args.seeds))} | median |")
    print(f"|---|{'---|' * (args.seeds + 1)}")
    for name, costs in table.items():
        cells = " | ".join(f"{c:.4f}" for c in costs)
        print(f"| {name} | {cells} | {np.median(costs):.4f} |")
    wins = [all(h < min(table[m][s] for m in METHODS if m != "hybrid")
                for h in [table["hybrid"][s]]) for s in range(args.seeds)]
    print(f"\nhybrid lowest on {sum(wins)}/{args.seeds} seeds")


if __name__ == "__main__":
    main()
