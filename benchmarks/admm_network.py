"""Gradient-free ADMM training of a ReLU network (Taylor et al. 2016) beside Adam on autodiff.

Data: scikit-learn's bundled digits (8x8 images, 10 classes, 1797 samples; the benchmark venv
``/work/venv-admm`` has scikit-learn), pixels scaled to [0, 1], a fixed random split of 1300
training and 497 test samples per seed. Network: 64 -> 128 (ReLU) -> 10, biases everywhere,
one-vs-rest hinge loss on the 10 outputs for both trainers.

- ADMM: :func:`nondiff.admm.network.train_network` (beta=0.1, gamma=10, 100 sweeps). While it
  runs, the autodiff engine's ``grad``/``value_and_grad``/``vjp`` are replaced by functions
  that raise, so the run proves that no gradient is taken.
- Adam (Kingma & Ba 2015, lr=1e-2, betas 0.9/0.999, full batch, 300 steps) on gradients from
  ``nondiff.autodiff.value_and_grad``, same initialization scale (He).

Reported: test accuracy and wall time per seed and their medians.

Run: PYTHONPATH=/work/main /work/venv-admm/bin/python benchmarks/admm_network.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import nondiff.autodiff as ad  # noqa: E402
import nondiff.autodiff.numpy as anp  # noqa: E402
from nondiff.admm.network import train_network  # noqa: E402

HIDDEN = 128


def digits(seed):
    from sklearn.datasets import load_digits

    d = load_digits()
    X, y = d.data / 16.0, d.target
    idx = np.random.default_rng(seed).permutation(len(y))
    return X[idx[:1300]], y[idx[:1300]], X[idx[1300:]], y[idx[1300:]]


@contextlib.contextmanager
def gradients_forbidden():
    """Replace the engine's gradient entry points by functions that raise."""
    saved = {name: getattr(ad, name) for name in ("grad", "value_and_grad", "vjp")}

    def refuse(*args, **kwargs):
        raise RuntimeError("a gradient was requested during gradient-free training")

    for name in saved:
        setattr(ad, name, refuse)
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(ad, name, fn)


def admm_run(seed):
    Xtr, ytr, Xte, yte = digits(seed)
    start = time.perf_counter()
    with gradients_forbidden():
        net = train_network(Xtr, ytr, (HIDDEN,), beta=0.1, gamma=10.0, iterations=100,
                            seed=seed)
    return {"test_accuracy": net.accuracy(Xte, yte), "train_accuracy": net.accuracy(Xtr, ytr),
            "seconds": time.perf_counter() - start}


def _unpack(w, n_in, n_out):
    sizes = [(HIDDEN, n_in), (HIDDEN,), (n_out, HIDDEN), (n_out,)]
    parts, k = [], 0
    for shape in sizes:
        size = int(np.prod(shape))
        parts.append(anp.reshape(w[k:k + size], shape))
        k += size
    return parts


def _forward(w, X, n_out):
    W1, b1, W2, b2 = _unpack(w, X.shape[1], n_out)
    h = anp.maximum(anp.dot(X, anp.transpose(W1)) + b1, 0.0)
    return anp.dot(h, anp.transpose(W2)) + b2


def adam_run(seed, steps=300, lr=1e-2):
    Xtr, ytr, Xte, yte = digits(seed)
    Y = np.eye(10)[ytr]

    def loss(w):
        out = _forward(w, Xtr, 10)
        return anp.sum(anp.where(Y > 0.5, anp.maximum(1.0 - out, 0.0),
                                 anp.maximum(out, 0.0))) / Xtr.shape[0]

    rng = np.random.default_rng(seed)
    n_in = Xtr.shape[1]
    w = np.concatenate([rng.standard_normal(HIDDEN * n_in) * np.sqrt(2 / n_in),
                        np.zeros(HIDDEN), rng.standard_normal(10 * HIDDEN) * np.sqrt(2 / HIDDEN),
                        np.zeros(10)])
    m, v = np.zeros_like(w), np.zeros_like(w)
    value_and_grad = ad.value_and_grad(loss)
    start = time.perf_counter()
    for t in range(1, steps + 1):  # Adam, Kingma & Ba (2015), Algorithm 1
        _, g = value_and_grad(w)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    seconds = time.perf_counter() - start

    def accuracy(X, y):
        return float((np.asarray(_forward(w, X, 10)).argmax(axis=1) == y).mean())

    return {"test_accuracy": accuracy(Xte, yte), "train_accuracy": accuracy(Xtr, ytr),
            "seconds": seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = {"admm": [admm_run(s) for s in range(args.repeats)],
            "adam": [adam_run(s) for s in range(args.repeats)]}
    print(json.dumps(rows, indent=1))
    for name, runs in rows.items():
        med = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
        print(f"{name} (medians over {args.repeats} seeds):", json.dumps(med))


if __name__ == "__main__":
    main()
