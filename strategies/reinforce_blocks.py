"""The per-type search distributions of the ``reinforce`` strategy.

A block owns some columns of the space's unit-cube vector and a distribution over the values
behind them: it initializes its parameters, samples a generation, writes the samples into the
vector matrix through the parameters' own encoders, gives the log-density of samples (in the
autodiff numpy, so the engine differentiates it) and says when it has collapsed.
"""

from __future__ import annotations

import numpy as np

import nondiff.autodiff.numpy as anp
from nondiff.stochastic.distributions import Bernoulli, Categorical, Normal, PlackettLuce

__all__ = ["build_blocks"]

_LOGIT_RANGE = 20.0  # logits are kept within this distance: probabilities never reach 0 or 1


class GaussianBlock:
    """Diagonal Gaussian over unit-cube columns (reals, arrays, wide integers); clipped into
    the cube when written, while the density is that of the unclipped draw."""

    key = "gauss"

    def __init__(self, cols: np.ndarray, sigma0: float):
        self.cols, self.sigma0 = cols, sigma0

    def init(self) -> dict:
        d = len(self.cols)
        return {"mu": np.full(d, 0.5), "log_sigma": np.full(d, np.log(self.sigma0))}

    def sample(self, theta, rng, k):
        sigma = np.exp(theta["log_sigma"])
        return theta["mu"] + sigma * rng.standard_normal((k, len(self.cols)))  # N(mu, sigma^2)

    def write(self, X, y) -> None:
        X[:, self.cols] = np.clip(y, 0.0, 1.0)

    def log_prob(self, theta, y):
        return anp.sum(Normal(theta["mu"], anp.exp(theta["log_sigma"])).log_prob(y), axis=-1)

    def clamp(self, theta) -> None:
        theta["mu"] = np.clip(theta["mu"], -0.5, 1.5)
        theta["log_sigma"] = np.clip(theta["log_sigma"], np.log(1e-12), np.log(2.0))

    def collapsed(self, theta, tol) -> bool:
        return bool(np.exp(theta["log_sigma"]).max() < tol)

    def degenerate(self, theta, y) -> bool:
        return bool(np.exp(theta["log_sigma"]).max() < 1e-4)


def _all_rows_equal(draw) -> bool:
    draw = np.asarray(draw)
    return bool(np.all(draw == draw[:1]))


class CategoricalBlock:
    """Categorical over the values of one categorical or small-range integer parameter."""

    def __init__(self, name, param, n_values: int, offset: int, cols: slice):
        self.key, self.param, self.n, self.offset, self.cols = f"cat:{name}", param, n_values, \
            offset, cols

    def init(self) -> dict:
        return {"logits": np.zeros(self.n)}

    def sample(self, theta, rng, k):
        return Categorical(theta["logits"]).sample(rng, (k,))

    def write(self, X, idx) -> None:
        X[:, self.cols] = self.param.encode(idx + self.offset)

    def log_prob(self, theta, idx):
        return Categorical(theta["logits"]).log_prob(idx)

    def degenerate(self, theta, idx) -> bool:
        return _all_rows_equal(idx)

    def clamp(self, theta) -> None:
        z = theta["logits"] - theta["logits"].max()
        theta["logits"] = np.maximum(z, -_LOGIT_RANGE)

    def collapsed(self, theta, tol) -> bool:
        z = theta["logits"] - theta["logits"].max()
        return bool(np.exp(z).sum() - 1.0 < tol)


class BernoulliBlock:
    """Independent Bernoullis over every bit of every Bits parameter."""

    key = "bits"

    def __init__(self, params: list, slices: list, sizes: list):
        self.params, self.slices, self.sizes = params, slices, sizes
        self.bounds = np.cumsum([0, *sizes])

    def init(self) -> dict:
        return {"logits": np.zeros(self.bounds[-1])}

    def sample(self, theta, rng, k):
        return Bernoulli(theta["logits"]).sample(rng, (k,))

    def write(self, X, z) -> None:
        for p, s, a, b in zip(self.params, self.slices, self.bounds[:-1], self.bounds[1:]):
            X[:, s] = p.encode(z[:, a:b] > 0.5)

    def log_prob(self, theta, z):
        return anp.sum(Bernoulli(theta["logits"]).log_prob(z), axis=-1)

    def degenerate(self, theta, z) -> bool:
        return _all_rows_equal(z)

    def clamp(self, theta) -> None:
        theta["logits"] = np.clip(theta["logits"], -_LOGIT_RANGE, _LOGIT_RANGE)

    def collapsed(self, theta, tol) -> bool:
        return bool(np.all(np.abs(theta["logits"]) > -np.log(tol)))


class PermutationBlock:
    """Plackett-Luce over the orders of one Permutation parameter."""

    def __init__(self, name, param, cols: slice):
        self.key, self.param, self.cols = f"perm:{name}", param, cols

    def init(self) -> dict:
        return {"scores": np.zeros(self.param.n)}

    def sample(self, theta, rng, k):
        return PlackettLuce(theta["scores"]).sample(rng, (k,))

    def write(self, X, perm) -> None:
        X[:, self.cols] = self.param.encode(perm)

    def log_prob(self, theta, perm):
        return PlackettLuce(theta["scores"]).log_prob(perm)

    def degenerate(self, theta, perm) -> bool:
        return _all_rows_equal(perm)

    def clamp(self, theta) -> None:
        # only centred: ordering n items surely needs a spread that grows with n, so a fixed
        # range would keep the middle of the order random forever
        theta["scores"] = theta["scores"] - theta["scores"].mean()

    def collapsed(self, theta, tol) -> bool:
        gaps = np.diff(np.sort(theta["scores"]))
        return bool(gaps.size == 0 or gaps.min() > -np.log(tol))


def build_blocks(space, max_categories: int, sigma0: float) -> list:
    """One block per discrete parameter, one Gaussian for all continuous columns, one
    Bernoulli for all bits."""
    blocks, gauss_cols, bits = [], [], ([], [], [])
    for name in space.names:
        p, s = space[name], space.slices[name]
        if p.kind == "categorical":
            blocks.append(CategoricalBlock(name, p, len(p.choices), 0, s))
        elif p.kind == "integer" and p.hi - p.lo + 1 <= max_categories:
            blocks.append(CategoricalBlock(name, p, p.hi - p.lo + 1, p.lo, s))
        elif p.kind == "bits":
            for part, value in zip(bits, (p, s, p.n)):
                part.append(value)
        elif p.kind == "permutation":
            blocks.append(PermutationBlock(name, p, s))
        else:  # real, array, wide integer
            gauss_cols.extend(range(s.start, s.stop))
    if bits[0]:
        blocks.append(BernoulliBlock(*bits))
    if gauss_cols:
        blocks.append(GaussianBlock(np.array(gauss_cols), sigma0))
    return blocks
