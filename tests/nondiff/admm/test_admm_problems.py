"""Nonconvex front-ends against brute force, and consensus ADMM against the pooled problem,
run in this process, on a thread pool, a process pool and a small Dask cluster."""

import itertools
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from nondiff.admm import L1, LeastSquares, SquaredL2
from nondiff.admm.consensus import Separable, consensus
from nondiff.admm.problems import (
    cardinality_least_squares,
    lambda_max,
    lasso,
    mixed_integer_least_squares,
)


def brute_force_cardinality(D, b, k):
    best = np.inf
    for support in itertools.combinations(range(D.shape[1]), k):
        cols = list(support)
        w = np.linalg.lstsq(D[:, cols], b, rcond=None)[0]
        best = min(best, 0.5 * np.sum((D[:, cols] @ w - b) ** 2))
    return best


def test_cardinality_heuristic_is_near_the_brute_force_optimum():
    rng = np.random.default_rng(1)
    D = rng.standard_normal((20, 10))
    x = np.zeros(10)
    x[[1, 4, 7]] = [2.0, -1.5, 1.0]
    b = D @ x + 0.3 * rng.standard_normal(20)
    best = brute_force_cardinality(D, b, 3)
    res = cardinality_least_squares(D, b, 3, restarts=10, seed=0)
    assert np.count_nonzero(res.x) <= 3
    assert res.fun <= 1.05 * best
    assert res.fun == pytest.approx(0.5 * np.sum((D @ res.x - b) ** 2))


def test_mixed_integer_heuristic_is_near_the_brute_force_optimum():
    rng = np.random.default_rng(2)
    D = rng.standard_normal((15, 5))
    integer = np.array([True, True, True, False, False])
    b = D @ np.array([1.0, -2.0, 0.0, 0.4, -0.7]) + 0.5 * rng.standard_normal(15)
    best = np.inf
    for ints in itertools.product(range(-3, 4), repeat=3):  # exact over the integer box
        rhs = b - D[:, :3] @ np.array(ints, dtype=float)
        w = np.linalg.lstsq(D[:, 3:], rhs, rcond=None)[0]
        best = min(best, 0.5 * np.sum((D[:, 3:] @ w - rhs) ** 2))
    res = mixed_integer_least_squares(D, b, integer, lo=-3, hi=3, restarts=10, seed=0)
    assert np.all(res.x[:3] == np.rint(res.x[:3])) and np.all(np.abs(res.x[:3]) <= 3)
    assert res.fun <= 1.05 * best


def test_restarts_are_reproducible_and_validated():
    rng = np.random.default_rng(3)
    D, b = rng.standard_normal((12, 6)), rng.standard_normal(12)
    a = cardinality_least_squares(D, b, 2, restarts=3, seed=5)
    c = cardinality_least_squares(D, b, 2, restarts=3, seed=5)
    np.testing.assert_array_equal(a.x, c.x)
    with pytest.raises(ValueError, match="restarts"):
        cardinality_least_squares(D, b, 2, restarts=0)


def shards(m=90, n=8, parts=3, seed=4):
    rng = np.random.default_rng(seed)
    D, b = rng.standard_normal((m, n)), rng.standard_normal(m)
    size = m // parts
    terms = [LeastSquares(D[i * size:(i + 1) * size], b[i * size:(i + 1) * size])
             for i in range(parts)]
    return D, b, terms


TIGHT = {"eps_abs": 1e-10, "eps_rel": 1e-10, "max_iter": 2000}


def test_consensus_matches_the_pooled_lasso():
    D, b, terms = shards()
    lam = 0.2 * lambda_max(D, b)
    pooled = lasso(D, b, lam, **TIGHT)
    res = consensus(terms, L1(lam), **TIGHT)
    assert res.success and res.x_shards.shape == (3, 8)
    np.testing.assert_allclose(res.x, pooled.x, atol=1e-7)


def test_consensus_without_regularizer_is_least_squares():
    D, b, terms = shards(seed=6)
    res = consensus(terms, **TIGHT)
    np.testing.assert_allclose(res.x, np.linalg.lstsq(D, b, rcond=None)[0], atol=1e-7)


@pytest.mark.parametrize("pool", [ThreadPoolExecutor, ProcessPoolExecutor])
def test_consensus_on_executors_gives_the_same_iterates(pool):
    D, b, terms = shards(seed=7)
    serial = consensus(terms, SquaredL2(0.5), max_iter=40)
    with pool(2) as executor:
        parallel = consensus(terms, SquaredL2(0.5), executor=executor, max_iter=40)
    # workers get fresh copies of the shards, so they factor anew (same math, other rounding)
    np.testing.assert_allclose(serial.x, parallel.x, rtol=0, atol=1e-9)
    assert abs(serial.nit - parallel.nit) <= 1


def test_consensus_on_a_dask_local_cluster():
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    D, b, terms = shards(seed=8)
    serial = consensus(terms, L1(1.0), max_iter=40)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        res = consensus(terms, L1(1.0), executor=client.get_executor(), max_iter=40)
    np.testing.assert_allclose(serial.x, res.x, rtol=0, atol=1e-9)


def test_separable_validation():
    with pytest.raises(ValueError, match="at least one"):
        Separable([], 3)
    with pytest.raises(TypeError, match="executor"):
        Separable([LeastSquares(np.eye(2), np.ones(2))], 2, executor=object())
