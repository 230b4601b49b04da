"""The lean CMA-ES of ``auto``'s global phase: one update step against the tutorial's formulas,
convergence, BIPOP restarts, reflection, state, and the conformance checks."""

import math

import numpy as np
import pytest

from nondiff import registry
from nondiff.conformance import check_strategy
from nondiff.space import Array, Real, Space
from strategies.auto_cmaes import LeanCMAES, _Coeffs, _reflect

SPACE = Space(x=Array((4,), 0.0, 1.0))


def _sphere(X):
    return ((X - 0.3) ** 2).sum(axis=1)


@pytest.fixture
def registered():
    registry.register("lean-cmaes-under-test", LeanCMAES)
    yield "lean-cmaes-under-test"
    registry.unregister("lean-cmaes-under-test")


def test_conformance(registered):
    check_strategy(registered, Space(x=Real(-2.0, 3.0), w=Array((3,), -1.0, 1.0)))


def test_first_generation_follows_the_tutorial_formulas():
    # Hansen 2016, Table 1 with C = I, p_sigma = p_c = 0 at generation 0
    es = LeanCMAES(SPACE, seed=3)
    m0, sigma0 = es._run.mean.copy(), es._run.sigma
    batch = es.ask()
    X = es._asked[0]
    f = _sphere(X)
    es.tell(batch, f)
    c = _Coeffs.make(4, batch.vectors.shape[0])
    best = X[np.argsort(f)[: c.mu]]
    y_w = c.weights @ ((best - m0) / sigma0)
    assert np.allclose(es._run.mean, m0 + sigma0 * y_w)  # eq. 41
    ps = math.sqrt(c.cs * (2 - c.cs) * c.mueff) * y_w  # eq. 43 with C^-1/2 = I
    assert np.allclose(es._run.ps, ps)
    h = np.linalg.norm(ps) / math.sqrt(1 - (1 - c.cs) ** 2) / c.chin < 1.4 + 2 / 5
    pc = h * math.sqrt(c.cc * (2 - c.cc) * c.mueff) * y_w  # eq. 45
    assert np.allclose(es._run.pc, pc)
    Y = (X[np.argsort(f)] - m0) / sigma0
    w = c.active.copy()
    w[w < 0] *= 4 / (Y[w < 0] ** 2).sum(axis=1)  # eq. 46 with C^-1/2 = I
    c1a = c.c1 * (1 - (1 - h) * c.cc * (2 - c.cc))
    C = ((1 - c1a - c.cmu * c.active.sum()) * np.eye(4) + c.c1 * np.outer(pc, pc)
         + c.cmu * (Y.T * w) @ Y)
    assert np.allclose(es._run.C, C)  # eq. 47
    sigma = sigma0 * math.exp(min(1.0, c.cs / c.damps * (np.linalg.norm(ps) / c.chin - 1)))
    assert math.isclose(es._run.sigma, sigma)  # eq. 44


def test_default_coefficients_match_the_tutorial_table():
    c = _Coeffs.make(10, 10)
    assert c.mu == 5 and math.isclose(c.weights.sum(), 1.0)
    neg = c.active[c.active < 0]
    assert len(neg) == 5 and np.all(np.diff(c.active) < 0)
    raw = math.log(5.5) - np.log(np.arange(6, 11))
    mueff_neg = raw.sum() ** 2 / (raw**2).sum()
    alpha = min(1 + c.c1 / c.cmu, 1 + 2 * mueff_neg / (c.mueff + 2),
                (1 - c.c1 - c.cmu) / (10 * c.cmu))
    assert math.isclose(-neg.sum(), alpha)  # [1] eq. 53: negative weights sum to -alpha
    assert np.all(np.diff(c.weights) < 0)
    assert math.isclose(c.mueff, 1 / (c.weights**2).sum())
    assert math.isclose(c.cs, (c.mueff + 2) / (10 + c.mueff + 5))
    assert math.isclose(c.c1, 2 / (11.3**2 + c.mueff))


def test_converges_on_a_rotated_ellipsoid():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    w = 10.0 ** np.arange(4)

    def f(X):
        Z = (X - 0.3) @ Q.T
        return (Z**2 * w).sum(axis=1)

    es = LeanCMAES(SPACE, seed=0, budget=6000)
    while es.stop() is None and es._restarts.irun == 0:
        b = es.ask()
        es.tell(b, f(b.vectors))
    assert es.best[1] < 1e-10
    assert np.allclose(es.best[0].vector, 0.3, atol=1e-5)


def test_bipop_restarts_double_the_large_population():
    es = LeanCMAES(SPACE, seed=1, budget=20000)
    pops = []
    while es.stop() is None:
        b = es.ask()
        es.tell(b, _sphere(b.vectors))
        if not pops or pops[-1] != (es._restarts.irun, es._run.lam, es._restarts.regime):
            pops.append((es._restarts.irun, es._run.lam, es._restarts.regime))
    large = [lam for _, lam, regime in pops if regime == "large"]
    small = [lam for _, lam, regime in pops[1:] if regime == "small"]
    assert large[:3] == [2 * es.popsize0, 4 * es.popsize0, 8 * es.popsize0]
    assert small and all(es.popsize0 <= lam <= max(large) for lam in small)


def test_reflection_mirrors_into_the_cube():
    X = np.array([[1.2, -0.3, 0.5, 2.4], [0.0, 1.0, -1.0, 3.0]])
    assert np.allclose(_reflect(X), [[0.8, 0.3, 0.5, 0.4], [0.0, 1.0, 1.0, 1.0]])


def test_state_round_trip_mid_run():
    a = LeanCMAES(SPACE, seed=5, budget=3000)
    for _ in range(30):
        b = a.ask()
        a.tell(b, _sphere(b.vectors))
    c = LeanCMAES(SPACE, seed=5, budget=3000)
    c.load_state_dict(a.state_dict())
    for _ in range(5):
        ba, bc = a.ask(), c.ask()
        assert np.array_equal(ba.vectors, bc.vectors) and np.array_equal(ba.ids, bc.ids)
        a.tell(ba, _sphere(ba.vectors))
        c.tell(bc, _sphere(bc.vectors))


@pytest.mark.parametrize(("kw", "word"), [({"sigma0": 0}, "sigma0"), ({"popsize": 2}, "popsize"),
                                          ({"budget": 0}, "budget")])
def test_bad_options_name_the_parameter(kw, word):
    with pytest.raises(ValueError, match=word):
        LeanCMAES(SPACE, **kw)


def test_clip_bounds_evaluate_and_learn_from_the_repaired_points():
    es = LeanCMAES(SPACE, seed=2, sigma0=1.0, bounds="clip")
    b = es.ask()
    assert np.all((b.vectors >= 0) & (b.vectors <= 1))
    assert np.array_equal(es._asked[0], b.vectors)  # Lamarckian: the update sees them too
    with pytest.raises(ValueError, match="bounds"):
        LeanCMAES(SPACE, bounds="wrap")
