"""Hypergradient accuracy: unrolled SGD against finite differences, SGD-HD against its closed form.

1. On a 4-D quadratic train loss and a different quadratic validation loss, the hypergradient
   d(validation loss)/d(lr, momentum, init_scale) through T=100 unrolled steps of SGD with
   momentum is compared with central finite differences (steps 1e-4 .. 1e-7, the best shown)
   and, for plain SGD, with the closed form d w_T / d lr = -T A (1 - lr A)^(T-1) (w0 - B).
2. Online hypergradient descent on f(w) = a/2 (w - b)^2 is compared, step by step, with the
   scalar recurrence alpha_t = alpha_{t-1} + beta a^2 (w_{t-1} - b)(w_{t-2} - b).

It prints relative errors and the seconds of one hypergradient (median of 5).

Usage: ``python benchmarks/hybrid_hypergrad.py [--steps 100]``.
"""

import argparse
import time

import numpy as np

import nondiff.autodiff.numpy as anp
from nondiff.hybrid import hypergrad, sgd_hd, unrolled_sgd

A = np.array([1.0, 2.0, 0.5, 1.5])
B = np.array([0.3, -0.2, 1.0, 0.0])
C = np.array([1.0, 0.7, 2.0, 1.2])
D = np.array([0.2, 0.1, 0.8, -0.3])
W0 = np.array([1.0, -1.0, 0.5, 2.0])


def train(w):
    return 0.5 * anp.sum(A * (w - B) ** 2)


def val(w):
    return 0.5 * anp.sum(C * (w - D) ** 2)


def check_unrolled(steps):
    h = {"lr": 0.05, "momentum": 0.3, "init_scale": 0.8}
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        _, g = hypergrad(train, val, W0, steps=steps, **h)
        times.append(time.perf_counter() - t0)
    for name in h:
        errs = []
        for eps in (1e-4, 1e-5, 1e-6, 1e-7):
            up, down = dict(h), dict(h)
            up[name] += eps
            down[name] -= eps
            fd = (float(val(unrolled_sgd(train, W0, steps=steps, **up)))
                  - float(val(unrolled_sgd(train, W0, steps=steps, **down)))) / (2 * eps)
            errs.append(abs(g[name] - fd) / abs(fd))
        print(f"d val / d {name:10s} = {g[name]: .10e}; best relative gap to central "
              f"differences {min(errs):.1e}")
    lr = 0.05
    _, g = hypergrad(train, val, W0, lr=lr, steps=steps)
    r = 1 - lr * A
    wT = B + r**steps * (W0 - B)
    exact = np.sum(C * (wT - D) * (-steps * A * r ** (steps - 1) * (W0 - B)))
    print(f"plain SGD: d val / d lr = {g['lr']:.12e}, closed form {exact:.12e}, relative "
          f"error {abs(g['lr'] - exact) / abs(exact):.1e}")
    print(f"one hypergradient through {steps} steps: {np.median(times) * 1e3:.1f} ms (median of 5)")


def check_online(steps=200):
    a, b, beta, lr = 2.0, 0.5, 0.01, 0.05
    _, lrs = sgd_hd(lambda w: 0.5 * a * (w - b) ** 2, 3.0, lr=lr, beta=beta, steps=steps)
    w, w_prev, alpha, ref = 3.0, None, lr, []
    for _ in range(steps):
        if w_prev is not None:
            alpha += beta * a * a * (w - b) * (w_prev - b)
        w_prev, w = w, w - alpha * a * (w - b)
        ref.append(alpha)
    ref = np.array(ref)
    print(f"SGD-HD on a 1-D quadratic, {steps} steps: lr {lr} -> {lrs[-1]:.6f}; max relative "
          f"deviation from the closed-form trajectory {np.max(np.abs(lrs - ref) / ref):.1e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100)
    args = ap.parse_args()
    check_unrolled(args.steps)
    check_online()


if __name__ == "__main__":
    main()
