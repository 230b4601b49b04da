"""The ADMM solver against independent references (scipy's bounded solvers, closed forms),
plus adaptive rho, over-relaxation, warm starts, infeasibility certificates and validation."""

import numpy as np
import pytest
import scipy.optimize

from nondiff.admm import L1, Box, LeastSquares, Quadratic, admm
from nondiff.admm.problems import box_least_squares, lambda_max, lasso, lasso_path
from nondiff.admm.solver import _adapt_rho, _Settings, _State

TIGHT = {"eps_abs": 1e-10, "eps_rel": 1e-10, "max_iter": 3000}


def data(m=40, n=15, seed=0, scales=None):
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((m, n))
    if scales is not None:
        D = D * scales
    x = np.zeros(n)
    x[: n // 3] = rng.standard_normal(n // 3) * 3
    return D, D @ x + 0.1 * rng.standard_normal(m)


def lasso_reference(D, b, lam):
    """Lasso as a bound-constrained smooth problem in (x+, x-) >= 0, solved by L-BFGS-B."""
    n = D.shape[1]

    def fg(w):
        x = w[:n] - w[n:]
        r = D @ x - b
        gx = D.T @ r
        return 0.5 * r @ r + lam * w.sum(), np.concatenate([gx + lam, -gx + lam])

    out = scipy.optimize.minimize(fg, np.zeros(2 * n), jac=True, method="L-BFGS-B",
                                  bounds=[(0, None)] * (2 * n),
                                  options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000})
    return out.x[:n] - out.x[n:], out.fun


@pytest.mark.parametrize("shape", [(40, 15), (15, 40)])
def test_lasso_matches_a_bound_constrained_reference(shape):
    D, b = data(*shape)
    lam = 0.2 * lambda_max(D, b)
    x_ref, f_ref = lasso_reference(D, b, lam)
    res = lasso(D, b, lam, **TIGHT)
    assert res.success and res.stop_reason == "converged" and res.status == 0
    assert res.fun <= f_ref + 1e-9 * abs(f_ref)
    np.testing.assert_allclose(res.x, x_ref, atol=1e-5)


def test_box_least_squares_matches_lsq_linear():
    D, b = data(30, 8, seed=2)
    lo, hi = -0.5, np.linspace(0.2, 1.0, 8)
    ref = scipy.optimize.lsq_linear(D, b, bounds=(lo, hi), tol=1e-14)
    res = box_least_squares(D, b, lo, hi, **TIGHT)
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    assert np.all(res.x >= lo) and np.all(res.x <= hi)


def test_general_constraint_matrix_qp_matches_slsqp():
    """min 1/2 x'Px + q'x s.t. l <= Mx <= u, with M a general matrix (Cholesky path)."""
    rng = np.random.default_rng(4)
    G = rng.standard_normal((6, 6))
    P, q = G @ G.T + 0.1 * np.eye(6), rng.standard_normal(6) * 3
    M = rng.standard_normal((4, 6))
    lo, hi = -np.ones(4), np.ones(4)
    res = admm(Quadratic(P, q), Box(lo, hi), A=M, **TIGHT)
    cons = [{"type": "ineq", "fun": lambda x: hi - M @ x}, {"type": "ineq",
             "fun": lambda x: M @ x - lo}]
    ref = scipy.optimize.minimize(lambda x: 0.5 * x @ P @ x + q @ x, np.zeros(6),
                                  jac=lambda x: P @ x + q, constraints=cons, method="SLSQP",
                                  options={"ftol": 1e-14, "maxiter": 1000})
    assert res.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-5)


def test_general_b_and_c():
    """min 1/2||x - a||^2 + ||z||_1 s.t. x - 2 z = c: substitute x = c + 2z and check optimality."""
    a, c = np.array([3.0, -1.0, 0.2]), np.array([0.5, 0.5, 0.5])
    res = admm(Quadratic(np.eye(3), -a), L1(1.0), B=-2.0, c=c, **TIGHT)
    # in z alone: 2 (c + 2z - a) + sign(z) = 0, i.e. z = soft(a - c, 1/2) / 2
    z = np.sign(a - c) * np.maximum(np.abs(a - c) - 0.5, 0) / 2
    np.testing.assert_allclose(res.z, z, atol=1e-7)
    np.testing.assert_allclose(res.x, c + 2 * z, atol=1e-7)


def test_adaptive_rho_reaches_tolerance_from_any_start_and_any_scale():
    scales = 10.0 ** np.linspace(-2, 2, 30)
    D, b = data(60, 30, seed=5, scales=scales)
    lam = 0.1 * lambda_max(D, b)
    fixed = lasso(D, b, lam, rho=1e-2, adaptive_rho=False, max_iter=300)
    for rho in (1e-2, 1.0, 1e4):
        res = lasso(D, b, lam, rho=rho, max_iter=300)
        assert res.success and res.nit <= 150, (rho, res.nit)
    assert not fixed.success  # the same start without adaptation does not get there


