"""The Nelder-Mead simplex search in the unit cube, an ask/tell component of ``auto``.

The downhill simplex of Nelder and Mead [1] keeps ``N + 1`` points of the cube (``N`` the
dimension), sorted by value, ``x_1`` the best and ``x_{N+1}`` the worst, and replaces the worst
each iteration. With ``xbar`` the centroid of the ``N`` best points, the candidates are

- reflection ``x_r = xbar + rho (xbar - x_{N+1})``, accepted when
  ``f_1 <= f_r < f_N``;
- expansion ``x_e = xbar + rho chi (xbar - x_{N+1})``, tried when ``f_r < f_1``, the better of
  ``x_e`` and ``x_r`` replaces the worst;
- outside contraction ``x_c = xbar + psi rho (xbar - x_{N+1})`` when ``f_N <= f_r < f_{N+1}``,
  accepted when ``f_c <= f_r``;
- inside contraction ``x_cc = xbar - psi (xbar - x_{N+1})`` when ``f_r >= f_{N+1}``, accepted
  when ``f_cc < f_{N+1}``;
- otherwise a shrink towards the best: ``x_i = x_1 + sigma (x_i - x_1)``, ``i = 2 .. N+1``.

The coefficients are either the standard ``rho = 1, chi = 2, psi = 1/2, sigma = 1/2`` or, with
``adaptive=True``, those of Gao and Han [2] (section 4), functions of the dimension that keep
expansions and shrinks from destroying the simplex's shape in high dimension:
``rho = 1, chi = 1 + 2/N, psi = 3/4 - 1/(2N), sigma = 1 - 1/N``.

The conventions follow ``scipy.optimize.minimize(method="Nelder-Mead")`` with ``bounds``, so
that the two evaluate the same points in the same order (the tests compare them): every trial
point is clipped into the cube, ties between a trial and the simplex go as in the list above,
the simplex is re-sorted after each iteration, and the search has converged when every vertex
is within ``xatol`` of the best in every coordinate and every value within ``fatol`` of the
best. Two stops scipy lacks end searches that could never meet that test: a simplex collapsed
to one point, and one whose best vertex failed (``+inf``) once it is within ``xatol``.

The initial simplex is ``x0`` and ``x0 + step e_i`` for each axis ``i`` (``x0 - step e_i``
where ``+`` would leave the cube); its ``N + 1`` points are asked as one batch, as are a
shrink's ``N`` points, while reflection, expansion and contraction ask one point each.
Optionally (``scan=n``) one sweep of coordinate search (:mod:`strategies.auto_local`) moves
``x0`` first. The search is a generator of batches, replayed on ``load_state_dict``
(:class:`strategies.auto_local._GeneratorSearch`).

[1] J. A. Nelder, R. Mead, "A simplex method for function minimization", The Computer Journal
    7(4), 308-313 (1965).
[2] F. Gao, L. Han, "Implementing the Nelder-Mead simplex algorithm with adaptive parameters",
    Computational Optimization and Applications 51(1), 259-277 (2012).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from strategies._common import Ledger
from strategies.auto_local import _GeneratorSearch, _scan, _State

__all__ = ["LocalNM"]


@dataclass
class _Params:
    x0: np.ndarray
    step: float
    scan: int
    xatol: float
    fatol: float
    rho: float  # reflection
    chi: float  # expansion
    psi: float  # contraction
    sigma: float  # shrink


def _coefficients(dim: int, adaptive: bool) -> tuple[float, float, float, float]:
    """(rho, chi, psi, sigma): [1]'s standard values, or [2]'s functions of the dimension."""
    if not adaptive:
        return 1.0, 2.0, 0.5, 0.5
    n = float(dim)
    return 1.0, 1.0 + 2.0 / n, 0.75 - 1.0 / (2.0 * n), 1.0 - 1.0 / n


class LocalNM(_GeneratorSearch):
    """Nelder-Mead on the unit-cube encoding, clipped into the cube, converging as scipy's.

    Parameters
    ----------
    space : nondiff.space.Space
    seed, budget
        As for every strategy (the search itself is deterministic).
    x0 : array, optional
        The first vertex, in the unit cube; default its centre.
    step : float
        Edge of the initial simplex along each axis, in the cube (default 0.2: a fifth of
        each range).
    adaptive : bool
        Gao and Han's dimension-dependent coefficients [2] (default True); False gives [1]'s.
    xatol, fatol : float
        Converged when every vertex is within ``xatol`` of the best in each coordinate (in the
        cube) and every value within ``fatol`` of the best (defaults 1e-8).
    scan : int
        Before the simplex, one sweep of coordinate search trying ``scan`` evenly spaced values
        per coordinate, the simplex then starting at its result (default 0: no sweep).

    Examples
    --------
    >>> from nondiff.space import Space, Real
    >>> s = LocalNM(Space(x=Real(-1, 1), y=Real(-1, 1)))
    >>> s.ask().vectors  # the initial simplex, one batch
    array([[0.5, 0.5],
           [0.7, 0.5],
           [0.5, 0.7]])
    """

    def __init__(self, space, *, seed=None, budget=None, x0=None, step=0.2, adaptive=True,
                 xatol=1e-8, fatol=1e-8, scan=0):
        del seed  # deterministic
        dim = space.dim
        x0 = _start_vector(x0, dim)
        _check(dim, x0, budget, step, adaptive, xatol, fatol, scan)
        self.space, self.budget = space, budget
        self._params = _Params(x0, float(step), int(scan), float(xatol), float(fatol),
                               *_coefficients(dim, bool(adaptive)))
        self._ledger = Ledger(space)
        self._state = _State()
        self._start()

    def _search(self):
        return _nelder_mead(self._params)


def _start_vector(x0, dim: int) -> np.ndarray:
    """``x0`` as a flat float array, the centre of the cube when None."""
    if x0 is None:
        return np.full(dim, 0.5)
    try:
        return np.asarray(x0, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"x0 must be {dim} numbers in [0, 1] (the unit-cube encoding), "
                         f"got {x0!r}") from None


def _check(dim, x0, budget, step, adaptive, xatol, fatol, scan):
    if x0.shape != (dim,) or not np.all((x0 >= 0) & (x0 <= 1)):
        raise ValueError(f"x0 must be {dim} numbers in [0, 1] (the unit-cube encoding)")
    if isinstance(step, bool) or not isinstance(step, (int, float)) or not 0 < step < 1:
        raise ValueError(f"step must be a number in (0, 1), got {step!r}")
    if not isinstance(adaptive, (bool, np.bool_)):
        raise TypeError(f"adaptive must be a bool, not {type(adaptive).__name__}")
    for name, value in (("xatol", xatol), ("fatol", fatol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    if isinstance(scan, bool) or not isinstance(scan, int) or scan < 0 or scan == 1:
        raise ValueError(f"scan must be 0 or an integer >= 2, got {scan!r}")
    if budget is not None and (isinstance(budget, bool)
                               or not isinstance(budget, (int, np.integer)) or budget < 1):
        raise ValueError(f"budget must be an integer >= 1 or None, got {budget!r}")


# --- the search, as a generator of batches ------------------------------------------------------
def _nelder_mead(p: _Params):
    """Yield batches of points (rows in the cube), receive their values; return why it ended."""
    sim, fsim = yield from _initial(p)
    # scipy sorts the first simplex twice; argsort need not be stable, so do the same
    sim, fsim = _sorted(*_sorted(sim, fsim))
    while True:
        reason = _converged(sim, fsim, p)
        if reason is not None:
            return reason
        sim, fsim = _sorted(*(yield from _iteration(sim, fsim, p)))


def _initial(p: _Params):
    """The initial simplex and its values: one batch, or the start point, a scan, then the rest."""
    if not p.scan:
        sim = _simplex(p.x0, p.step)
        return sim, (yield sim)
    x0 = p.x0
    fx0 = (yield x0[None, :])[0]
    x0, fx0 = yield from _scan(x0, fx0, p.scan)
    sim = _simplex(x0, p.step)
    return sim, np.concatenate([[fx0], (yield sim[1:])])


def _simplex(x0, step):
    """``x0`` and ``x0 +- step e_i``, the sign flipped where ``+`` would leave the cube."""
    steps = np.where(x0 + step <= 1.0, step, -step)
    return np.clip(np.vstack([x0, x0 + np.diag(steps)]), 0.0, 1.0)


def _sorted(sim, fsim):
    order = np.argsort(fsim)
    return np.take(sim, order, 0), np.take(fsim, order, 0)


def _converged(sim, fsim, p: _Params) -> str | None:
    """scipy's test, plus the two degenerate cases where it could never pass."""
    spread = float(np.max(np.abs(sim[1:] - sim[0])))
    with np.errstate(invalid="ignore"):  # inf - inf when vertices failed: not converged
        fspread = np.max(np.abs(fsim[0] - fsim[1:]))
    if spread <= p.xatol and fspread <= p.fatol:
        return "converged: simplex within xatol and fatol"
    if spread == 0.0:
        return "converged: the simplex collapsed to one point"
    if spread <= p.xatol and not math.isfinite(fsim[0]):
        return "converged: every vertex of a collapsed simplex failed"
    return None


