"""Parameter classification on the issue's programs, over seeds, with its cost.

- ``f(a, b, c) = sum(a * x) + (1 if b > 0 else 3) + c * round(c)``: expected a
  differentiable, b black-box, c piecewise;
- ``g(w, v) = floor(10 float(w)) / 10 + v^2``: w leaves through ``float()`` into ``math``;
- ``h(w, v)``: the same through ``.item()``, classified by the probe alone (no tracing), the
  case where only the numerical probe can see the escape.

For seeds 0-4 it prints each status, the number of program calls (function / gradient) and
the seconds (median over the seeds).

Usage: ``python benchmarks/hybrid_classify.py [--seeds 5] [--points 3]``.
"""

import argparse
import math
import time

import numpy as np

import nondiff.autodiff.numpy as anp
from nondiff.hybrid import classify
from nondiff.space import Array, Real, Space

X = np.linspace(-1.0, 1.0, 5)


def f(a, b, c):
    return anp.sum(a * X) + (1.0 if b > 0 else 3.0) + c * anp.round(c)


def g(w, v):
    return math.floor(float(w) * 10) / 10 + v ** 2


def h(w, v):
    return math.floor(anp.asarray(w).item() * 10) / 10 + v ** 2


CASES = [
    ("f", f, Space(a=Array(5, -1, 1), b=Real(-1, 1), c=Real(-3, 3)), True,
     {"a": "differentiable", "b": "black-box", "c": "piecewise"}),
    ("g", g, Space(w=Real(0, 1), v=Real(-1, 1)), True, {"w": "black-box", "v": "differentiable"}),
    ("h (probe only)", h, Space(w=Real(0, 1), v=Real(-1, 1)), False,
     {"w": "black-box", "v": "differentiable"}),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--points", type=int, default=3)
    args = ap.parse_args()
    for label, fun, space, analysis, expected in CASES:
        right, seconds = 0, []
        for seed in range(args.seeds):
            t0 = time.perf_counter()
            cl = classify(fun, space, points=args.points, seed=seed, analysis=analysis)
            seconds.append(time.perf_counter() - t0)
            got = {n: cl[n] for n in space.names}
            right += got == expected
        print(f"{label}: {right}/{args.seeds} seeds as expected {expected}; "
              f"{cl.nfev} calls ({cl.njev} with gradient), "
              f"{np.median(seconds) * 1e3:.0f} ms median")
        print("  " + str(cl).replace("\n", "\n  "))


if __name__ == "__main__":
    main()
