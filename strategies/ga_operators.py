"""Typed crossover, mutation and local-move operators for the genetic algorithm, as tables.

Each parameter kind of a :class:`~nondiff.space.Space` has a table of named crossovers, named
mutations and one local move (for the memetic option). Every operator works on one parameter's
column of the typed genome for the whole population at once (leading population axis) and sees a
:class:`GeneSpec` with the parameter's bounds and the GA's coefficients:

- ``crossover(rng, a, b, spec) -> (c, d)``: two children per pair of parent rows;
- ``mutation(rng, x, spec) -> x``: each gene mutates with probability ``spec.rate``;
- ``local(rng, x, spec) -> x``: one small move in every row (a neighbour for hill climbing).

Users add their own with :func:`register_operator`. Real parameters on a log scale are handed to
real operators in log coordinates, so SBX and polynomial mutation act on the scale the user chose.

References
----------
[1] K. Deb and R. B. Agrawal, "Simulated binary crossover for continuous search space",
    Complex Systems 9 (1995): SBX, eqs. (4)-(5) spread factor distribution.
[2] K. Deb and M. Goyal, "A combined genetic adaptive search (GeneAS) for engineering design",
    Computer Science and Informatics 26 (1996): polynomial mutation.
[3] K. Deb, "Multi-objective optimization using evolutionary algorithms", Wiley 2001,
    sections 4.2.1 and 4.2.4: the bounded SBX and the bounded polynomial mutation used here
    (the variants of Deb's NSGA-II reference code, with per-variable probability 0.5 in SBX).
[4] G. Syswerda, "Uniform crossover in genetic algorithms", ICGA 1989.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strategies import ga_permutation as perm

__all__ = [
    "GeneSpec",
    "CROSSOVERS",
    "MUTATIONS",
    "LOCAL_MOVES",
    "DEFAULTS",
    "register_operator",
    "crossover",
    "mutate",
    "local_move",
    "sbx_children",
    "polynomial_step",
]

KINDS = ("real", "integer", "categorical", "bits", "permutation", "array")
_EPS = 1e-14


@dataclass(frozen=True)
class GeneSpec:
    """What operators know about one parameter.

    ``lo``/``hi`` are the bounds in operator coordinates (log bounds for a log-scale real),
    broadcastable to one individual's shape; ``n_choices`` counts a categorical's choices;
    ``rate`` is the per-gene mutation probability; ``eta_c``/``eta_m`` are the SBX and polynomial
    distribution indices [3]; ``creep`` is the largest integer creep step; ``local_step`` the
    standard deviation of a real local move as a fraction of the range.
    """

    kind: str
    lo: object = 0.0
    hi: object = 1.0
    log: bool = False
    n_choices: int = 0
    rate: float = 0.1
    eta_c: float = 15.0
    eta_m: float = 20.0
    creep: int = 1
    local_step: float = 0.05
    bounds: tuple | None = None  # user-scale (lo, hi) of a log-scale real, to clip after exp


# --- generic, any kind -------------------------------------------------------------------------


def exchange(swap, a, b):
    """Children ``(c, d)``: ``c`` is ``a`` with ``b``'s genes where ``swap``, ``d`` the reverse.

    Done on the raw bits with XOR, which is exact for every dtype and branch-free: a random
    mask makes ``np.where`` mispredict on every other gene, ten times slower on large genomes.
    """
    unsigned = np.dtype(f"u{a.dtype.itemsize}")
    ua = np.ascontiguousarray(a).view(unsigned)
    ub = np.ascontiguousarray(b, dtype=a.dtype).view(unsigned)
    diff = (ua ^ ub) & (0 - swap.astype(unsigned))  # all ones where swap, else zero
    return (ua ^ diff).view(a.dtype), (ub ^ diff).view(a.dtype)


def uniform_crossover(rng, a, b, spec):
    """Swap each gene between the two parents with probability 1/2 [4]."""
    return exchange(rng.integers(0, 2, size=a.shape, dtype=bool), a, b)


def _mutation_mask(rng, x, spec):
    """I.i.d. Bernoulli(rate) mask over the genes of ``x``."""
    size = x.size
    if size > 64 and spec.rate < 0.05:
        # Same distribution, cheaper for large genomes at low rates: a binomial number of hits
        # at distinct uniformly chosen positions.
        mask = np.zeros(size, dtype=bool)
        mask[rng.choice(size, rng.binomial(size, spec.rate), replace=False)] = True
        return mask.reshape(x.shape)
    return rng.random(x.shape) < spec.rate


# --- reals: SBX and polynomial mutation ------------------------------------------------------


def _spread(beta, u, eta):
    # Inverse CDF of the bounded spread factor, Deb 2001 sec. 4.2.1 [3].
    alpha = 2.0 - beta ** (-(eta + 1.0))
    low = u <= 1.0 / alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        q_low = (u * alpha) ** (1.0 / (eta + 1.0))
        q_high = (1.0 / (2.0 - u * alpha)) ** (1.0 / (eta + 1.0))
    return np.where(low, q_low, q_high)


def sbx_children(a, b, lo, hi, eta, u):
    """Bounded SBX children for parents ``a``, ``b`` and uniform draws ``u`` [1, 3].

    With ``y1 = min(a, b)``, ``y2 = max(a, b)``: ``c1 = (y1 + y2 - bq1 (y2 - y1)) / 2`` and
    ``c2 = (y1 + y2 + bq2 (y2 - y1)) / 2``, where ``bq`` inverts the spread-factor distribution
    truncated by the distance to each bound; children are clipped to ``[lo, hi]``. Genes with
    ``|a - b| <= 1e-14`` are returned unchanged.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    y1, y2 = np.minimum(a, b), np.maximum(a, b)
    far = (y2 - y1) > _EPS
    dy = np.where(far, y2 - y1, 1.0)
    bq1 = _spread(1.0 + 2.0 * (y1 - lo) / dy, u, eta)
    bq2 = _spread(1.0 + 2.0 * (hi - y2) / dy, u, eta)
    c1 = np.clip(0.5 * ((y1 + y2) - bq1 * dy), lo, hi)
    c2 = np.clip(0.5 * ((y1 + y2) + bq2 * dy), lo, hi)
    return np.where(far, c1, y1), np.where(far, c2, y2)


