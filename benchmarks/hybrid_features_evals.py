"""Feature selection (examples/hybrid_feature_selection.py): evaluations to the oracle's MSE.

For seeds 0-4 (n=200, p=20, 5 true features, noise 0.1), each method runs until the best
point's *test* MSE is within 5% of the oracle least-squares fit on the true features (the
target), or its budget is spent. ``hybrid`` (GA over the mask, L-BFGS-B on the weights) counts
every function evaluation, the gradient-step ones included, and reports gradient evaluations
apart; ``cmaes`` and ``ga`` alone search the whole vector (mask bits + 20 weights). It prints
one row per run and the medians, and the ratio of evaluations to target (a method that never
reaches it is counted at the evaluations it used, so the ratio is then a lower bound).

Usage: ``python benchmarks/hybrid_features_evals.py [--seeds 5] [--budget 60000]``.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import hybrid_feature_selection as fs  # noqa: E402

from nondiff import minimize  # noqa: E402


class FirstHit:
    """Callback: the evaluation count at which the best point first reaches the target
    (test MSE, and for ``hybrid`` also the exact mask: the stricter test is the hybrid's)."""

    def __init__(self, data, target, count, need_mask):
        self.data, self.target, self.count, self.hit = data, target, count, None
        self.need_mask = need_mask

    def __call__(self, info):
        p = info.best_params
        if self.hit is None and p is not None:
            ok = fs.test_mse(self.data, p["mask"], p["w"]) <= self.target
            if ok and (not self.need_mask or np.array_equal(p["mask"], self.data["mask"])):
                self.hit = self.count(info)
        return self.hit is not None  # stop once reached


def run_hybrid(data, target, budget, seed):
    hit = FirstHit(data, target, lambda info: info.run.strategy.evaluations(), True)
    res = fs.solve(data, budget, seed, callbacks=[hit])
    found = hit.hit or {"nfev": res.nfev, "njev": res.njev}
    return found["nfev"], found["njev"], res.params, hit.hit is not None


def run_alone(name, data, target, budget, seed):
    hit = FirstHit(data, target, lambda info: info.nfev, False)
    res = minimize(fs.make_program(data), fs.space_for(), name, budget=budget, seed=seed,
                   callbacks=[hit])
    return hit.hit or res.nfev, 0, res.params, hit.hit is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--budget", type=int, default=60_000, help="for cmaes and ga alone")
    ap.add_argument("--hybrid-budget", type=int, default=6_000)
    args = ap.parse_args()
    rows = {"hybrid": [], "cmaes": [], "ga": []}
    for seed in range(args.seeds):
        data = fs.make_problem(seed)
        oracle = fs.oracle_mse(data)
        for name in rows:
            t0 = time.perf_counter()
            if name == "hybrid":
                nfev, njev, p, ok = run_hybrid(data, 1.05 * oracle, args.hybrid_budget, seed)
            else:
                nfev, njev, p, ok = run_alone(name, data, 1.05 * oracle, args.budget, seed)
            mse = fs.test_mse(data, p["mask"], p["w"])
            mask_ok = bool(np.array_equal(p["mask"], data["mask"]))
            rows[name].append((nfev, ok, mask_ok))
            print(f"seed {seed} {name:6s}: {'reached' if ok else 'missed '} after {nfev:6d} "
                  f"function evals ({njev:5d} gradient), test MSE {mse:.5f} vs oracle "
                  f"{oracle:.5f}, mask {'exact' if mask_ok else 'wrong'}, "
                  f"{time.perf_counter() - t0:5.1f} s", flush=True)
    print("\nmethod   reached  mask exact  median evals to target")
    for name, r in rows.items():
        evals = np.median([x[0] for x in r])
        note = "" if all(x[1] for x in r) else " (misses: evaluations used)"
        print(f"{name:8s} {sum(x[1] for x in r)}/{len(r)}      {sum(x[2] for x in r)}/{len(r)}"
              f"         {evals:8.0f}{note}")
    for name in ("cmaes", "ga"):
        ratio = np.median([a[0] / h[0] for a, h in zip(rows[name], rows["hybrid"])])
        each = " ".join(f"{a[0] / h[0]:.1f}" for a, h in zip(rows[name], rows["hybrid"]))
        print(f"ratio {name} / hybrid evaluations: median {ratio:.1f} (per seed: {each})")


if __name__ == "__main__":
    main()
