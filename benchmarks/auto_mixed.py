"""``auto`` on a mixed space (reals, a log-scaled real, integers, categoricals) against the GA,
REINFORCE and BIPOP-CMA-ES alone, at equal budget, 5 seeds each.

The problem is a synthetic configuration task with a known optimum 0: a non-separable
quadratic in four reals, ``(log10(lr) + 2.5)^2``, squared integer misses, a cost per
categorical choice (the best choice costs 0) and an interaction (the optimizer choice changes
where the best learning rate lies). Every configuration runs through ``nondiff.minimize`` with
the same seeds.

Usage::

    python benchmarks/auto_mixed.py --budgets 300,1500 --seeds 5
    python benchmarks/auto_mixed.py --problem tune --configs ga,ga-pop20,ga-pop40,ga-memetic
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from nondiff.minimize import minimize
from nondiff.space import Categorical, Integer, Real, Space

SPACE = Space({
    "x1": Real(-5, 5), "x2": Real(-5, 5), "x3": Real(-5, 5), "x4": Real(-5, 5),
    "lr": Real(1e-5, 1.0, log=True), "width": Integer(1, 64), "depth": Integer(0, 10),
    "act": Categorical(["relu", "tanh", "gelu", "silu"]),
    "opt": Categorical(["sgd", "adam", "rmsprop"]),
})
# two instances: "final" is reported; "tune" (other constants) is the one options were tried on
INSTANCES = {
    "final": {"A": np.array([1.3, -2.2, 0.7, 3.1]), "W": np.array([1.0, 3.0, 10.0, 0.3]),
              "act": {"relu": 1.0, "tanh": 2.0, "gelu": 0.0, "silu": 0.5},
              "opt": {"sgd": 1.5, "adam": 0.0, "rmsprop": 0.8},
              "lr": {"sgd": -1.0, "adam": -2.5, "rmsprop": -3.0}, "width": 40, "depth": 3},
    "tune": {"A": np.array([-3.0, 0.5, 2.4, -1.1]), "W": np.array([5.0, 0.5, 1.0, 20.0]),
             "act": {"relu": 0.0, "tanh": 0.7, "gelu": 1.2, "silu": 2.0},
             "opt": {"sgd": 0.0, "adam": 0.4, "rmsprop": 2.5},
             "lr": {"sgd": -0.5, "adam": -3.5, "rmsprop": -2.0}, "width": 9, "depth": 7},
}


def make_objective(name: str):
    """The instance's objective; its optimum 0 is at x = A, the best lr of the best optimizer,
    the given width and depth, and the zero-cost activation and optimizer."""
    c = INSTANCES[name]

    def objective(x1, x2, x3, x4, lr, width, depth, act, opt) -> float:
        dx = np.array([x1, x2, x3, x4]) - c["A"]
        reals = float(c["W"] @ dx**2 + (dx[0] - dx[1]) ** 2)
        lr_miss = (math.log10(lr) - c["lr"][opt]) ** 2
        ints = ((width - c["width"]) / 8.0) ** 2 + (depth - c["depth"]) ** 2
        return reals + lr_miss + ints + c["act"][act] + c["opt"][opt]

    return objective


CONFIGS = {"auto": ("auto", {}), "ga": ("ga", {}), "reinforce": ("reinforce", {}),
           "cmaes-bipop": ("cmaes", {"restarts": 10**9, "restart_strategy": "bipop"}),
           "ga-pop20": ("ga", {"popsize": 20}), "ga-pop40": ("ga", {"popsize": 40}),
           "ga-memetic": ("ga", {"memetic": True})}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budgets", default="300,1500")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--problem", choices=sorted(INSTANCES), default="final")
    ap.add_argument("--configs", default="auto,ga,reinforce,cmaes-bipop")
    args = ap.parse_args(argv)
    objective = make_objective(args.problem)
    seeds = range(args.seeds) if args.problem == "final" else range(100, 100 + args.seeds)
    print("| budget | strategy | median best | mean best | worst | seconds | per seed |")
    print("|---|---|---|---|---|---|---|")
    for budget in map(int, args.budgets.split(",")):
        for label in args.configs.split(","):
            name, opts = CONFIGS[label]
            t0 = time.perf_counter()
            vals = [minimize(objective, SPACE, name, budget=budget, seed=s,
                             strategy_options=opts).fun for s in seeds]
            secs = time.perf_counter() - t0
            print(f"| {budget} | {label} | {np.median(vals):.4g} | {np.mean(vals):.4g} | "
                  f"{np.max(vals):.4g} | {secs:.1f} | {' '.join(f'{v:.3g}' for v in vals)} |",
                  flush=True)


if __name__ == "__main__":
    main()
