"""The GA examples (knapsack, TSP, mixed configuration): their references are exact, and each
runs end to end through ``nondiff.minimize`` on a small budget."""

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

import knapsack  # noqa: E402
import mixed_config  # noqa: E402
import tsp  # noqa: E402


@pytest.mark.parametrize("seed", range(5))
def test_knapsack_dp_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    w, v = rng.integers(1, 20, 10), rng.integers(1, 30, 10)
    cap = int(w.sum() // 2)
    brute = max(int(np.array(b) @ v) for b in itertools.product([0, 1], repeat=10)
                if np.array(b) @ w <= cap)
    assert knapsack.dp_optimum(w, v, cap) == brute


def test_knapsack_repair_equals_greedy_loop():
    w, v, cap = knapsack.instance(30)
    take = np.random.default_rng(1).random((200, 30)) < 0.8
    fixed = knapsack.make_repair(w, v, cap)({"take": take.copy()})["take"]
    expected = take.copy()
    for i in np.argsort(v / w):  # the plain loop the vectorized repair replaces
        expected[expected @ w > cap, i] = False
    assert np.array_equal(fixed, expected) and (fixed @ w <= cap).all()


@pytest.mark.parametrize("repair", [False, True])
def test_knapsack_example_runs_feasible(repair):
    take, value, optimum, (w, v, cap) = knapsack.solve(budget=1500, seed=0, repair=repair)
    assert take @ w <= cap and value == take @ v and 0.8 * optimum <= value <= optimum


def test_tsp_reference_is_a_two_opt_local_optimum():
    dist = tsp.distances(tsp.cities(15, seed=3))
    tour = tsp.nn_two_opt(dist, 0)
    base = tsp.tour_lengths(dist, tour[None])[0]
    for i, j in itertools.combinations(range(15), 2):
        moved = tour.copy()
        moved[i : j + 1] = moved[i : j + 1][::-1]
        assert tsp.tour_lengths(dist, moved[None])[0] >= base - 1e-12


@pytest.mark.parametrize("memetic", [False, True])
def test_tsp_example_finds_exact_optimum_of_small_instance(memetic):
    dist = tsp.distances(tsp.cities(8))
    exact = min(tsp.tour_lengths(dist, np.array([(0,) + p]))[0]
                for p in itertools.permutations(range(1, 8)))
    res, reference = tsp.solve(8, budget=3000, seed=0, memetic=memetic)
    assert res.fun == pytest.approx(exact) and reference >= exact - 1e-12


def test_mixed_config_features_and_exact_fit():
    x = np.linspace(-1, 1, 50)
    # A cubic is fitted exactly by 4 Chebyshev features with a tiny ridge penalty.
    y = 2 * x**3 - x + 0.5
    err = mixed_config.validation_error("poly", 4, 1e-12, 1.0, ((x, y), (x[::3], y[::3])))
    assert err < 1e-16
    for basis in ("poly", "fourier", "rbf"):
        assert mixed_config.features(x, basis, 7, 0.5).shape == (50, 7)


def test_mixed_config_example_runs():
    ga, rnd = mixed_config.solve(budget=200, seed=0)
    assert ga.nfev == 200 and rnd.nfev == 200 and np.isfinite(ga.fun)
    assert set(ga.params) == set(mixed_config.SPACE.names)
