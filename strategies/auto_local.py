"""A local quasi-Newton search in the unit cube, for ``auto``'s first phase on continuous spaces.

BFGS with forward finite-difference gradients, projected onto the box: the inverse-Hessian
update of [1] (eq. 6.17), Shanno-Phua scaling of the first approximation ``H0 = (s.y / y.y) I``
([1] eq. 6.20), and an Armijo backtracking line search with quadratic interpolation ([1]
section 3.5, sufficient decrease eq. 3.4 with ``c1 = 1e-4``). The step is clipped into the box
and the components that point out of the box at an active bound are dropped (a projected
direction), so linear slopes ending at a face converge. Forward differences use the step
``h = 1e-7`` in the cube (about ``sqrt(machine epsilon)``, [1] eq. 8.6), backwards at the
upper face; when they stall, central differences ([1] eq. 8.7) take over with ``h = 1e-5``,
then 1e-6, 1e-7, 1e-8 each time the search stalls again (BBOB's oscillation transformation
makes coarse quotients point the wrong way close to the optimum). A gradient costs ``dim``
(``2 dim``) evaluations asked as one batch; the line search asks one point at a time.

Ros (BBOB-2009 workshop, "Benchmarking the BFGS algorithm on the BBOB-2009 function testbed")
found this method the fastest of the 2009 entries on the smooth unimodal BBOB functions at
small budgets, which is why ``auto`` starts with it.

Optionally (``scan=n``) one sweep of coordinate search comes first: each coordinate in turn
tries ``n`` evenly spaced values with the others held and keeps the best, which lands
separable multimodal functions (BBOB's Rastrigin f3, f4) in their global basin before BFGS.

The search is a Python generator that yields batches and receives their values. Its state is
therefore the list of values it has received: ``state_dict`` stores them and
``load_state_dict`` replays them through a fresh generator, which is deterministic.
:class:`_GeneratorSearch` holds that machinery (ask, tell, budget, state by replay) for every
such search of ``auto`` (:mod:`strategies.auto_nm` too).

[1] J. Nocedal, S. J. Wright, *Numerical Optimization*, 2nd ed., Springer (2006).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nondiff.strategy import candidate_ids, candidates_from_vectors
from strategies._common import Ledger

__all__ = ["LocalBFGS"]

_C1 = 1e-4  # Armijo constant, [1] section 3.1


@dataclass
class _Params:
    x0: np.ndarray
    h: float
    h_central: float
    memory: int | None
    scan: int
    max_backtracks: int
    xtol: float


@dataclass
class _State:
    told: list = field(default_factory=list)  # every batch of values received, in order
    stopped: str | None = None


class _GeneratorSearch:
    """The protocol around a search written as a generator of batches (subclasses: the searches).

    A subclass sets ``space``, ``budget``, ``_ledger`` (a :class:`Ledger`) and ``_state`` (a
    fresh :class:`_State`), defines ``_search()`` returning the generator, and calls
    ``_start()``. The generator yields ``(n, dim)`` arrays of points in the unit cube, receives
    their values (``+inf`` for failures and for points cut off by the budget) and returns the
    reason it ended.
    """

    supported_types = ("real", "array")

    def _search(self):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _start(self):
        self._gen = self._search()
        self._batch = next(self._gen)
        self._asked = None

    # --- the protocol --------------------------------------------------------------------
    def ask(self):
        X = self._batch if self._batch is not None else np.zeros((0, self.space.dim))
        n = len(X)
        if self.budget is not None:
            n = max(0, min(n, self.budget - self._ledger.next_id))
        first = self._ledger.issue(n)
        self._asked = (first, len(X))
        return candidates_from_vectors(self.space, X[:n], first)

    def tell(self, candidates, values) -> None:
        values = self._ledger.accept(candidates, values)
        if self._asked is None:
            return  # an empty tell with no ask pending (accept refuses any candidate then)
        first, whole = self._asked
        self._asked = None
        full = np.full(whole, np.inf)
        full[candidate_ids(candidates) - first] = values
        self._state.told.append(full)
        self._send(full)

    def _send(self, values):
        if self._batch is None:
            return
        try:
            self._batch = self._gen.send(values)
        except StopIteration as end:
            self._batch, self._state.stopped = None, end.value

    def stop(self) -> str | None:
        if self.budget is not None and self._ledger.next_id >= self.budget:
            return "budget"
        return self._state.stopped

    @property
    def best(self):
        return self._ledger.best

    # --- state: the received values, replayed ----------------------------------------------
    def state_dict(self) -> dict:
        told = self._state.told
        return {"values": np.concatenate(told) if told else np.zeros(0),
                "sizes": np.array([len(v) for v in told], dtype=np.int64),
                "ledger": self._ledger.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self._state = _State()
        self._start()
        values = np.asarray(state["values"], dtype=float)
        bounds = np.cumsum(np.concatenate([[0], np.asarray(state["sizes"], dtype=np.int64)]))
        for a, b in zip(bounds[:-1], bounds[1:]):
            self._state.told.append(values[a:b])
            self._send(values[a:b])
        self._ledger.load_state_dict(state["ledger"])


class LocalBFGS(_GeneratorSearch):
    """Projected BFGS with finite-difference gradients on the unit-cube encoding.

    Parameters
    ----------
    space : nondiff.space.Space
    seed, budget
        As for every strategy (the search itself is deterministic).
    x0 : array, optional
        Start point in the unit cube; default its centre.
    h : float
        Forward-difference step in the cube (default 1e-7).
    h_central : float
        First central-difference step, used once forward differences stall (default 1e-5,
        about the cube root of machine epsilon, [1] eq. 8.7); divided by 10 at each further
        stall down to 1e-8.
    memory : int, optional
        Keep only the last ``memory`` curvature pairs (L-BFGS, [1] algorithm 7.4); default
        None, the full inverse-Hessian matrix.
    scan : int
        Before BFGS, one sweep of coordinate search trying ``scan`` evenly spaced values per
        coordinate (default 0: no sweep).
    max_backtracks : int
        Line-search halvings before the search counts as converged (default 30).
    xtol : float
        Converged when a step moves less than this in the cube (default 1e-10).

    Examples
    --------
    >>> from nondiff.space import Space, Real
    >>> s = LocalBFGS(Space(x=Real(-1, 1), y=Real(-1, 1)))
    >>> len(s.ask())  # the start point
    1
    """

    def __init__(self, space, *, seed=None, budget=None, x0=None, h=1e-7, h_central=1e-5,
                 memory=None, scan=0, max_backtracks=30, xtol=1e-10):
        del seed  # deterministic
        dim = space.dim
        x0 = np.full(dim, 0.5) if x0 is None else np.asarray(x0, dtype=float).reshape(-1)
        if x0.shape != (dim,) or not np.all((x0 >= 0) & (x0 <= 1)):
            raise ValueError(f"x0 must be {dim} numbers in [0, 1] (the unit-cube encoding)")
        for name, value in (("h", h), ("h_central", h_central), ("xtol", xtol)):
            if not (isinstance(value, (int, float)) and 0 < value < 0.5):
                raise ValueError(f"{name} must be a number in (0, 0.5), got {value!r}")
        if isinstance(scan, bool) or not isinstance(scan, int) or scan < 0 or scan == 1:
            raise ValueError(f"scan must be 0 or an integer >= 2, got {scan!r}")
        if not isinstance(max_backtracks, int) or max_backtracks < 1:
            raise ValueError(f"max_backtracks must be an integer >= 1, got {max_backtracks!r}")
        if memory is not None and (isinstance(memory, bool) or not isinstance(memory, int)
                                   or memory < 1):
            raise ValueError(f"memory must be None or an integer >= 1, got {memory!r}")
        if budget is not None and budget < 1:
            raise ValueError(f"budget must be >= 1, got {budget!r}")
        self.space, self.budget = space, budget
        self._params = _Params(x0, float(h), float(h_central), memory, int(scan),
                               max_backtracks, float(xtol))
        self._ledger = Ledger(space)
        self._state = _State()
        self._start()

    def _search(self):
        return _bfgs(self._params)


# --- the search, as a generator of batches ------------------------------------------------------
def _bfgs(p: _Params):
    """Yield batches of points (rows in the cube), receive their values; return why it ended.

    The gradient starts as forward differences. When a line search stalls, the next level of
    :func:`_fd_levels` takes over (central differences, then ever smaller steps: near a badly
    conditioned or oscillating minimum a coarse difference quotient points the wrong way),
    keeping the Hessian approximation; at the last level one more try from steepest descent,
    then the search has converged.
    """
    x = p.x0.copy()
    fx = (yield x[None, :])[0]
    if p.scan:  # also when the start point failed: any finite point of the sweep is better
        x, fx = yield from _scan(x, fx, p.scan)
    if not math.isfinite(fx):
        return "the start point failed"
    levels, k = _fd_levels(p), 0
    g = yield from _gradient(x, fx, *levels[k])
    H = None
    while True:
        d = _projected(x, -(g if H is None else _apply(H, g)))
        if H is None:  # first step: a tenth of the cube along the steepest descent
            d *= 0.1 / max(np.linalg.norm(d), 1e-300)
        x_new, f_new = (None, None) if not np.any(d) else (
            yield from _line_search(x, fx, g, d, p.max_backtracks))
        if x_new is None or np.max(np.abs(x_new - x)) < p.xtol:
            if x_new is not None:
                x, fx = x_new, f_new
            if k + 1 < len(levels):
                k += 1
                g = yield from _gradient(x, fx, *levels[k])
            elif H is not None:  # a stale approximation: once more from steepest descent
                H = None
            else:
                return "converged: " + ("no descent" if x_new is None else "step below xtol")
            continue
        s = x_new - x
        x, fx = x_new, f_new
        g_new = yield from _gradient(x, fx, *levels[k])
        H = _update(H, s, g_new - g, p.memory)
        g = g_new


def _scan(x, fx, n):
    """One sweep of coordinate search: each coordinate in turn tries ``n`` evenly spaced values
    with the others held, and keeps the best (a batch per coordinate). On a separable function
    this finds each coordinate's best grid cell whatever its local minima."""
    grid = np.linspace(0.0, 1.0, n)
    for i in range(len(x)):
        X = np.repeat(x[None, :], n, axis=0)
        X[:, i] = grid
        F = yield X
        j = int(np.argmin(F))
        if F[j] < fx:
            x, fx = X[j].copy(), float(F[j])
    return x, fx