def _iteration(sim, fsim, p: _Params):
    """One iteration of [1] (the list in the module docstring); returns the new simplex."""
    sim, fsim = sim.copy(), fsim.copy()
    n = sim.shape[1]
    xbar = np.add.reduce(sim[:-1], 0) / n  # centroid of all but the worst
    worst = sim[-1]
    xr = _clip((1 + p.rho) * xbar - p.rho * worst)
    fr = (yield xr[None, :])[0]
    if fr < fsim[0]:
        xe = _clip((1 + p.rho * p.chi) * xbar - p.rho * p.chi * worst)
        fe = (yield xe[None, :])[0]
        sim[-1], fsim[-1] = (xe, fe) if fe < fr else (xr, fr)
        return sim, fsim
    if fr < fsim[-2]:
        sim[-1], fsim[-1] = xr, fr
        return sim, fsim
    if fr < fsim[-1]:  # outside contraction
        xc = _clip((1 + p.psi * p.rho) * xbar - p.psi * p.rho * worst)
        fc = (yield xc[None, :])[0]
        accept = fc <= fr
    else:  # inside contraction
        xc = _clip((1 - p.psi) * xbar + p.psi * worst)
        fc = (yield xc[None, :])[0]
        accept = fc < fsim[-1]
    if accept:
        sim[-1], fsim[-1] = xc, fc
        return sim, fsim
    # --- shrink towards the best vertex, the N new points as one batch ---
    sim[1:] = _clip(sim[0] + p.sigma * (sim[1:] - sim[0]))
    fsim[1:] = yield sim[1:].copy()
    return sim, fsim


def _clip(x):
    return np.clip(x, 0.0, 1.0)
