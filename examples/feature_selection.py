"""Feature selection with the ``reinforce`` strategy: a discrete choice no gradient reaches.

Which of 30 candidate features should a least-squares model use? Only 6 carry signal; the rest
add noise and cost. The cost of a subset is the validation error of the model fit on it plus a
price per feature: a function of 30 bits with no useful gradient. ``reinforce`` keeps a
Bernoulli per feature and learns from score-function gradients which ones pay off.

    python examples/feature_selection.py [--budget 5000] [--seed 0] [--strategy reinforce]
"""

from __future__ import annotations

import argparse

import numpy as np

import nondiff as nd

N_FEATURES, INFORMATIVE = 30, (1, 4, 9, 15, 22, 27)


def make_data(seed=0, n=200):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2 * n, N_FEATURES))
    w = np.zeros(N_FEATURES)
    w[list(INFORMATIVE)] = rng.uniform(1.0, 2.0, len(INFORMATIVE))
    y = X @ w + 0.5 * rng.standard_normal(2 * n)
    return X[:n], y[:n], X[n:], y[n:]


X_TRAIN, Y_TRAIN, X_VAL, Y_VAL = make_data()
SPACE = nd.Space(features=nd.Bits(N_FEATURES))


def subset_cost(features) -> float:
    """Validation mean squared error of least squares on the chosen features + 0.02 each."""
    cols = np.flatnonzero(features)
    if cols.size == 0:
        return float(np.mean(Y_VAL ** 2))
    coef, *_ = np.linalg.lstsq(X_TRAIN[:, cols], Y_TRAIN, rcond=None)
    return float(np.mean((X_VAL[:, cols] @ coef - Y_VAL) ** 2) + 0.02 * cols.size)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", default="reinforce")
    parser.add_argument("--budget", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    res = nd.minimize(subset_cost, SPACE, args.strategy, budget=args.budget, seed=args.seed)
    chosen = tuple(int(i) for i in np.flatnonzero(res.params["features"]))
    truth = subset_cost(np.isin(np.arange(N_FEATURES), INFORMATIVE))
    print(f"{args.strategy}: cost {res.fun:.4f} with features {chosen} after {res.nfev} evals")
    print(f"the informative features {INFORMATIVE} cost {truth:.4f}")
    return res


if __name__ == "__main__":
    main()