def _fd_levels(p: _Params) -> list[tuple[float, bool]]:
    """(step, central) pairs: forward ``h``, then central from ``h_central`` down to 1e-8."""
    levels, h = [(p.h, False)], p.h_central
    while h >= 1e-8 * (1 - 1e-9):
        levels.append((h, True))
        h /= 10.0
    return levels


def _gradient(x, fx, h, central=False):
    """Finite differences as one batch: forward (``dim`` points, backward at the upper face)
    or central (``2 dim`` points, one-sided at a face)."""
    up = np.minimum(x + h, 1.0) - x
    with np.errstate(invalid="ignore"):  # inf - inf from failed neighbours, zeroed below
        g = yield from _differences(x, fx, h, up, central)
    return np.where(np.isfinite(g), g, 0.0)  # a failed neighbour says nothing about the slope


def _differences(x, fx, h, up, central):
    if not central:
        steps = np.where(up < h, -h, h)
        F = yield x + np.diag(steps)
        g = (F - fx) / steps
    else:
        down = np.maximum(x - h, 0.0) - x
        F = yield np.vstack([x + np.diag(up), x + np.diag(down)])
        n = len(x)
        g = (F[:n] - F[n:]) / (up - down)
    return g


def _projected(x, d):
    """Drop the components that would leave the box at an active bound."""
    out = d.copy()
    out[((x <= 0.0) & (d < 0)) | ((x >= 1.0) & (d > 0))] = 0.0
    return out


