"""Distributions: normalized log-probabilities, sampling frequencies, exact score gradients."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nondiff.autodiff import check_grads, grad
from nondiff.stochastic import Bernoulli, Categorical, Normal, PlackettLuce

RNG = np.random.default_rng(0)


def test_bernoulli_score_and_frequencies():
    logits = np.array([-1.5, 0.0, 2.0])
    p = 1 / (1 + np.exp(-logits))
    z = np.array([1.0, 0.0, 1.0])
    assert np.allclose(grad(lambda t: Bernoulli(t).log_prob(z).sum())(logits), z - p)
    freq = Bernoulli(logits).sample(np.random.default_rng(1), (40_000,)).mean(axis=0)
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / 40_000))


def test_categorical_is_normalized_and_samples_its_probabilities():
    logits = np.array([0.3, -1.0, 1.2, 0.0])
    c = Categorical(logits)
    assert np.exp(c.log_prob(np.arange(4))).sum() == pytest.approx(1.0)
    p = np.exp(logits) / np.exp(logits).sum()
    freq = np.bincount(c.sample(np.random.default_rng(2), (40_000,)), minlength=4) / 40_000
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / 40_000))
    k = np.array([2, 0])
    onehot = np.eye(4)[k].sum(axis=0)
    assert np.allclose(grad(lambda t: Categorical(t).log_prob(k).sum())(logits), onehot - 2 * p)


@given(arrays(np.float64, st.integers(2, 5), elements=st.floats(-3, 3)))
@settings(max_examples=30, deadline=None)
def test_plackett_luce_sums_to_one_over_all_permutations(scores):
    n = len(scores)
    perms = np.array(list(itertools.permutations(range(n))))
    assert np.exp(PlackettLuce(scores).log_prob(perms)).sum() == pytest.approx(1.0)


def test_plackett_luce_first_item_frequencies_and_gradients():
    s = np.array([0.5, -0.3, 1.0, 0.0])
    perms = PlackettLuce(s).sample(np.random.default_rng(3), (40_000,))
    assert all(sorted(p) == [0, 1, 2, 3] for p in perms[:200])
    p_first = np.exp(s) / np.exp(s).sum()
    freq = np.bincount(perms[:, 0], minlength=4) / 40_000
    assert np.all(np.abs(freq - p_first) < 5 * np.sqrt(p_first * (1 - p_first) / 40_000))
    perm = np.array([2, 0, 3, 1])
    check_grads(lambda t: PlackettLuce(t).log_prob(perm), modes=("rev",), order=1)(s)


def test_normal_density_and_pathwise_sample():
    mu, sigma = np.array([0.5, -1.0]), np.array([2.0, 0.3])
    x = np.array([1.0, -1.2])
    expected = -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * np.log(2 * np.pi)
    assert np.allclose(Normal(mu, sigma).log_prob(x), expected)
    # d/dmu of E[rsample] is 1 whatever the noise: the pathwise draw carries the gradient
    g = grad(lambda m: Normal(m, sigma).rsample(np.random.default_rng(4), (5,)).sum())(mu)
    assert np.allclose(g, 5.0)