def test_rho_change_rescales_the_scaled_dual():
    state = _State(x=np.ones(2), z=np.ones(2), u=np.array([1.0, -2.0]), rho=1.0, Bz=-np.ones(2))
    settings = _Settings(1.0, 0, 0, 1, True, 5.0, (1e-6, 1e6), None)
    y = state.rho * state.u
    norms = {"r": 100.0, "s": 1e-3, "Ax": 1.0, "Bz": 1.0, "c": 0.0, "Aty": 1.0, "grad_f": 1.0}
    _adapt_rho(state, norms, settings)
    assert state.rho == pytest.approx(100.0)  # sqrt(100 / 1e-3) = 316, capped at MAX_STEP
    np.testing.assert_allclose(state.rho * state.u, y)
    _adapt_rho(state, {**norms, "r": 1.0, "s": 1.0}, settings)  # balanced: no change
    assert state.rho == pytest.approx(100.0)
    _adapt_rho(state, {**norms, "s": 0.0}, settings)  # z stuck: step just past the band
    assert state.rho == pytest.approx(100.0 * 5.0 * 1.01)
    np.testing.assert_allclose(state.rho * state.u, y)


def test_over_relaxation_helps_on_lasso():
    D, b = data(60, 100, seed=6)
    lam = 0.1 * lambda_max(D, b)
    plain = lasso(D, b, lam, alpha=1.0)
    relaxed = lasso(D, b, lam, alpha=1.6)
    assert relaxed.success and plain.success
    assert relaxed.nit < plain.nit
    assert relaxed.fun == pytest.approx(plain.fun, rel=1e-4)


def test_warm_start_from_the_solution_stops_at_once_and_path_agrees():
    D, b = data(50, 80, seed=7)
    lmax = lambda_max(D, b)
    res = lasso(D, b, 0.2 * lmax)
    again = admm(LeastSquares(D, b), L1(0.2 * lmax), warm_start=res)
    assert again.nit <= 2  # the solution is a fixed point of the iteration
    assert again.rho == res.rho
    lams = lmax * np.geomspace(0.5, 0.05, 8)
    # whether warm starts save iterations depends on the data: benchmarks/admm_lasso.py
    # measures it on the lasso; here only the solutions are compared
    warm = lasso_path(D, b, lams, warm=True)
    cold = lasso_path(D, b, lams, warm=False)
    for w, c in zip(warm, cold):
        assert w.fun == pytest.approx(c.fun, rel=1e-4)


def test_result_fields_and_histories():
    D, b = data()
    res = lasso(D, b, 1.0, max_iter=3, adaptive_rho=False)
    assert res.stop_reason == "max_iter" and res.status == 1 and not res.success
    for key in ("primal_residuals", "dual_residuals", "eps_primal", "eps_dual", "rho_history"):
        assert res[key].shape == (3,)
    np.testing.assert_allclose(res.y, res.rho * res.u)
    assert "maximum" in res.message


def test_callback_can_stop():
    D, b = data()
    seen = []
    res = lasso(D, b, 1.0, callback=lambda s: seen.append(s["nit"]) or s["nit"] >= 4)
    assert res.stop_reason == "callback" and res.nit == 4 and seen == [1, 2, 3, 4]


def test_primal_infeasibility_is_certified():
    """x in [1, 2] and x in [3, 4] through two rows of A."""
    A = np.array([[1.0], [1.0]])
    res = admm(Quadratic(np.eye(1)), Box([1.0, 3.0], [2.0, 4.0]), A=A, max_iter=2000)
    assert res.stop_reason == "primal_infeasible" and res.status == 2
    dy = res.certificate
    assert np.abs(A.T @ dy).max() <= 1e-3 * np.abs(dy).max()


def test_dual_infeasibility_is_certified():
    """min -x s.t. x >= 0 is unbounded below."""
    res = admm(Quadratic(np.zeros((1, 1)), [-1.0]), Box(0.0, np.inf), A=np.eye(1), max_iter=2000)
    assert res.stop_reason == "dual_infeasible" and res.status == 3
    assert res.certificate[0] > 0


def test_feasible_qp_is_not_flagged():
    res = admm(Quadratic(np.eye(2), [-1.0, 1.0]), Box(-0.5, 0.5), A=np.eye(2), **TIGHT)
    assert res.stop_reason == "converged"
    np.testing.assert_allclose(res.x, [0.5, -0.5], atol=1e-7)


@pytest.mark.parametrize("kwargs, match", [
    ({"alpha": 2.0}, "alpha"), ({"rho": -1.0}, "rho"), ({"max_iter": 0}, "max_iter"),
    ({"eps_abs": -1.0}, "eps_abs"), ({"rho_bounds": (1.0, 0.1)}, "rho_bounds"),
    ({"x0": np.zeros(3)}, "x0"), ({"c": np.zeros(7)}, "c must"),
    ({"callback": 3}, "callback"), ({"adapt_tolerance": 0.5}, "adapt_tolerance"),
])
def test_bad_options_are_rejected_by_name(kwargs, match):
    D, b = data(10, 4)
    with pytest.raises((ValueError, TypeError), match=match):
        admm(LeastSquares(D, b), L1(1.0), **kwargs)


def test_bad_terms_are_rejected():
    with pytest.raises(TypeError, match="f must"):
        admm(lambda x: 0.0, L1(1.0), x0=np.zeros(2))
    with pytest.raises(ValueError, match="rows"):
        admm(Quadratic(np.eye(2)), L1(1.0), A=np.ones((3, 2)), B=np.ones((2, 2)))
