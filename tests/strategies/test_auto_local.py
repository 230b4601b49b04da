"""The projected finite-difference BFGS of ``auto``'s local phase, against closed forms."""

import numpy as np
import pytest

from nondiff.space import Array, Space
from strategies.auto_local import LocalBFGS, _apply, _bfgs_update, _update

SPACE = Space(x=Array((4,), 0.0, 1.0))  # the natural units are the unit cube


def _run(s, f):
    n = 0
    while s.stop() is None:
        b = s.ask()
        s.tell(b, f(b.vectors))
        n += len(b)
    return n


def test_ill_conditioned_quadratic_reaches_the_closed_form_minimizer():
    a = np.array([0.2, 0.7, 0.45, 0.9])
    w = 10.0 ** np.arange(4)  # condition number 1e3

    n = _run(s := LocalBFGS(SPACE, budget=2000), lambda X: ((X - a) ** 2 * w).sum(axis=1))
    assert s.stop().startswith("converged")
    assert n < 500
    assert np.allclose(s.best[0].vector, a, atol=1e-5)
    assert s.best[1] < 1e-9


def test_linear_slope_ends_in_the_corner():
    c = np.array([1.0, -2.0, 3.0, -0.5])
    s = LocalBFGS(SPACE, budget=500)
    _run(s, lambda X: X @ c)
    assert np.array_equal(s.best[0].vector, (c < 0).astype(float))  # the exact corner
    assert s.stop().startswith("converged")


def test_gradient_batch_is_forward_differences_and_backward_at_the_upper_face():
    x0 = np.array([0.5, 1.0, 0.0, 0.25])
    s = LocalBFGS(SPACE, x0=x0, h=1e-3)
    first = s.ask()
    assert np.array_equal(first.vectors, x0[None])
    s.tell(first, np.array([1.0]))
    batch = s.ask().vectors
    steps = np.diag(batch - x0)
    assert np.allclose(steps, [1e-3, -1e-3, 1e-3, 1e-3])
    assert np.count_nonzero(batch - x0) == 4


def test_bfgs_update_satisfies_the_secant_equation():
    rng = np.random.default_rng(0)
    M = rng.standard_normal((4, 4))
    H = M @ M.T + np.eye(4)
    s, y = rng.standard_normal(4), rng.standard_normal(4)
    y = y if s @ y > 0 else -y
    H1 = _bfgs_update(H, s, y)
    assert np.allclose(H1 @ y, s)  # [1] eq. 6.17 gives H_{k+1} y_k = s_k
    assert np.allclose(H1, H1.T)
    assert np.all(np.linalg.eigvalsh(H1) > 0)


def test_state_round_trip_replays_the_received_values():
    f = lambda X: ((X - 0.3) ** 2).sum(axis=1) + np.sin(7 * X).sum(axis=1)  # noqa: E731
    a = LocalBFGS(SPACE, budget=300)
    for _ in range(7):
        b = a.ask()
        a.tell(b, f(b.vectors))
    c = LocalBFGS(SPACE, budget=300)
    c.load_state_dict(a.state_dict())
    for _ in range(5):
        ba, bc = a.ask(), c.ask()
        assert np.array_equal(ba.ids, bc.ids) and np.array_equal(ba.vectors, bc.vectors)
        a.tell(ba, f(ba.vectors))
        c.tell(bc, f(bc.vectors))


def test_failed_start_point_stops_the_search():
    s = LocalBFGS(SPACE)
    b = s.ask()
    s.tell(b, np.array([np.inf]))
    assert s.stop() == "the start point failed"
    assert len(s.ask()) == 0


@pytest.mark.parametrize(("kw", "word"), [({"x0": [2.0] * 4}, "x0"), ({"h": 0.0}, "h"),
                                          ({"max_backtracks": 0}, "max_backtracks"),
                                          ({"budget": 0}, "budget"), ({"memory": 0}, "memory"),
                                          ({"memory": 2.5}, "memory")])
def test_bad_options_name_the_parameter(kw, word):
    with pytest.raises(ValueError, match=word):
        LocalBFGS(SPACE, **kw)


def test_two_loop_recursion_equals_the_explicit_bfgs_matrix():
    # L-BFGS ([1] algorithm 7.4) applies the BFGS updates of its pairs to H0 = gamma I, with
    # gamma = s.y / y.y of the newest pair ([1] eq. 7.20)
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 5))
    A = A @ A.T + 5 * np.eye(5)  # a quadratic's Hessian, so every pair has s.y > 0
    pairs = [(s, A @ s) for s in rng.standard_normal((4, 5))]
    s_last, y_last = pairs[-1]
    H = np.eye(5) * (s_last @ y_last) / (y_last @ y_last)
    for s, y in pairs:
        H = _bfgs_update(H, s, y)
    g = rng.standard_normal(5)
    assert np.allclose(_apply(pairs, g), H @ g)


def test_limited_memory_keeps_the_newest_pairs():
    rng = np.random.default_rng(2)
    H = None
    for _ in range(6):
        s = rng.standard_normal(3)
        H = _update(H, s, 2.0 * s, 3)  # y = 2 s: positive curvature
    assert len(H) == 3
    assert np.allclose(H[-1][1], 2.0 * H[-1][0])


def test_scan_puts_a_separable_multimodal_function_in_its_global_basin():
    # sum of 1-D Rastrigin-like terms with the global minimum 0 at 0.8 in every coordinate and
    # local minima every 0.1: BFGS from the centre alone stops in a local one
    def f(X):
        z = X - 0.8
        return (z**2 * 100 + 10 * (1 - np.cos(2 * np.pi * z / 0.1))).sum(axis=1)

    plain, scanned = LocalBFGS(SPACE, budget=3000), LocalBFGS(SPACE, budget=3000, scan=41)
    _run(plain, f)
    _run(scanned, f)
    assert plain.best[1] > 1.0
    assert scanned.best[1] < 1e-8
    assert np.allclose(scanned.best[0].vector, 0.8, atol=1e-5)


def test_a_failed_start_point_still_runs_the_scan_then_bfgs():
    """``auto`` starts at the centre, where a user's objective may fail (``log|x|``, ``1/x``):
    the sweep goes on from there and BFGS from its best point."""
    def f(X):
        v = ((X - 0.3) ** 2).sum(axis=1)
        v[np.all(X == 0.5, axis=1)] = np.inf
        return v

    s = LocalBFGS(SPACE, budget=400, scan=11)
    _run(s, f)
    assert s.stop() != "the start point failed"
    assert s.best[1] < 1e-10 and np.allclose(s.best[0].vector, 0.3, atol=1e-5)
    every_scan_point_fails = LocalBFGS(SPACE, scan=5)
    _run(every_scan_point_fails, lambda X: np.full(len(X), np.inf))
    assert every_scan_point_fails.stop() == "the start point failed"
