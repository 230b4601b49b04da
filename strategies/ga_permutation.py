"""Permutation crossovers and mutations, vectorized over a population of shape ``(n, k)``.

Every row of every input is a permutation of ``0..k-1`` and every row of every output is one too.
Each operator is a few numpy calls over the whole population; where an operator needs a loop
(PMX's mapping chains, the cycle labels of CX) the loop runs over positions or doubling steps,
never over individuals.

References
----------
[1] L. Davis, "Applying adaptive algorithms to epistatic domains", IJCAI 1985 (order
    crossover, OX).
[2] D. E. Goldberg and R. Lingle, "Alleles, loci and the traveling salesman problem",
    ICGA 1985 (partially mapped crossover, PMX).
[3] I. M. Oliver, D. J. Smith and J. R. C. Holland, "A study of permutation crossover
    operators on the traveling salesman problem", ICGA 1987 (cycle crossover, CX).
[4] P. Larranaga et al., "Genetic algorithms for the travelling salesman problem: a review of
    representations and operators", Artif. Intell. Review 13 (1999), sections 4.1-4.2
    (swap, insertion and inversion mutations).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "order_crossover",
    "pmx_crossover",
    "cycle_crossover",
    "swap_mutation",
    "insertion_mutation",
    "inversion_mutation",
    "random_segments",
    "inverse",
]


def inverse(perm: np.ndarray) -> np.ndarray:
    """Row-wise inverse permutations: ``inverse(p)[r, p[r, i]] == i``."""
    n, k = perm.shape
    inv = np.empty_like(perm)
    inv[np.arange(n)[:, None], perm] = np.arange(k)
    return inv


def random_segments(rng, n: int, k: int, min_len: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per-row segments ``[i, j)``, ``i + min_len <= j <= k``, from two uniform cut points."""
    a = rng.integers(0, k + 1, size=n)
    b = rng.integers(0, k + 1, size=n)
    i, j = np.minimum(a, b), np.maximum(a, b)
    short = (j - i) < min_len
    # Too-short segments are widened to min_len, staying inside the row.
    i = np.where(short, np.minimum(i, k - min_len), i)
    j = np.where(short, i + min_len, j)
    return i, j


def _segment_mask(i, j, k):
    pos = np.arange(k)
    return (pos >= i[:, None]) & (pos < j[:, None])


def _order_child(p1, p2, i, j):
    n, k = p1.shape
    rows = np.arange(n)[:, None]
    in_seg = _segment_mask(i, j, k)
    child = np.where(in_seg, p1, -1)
    taken = np.zeros((n, k), dtype=bool)
    taken[rows, p1] = in_seg  # taken[r, g]: gene g already sits in r's copied segment
    rot = (j[:, None] + np.arange(k)) % k  # fill order starts right after the segment [1]
    donor = p2[rows, rot]
    free_pos = rot[~in_seg[rows, rot]]
    # Both masks select k - (j - i) entries per row, so the row-major flattenings line up.
    child[np.repeat(rows[:, 0], k - (j - i)), free_pos] = donor[~taken[rows, donor]]
    return child


def order_crossover(rng, p1: np.ndarray, p2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order crossover OX [1]: keep a segment of one parent, fill the rest in the other's order.

    Both children use the same segment; the second swaps the parents' roles.
    """
    i, j = random_segments(rng, p1.shape[0], p1.shape[1])
    return _order_child(p1, p2, i, j), _order_child(p2, p1, i, j)


def _pmx_child(p1, p2, i, j):
    n, k = p1.shape
    rows = np.arange(n)[:, None]
    in_seg = _segment_mask(i, j, k)
    taken = np.zeros((n, k), dtype=bool)
    taken[rows, p1] = in_seg
    inv1 = inverse(p1)
    v = p2.copy()
    # Follow the mapping p1[s] -> p2[s] until the gene is not in p1's segment [2]; each chain is
    # at most the segment length, so this loop runs over positions, not individuals.
    for _ in range(k):
        clash = ~in_seg & taken[rows, v]
        if not clash.any():
            break
        r, c = np.nonzero(clash)
        v[r, c] = p2[r, inv1[r, v[r, c]]]
    return np.where(in_seg, p1, v)


def pmx_crossover(rng, p1: np.ndarray, p2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Partially mapped crossover PMX [2], one shared segment for both children."""
    i, j = random_segments(rng, p1.shape[0], p1.shape[1])
    return _pmx_child(p1, p2, i, j), _pmx_child(p2, p1, i, j)


def cycle_labels(p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
    """For each position, the 0-based number of its cycle in CX order [3].

    Position ``s`` links to the position in ``p1`` of the gene ``p2[s]``; cycles are numbered by
    their smallest position, so the cycle through position 0 is number 0.
    """
    n, k = p1.shape
    rows = np.arange(n)[:, None]
    nxt = inverse(p1)[rows, p2]
    low = np.broadcast_to(np.arange(k), (n, k)).copy()
    # Pointer doubling: after t rounds low[s] is the minimum over 2**t steps of s's cycle.
    for _ in range(max(1, int(np.ceil(np.log2(k))) + 1)):
        low = np.minimum(low, low[rows, nxt])
        nxt = nxt[rows, nxt]
    starts = low == np.arange(k)
    return np.cumsum(starts, axis=1)[rows, low] - 1


def cycle_crossover(rng, p1: np.ndarray, p2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cycle crossover CX [3]: alternate cycles come from alternate parents (deterministic)."""
    from_first = cycle_labels(p1, p2) % 2 == 0
    return np.where(from_first, p1, p2), np.where(from_first, p2, p1)


def _apply_source(perm, src):
    return perm[np.arange(perm.shape[0])[:, None], src]


def _pick_rows(rng, n, rate):
    return rng.random(n) < rate


def swap_mutation(rng, perm: np.ndarray, rate: float) -> np.ndarray:
    """Swap two random positions in each row chosen with probability ``rate`` [4]."""
    n, k = perm.shape
    i = rng.integers(0, k, size=n)
    j = rng.integers(0, k, size=n)
    j = np.where(_pick_rows(rng, n, rate), j, i)
    src = np.broadcast_to(np.arange(k), (n, k)).copy()
    src[np.arange(n), i], src[np.arange(n), j] = j, i
    return _apply_source(perm, src)


def insertion_mutation(rng, perm: np.ndarray, rate: float) -> np.ndarray:
    """Move the gene at a random position to another random position [4]."""
    n, k = perm.shape
    a = rng.integers(0, k, size=n)[:, None]
    b = rng.integers(0, k, size=n)[:, None]
    b = np.where(_pick_rows(rng, n, rate)[:, None], b, a)
    pos = np.arange(k)
    # Gene from a lands at b; genes between shift one place towards a's old spot.
    src = np.where((pos >= a) & (pos < b), pos + 1, pos)
    src = np.where((pos > b) & (pos <= a), pos - 1, src)
    src = np.where(pos == b, a, src)
    return _apply_source(perm, src)


def inversion_mutation(rng, perm: np.ndarray, rate: float) -> np.ndarray:
    """Reverse a random segment (a 2-opt move on a tour) in rows picked with prob. ``rate``."""
    n, k = perm.shape
    i, j = random_segments(rng, n, k, min_len=min(2, k))
    j = np.where(_pick_rows(rng, n, rate), j, i)
    pos = np.arange(k)
    inside = (pos >= i[:, None]) & (pos < j[:, None])
    src = np.where(inside, i[:, None] + j[:, None] - 1 - pos, pos)
    return _apply_source(perm, src)
