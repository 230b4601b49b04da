"""Feature selection by hybrid search: the mask is searched, the weights follow gradients.

A linear model ``y ~ X @ (w * mask)`` on ``n=200`` samples of ``p=20`` features, 5 of which
matter (noise 0.1). The objective is the training MSE plus a small price per selected feature.
``nondiff.classify`` finds that ``w`` is differentiable and ``mask`` (bits) is not, so the
``hybrid`` strategy searches the mask with a GA and fits ``w`` by L-BFGS-B through the autodiff
engine, warm-started from the incumbent's weights (Lamarckian).

Usage: ``python examples/hybrid_feature_selection.py [--seed 0] [--budget 2000]``.
"""

import argparse

import numpy as np

import nondiff.autodiff.numpy as anp
from nondiff.hybrid import classify, minimize
from nondiff.space import Array, Bits, Space

N, P, TRUE, NOISE = 200, 20, 5, 0.1
PRICE = 1e-3  # per selected feature: far above what a useless one gains (~noise^2 / N)


def make_problem(seed, n=N, p=P, true=TRUE, noise=NOISE, n_test=2000):
    """Train/test data, the true mask and weights, all from ``seed``."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(p, dtype=bool)
    mask[rng.choice(p, true, replace=False)] = True
    w = np.where(mask, rng.uniform(1.0, 3.0, p) * rng.choice([-1, 1], p), 0.0)
    X, Xt = rng.standard_normal((n, p)), rng.standard_normal((n_test, p))
    return {"X": X, "y": X @ w + noise * rng.standard_normal(n), "Xt": Xt,
            "yt": Xt @ w + noise * rng.standard_normal(n_test), "mask": mask, "w": w}


def make_program(data):
    """The objective over ``mask`` (bits) and ``w`` (weights)."""
    X, y = data["X"], data["y"]

    def program(mask, w):
        return anp.mean((X @ (w * mask) - y) ** 2) + PRICE * float(np.sum(mask))

    return program


def space_for(p=P):
    return Space(mask=Bits(p), w=Array(p, -5.0, 5.0))


def test_mse(data, mask, w):
    return float(np.mean((data["Xt"] @ (np.asarray(w) * mask) - data["yt"]) ** 2))


def oracle_mse(data):
    """Test MSE of least squares on the true features: the target to come within 5% of."""
    m = data["mask"]
    coef, *_ = np.linalg.lstsq(data["X"][:, m], data["y"], rcond=None)
    w = np.zeros(len(m))
    w[m] = coef
    return test_mse(data, m, w)


def solve(data, budget, seed, callbacks=()):
    """Run ``hybrid`` (GA over the mask, L-BFGS-B on the weights)."""
    return minimize(make_program(data), space_for(data["X"].shape[1]), budget=budget, seed=seed,
                    search="ga", search_options={"popsize": 10}, trainer="lbfgs", steps=3,
                    callbacks=callbacks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=2000)
    args = ap.parse_args()
    data = make_problem(args.seed)
    print(classify(make_program(data), space_for(), seed=args.seed))
    res = solve(data, args.budget, args.seed)
    mask, w = res.params["mask"], res.params["w"]
    print(f"{res.nfev} function evaluations ({res.nfev_outer} by the driver), "
          f"{res.njev} gradient evaluations")
    print(f"mask recovered: {bool(np.array_equal(mask, data['mask']))}; "
          f"test MSE {test_mse(data, mask, w):.5f} (oracle least squares {oracle_mse(data):.5f})")


if __name__ == "__main__":
    main()
