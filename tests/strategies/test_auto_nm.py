"""``auto``'s Nelder-Mead against scipy's as an oracle: the same points in the same order."""

import numpy as np
import pytest
from scipy.optimize import minimize

from nondiff.space import Array, Space
from strategies.auto_nm import LocalNM


def _space(d):
    return Space(x=Array((d,), 0.0, 1.0))  # the natural units are the unit cube


def _rotation(d, seed=1):
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return q


def rotated_ellipsoid(X):
    d = X.shape[-1]
    z = (X - 0.3) @ _rotation(d).T
    return (z**2 * 10.0 ** (3 * np.arange(d) / max(d - 1, 1))).sum(axis=-1)


def rosenbrock(X):
    z = 4.0 * X - 2.0  # the minimum (1, ..., 1) at 0.75 in the cube
    return (100 * (z[..., 1:] - z[..., :-1] ** 2) ** 2 + (1 - z[..., :-1]) ** 2).sum(axis=-1)


def bound_active(X):
    """A sphere centred outside the cube: the minimum is on the faces x0 = 1, x1 = 0."""
    c = np.full(X.shape[-1], 0.4)
    c[:2] = 1.3, -0.2
    return ((X - c) ** 2).sum(axis=-1)


def with_failures(X):
    """Failures (``+inf``) on a slab the simplex walks into; the minimum is outside it."""
    return np.where(X[..., 0] > 0.62, np.inf, rotated_ellipsoid(X))


def _scipy_points(f, x0, budget, step=0.2, adaptive=True):
    """Every point scipy evaluates, in order, from the same initial simplex."""
    d = len(x0)
    S = np.vstack([x0, x0 + np.diag(np.where(x0 + step <= 1, 1, -1) * step)])
    seen = []

    def g(x):
        seen.append(np.array(x))
        return float(f(x))

    minimize(g, x0, method="Nelder-Mead", bounds=[(0, 1)] * d,
             options=dict(initial_simplex=S, adaptive=adaptive, xatol=1e-8, fatol=1e-8,
                          maxfev=budget))
    return np.array(seen)


def _run(s, f, asks=None):
    """Drive ``s`` to its stop (or ``asks`` asks); every point it asked, in order."""
    points, k = [], 0
    while s.stop() is None and (asks is None or k < asks):
        b = s.ask()
        s.tell(b, f(b.vectors))
        points.append(b.vectors.copy())
        k += 1
    return np.concatenate(points) if points else np.zeros((0, s.space.dim))


CASES = [(f, d, start) for f in (rotated_ellipsoid, rosenbrock, bound_active, with_failures)
         for d in (2, 5) for start in ("centre", "corner")]


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # scipy's inf - inf
@pytest.mark.parametrize("f, d, start", CASES,
                         ids=[f"{f.__name__}-{d}-{s}" for f, d, s in CASES])
def test_the_points_asked_are_scipys(f, d, start):
    x0 = np.full(d, 0.5) if start == "centre" else np.linspace(0.9, 0.05, d)  # + leaves at 0.9
    budget = 400 * d
    s = LocalNM(_space(d), x0=x0, budget=budget)
    ours, theirs = _run(s, f), _scipy_points(f, x0, budget)
    n = len(ours)
    assert np.max(np.abs(ours - theirs[:n])) <= 1e-12
    if s.stop() == "converged: every vertex of a collapsed simplex failed":
        # where every vertex fails scipy shrinks on until maxfev, on failures only
        assert np.isinf(f(theirs[n:])).all() and len(theirs) == budget
    else:
        assert len(ours) == len(theirs)
        assert s.stop().startswith("converged") == (n < budget)


def test_the_oracle_cases_cover_convergence_and_the_budget():
    # the comparison above checks both kinds of end: scipy's convergence test and maxfev
    ends = {}
    for f, d, x0 in ((rosenbrock, 5, np.full(5, 0.5)), (bound_active, 5, np.linspace(0.9, 0.05, 5)),
                     (with_failures, 2, np.array([0.9, 0.05]))):
        s = LocalNM(_space(d), x0=x0, budget=400 * d)
        _run(s, f)
        ends[f.__name__] = s.stop()
    assert ends == {"rosenbrock": "converged: simplex within xatol and fatol",
                    "bound_active": "budget",
                    "with_failures": "converged: every vertex of a collapsed simplex failed"}


