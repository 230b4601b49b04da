"""A small network whose architecture is searched while its weights are trained.

Regression of ``y = sin(3 x0) + x1^2`` from 4 inputs (two are noise). The structure, a Space,
holds the hidden width, the activation, the depth and which inputs to use (a bit mask); the
weights, a list of dicts of arrays shaped by that structure, are trained by Adam through the
autodiff engine. :class:`nondiff.hybrid.HybridModel` runs a GA over the structure and scores
each one on held-out data, with a small price per weight.

Usage: ``python examples/hybrid_network.py [--seed 0] [--budget 24] [--steps 300]``.
"""

import argparse

import numpy as np

import nondiff.autodiff.numpy as anp
from nondiff.hybrid import HybridModel
from nondiff.space import Bits, Categorical, Integer, Space

STRUCTURE = Space(width=Integer(2, 16), depth=Integer(1, 2),
                  act=Categorical(["tanh", "relu", "sin"]), inputs=Bits(4))
ACTIVATIONS = {"tanh": anp.tanh, "relu": lambda h: anp.maximum(h, 0.0), "sin": anp.sin}


def make_data(seed, n=300):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 4))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.standard_normal(n)
    return (X[: n // 2], y[: n // 2]), (X[n // 2:], y[n // 2:])


def init(s, rng):
    """Weights for structure ``s``: ``depth`` hidden layers and a linear output."""
    sizes = [max(int(s["inputs"].sum()), 1)] + [s["width"]] * s["depth"] + [1]
    return [{"W": rng.standard_normal((a, b)) / np.sqrt(a), "b": np.zeros(b)}
            for a, b in zip(sizes[:-1], sizes[1:])]


def forward(weights, x, width, depth, act, inputs):
    h = x[:, inputs] if inputs.any() else np.zeros((len(x), 1))
    for layer in weights[:-1]:
        h = ACTIVATIONS[act](h @ layer["W"] + layer["b"])
    return (h @ weights[-1]["W"] + weights[-1]["b"])[:, 0]


def size_price(width, depth, act, inputs):
    n_in = max(int(inputs.sum()), 1)
    return 1e-4 * (n_in * width + (depth - 1) * width * width + width)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=24, help="structures tried")
    ap.add_argument("--steps", type=int, default=300, help="Adam steps per structure")
    args = ap.parse_args()
    train, val = make_data(args.seed)
    model = HybridModel(forward, init, STRUCTURE, penalty=size_price)
    model.fit(train, val_data=val, budget=args.budget, steps=args.steps, lr=0.02, search="ga",
              search_options={"popsize": 8}, seed=args.seed)
    s = model.structure_
    print(f"best structure: width {s['width']}, depth {s['depth']}, activation {s['act']}, "
          f"inputs {np.flatnonzero(s['inputs']).tolist()}")
    print(f"validation score {model.score_:.4f} after {len(model.history_)} structures, "
          f"{model.nfev_} loss evaluations, {model.njev_} gradients")


if __name__ == "__main__":
    main()
