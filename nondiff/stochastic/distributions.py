"""Distributions whose ``log_prob`` is written with the autodiff numpy, so the engine
differentiates it with respect to the distribution's parameters.

Shapes follow the usual convention: ``sample(rng, shape)`` returns ``shape + batch_shape``
(+ the event axis for permutations), where ``batch_shape`` is the broadcast shape of the
parameters. ``log_prob`` is elementwise over the batch (summed over the event axis for
Plackett-Luce). Sampling reads plain values only; the parameters may be traced.
"""

from __future__ import annotations

import math

import numpy as np

import nondiff.autodiff.numpy as anp
from nondiff.autodiff.numpy.special import log_softmax, logsumexp
from nondiff.autodiff.tracer import getval

__all__ = ["Bernoulli", "Categorical", "Normal", "PlackettLuce"]

_LOG_2PI = math.log(2 * math.pi)


def _shape(shape) -> tuple:
    return (shape,) if isinstance(shape, int) else tuple(shape)


class Bernoulli:
    """Bernoulli over {0, 1} with ``logits`` (log-odds of 1); ``probs`` is derived."""

    reparameterizable = False

    def __init__(self, logits):
        self.logits = logits

    @property
    def probs(self):
        return 1.0 / (1.0 + anp.exp(-self.logits))

    def sample(self, rng, shape=()) -> np.ndarray:
        logits = np.asarray(getval(self.logits), dtype=float)
        p = 1.0 / (1.0 + np.exp(-logits))
        return (rng.random(_shape(shape) + p.shape) < p).astype(float)

    def log_prob(self, value):
        # z * logit - log(1 + e^logit), stable through logaddexp
        return value * self.logits - anp.logaddexp(0.0, self.logits)


class Categorical:
    """Categorical over ``0..k-1`` with ``logits`` on the last axis."""

    reparameterizable = False

    def __init__(self, logits):
        self.logits = logits

    @property
    def probs(self):
        return anp.exp(log_softmax(self.logits, axis=-1))

    def sample(self, rng, shape=()) -> np.ndarray:
        logits = np.asarray(getval(self.logits), dtype=float)
        # Gumbel-max: argmax(logits + Gumbel noise) ~ Categorical(softmax(logits))
        g = rng.gumbel(size=_shape(shape) + logits.shape)
        return np.argmax(logits + g, axis=-1)

    def log_prob(self, value):
        logp = log_softmax(self.logits, axis=-1)
        idx = np.asarray(value, dtype=np.int64)[..., None]
        full = anp.broadcast_to(logp, idx.shape[:-1] + (np.shape(getval(logp))[-1],))
        return anp.take_along_axis(full, idx, axis=-1)[..., 0]


class Normal:
    """Normal with ``loc`` and ``scale``; ``rsample`` is the pathwise (reparameterized) draw."""

    reparameterizable = True

    def __init__(self, loc, scale):
        self.loc, self.scale = loc, scale

    def _noise(self, rng, shape):
        batch = np.broadcast_shapes(np.shape(getval(self.loc)), np.shape(getval(self.scale)))
        return rng.standard_normal(_shape(shape) + batch)

    def sample(self, rng, shape=()) -> np.ndarray:
        loc, scale = getval(self.loc), getval(self.scale)
        return loc + scale * self._noise(rng, shape)

    def rsample(self, rng, shape=()):
        """loc + scale * eps with eps ~ N(0, 1): differentiable in loc and scale."""
        return self.loc + self.scale * self._noise(rng, shape)

    def log_prob(self, value):
        z = (value - self.loc) / self.scale
        return -0.5 * z * z - anp.log(self.scale) - 0.5 * _LOG_2PI


class PlackettLuce:
    """Plackett-Luce over permutations of ``n`` items with log-weights ``scores`` (last axis).

    A permutation lists items best first; P(pi) = prod_i exp(s[pi_i]) / sum_{j>=i} exp(s[pi_j])
    (Plackett 1975). Sampling sorts Gumbel-perturbed scores (Yellott 1977).
    """

    reparameterizable = False

    def __init__(self, scores):
        self.scores = scores

    def sample(self, rng, shape=()) -> np.ndarray:
        s = np.asarray(getval(self.scores), dtype=float)
        keys = s + rng.gumbel(size=_shape(shape) + s.shape)
        return np.argsort(-keys, axis=-1, kind="stable")

    def log_prob(self, value):
        perm = np.asarray(value, dtype=np.int64)
        n = perm.shape[-1]
        full = anp.broadcast_to(self.scores, perm.shape)
        ordered = anp.take_along_axis(full, perm, axis=-1)
        # suffix log-sum-exp: row i of the mask keeps positions j >= i
        mask = np.triu(np.ones((n, n), dtype=bool))
        expanded = anp.where(mask, ordered[..., None, :], -np.inf)
        return anp.sum(ordered - logsumexp(expanded, axis=-1), axis=-1)
