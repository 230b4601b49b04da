"""Nonconvex ADMM heuristics: pick at most k regressors, or round some coefficients to integers.

Cardinality-constrained least squares (at most ``k`` nonzero coefficients) and mixed-integer
least squares are combinatorial; ADMM with the exact projection onto the nonconvex set, random
restarts and a final polish (Takapoui, Moehle, Boyd & Bemporad 2020) finds good solutions fast.
The example compares both with exhaustive enumeration on problems small enough to enumerate.

Run: ``python examples/admm_sparse.py`` (options: ``--k``, ``--restarts``, ``--seed``).
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from strategies.admm import cardinality_least_squares, mixed_integer_least_squares


def best_subset(D, b, k):
    best = np.inf
    for support in itertools.combinations(range(D.shape[1]), k):
        cols = list(support)
        w = np.linalg.lstsq(D[:, cols], b, rcond=None)[0]
        best = min(best, 0.5 * float(np.sum((D[:, cols] @ w - b) ** 2)))
    return best


def best_integers(D, b, lo, hi):
    grid = np.array(list(itertools.product(range(lo, hi + 1), repeat=D.shape[1])), float)
    return 0.5 * float((((grid @ D.T) - b) ** 2).sum(axis=1).min())


def main(argv=None):
    parser = argparse.ArgumentParser(description="cardinality and integer least squares")
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    D = rng.standard_normal((30, 14))
    b = D @ np.r_[rng.standard_normal(args.k) * 2, np.zeros(14 - args.k)] \
        + 0.3 * rng.standard_normal(30)
    res = cardinality_least_squares(D, b, args.k, restarts=args.restarts, seed=args.seed)
    exact = best_subset(D, b, args.k)
    print(f"at most {args.k} nonzeros: ADMM {res.fun:.4f} (support {np.flatnonzero(res.x)}), "
          f"exhaustive {exact:.4f}")

    D = rng.standard_normal((20, 5))
    b = D @ rng.uniform(-3, 3, 5) + 0.5 * rng.standard_normal(20)
    res = mixed_integer_least_squares(D, b, np.ones(5, bool), -4, 4, restarts=args.restarts,
                                      seed=args.seed)
    print(f"integers in [-4, 4]: ADMM {res.fun:.4f} at {res.x.astype(int)}, "
          f"exhaustive {best_integers(D, b, -4, 4):.4f}")


if __name__ == "__main__":
    main()