def _line_search(x, fx, g, d, max_backtracks):
    """Armijo backtracking with quadratic interpolation; (None, None) when it finds no decrease."""
    t = 1.0
    for _ in range(max_backtracks):
        x_new = np.clip(x + t * d, 0.0, 1.0)
        step = x_new - x
        if not np.any(step):
            return None, None
        f_new = (yield x_new[None, :])[0]
        slope = float(g @ step)
        if f_new <= fx + _C1 * slope and f_new < fx:
            return x_new, f_new
        t = _next_t(t, fx, f_new, slope)
    return None, None


def _next_t(t, fx, f_new, slope):
    """The minimizer of the quadratic through f(0), f'(0) and f(t), kept in [t/10, t/2]."""
    curv = f_new - fx - slope
    if not math.isfinite(f_new) or curv <= 0 or slope >= 0:
        return 0.5 * t
    return float(np.clip(-slope * t / (2.0 * curv), 0.1 * t, 0.5 * t))


def _update(H, s, y, memory):
    """The next inverse-Hessian approximation: a matrix (BFGS) or the last ``memory`` pairs."""
    if memory is None:
        return _bfgs_update(H, s, y)
    if float(s @ y) <= 1e-12 * np.linalg.norm(s) * np.linalg.norm(y):
        return H  # no positive curvature: the pair would break positive definiteness
    return ([] if H is None else H[-(memory - 1):] if memory > 1 else []) + [(s, y)]


def _apply(H, g):
    """``H g`` for a matrix, or the L-BFGS two-loop recursion ([1] algorithm 7.4)."""
    if isinstance(H, np.ndarray):
        return H @ g
    if not H:
        return g
    q, alphas = g.copy(), []
    for s, y in reversed(H):
        a = float(s @ q) / float(s @ y)
        q -= a * y
        alphas.append(a)
    s, y = H[-1]
    r = q * (float(s @ y) / float(y @ y))  # [1] eq. 7.20
    for (s, y), a in zip(H, reversed(alphas)):
        r += s * (a - float(y @ r) / float(s @ y))
    return r


def _bfgs_update(H, s, y):
    """The inverse-Hessian update ([1] eq. 6.17), skipped when the curvature s.y is not positive."""
    sy = float(s @ y)
    n = len(s)
    if H is None:
        H = np.eye(n) * (sy / float(y @ y) if sy > 0 else 1.0)  # [1] eq. 6.20
    if sy <= 1e-12 * np.linalg.norm(s) * np.linalg.norm(y):
        return H
    rho = 1.0 / sy
    Hy = H @ y
    return H + (rho * rho * (y @ Hy) + rho) * np.outer(s, s) - rho * (np.outer(Hy, s)
                                                                      + np.outer(s, Hy))