def test_standard_coefficients_match_scipy_too():
    x0 = np.array([0.2, 0.6, 0.4])
    s = LocalNM(_space(3), x0=x0, budget=600, adaptive=False)
    ours, theirs = _run(s, rosenbrock), _scipy_points(rosenbrock, x0, 600, adaptive=False)
    assert np.max(np.abs(ours - theirs)) <= 1e-12


def test_batches_simplex_at_once_single_trials_and_shrinks_at_once():
    d = 4
    s = LocalNM(_space(d), x0=np.linspace(0.9, 0.05, d), budget=2000)
    sizes = []
    while s.stop() is None:
        b = s.ask()
        s.tell(b, with_failures(b.vectors))
        sizes.append(len(b))
    assert sizes[0] == d + 1
    assert set(sizes[1:]) <= {1, d} and d in sizes[1:]  # a shrink happened, as one batch


def test_state_round_trip_mid_run_gives_the_same_continuation():
    d = 3
    whole = _run(LocalNM(_space(d), budget=300), rosenbrock)
    s = LocalNM(_space(d), budget=300)
    head = _run(s, rosenbrock, asks=25)
    fresh = LocalNM(_space(d), budget=300)
    fresh.load_state_dict(s.state_dict())
    a, b = fresh.ask(), s.ask()
    assert np.array_equal(a.vectors, b.vectors)
    fresh.tell(a, rosenbrock(a.vectors))
    rest = _run(fresh, rosenbrock)
    assert np.array_equal(np.concatenate([head, a.vectors, rest]), whole)


def test_budget_cuts_the_first_simplex_and_stops():
    s = LocalNM(_space(5), budget=3)
    b = s.ask()
    assert len(b) == 3
    s.tell(b, rosenbrock(b.vectors))
    assert s.stop() == "budget"
    assert len(s.ask()) == 0


def test_failures_rank_worst_and_the_best_is_finite():
    s = LocalNM(_space(2), budget=800)
    pts = _run(s, with_failures)
    values = with_failures(pts)
    assert np.isinf(values).any()  # the search did step into the slab
    assert np.isfinite(s.best[1]) and s.best[1] == pytest.approx(values.min(), rel=1e-9)
    # the constrained minimizer of the ellipsoid is at (0.3, 0.3), inside the feasible part
    assert np.allclose(s.best[0].vector, 0.3, atol=1e-4)


def test_a_run_where_everything_fails_stops_before_the_budget():
    s = LocalNM(_space(3), budget=10_000)
    n = len(_run(s, lambda X: np.full(len(X), np.inf)))
    assert n < 10_000
    assert s.stop().startswith("converged")


def test_scan_starts_the_simplex_at_the_best_grid_point():
    d, n = 2, 11
    s = LocalNM(_space(d), scan=n, budget=500)
    first = s.ask()
    assert len(first) == 1
    s.tell(first, bound_active(first.vectors))
    for _ in range(d):  # one batch of the coordinate sweep per coordinate
        b = s.ask()
        assert len(b) == n
        s.tell(b, bound_active(b.vectors))
    simplex = s.ask().vectors
    best = np.array([1.0, 0.0])  # the grid point nearest the minimum on the faces
    assert np.allclose(simplex, best + np.diag([-0.2, 0.2]))  # N points, the best one is known


@pytest.mark.parametrize("bad", [dict(step=0), dict(step=1.5), dict(xatol=-1.0),
                                 dict(fatol="x"), dict(scan=1), dict(x0=[0.5, 2.0]),
                                 dict(budget=0), dict(budget=2.5), dict(budget="3"),
                                 dict(x0="centre")])
def test_bad_options_raise_naming_the_option(bad):
    name = next(iter(bad))
    with pytest.raises(ValueError, match=name):
        LocalNM(_space(2), **bad)


def test_adaptive_must_be_a_bool():
    with pytest.raises(TypeError, match="adaptive"):
        LocalNM(_space(2), adaptive="yes")
