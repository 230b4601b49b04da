"""Gradient-based optimization of gradient-based optimization: tuning SGD by hypergradients.

Linear regression trained by 100 steps of SGD with momentum. The validation loss after
training is differentiated through the unrolled steps with respect to the learning rate, the
momentum and the initialization scale (reverse over reverse in the autodiff engine), and those
three hyperparameters follow their own gradient, in log space so they stay positive. Then
online hypergradient descent (SGD-HD) adapts the learning rate during a single run instead.

Usage: ``python examples/hybrid_hypergradient.py [--seed 0] [--outer 30]``.
"""

import argparse

import numpy as np

import nondiff.autodiff.numpy as anp
from nondiff.hybrid import hypergrad, sgd_hd


def make_data(seed, n=60, p=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2 * n, p)) * np.linspace(0.3, 2.0, p)  # badly scaled features
    w = rng.standard_normal(p)
    y = X @ w + 0.1 * rng.standard_normal(2 * n)
    return (X[:n], y[:n]), (X[n:], y[n:]), rng.standard_normal(p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--outer", type=int, default=30, help="hypergradient steps")
    args = ap.parse_args()
    (X, y), (Xv, yv), w0 = make_data(args.seed)

    def train(w):
        return anp.mean((X @ w - y) ** 2)

    def val(w):
        return anp.mean((Xv @ w - yv) ** 2)

    log_h = np.log([0.01, 0.5, 1.0])  # lr, momentum, init_scale
    for k in range(args.outer + 1):
        lr, mom, scale = np.exp(log_h)
        value, g = hypergrad(train, val, w0, lr=lr, momentum=mom, init_scale=scale, steps=100)
        if k % 10 == 0 or k == args.outer:
            print(f"step {k:3d}: validation loss {value:.5f} with lr {lr:.4f}, momentum "
                  f"{mom:.3f}, init scale {scale:.3f}")
        grad_log = np.array([g["lr"], g["momentum"], g["init_scale"]]) * np.exp(log_h)
        # a normalized step, shrinking so the iterates settle; momentum kept below 0.99
        log_h = log_h - 0.1 / np.sqrt(k + 1) * grad_log / (np.abs(grad_log).max() + 1e-12)
        log_h[1] = min(log_h[1], np.log(0.99))
    w, lrs = sgd_hd(train, w0, lr=0.001, beta=1e-4, steps=100)
    print(f"online hypergradient descent: lr 0.0010 -> {lrs[-1]:.4f} in 100 steps, "
          f"validation loss {float(val(w)):.5f}")


if __name__ == "__main__":
    main()
