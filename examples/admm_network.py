"""Train a small ReLU network without a single gradient (Taylor et al., ICML 2016).

ADMM splits the network into layers: weights by least squares, activations by a linear solve,
pre-activations by an entrywise closed form, and one dual variable on the output. The example
generates three noisy concentric rings in 2-D (not linearly separable), trains a 2-64-3 network
this way and prints the test accuracy, beside a linear classifier for reference. With
``--digits`` it uses scikit-learn's bundled digits instead (needs scikit-learn).

Run: ``python examples/admm_network.py`` (options: ``--hidden``, ``--iterations``, ``--seed``).
"""

from __future__ import annotations

import argparse

import numpy as np

from strategies.admm import train_network


def rings(n, rng):
    labels = rng.integers(0, 3, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = 1.0 + labels + 0.15 * rng.standard_normal(n)
    return np.c_[radius * np.cos(angle), radius * np.sin(angle)] / 3, labels


def load(digits, rng):
    if not digits:
        return (*rings(600, rng), *rings(300, rng))
    from sklearn.datasets import load_digits

    d = load_digits()
    idx = rng.permutation(len(d.target))
    X, y = d.data / 16.0, d.target
    return X[idx[:1300]], y[idx[:1300]], X[idx[1300:]], y[idx[1300:]]


def linear_accuracy(X, y, Xt, yt):
    w = np.linalg.lstsq(np.c_[X, np.ones(len(X))], np.eye(y.max() + 1)[y], rcond=None)[0]
    return float(((np.c_[Xt, np.ones(len(Xt))] @ w).argmax(axis=1) == yt).mean())


def main(argv=None):
    parser = argparse.ArgumentParser(description="gradient-free ADMM training of a ReLU network")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--digits", action="store_true")
    args = parser.parse_args(argv)
    X, y, Xt, yt = load(args.digits, np.random.default_rng(args.seed))
    net = train_network(X, y, (args.hidden,), iterations=args.iterations, seed=args.seed)
    print(f"ADMM-trained network: train accuracy {net.accuracy(X, y):.3f}, "
          f"test accuracy {net.accuracy(Xt, yt):.3f} (no gradients)")
    print(f"linear least-squares classifier: test accuracy {linear_accuracy(X, y, Xt, yt):.3f}")
    return net


if __name__ == "__main__":
    main()