def sbx(rng, a, b, spec):
    """SBX on each gene with probability 1/2, children's sides swapped at random [3]."""
    u = rng.random(a.shape)
    cross = rng.random(a.shape) < 0.5
    flip = rng.random(a.shape) < 0.5
    c1, c2 = sbx_children(a, b, spec.lo, spec.hi, spec.eta_c, u)
    c1, c2 = np.where(cross, c1, a), np.where(cross, c2, b)
    return np.where(flip, c2, c1), np.where(flip, c1, c2)


def polynomial_step(x, lo, hi, eta, u):
    """Bounded polynomial mutation of ``x`` for uniform draws ``u`` [2, 3].

    ``d1 = (x - lo)/(hi - lo)``, ``d2 = (hi - x)/(hi - lo)``; for ``u <= 1/2``
    ``dq = (2u + (1 - 2u)(1 - d1)^(eta+1))^(1/(eta+1)) - 1``, otherwise
    ``dq = 1 - (2(1 - u) + 2(u - 1/2)(1 - d2)^(eta+1))^(1/(eta+1))``; the result
    ``x + dq (hi - lo)`` is clipped to ``[lo, hi]``.
    """
    x = np.asarray(x, float)
    span = hi - lo
    d1, d2 = (x - lo) / span, (hi - x) / span
    p = 1.0 / (eta + 1.0)
    down = (2 * u + (1 - 2 * u) * (1 - d1) ** (eta + 1)) ** p - 1.0
    up = 1.0 - (2 * (1 - u) + 2 * (u - 0.5) * (1 - d2) ** (eta + 1)) ** p
    return np.clip(x + np.where(u <= 0.5, down, up) * span, lo, hi)


def polynomial(rng, x, spec):
    """Polynomial mutation of each gene with probability ``spec.rate`` [3]."""
    u = rng.random(x.shape)
    hit = _mutation_mask(rng, x, spec)
    return np.where(hit, polynomial_step(x, spec.lo, spec.hi, spec.eta_m, u), x)


def gaussian_move(rng, x, spec):
    """Local move: a Gaussian step of ``local_step * (hi - lo)`` on every gene, clipped."""
    step = rng.standard_normal(x.shape) * spec.local_step * (spec.hi - spec.lo)
    return np.clip(x + step, spec.lo, spec.hi)


# --- integers --------------------------------------------------------------------------------


