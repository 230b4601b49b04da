"""Prox operators against independent oracles: the defining minimization checked on random
perturbations, the Moreau identity, brute force for the nonconvex sets, and hand values."""

import itertools

import numpy as np
import pytest

from nondiff.admm import prox as P
from nondiff.admm.linear import Identity, Matrix, Stack

RNG = np.random.default_rng(0)


def prox_objective(term, v, t):
    return lambda x: term(x) + np.sum((x - v) ** 2) / (2 * t)


def assert_is_minimizer(term, v, t, candidates):
    """The prox beats every candidate point on the prox objective (up to round-off)."""
    phi = prox_objective(term, v, t)
    best = phi(term.prox(v, t))
    assert np.isfinite(best)
    values = np.array([phi(c) for c in candidates])
    assert np.all(best <= values + 1e-12), (best, values.min())


def nearby(x, n=400, scale=0.3):
    return x + scale * RNG.standard_normal((n, x.size)) * RNG.random((n, 1))


CONVEX = [P.L1(0.7), P.L2(0.9), P.SquaredL2(1.3), P.ElasticNet(0.5, 0.8), P.Zero()]


@pytest.mark.parametrize("term", CONVEX, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("t", [0.1, 1.0, 3.0])
def test_convex_prox_minimizes_the_prox_objective(term, t):
    v = RNG.standard_normal(6) * 2
    assert_is_minimizer(term, v, t, nearby(term.prox(v, t)))


def test_l1_hand_values_and_moreau_identity():
    v, t = np.array([3.0, -0.5, 1.0, -2.0]), 0.5
    np.testing.assert_allclose(P.L1(2.0).prox(v, t), [2.0, 0.0, 0.0, -1.0])
    # Moreau: v = prox_{t g}(v) + t prox_{g*/t}(v/t); g* is the indicator of |y| <= lam
    lam = 2.0
    np.testing.assert_allclose(P.L1(lam).prox(v, t) + t * np.clip(v / t, -lam, lam), v)


def test_l2_moreau_identity_with_ball_projection():
    v, t, lam = np.array([3.0, 4.0]), 0.5, 2.0
    y = v / t
    ball = y if np.linalg.norm(y) <= lam else lam * y / np.linalg.norm(y)
    np.testing.assert_allclose(P.L2(lam).prox(v, t) + t * ball, v)
    np.testing.assert_allclose(P.L2(lam).prox(np.array([0.1, 0.1]), 1.0), [0.0, 0.0])


@pytest.mark.parametrize("term", [P.Box(-1.0, [0.5, 2.0, 3.0]), P.NonNegative(), P.Simplex(2.0)],
                         ids=lambda t: type(t).__name__)
def test_projections_are_feasible_and_closest(term):
    for _ in range(20):
        v = RNG.standard_normal(3) * 2
        x = term.prox(v, 1.0)
        assert term(x) == 0.0
        feasible = [c for c in nearby(x, 300, 0.5) if term(c, tol=0) == 0.0]
        if isinstance(term, P.Simplex):  # random points are almost never on the simplex
            feasible = [term.prox(c, 1.0) for c in nearby(x, 300, 0.5)]
        assert_is_minimizer(term, v, 1.0, feasible)


def test_simplex_hand_values():
    np.testing.assert_allclose(P.Simplex().prox(np.array([0.5, 0.5, 0.5]), 1.0), [1 / 3] * 3)
    np.testing.assert_allclose(P.Simplex().prox(np.array([2.0, 0.0, -1.0]), 1.0), [1, 0, 0])
    np.testing.assert_allclose(P.Simplex(3.0).prox(np.array([1.0, 2.0]), 1.0), [1.0, 2.0])


def test_integer_projection_matches_brute_force():
    term = P.IntegerSet(-2, 2)
    grid = np.array(list(itertools.product(range(-2, 3), repeat=3)), dtype=float)
    for _ in range(20):
        v = RNG.uniform(-3.5, 3.5, 3)
        brute = grid[np.argmin(((grid - v) ** 2).sum(axis=1))]
        np.testing.assert_array_equal(term.prox(v, 1.0), brute)


def test_mixed_integer_projection_rounds_only_the_integer_entries():
    term = P.IntegerSet(0, 3, integer=[True, False, True])
    np.testing.assert_allclose(term.prox(np.array([1.4, 2.7, 5.2]), 1.0), [1.0, 2.7, 3.0])
    assert term(np.array([1.0, 2.5, 3.0])) == 0.0
    assert term(np.array([1.5, 2.5, 3.0])) == np.inf


@pytest.mark.parametrize("k", [0, 1, 2, 4])
def test_cardinality_projection_matches_brute_force(k):
    term = P.Cardinality(k, lo=-1.0, hi=1.5)
    for _ in range(10):
        v = RNG.standard_normal(4) * 1.5
        best = np.inf
        for support in itertools.combinations(range(4), min(k, 4)):
            x = np.zeros(4)
            x[list(support)] = np.clip(v[list(support)], -1.0, 1.5)
            best = min(best, np.sum((x - v) ** 2))
        x = term.prox(v, 1.0)
        assert np.count_nonzero(x) <= k
        assert np.sum((x - v) ** 2) == pytest.approx(best, abs=1e-12)


def test_custom_prox_is_used_as_given():
    term = P.CustomProx(lambda v, t: v / (1 + t), fun=lambda x: 0.5 * float(x @ x))
    assert_is_minimizer(term, np.array([1.0, -2.0]), 0.7, nearby(np.array([0.6, -1.2])))
    assert P.CustomProx(lambda v, t: v)(np.ones(2)) == 0.0


def test_solve_through_orthogonal_maps():
    """argmin g(z) + rho/2 ||M z - w||^2 for M = -2 I and a stack of 3 copies."""
    g, rho = P.L1(0.4), 1.7
    w = RNG.standard_normal(4)
    z = g.solve(w, rho, Identity(4, -2.0))
    phi = lambda x: g(x) + rho / 2 * np.sum((-2 * x - w) ** 2)  # noqa: E731
    assert all(phi(z) <= phi(c) + 1e-12 for c in nearby(z))
    w3 = RNG.standard_normal(12)
    z = g.solve(w3, rho, Stack(3, 4, -1.0))
    phi3 = lambda x: g(x) + rho / 2 * np.sum((-np.tile(x, 3) - w3) ** 2)  # noqa: E731
    assert all(phi3(z) <= phi3(c) + 1e-12 for c in nearby(z))
    with pytest.raises(ValueError, match="orthogonal"):
        g.solve(w, rho, Matrix(np.ones((4, 4))))


@pytest.mark.parametrize("make, match", [
    (lambda: P.L1(-1.0), "lam"), (lambda: P.ElasticNet(1.0, np.nan), "l2"),
    (lambda: P.Box(1.0, 0.0), "lo <= hi"), (lambda: P.Simplex(0.0), "radius"),
    (lambda: P.Cardinality(1.5), "k"), (lambda: P.Cardinality(2, lo=0.5), "zero"),
    (lambda: P.IntegerSet(0.2, 0.8), "admissible"), (lambda: P.CustomProx(3), "prox"),
])
def test_bad_parameters_are_rejected_by_name(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_bad_prox_step_is_rejected():
    with pytest.raises(ValueError, match="step t"):
        P.L1(1.0).prox(np.ones(2), 0.0)
