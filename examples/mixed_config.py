"""A mixed configuration (categorical + integer + reals) tuned by the genetic algorithm.

Fit a noisy 1-D signal piecewise: each of four segments of [-1, 1] gets its own ridge
regression on a family of basis functions, and the configuration with the lowest total
validation error wins. Each segment ``i`` has four parameters, 16 in all:

- ``basis{i}``: which features (``"poly"`` Chebyshev polynomials, ``"fourier"`` sines and
  cosines, ``"rbf"`` Gaussian bumps), a categorical;
- ``size{i}``: how many features, an integer from 1 to 12;
- ``alpha{i}``: the ridge penalty, a real on a log scale from 1e-8 to 10;
- ``width{i}``: the frequency scale / bump width, a real from 0.05 to 2.

The validation error jumps when a basis or a size changes, so there is no gradient to follow;
random search must get all four segments right at once, while crossover can combine good
segments from different parents. The GA handles each kind with its own operators (uniform
crossover and resampling for the categoricals, creep mutation for the integers, SBX and
polynomial mutation for the reals, the log-scale ones in log coordinates). Random search with
the same budget is run for comparison.

Run with ``python examples/mixed_config.py [--budget 2000] [--seed 0]``.
"""

from __future__ import annotations

import argparse

import numpy as np

import nondiff as nd
from nondiff import seeding

SEGMENTS = 4
SPACE = nd.Space({
    f"{name}{i}": param
    for i in range(SEGMENTS)
    for name, param in (
        ("basis", nd.Categorical(["poly", "fourier", "rbf"])),
        ("size", nd.Integer(1, 12)),
        ("alpha", nd.Real(1e-8, 10.0, log=True)),
        ("width", nd.Real(0.05, 2.0)),
    )
})


def data(seed: int = 7, n: int = 400):
    """A seeded signal with a kink and noise, split into training and validation halves."""
    rng = seeding.as_generator(seed)
    x = np.sort(rng.uniform(-1, 1, n))
    y = np.sin(3 * x) + 0.5 * np.abs(x - 0.3) + 0.1 * rng.standard_normal(n)
    return (x[::2], y[::2]), (x[1::2], y[1::2])


def features(x, basis, size, width):
    k = np.arange(size)
    if basis == "poly":
        return np.polynomial.chebyshev.chebvander(x, size - 1)
    if basis == "fourier":
        # Alternating cosines and sines of increasing frequency, scaled by width.
        freq = (k // 2 + 1) * np.pi / width
        return np.where(k % 2 == 0, np.cos(freq * x[:, None]), np.sin(freq * x[:, None]))
    centres = np.linspace(-1, 1, size)
    return np.exp(-(((x[:, None] - centres) / width) ** 2))


def validation_error(basis, size, alpha, width, split):
    """Mean squared validation error of ridge regression with one configuration."""
    (xt, yt), (xv, yv) = split
    A = features(xt, basis, size, width)
    coef = np.linalg.solve(A.T @ A + alpha * np.eye(size), A.T @ yt)
    return float(np.mean((features(xv, basis, size, width) @ coef - yv) ** 2))


def segments(split):
    """The split cut into SEGMENTS pieces of [-1, 1], each rescaled to [-1, 1]."""
    edges = np.linspace(-1, 1, SEGMENTS + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        part = []
        for x, y in split:
            inside = (x >= lo) & (x < hi)
            part.append(((x[inside] - lo) / (hi - lo) * 2 - 1, y[inside]))
        out.append(tuple(part))
    return out


def piecewise_error(pieces, **params):
    """Total validation error of the four segment models."""
    return sum(
        validation_error(params[f"basis{i}"], params[f"size{i}"], params[f"alpha{i}"],
                         params[f"width{i}"], piece)
        for i, piece in enumerate(pieces)
    )


def solve(budget=2000, seed=0):
    """GA and random search with the same budget; returns both results."""
    pieces = segments(data())

    def objective(**params):
        return piecewise_error(pieces, **params)

    ga = nd.minimize(objective, SPACE, "ga", budget=budget, seed=seed,
                     strategy_options=dict(popsize=40))
    rnd = nd.minimize(objective, SPACE, "random", budget=budget, seed=seed)
    return ga, rnd


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    ga, rnd = solve(args.budget, args.seed)
    for name, res in (("ga", ga), ("random", rnd)):
        print(f"{name:>6}: total validation MSE {res.fun:.5f}")
    for i in range(SEGMENTS):
        keys = [f"{k}{i}" for k in ("basis", "size", "alpha", "width")]
        print(f"  segment {i}:", {k[:-1]: ga.params[k] for k in keys})
    return ga, rnd


if __name__ == "__main__":
    main()
