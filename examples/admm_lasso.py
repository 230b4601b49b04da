"""ADMM on a sparse regression: the lasso, its regularization path with warm starts, and a
box-constrained least squares, with nondiff's closed-form steps.

The lasso ``min 1/2 ||D x - b||^2 + lam ||x||_1`` splits into a least-squares x-step (one
cached factorization for the whole path) and a soft-thresholding z-step. The example recovers
a sparse signal, prints the support found along a path of lambdas, and then solves the same
data with bounds instead of the L1 term.

Run: ``python examples/admm_lasso.py`` (options: ``--samples``, ``--features``, ``--seed``).
"""

from __future__ import annotations

import argparse

import numpy as np

from strategies.admm import box_least_squares, lambda_max, lasso, lasso_path


def make_data(samples, features, nonzeros, seed):
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((samples, features))
    D /= np.linalg.norm(D, axis=0)
    truth = np.zeros(features)
    truth[rng.choice(features, nonzeros, replace=False)] = rng.uniform(1, 3, nonzeros)
    return D, D @ truth + 0.02 * rng.standard_normal(samples), truth


def main(argv=None):
    parser = argparse.ArgumentParser(description="ADMM lasso, path and box least squares")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--features", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    D, b, truth = make_data(args.samples, args.features, 10, args.seed)
    lmax = lambda_max(D, b)

    res = lasso(D, b, 0.1 * lmax)
    found, true = set(np.flatnonzero(res.x)), set(np.flatnonzero(truth))
    print(f"lasso: {res.stop_reason} in {res.nit} iterations, objective {res.fun:.6f}")
    print(f"  true support recovered: {len(found & true)}/{len(true)}, extra: {len(found - true)}")

    path = lasso_path(D, b, lmax * np.geomspace(0.5, 0.02, 8))
    for r, lam in zip(path, lmax * np.geomspace(0.5, 0.02, 8)):
        print(f"  lam={lam:8.4f}  nonzeros={np.count_nonzero(r.x):3d}  iterations={r.nit}")

    box = box_least_squares(D, b, 0.0, 1.5)
    print(f"box least squares in [0, 1.5]: {box.stop_reason} in {box.nit} iterations, "
          f"max entry {box.x.max():.3f}, min entry {box.x.min():.3f}")
    return res


if __name__ == "__main__":
    main()