def arithmetic_crossover(rng, a, b, spec):
    """Children ``round(w a + (1-w) b)`` and ``round((1-w) a + w b)``, ``w ~ U(0, 1)`` per gene."""
    w = rng.random(a.shape)
    c = np.rint(w * a + (1 - w) * b)
    d = np.rint((1 - w) * a + w * b)
    return c.astype(a.dtype), d.astype(a.dtype)


def creep_mutation(rng, x, spec):
    """Add a step of ``+-1..creep`` to each gene with probability ``rate``, clipped to bounds."""
    step = rng.integers(1, spec.creep + 1, size=x.shape) * rng.choice([-1, 1], size=x.shape)
    hit = _mutation_mask(rng, x, spec)
    return np.where(hit, np.clip(x + step, spec.lo, spec.hi), x)


def reset_mutation(rng, x, spec):
    """Redraw each gene uniformly in ``[lo, hi]`` with probability ``rate``."""
    fresh = rng.integers(spec.lo, np.asarray(spec.hi) + 1, size=x.shape)
    return np.where(_mutation_mask(rng, x, spec), fresh, x)


def unit_step(rng, x, spec):
    """Local move: +-1 on every gene, turned back inward at a bound."""
    step = rng.choice([-1, 1], size=x.shape)
    y = x + step
    return np.where((y < spec.lo) | (y > spec.hi), x - step, y).clip(spec.lo, spec.hi)


# --- categoricals ----------------------------------------------------------------------------


def resample_mutation(rng, x, spec):
    """Replace each index, with probability ``rate``, by a different choice drawn uniformly."""
    m = spec.n_choices
    if m < 2:
        return x
    other = (x + rng.integers(1, m, size=x.shape)) % m
    return np.where(_mutation_mask(rng, x, spec), other, x)


def resample_move(rng, x, spec):
    """Local move: a different choice in every row."""
    return resample_mutation(rng, x, GeneSpec("categorical", n_choices=spec.n_choices, rate=1.0))


# --- bits ------------------------------------------------------------------------------------


def _cut_mask(rng, n, k, points):
    cuts = np.sort(rng.integers(1, max(k, 2), size=(n, points)), axis=1)
    # A position is on the second parent's side after an odd number of cut points.
    return (np.arange(k)[None, :, None] >= cuts[:, None, :]).sum(axis=2) % 2 == 1


def one_point_crossover(rng, a, b, spec):
    """Exchange the tails after one uniform cut point in ``1..k-1``."""
    return exchange(_cut_mask(rng, a.shape[0], a.shape[1], 1), a, b)


def two_point_crossover(rng, a, b, spec):
    """Exchange the segment between two uniform cut points."""
    return exchange(_cut_mask(rng, a.shape[0], a.shape[1], 2), a, b)


def flip_mutation(rng, x, spec):
    """Flip each bit with probability ``rate``."""
    return x ^ _mutation_mask(rng, x, spec)


def flip_one(rng, x, spec):
    """Local move: flip one uniformly chosen bit per row."""
    y = x.copy()
    y[np.arange(x.shape[0]), rng.integers(0, x.shape[1], size=x.shape[0])] ^= True
    return y


# --- permutations ----------------------------------------------------------------------------


def _row_rate(spec, x):
    # The chance that at least one of the k genes mutates at the per-gene rate.
    return 1.0 - (1.0 - spec.rate) ** x.shape[1]


def _perm_crossover(fn):
    return lambda rng, a, b, spec: fn(rng, a, b)


def _perm_mutation(fn):
    return lambda rng, x, spec: fn(rng, x, _row_rate(spec, x))


def two_opt_move(rng, x, spec):
    """Local move: reverse one random segment of length >= 2 (a 2-opt move on a tour)."""
    return perm.inversion_mutation(rng, x, 1.0)


# --- tables ----------------------------------------------------------------------------------

_REAL_X = {"sbx": sbx, "uniform": uniform_crossover}
_REAL_M = {"polynomial": polynomial}

