"""Unbiasedness and variance of the score-function estimators against exact answers."""

import itertools

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import grad
from nondiff.stochastic import (
    Bernoulli,
    Categorical,
    Estimator,
    MovingAverage,
    NoBaseline,
    Normal,
    estimate_grad,
    run,
    sample,
)

THETA = np.linspace(-2.5, 2.5, 20)
P = 1.0 / (1.0 + np.exp(-THETA))
EXACT = 0.1 * P * (1 - P)  # d/dtheta of E[(z - 0.45)^2] = 0.2025 + 0.1 p
REPLICATES, K = 200_000, 4


def toy(theta):
    z = sample(Bernoulli(theta), name="z")
    return anp.sum((z - 0.45) ** 2, axis=-1)


class OwnValue(NoBaseline):
    """Deliberately biased: the baseline is the sample's own cost."""

    def compute(self, f, theta):
        return f


def replicate_grads(baseline, seed=0, warmup=False, replicates=REPLICATES):
    """Independent K=4 estimates all at once: theta tiled along a replicate axis."""
    est = Estimator(toy, K, baseline=baseline, seed=seed, vectorized=True)
    tiled = np.tile(THETA, (replicates, 1))
    if warmup:  # the moving average learns from earlier batches only
        for _ in range(4):
            est(tiled)
    return est(tiled).grad


def z_scores(g):
    with np.errstate(divide="ignore"):  # a zero-variance (biased) estimator gives inf
        return np.abs(g.mean(axis=0) - EXACT) / (g.std(axis=0, ddof=1) / np.sqrt(len(g)))


@pytest.mark.parametrize("baseline", ["none", "rloo", "moving-average", lambda th: 4.5])
def test_every_estimator_is_unbiased_within_5_standard_errors(baseline):
    warm = baseline == "moving-average"
    g = replicate_grads(MovingAverage(0.5) if warm else baseline, warmup=warm)
    assert g.shape == (REPLICATES, 20)
    assert z_scores(g).max() < 5


def test_a_biased_baseline_fails_the_same_test():
    assert z_scores(replicate_grads(OwnValue())).max() > 5


def test_rloo_and_moving_average_cut_the_joint_variance_below_half_a_percent():
    n = 50_000
    plain = replicate_grads("none", replicates=n).var(axis=0).sum()
    rloo = replicate_grads("rloo", seed=1, replicates=n).var(axis=0).sum()
    ma = replicate_grads(MovingAverage(0.5), seed=2, warmup=True, replicates=n)
    ma = ma.var(axis=0).sum()
    assert rloo / plain < 0.005 and ma / plain < 0.005


def branching_program(theta):
    """Control flow on discrete draws plus a reparameterized Normal; 2 x 3 x 3 outcomes."""
    first = sample(Bernoulli(theta["gate"]), name="gate")
    if first:
        k = int(sample(Categorical(theta["left"]), name="left"))
    else:
        k = int(sample(Categorical(theta["right"]), name="right"))
    x = sample(Normal(theta["mu"], 0.5), name="x")
    m = int(sample(Categorical(theta["tail"]), name="tail"))
    return (x - k) ** 2 + 0.5 * m * k + 1.0 * first


def exact_expectation(theta):
    """E over every discrete outcome; the Normal part in closed form E(x-k)^2 = (mu-k)^2+s^2."""
    pg = 1.0 / (1.0 + anp.exp(-theta["gate"]))
    total = 0.0
    for first, k, m in itertools.product((0, 1), range(3), range(3)):
        branch = theta["left"] if first else theta["right"]
        pk = anp.exp(branch[k] - anp.log(anp.sum(anp.exp(branch))))
        pm = anp.exp(theta["tail"][m] - anp.log(anp.sum(anp.exp(theta["tail"]))))
        pf = pg if first else 1.0 - pg
        cost = (theta["mu"] - k) ** 2 + 0.25 + 0.5 * m * k + 1.0 * first
        total = total + pf * pk * pm * cost
    return total


def test_mixed_program_matches_exact_enumeration():
    theta = {"gate": np.array(0.3), "left": np.array([0.2, -0.4, 0.9]),
             "right": np.array([-0.5, 0.1, 0.3]), "mu": np.array(0.7),
             "tail": np.array([0.0, 0.5, -0.5])}
    exact = grad(exact_expectation)(theta)
    est = Estimator(branching_program, 8, baseline="rloo", seed=3)
    reps = [est(theta).grad for _ in range(600)]
    for key in theta:
        g = np.array([r[key] for r in reps]).reshape(len(reps), -1)
        se = g.std(axis=0, ddof=1) / np.sqrt(len(g))
        assert np.all(np.abs(g.mean(axis=0) - np.ravel(exact[key])) < 5 * se + 1e-12), key


def test_value_is_the_mean_cost_and_runs_are_seeded():
    a = estimate_grad(toy, THETA, 64, seed=5, vectorized=True)
    b = estimate_grad(toy, THETA, 64, seed=5, vectorized=True)
    assert np.array_equal(a.grad, b.grad) and a.value == pytest.approx(a.values.mean())
    value, sites = run(toy, THETA, seed=1)
    assert [s.name for s in sites] == ["z"] and np.shape(value) == ()


def test_sample_outside_a_trace_is_a_clear_error():
    with pytest.raises(RuntimeError, match="outside a stochastic trace"):
        toy(THETA)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n_samples"):
        Estimator(toy, 0)
    with pytest.raises(ValueError, match="unknown baseline 'nope'"):
        Estimator(toy, 4, baseline="nope")
    with pytest.raises(ValueError, match="n_samples >= 2"):
        estimate_grad(toy, THETA, 1, vectorized=True)


def sgd_all_below(baseline, seeds=5, steps=2000, lr=0.5):
    """Plain SGD on the toy, the 5 seeds as replicate rows; True per seed if all p_i < 0.05."""
    theta = np.tile(THETA, (seeds, 1))
    est = Estimator(toy, K, baseline=baseline, seed=11, vectorized=True)
    for _ in range(steps):
        theta = theta - lr * est(theta).grad
    return np.all(1.0 / (1.0 + np.exp(-theta)) < 0.05, axis=1)


def test_sgd_with_rloo_solves_the_toy_and_plain_score_function_does_not():
    assert sgd_all_below("rloo").all()
    assert not sgd_all_below("none").all()
