"""Typed GA operators: Deb's SBX and polynomial mutation on fixed inputs, and the other kinds."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import ga_operators as ops
from strategies.ga_operators import GeneSpec, polynomial_step, sbx_children


def _sbx_scalar(x1, x2, lo, hi, eta, u):
    """Deb 2001, sec. 4.2.1, for one variable, written out with math only (the oracle)."""
    y1, y2 = min(x1, x2), max(x1, x2)

    def betaq(beta):
        alpha = 2.0 - beta ** -(eta + 1)
        if u <= 1.0 / alpha:
            return (u * alpha) ** (1.0 / (eta + 1))
        return (1.0 / (2.0 - u * alpha)) ** (1.0 / (eta + 1))

    c1 = 0.5 * ((y1 + y2) - betaq(1 + 2 * (y1 - lo) / (y2 - y1)) * (y2 - y1))
    c2 = 0.5 * ((y1 + y2) + betaq(1 + 2 * (hi - y2) / (y2 - y1)) * (y2 - y1))
    return min(max(c1, lo), hi), min(max(c2, lo), hi)


def test_sbx_closed_form_low_branch():
    # a=0.2, b=0.6 in [0, 1], eta=1, u=0.25: beta1 = 2, alpha1 = 7/4, bq1 = sqrt(7/16);
    # beta2 = 3, alpha2 = 17/9, bq2 = sqrt(17/36).
    c1, c2 = sbx_children(np.array([0.2]), np.array([0.6]), 0.0, 1.0, 1.0, np.array([0.25]))
    assert c1[0] == pytest.approx(0.4 - 0.2 * math.sqrt(7 / 16), abs=1e-15)
    assert c2[0] == pytest.approx(0.4 + 0.2 * math.sqrt(17 / 36), abs=1e-15)


def test_sbx_closed_form_high_branch():
    # u = 0.9: u * alpha > 1 on both sides, bq = (2 - u alpha)^(-1/2): sqrt(40/17), sqrt(10/3).
    c1, c2 = sbx_children(np.array([0.6]), np.array([0.2]), 0.0, 1.0, 1.0, np.array([0.9]))
    assert c1[0] == pytest.approx(0.4 - 0.2 * math.sqrt(40 / 17), abs=1e-15)
    assert c2[0] == pytest.approx(0.4 + 0.2 * math.sqrt(10 / 3), abs=1e-15)


@pytest.mark.parametrize("x1,x2,lo,hi,eta,u", [
    (0.2, 0.6, 0.0, 1.0, 15.0, 0.01), (-3.0, 4.5, -5.0, 5.0, 2.0, 0.5),
    (1.0, 1.5, 1.0, 2.0, 20.0, 0.99), (10.0, 30.0, 0.0, 100.0, 0.5, 0.73),
])
def test_sbx_matches_scalar_formula(x1, x2, lo, hi, eta, u):
    c1, c2 = sbx_children(np.array([x1]), np.array([x2]), lo, hi, eta, np.array([u]))
    e1, e2 = _sbx_scalar(x1, x2, lo, hi, eta, u)
    assert (c1[0], c2[0]) == (pytest.approx(e1, rel=1e-13), pytest.approx(e2, rel=1e-13))


def test_sbx_identical_parents_are_copied():
    c1, c2 = sbx_children(np.array([0.3]), np.array([0.3]), 0.0, 1.0, 15.0, np.array([0.7]))
    assert (c1[0], c2[0]) == (0.3, 0.3)


def test_polynomial_closed_form():
    # x=0.3 in [0, 1], eta=1: u=0.25 gives sqrt(0.745) - 0.7, u=0.75 gives 1.3 - sqrt(0.545).
    got = polynomial_step(np.array([0.3, 0.3]), 0.0, 1.0, 1.0, np.array([0.25, 0.75]))
    assert got[0] == pytest.approx(math.sqrt(0.745) - 0.7, abs=1e-15)
    assert got[1] == pytest.approx(1.3 - math.sqrt(0.545), abs=1e-15)


def test_polynomial_scales_with_bounds():
    got = polynomial_step(np.array([3.2]), 2.0, 6.0, 1.0, np.array([0.25]))
    assert got[0] == pytest.approx(2.0 + 4.0 * (math.sqrt(0.745) - 0.7), abs=1e-14)


def test_polynomial_midpoint_draw_is_identity():
    # u = 1/2 gives delta_q = (1 + 0)^(1/(eta+1)) - 1 = 0 on the lower branch.
    assert polynomial_step(np.array([0.42]), 0.0, 1.0, 20.0, np.array([0.5]))[0] == 0.42


@settings(max_examples=200, deadline=None)
@given(
    x1=st.floats(-10, 10), x2=st.floats(-10, 10), u=st.floats(0, 1, exclude_max=True),
    eta=st.floats(0, 50),
)
def test_sbx_and_polynomial_stay_in_bounds(x1, x2, u, eta):
    lo, hi = -10.0, 10.0
    c1, c2 = sbx_children(np.array([x1]), np.array([x2]), lo, hi, eta, np.array([u]))
    m = polynomial_step(np.array([x1]), lo, hi, eta, np.array([u]))
    for v in (c1[0], c2[0], m[0]):
        assert lo <= v <= hi


def test_sbx_children_straddle_like_parents():
    # With wide bounds, the children's mean stays the parents' mean to first order.
    rng = np.random.default_rng(0)
    spec = GeneSpec("real", -1e6, 1e6, eta_c=10.0)
    a, b = np.full(20000, 1.0), np.full(20000, 2.0)
    c, d = ops.sbx(rng, a, b, spec)
    assert np.allclose((c + d) / 2, 1.5, atol=1e-6)
    assert np.mean(np.abs(c - d)) == pytest.approx(1.0, rel=0.05)


def test_real_mutation_rate_is_per_gene():
    rng = np.random.default_rng(1)
    x = np.full((4000, 5), 0.5)
    y = ops.polynomial(rng, x, GeneSpec("array", 0.0, 1.0, rate=0.2))
    assert (y != x).mean() == pytest.approx(0.2, abs=0.02)


def test_log_scale_reals_are_operated_in_log_space():
    spec = GeneSpec("real", np.log(1e-4), np.log(1.0), log=True, bounds=(1e-4, 1.0), rate=1.0)
    x = np.full(5000, 1e-2)
    y = ops.mutate("polynomial", spec, np.random.default_rng(2), x)
    assert ((y >= 1e-4) & (y <= 1.0)).all()
    # Symmetric in log space around 1e-2 (the middle of [1e-4, 1]): median stays near 1e-2.
    assert np.median(np.log10(y)) == pytest.approx(-2.0, abs=0.05)


def test_integer_operators_stay_integer_and_bounded():
    rng = np.random.default_rng(3)
    spec = GeneSpec("integer", 1, 8, creep=2, rate=1.0)
    a, b = rng.integers(1, 9, 3000), rng.integers(1, 9, 3000)
    c, d = ops.crossover("arithmetic", spec, rng, a, b)
    assert c.dtype == a.dtype and ((c >= np.minimum(a, b)) & (c <= np.maximum(a, b))).all()
    for name in ("creep", "reset"):
        m = ops.mutate(name, spec, rng, a)
        assert ((m >= 1) & (m <= 8)).all() and m.dtype == a.dtype
    creep = ops.mutate("creep", spec, rng, a)
    assert (np.abs(creep - a) <= 2).all() and (creep != a).mean() > 0.8


def test_categorical_resample_always_changes_choice():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 3, 3000)
    y = ops.resample_mutation(rng, x, GeneSpec("categorical", n_choices=3, rate=1.0))
    assert (y != x).all() and ((y >= 0) & (y < 3)).all()
    single = ops.resample_mutation(rng, np.zeros(5, int), GeneSpec("categorical", n_choices=1))
    assert (single == 0).all()


@pytest.mark.parametrize("name,segments", [("one-point", 2), ("two-point", 3)])
def test_point_crossovers_exchange_contiguous_blocks(name, segments):
    rng = np.random.default_rng(5)
    a, b = np.zeros((500, 30), bool), np.ones((500, 30), bool)
    c, d = ops.crossover(name, GeneSpec("bits"), rng, a, b)
    assert np.array_equal(c, ~d)
    # Count blocks of equal bits: at most `segments` runs per row, starting with parent a.
    runs = 1 + (np.diff(c.astype(int), axis=1) != 0).sum(axis=1)
    assert (runs <= segments).all() and (~c[:, 0]).all() and (runs > 1).mean() > 0.9


def test_flip_mutation_rate_and_local_flip():
    rng = np.random.default_rng(6)
    x = np.zeros((2000, 50), bool)
    assert ops.flip_mutation(rng, x, GeneSpec("bits", rate=0.1)).mean() == pytest.approx(
        0.1, abs=0.01)
    assert (ops.flip_one(rng, x, None).sum(axis=1) == 1).all()


def test_uniform_crossover_conserves_genes():
    rng = np.random.default_rng(7)
    a, b = rng.random((100, 4)), rng.random((100, 4))
    c, d = ops.uniform_crossover(rng, a, b, None)
    assert np.array_equal(np.sort(np.stack([c, d]), axis=0), np.sort(np.stack([a, b]), axis=0))


def test_register_operator_validates_and_extends_table():
    def halfway(rng, a, b, spec):
        return (a + b) / 2, (a + b) / 2

    ops.register_operator("real", "test-halfway", crossover=halfway)
    try:
        c, _ = ops.crossover("test-halfway", GeneSpec("real"), None, np.zeros(2), np.ones(2))
        assert c.tolist() == [0.5, 0.5]
        with pytest.raises(ValueError, match="already registered"):
            ops.register_operator("real", "test-halfway", crossover=halfway)
    finally:
        del ops.CROSSOVERS["real"]["test-halfway"]
    with pytest.raises(ValueError, match="kind"):
        ops.register_operator("complex", "x", mutation=halfway)
    with pytest.raises(ValueError, match="crossover= and/or mutation="):
        ops.register_operator("real", "nothing")


@pytest.mark.parametrize("shape,rate", [((2000, 100), 0.01), ((50,), 0.01), ((300, 10), 0.3)])
def test_mutation_mask_is_bernoulli_per_gene(shape, rate):
    # Both the dense and the sparse (binomial count, distinct positions) paths.
    rng = np.random.default_rng(8)
    masks = np.stack([ops._mutation_mask(rng, np.zeros(shape), GeneSpec("bits", rate=rate))
                      for _ in range(200)])
    n = masks[0].size * 200
    assert masks.mean() == pytest.approx(rate, abs=4 * np.sqrt(rate * (1 - rate) / n))
    # No position is favoured: per-position hit rates stay within a loose band.
    per_pos = masks.reshape(200, -1).mean(axis=0)
    assert per_pos.std() < 2 * np.sqrt(rate * (1 - rate) / 200)


@pytest.mark.parametrize("dtype", [bool, np.int64, np.float64])
def test_exchange_matches_where_for_every_dtype(dtype):
    rng = np.random.default_rng(9)
    a = (rng.random((30, 7)) * 100).astype(dtype)
    b = (rng.random((30, 7)) * 100 - 50).astype(dtype)
    swap = rng.random((30, 7)) < 0.5
    c, d = ops.exchange(swap, a, b)
    assert c.dtype == a.dtype and d.dtype == a.dtype
    assert np.array_equal(c, np.where(swap, b, a)) and np.array_equal(d, np.where(swap, a, b))
