"""Permutation operators: textbook examples worked by hand, and validity on random inputs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import ga_operators as ops
from strategies import ga_permutation as perm
from strategies.ga_permutation import _order_child, _pmx_child

CROSSOVERS = [perm.order_crossover, perm.pmx_crossover, perm.cycle_crossover]
MUTATIONS = [perm.swap_mutation, perm.insertion_mutation, perm.inversion_mutation]

# The example of Larranaga et al. (1999), 0-based: cut points after the 3rd and 7th genes.
P1 = np.array([[0, 1, 2, 3, 4, 5, 6, 7, 8]])
P2 = np.array([[8, 2, 6, 7, 1, 5, 4, 0, 3]])
SEG = (np.array([3]), np.array([7]))


def _is_perm(x):
    return np.array_equal(np.sort(x, axis=1), np.broadcast_to(np.arange(x.shape[1]), x.shape))


def _random_perms(rng, n, k):
    return np.argsort(rng.random((n, k)), axis=1)


def test_pmx_by_hand():
    # Outside the segment 2 -> 2, 6 -> 4 -> 1 (via p1's mapping), 3 -> 7; 8 and 0 are free.
    assert _pmx_child(P1, P2, *SEG).tolist() == [[8, 2, 1, 3, 4, 5, 6, 0, 7]]


def test_order_crossover_by_hand():
    # p2 read from position 7 (0 3 8 2 6 7 1 5 4) without 3..6 fills positions 7, 8, 0, 1, 2.
    assert _order_child(P1, P2, *SEG).tolist() == [[2, 7, 1, 3, 4, 5, 6, 0, 8]]


def test_cycle_crossover_by_hand():
    # Cycles by position: {0, 8, 3, 7}, {1, 2, 6, 4}, {5}; cycles 0 and 2 come from p1.
    c, d = perm.cycle_crossover(None, P1, P2)
    assert c.tolist() == [[0, 2, 6, 3, 1, 5, 4, 7, 8]]
    assert d.tolist() == [[8, 1, 2, 7, 4, 5, 6, 0, 3]]
    assert perm.cycle_labels(P1, P2).tolist() == [[0, 1, 1, 0, 1, 2, 1, 0, 0]]


class _Scripted:
    """A stand-in Generator replaying fixed cut points; every row is picked for mutation."""

    def __init__(self, *draws):
        self.draws = list(draws)

    def integers(self, lo, hi, size):
        return np.full(size, self.draws.pop(0))

    def random(self, n):
        return np.zeros(n)


X6 = np.array([[0, 1, 2, 3, 4, 5]])


@pytest.mark.parametrize("op,draws,expected", [
    (perm.swap_mutation, (1, 4), [0, 4, 2, 3, 1, 5]),
    (perm.insertion_mutation, (1, 3), [0, 2, 3, 1, 4, 5]),  # gene at 1 moves to position 3
    (perm.insertion_mutation, (4, 1), [0, 4, 1, 2, 3, 5]),  # gene at 4 moves to position 1
    (perm.inversion_mutation, (1, 4), [0, 3, 2, 1, 4, 5]),  # segment [1, 4) reversed
    (perm.inversion_mutation, (6, 2), [0, 1, 5, 4, 3, 2]),  # cut points in either order
])
def test_mutations_by_hand(op, draws, expected):
    assert op(_Scripted(*draws), X6, 1.0).tolist() == [expected]


def test_inverse_by_hand():
    assert perm.inverse(np.array([[2, 0, 1]])).tolist() == [[1, 2, 0]]


@pytest.mark.parametrize("op", CROSSOVERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("k", [1, 2, 3, 50])
def test_crossovers_valid_on_10000_inputs(op, k):
    rng = np.random.default_rng(k)
    a, b = _random_perms(rng, 10_000, k), _random_perms(rng, 10_000, k)
    c, d = op(rng, a, b)
    assert _is_perm(c) and _is_perm(d)


@pytest.mark.parametrize("op", MUTATIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("k", [1, 2, 3, 50])
def test_mutations_valid_on_10000_inputs(op, k):
    rng = np.random.default_rng(k)
    x = _random_perms(rng, 10_000, k)
    assert _is_perm(op(rng, x, 1.0))
    assert np.array_equal(op(rng, x, 0.0), x)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), k=st.integers(1, 30))
def test_every_permutation_operator_keeps_permutations(seed, n, k):
    rng = np.random.default_rng(seed)
    a, b = _random_perms(rng, n, k), _random_perms(rng, n, k)
    for op in CROSSOVERS:
        for child in op(rng, a, b):
            assert _is_perm(child), op.__name__
    for op in MUTATIONS:
        assert _is_perm(op(rng, a, 0.7)), op.__name__
    assert _is_perm(ops.two_opt_move(rng, a, None))


def test_crossover_children_inherit_segment_and_order():
    rng = np.random.default_rng(3)
    a, b = _random_perms(rng, 500, 12), _random_perms(rng, 500, 12)
    i, j = perm.random_segments(rng, 500, 12)
    c = _order_child(a, b, i, j)
    mask = perm._segment_mask(i, j, 12)
    assert np.array_equal(c[mask], a[mask])
    # Outside the segment, genes keep p2's cyclic order starting after the segment.
    for r in range(20):
        rest = [g for g in np.roll(b[r], -j[r]) if g not in set(a[r, i[r]:j[r]])]
        assert list(np.roll(c[r], -j[r])[: 12 - (j[r] - i[r])]) == rest


def test_cycle_crossover_keeps_positions_from_a_parent():
    rng = np.random.default_rng(4)
    a, b = _random_perms(rng, 1000, 20), _random_perms(rng, 1000, 20)
    c, d = perm.cycle_crossover(rng, a, b)
    assert np.all((c == a) | (c == b)) and np.all((d == a) | (d == b))


def test_inversion_reverses_one_segment():
    rng = np.random.default_rng(5)
    x = np.tile(np.arange(10), (200, 1))
    y = perm.inversion_mutation(rng, x, 1.0)
    for row in y:
        changed = np.nonzero(row != np.arange(10))[0]
        assert changed.size >= 2
        lo, hi = changed.min(), changed.max()
        assert row[lo : hi + 1].tolist() == list(range(hi, lo - 1, -1))


def test_swap_changes_at_most_two_positions():
    rng = np.random.default_rng(6)
    x = _random_perms(rng, 500, 15)
    assert ((perm.swap_mutation(rng, x, 1.0) != x).sum(axis=1) <= 2).all()


def test_random_segments_respect_min_len():
    i, j = perm.random_segments(np.random.default_rng(7), 5000, 6, min_len=2)
    assert ((j - i) >= 2).all() and (i >= 0).all() and (j <= 6).all()
