"""ADMM when a part of the objective is only a Python function.

Two problems, each written as "two functions and a constraint":

1. A lasso whose smooth part is a plain function of ``x`` written with
   ``nondiff.autodiff.numpy``; ADMM never sees a matrix. Its x-step runs L-BFGS on gradients
   from nondiff's autodiff engine (:class:`Smooth`). The answer is compared with the
   closed-form lasso.
2. A piecewise-constant cost (a quantized tracking error: zero gradient almost everywhere, no
   prox) over the probability simplex. Its x-step runs a black-box strategy from the registry
   (:class:`BlackBox`, SNES by default); the simplex is handled exactly by its projection.

Run: ``python examples/admm_fallback.py`` (options: ``--strategy``, ``--budget``, ``--seed``).
"""

from __future__ import annotations

import argparse

import numpy as np

import nondiff.autodiff.numpy as anp
from strategies.admm import L1, BlackBox, Simplex, Smooth, admm, lambda_max, lasso


def autodiff_lasso(seed):
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((80, 40))
    b = D @ np.r_[np.ones(5), np.zeros(35)] + 0.05 * rng.standard_normal(80)
    lam = 0.1 * lambda_max(D, b)

    def data_fit(x):  # any differentiable program of x would do
        r = anp.dot(D, x) - b
        return 0.5 * anp.sum(r * r)

    res = admm(Smooth(data_fit, dim=40), L1(lam), eps_abs=1e-7, eps_rel=1e-7)
    ref = lasso(D, b, lam, eps_abs=1e-10, eps_rel=1e-10)
    print(f"autodiff x-step: {res.stop_reason} in {res.nit} iterations, "
          f"max |x - x_closed_form| = {np.abs(res.z - ref.x).max():.1e}")
    return res


def black_box_simplex(strategy, budget, seed):
    target = np.array([-0.114, 0.037, 0.601, 0.382, -0.106])

    def quantized_cost(x):  # piecewise constant in x
        return float(np.sum((np.floor(x * 100) / 100 - target) ** 2))

    term = BlackBox(quantized_cost, -1.0, 1.0, 5, strategy=strategy, budget=budget, seed=seed)
    res = admm(term, Simplex(), rho=1.0, max_iter=40)
    relaxed = Simplex().prox(target, 1.0)
    print(f"black-box x-step ({strategy}, {budget} evaluations per step): z = "
          f"{np.round(res.z, 3)}, cost {quantized_cost(res.z):.4f}; the projection of the "
          f"target is {np.round(relaxed, 3)}, cost {quantized_cost(relaxed):.4f}")
    return res


def main(argv=None):
    parser = argparse.ArgumentParser(description="ADMM with inner solvers")
    parser.add_argument("--strategy", default="snes")
    parser.add_argument("--budget", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    autodiff_lasso(args.seed)
    black_box_simplex(args.strategy, args.budget, args.seed)


if __name__ == "__main__":
    main()
