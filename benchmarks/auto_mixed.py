"""``auto`` on a mixed space (reals, a log-scaled real, integers, categoricals) against the GA,
REINFORCE and BIPOP-CMA-ES alone, at equal budget, 5 seeds each.

The problem is a synthetic configuration task with a known optimum 0: a non-separable
quadratic in four reals, ``(log10(lr) + 2.5)^2``, squared integer misses, a cost per
categorical choice (the best choice costs 0) and an interaction (the optimizer choice changes
where the best learning rate lies). Every configuration runs through ``nondiff.minimize`` with
the same seeds.

Usage::

    python benchmarks/auto_mixed.py --budgets 300,1500 --seeds 5
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
A = np.array([1.3, -2.2, 0.7, 3.1])
W = np.array([1.0, 3.0, 10.0, 0.3])
ACT = {"relu": 1.0, "tanh": 2.0, "gelu": 0.0, "silu": 0.5}
OPT = {"sgd": 1.5, "adam": 0.0, "rmsprop": 0.8}
BEST_LOG_LR = {"sgd": -1.0, "adam": -2.5, "rmsprop": -3.0}


def objective(x1, x2, x3, x4, lr, width, depth, act, opt) -> float:
    """Known optimum 0 at x = A, lr = 10^-2.5, width 40, depth 3, gelu, adam."""
    dx = np.array([x1, x2, x3, x4]) - A
    reals = float(W @ dx**2 + (dx[0] - dx[1]) ** 2)
    lr_miss = (math.log10(lr) - BEST_LOG_LR[opt]) ** 2
    ints = ((width - 40) / 8.0) ** 2 + (depth - 3) ** 2
    return reals + lr_miss + ints + ACT[act] + OPT[opt]


CONFIGS = {"auto": ("auto", {}), "ga": ("ga", {}), "reinforce": ("reinforce", {}),
           "cmaes-bipop": ("cmaes", {"restarts": 10**9, "restart_strategy": "bipop"})}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budgets", default="300,1500")
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args(argv)
    print("| budget | strategy | median best | mean best | worst | seconds |")
    print("|---|---|---|---|---|---|")
    for budget in map(int, args.budgets.split(",")):
        for label, (name, opts) in CONFIGS.items():
            t0 = time.perf_counter()
            vals = [minimize(objective, SPACE, name, budget=budget, seed=s,
                             strategy_options=opts).fun for s in range(args.seeds)]
            secs = time.perf_counter() - t0
            print(f"| {budget} | {label} | {np.median(vals):.4g} | {np.mean(vals):.4g} | "
                  f"{np.max(vals):.4g} | {secs:.1f} |", flush=True)


if __name__ == "__main__":
    main()