CROSSOVERS: dict[str, dict] = {
    "real": dict(_REAL_X),
    "array": dict(_REAL_X),
    "integer": {"uniform": uniform_crossover, "arithmetic": arithmetic_crossover},
    "categorical": {"uniform": uniform_crossover},
    "bits": {
        "uniform": uniform_crossover,
        "one-point": one_point_crossover,
        "two-point": two_point_crossover,
    },
    "permutation": {
        "ox": _perm_crossover(perm.order_crossover),
        "pmx": _perm_crossover(perm.pmx_crossover),
        "cycle": _perm_crossover(perm.cycle_crossover),
    },
}
MUTATIONS: dict[str, dict] = {
    "real": dict(_REAL_M),
    "array": dict(_REAL_M),
    "integer": {"creep": creep_mutation, "reset": reset_mutation},
    "categorical": {"resample": resample_mutation},
    "bits": {"flip": flip_mutation},
    "permutation": {
        "swap": _perm_mutation(perm.swap_mutation),
        "insertion": _perm_mutation(perm.insertion_mutation),
        "inversion": _perm_mutation(perm.inversion_mutation),
    },
}
LOCAL_MOVES: dict[str, object] = {
    "real": gaussian_move,
    "array": gaussian_move,
    "integer": unit_step,
    "categorical": resample_move,
    "bits": flip_one,
    "permutation": two_opt_move,
}
DEFAULTS: dict[str, tuple[str, str]] = {
    "real": ("sbx", "polynomial"),
    "array": ("sbx", "polynomial"),
    "integer": ("uniform", "creep"),
    "categorical": ("uniform", "resample"),
    "bits": ("uniform", "flip"),
    "permutation": ("ox", "inversion"),
}


def register_operator(kind: str, name: str, *, crossover=None, mutation=None) -> None:
    """Add a user crossover and/or mutation named ``name`` for parameters of ``kind``.

    Parameters
    ----------
    kind : str
        One of ``"real", "integer", "categorical", "bits", "permutation", "array"``.
    name : str
        The name to pass as ``crossover=`` / ``mutation=`` to the GA.
    crossover : callable, optional
        ``crossover(rng, a, b, spec) -> (c, d)`` over arrays with a leading population axis.
    mutation : callable, optional
        ``mutation(rng, x, spec) -> x``, mutating each gene with probability ``spec.rate``.

    Raises
    ------
    ValueError
        If ``kind`` is unknown, neither function is given, or ``name`` is already taken.

    Examples
    --------
    A blend crossover for reals, then a GA that uses it:

    >>> def blend(rng, a, b, spec):
    ...     w = rng.random(a.shape)
    ...     return w * a + (1 - w) * b, (1 - w) * a + w * b
    >>> register_operator("real", "blend-doc", crossover=blend)
    >>> from nondiff.space import Real, Space
    >>> from strategies.ga import GeneticAlgorithm
    >>> ga = GeneticAlgorithm(Space(x=Real(0, 1)), seed=0, crossover={"real": "blend-doc"})
    >>> all(0 <= c.params["x"] <= 1 for c in ga.ask())
    True
    >>> del CROSSOVERS["real"]["blend-doc"]
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if crossover is None and mutation is None:
        raise ValueError("register_operator needs crossover= and/or mutation=")
    pairs = ((CROSSOVERS, crossover, "crossover"), (MUTATIONS, mutation, "mutation"))
    for table, fn, what in pairs:
        if fn is not None and name in table[kind]:
            raise ValueError(f"a {kind} {what} named {name!r} is already registered")
    if crossover is not None:
        CROSSOVERS[kind][name] = crossover
    if mutation is not None:
        MUTATIONS[kind][name] = mutation


# --- dispatch with log-scale handling -------------------------------------------------------


def _to_op(spec, x):
    return np.log(x) if spec.log else x


def _from_op(spec, x):
    return np.clip(np.exp(x), *spec.bounds) if spec.log else x


def crossover(name: str, spec: GeneSpec, rng, a, b):
    """Apply the ``spec.kind`` crossover ``name`` to parent columns ``a`` and ``b``."""
    c, d = CROSSOVERS[spec.kind][name](rng, _to_op(spec, a), _to_op(spec, b), spec)
    c, d = _from_op(spec, c), _from_op(spec, d)
    return c.astype(a.dtype, copy=False), d.astype(b.dtype, copy=False)


def mutate(name: str, spec: GeneSpec, rng, x):
    """Apply the ``spec.kind`` mutation ``name`` to column ``x``."""
    y = MUTATIONS[spec.kind][name](rng, _to_op(spec, x), spec)
    return _from_op(spec, y).astype(x.dtype, copy=False)


def local_move(spec: GeneSpec, rng, x):
    """One local move of kind ``spec.kind`` in every row of column ``x``."""
    y = LOCAL_MOVES[spec.kind](rng, _to_op(spec, x), spec)
    return _from_op(spec, y).astype(x.dtype, copy=False)
