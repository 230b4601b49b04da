"""Control-flow-heavy programs: controllers with branches, cart-pole, feature selection, a CLI.

- ``bang-bang``: a double integrator ``x'' = u``, ``|u| <= 1``, Euler steps of 0.05 s for 10 s,
  driven from 8 starting states by a controller with branches: full thrust against the sign of
  the switching function ``s = x + c v |v|`` outside a dead band ``|s| <= w``, a saturated PD law
  ``-k x - k_d v`` inside. The value is the total time until the state enters and stays in the
  box ``|x|, |v| < 0.05`` (10 s for a start that never settles). Reference (``exact=False``): the
  sum of the time-optimal settling times to the origin, ``v0 + 2 sqrt(x0 + v0^2/2)`` above the
  switching curve and its mirror below (Pontryagin's bang-bang solution, e.g. Kirk, *Optimal
  Control Theory*, 1970, sec. 5.4); entering a box instead of reaching the origin can beat it.
- ``cartpole``: the cart-pole of Barto, Sutton and Anderson (IEEE SMC 13, 1983), frictionless,
  Euler steps of 0.02 s, with a bang-bang linear policy (push right iff ``w . s + b > 0``) over
  5 parameters; value minus the mean number of steps (of at most 200) the pole stays within 12
  degrees and the cart within 2.4 m, from 5 starting states. Optimum -200, attained (the
  tests show a policy that does).
- ``feature-selection``: ``Bits(d)`` choose the features of a least-squares fit on 60 training
  rows; value the validation mean squared error plus 0.01 per feature. The data have
  ``max(2, d // 4)`` informative features. Optimum by exhaustive enumeration for ``d <= 14``
  (exact); above that the value of the informative set is the reference.
- ``bang-bang-cli``: the ``bang-bang`` program run as a shell command per evaluation
  (``python -m nondiff.bench.suites.controller``, pure Python so
  that a call costs the interpreter's start-up and little more) through a command objective.
"""

from __future__ import annotations

import itertools
import math
import shlex
import sys

import numpy as np

from nondiff.bench.suites import Problem, instance_rng
from nondiff.bench.suites.controller import DT, HORIZON, TOL, starts
from nondiff.bench.suites.controller import NAMES as BANG_NAMES

__all__ = ["FUNCTIONS", "FIXED_DIMS", "settling_time", "cartpole_steps", "selection_error"]

# --- bang-bang controller ----------------------------------------------------------------------
BANG_LO, BANG_HI = np.array([0.0, 0.0, 0.0, 0.0]), np.array([2.0, 0.5, 10.0, 10.0])


def _starts(instance: int) -> np.ndarray:
    return np.array(starts(instance))


def settling_time(params, starts) -> float:
    """Total time (s) for the controller ``params`` to settle from every start."""
    c, w, k, kd = (float(p) for p in params)
    x, v = starts[:, 0].copy(), starts[:, 1].copy()
    outside = np.zeros((HORIZON + 1, len(x)), dtype=bool)
    for t in range(HORIZON):
        outside[t] = (np.abs(x) >= TOL) | (np.abs(v) >= TOL)
        s = x + c * v * np.abs(v)
        u = np.where(np.abs(s) > w, -np.sign(s), np.clip(-k * x - kd * v, -1.0, 1.0))
        x, v = x + DT * v, v + DT * u
    outside[HORIZON] = (np.abs(x) >= TOL) | (np.abs(v) >= TOL)
    # settled from the step after the last one spent outside the box
    last_out = np.where(outside.any(axis=0), HORIZON + 1 - np.argmax(outside[::-1], axis=0), 0)
    return float(DT * np.minimum(last_out, HORIZON).sum())


def optimal_time(x0: float, v0: float) -> float:
    """Time-optimal time to the origin of ``x'' = u``, ``|u| <= 1`` (bang-bang, one switch)."""
    if x0 + v0 * abs(v0) / 2 > 0:
        return v0 + 2 * math.sqrt(x0 + v0 * v0 / 2)
    return -v0 + 2 * math.sqrt(-x0 + v0 * v0 / 2)


class _Settle:
    def __init__(self, starts):
        self.starts = starts

    def __call__(self, x) -> float:
        return settling_time(x, self.starts)


def _bang_reference(instance: int) -> float:
    return float(sum(optimal_time(x0, v0) for x0, v0 in _starts(instance)))


def _bang_bang(spec) -> Problem:
    from nondiff.space import Array, Space

    return Problem(spec, Space(x=Array((4,), BANG_LO, BANG_HI)), _Settle(_starts(spec.instance)),
                   _bang_reference(spec.instance), exact=False, bounds=(BANG_LO, BANG_HI))


def _bang_bang_cli(spec) -> Problem:
    from nondiff.command import Command
    from nondiff.space import Real, Space

    space = Space({n: Real(lo, hi) for n, lo, hi in zip(BANG_NAMES, BANG_LO, BANG_HI)})
    flags = " ".join(f"--{n} {{{n}}}" for n in BANG_NAMES)
    template = (f"{shlex.quote(sys.executable)} -m nondiff.bench.suites.controller "
                f"--instance {spec.instance} {flags}")
    return Problem(spec, space, Command(template), _bang_reference(spec.instance),
                   exact=False, call="kwargs")


# --- cart-pole ---------------------------------------------------------------------------------
GRAVITY, M_CART, M_POLE, HALF_LEN, FORCE, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
MAX_STEPS, ANGLE_MAX, X_MAX = 200, 12 * math.pi / 180, 2.4


def cartpole_steps(policy, starts) -> np.ndarray:
    """Steps balanced (at most MAX_STEPS) from each start under the bang-bang linear policy."""
    w, b = np.asarray(policy[:4], dtype=float), float(policy[4])
    s = starts.copy()  # columns: x, x_dot, theta, theta_dot
    alive = np.ones(len(s), dtype=bool)
    steps = np.zeros(len(s), dtype=np.int64)
    total = M_CART + M_POLE
    for _ in range(MAX_STEPS):
        force = np.where(s @ w + b > 0, FORCE, -FORCE)
        sin, cos = np.sin(s[:, 2]), np.cos(s[:, 2])
        tmp = (force + M_POLE * HALF_LEN * s[:, 3] ** 2 * sin) / total
        th_acc = (GRAVITY * sin - cos * tmp) / (
            HALF_LEN * (4.0 / 3.0 - M_POLE * cos**2 / total))
        x_acc = tmp - M_POLE * HALF_LEN * th_acc * cos / total
        s = s + TAU * np.column_stack([s[:, 1], x_acc, s[:, 3], th_acc])
        alive &= (np.abs(s[:, 0]) <= X_MAX) & (np.abs(s[:, 2]) <= ANGLE_MAX)
        steps += alive
    return steps


class _CartPole:
    def __init__(self, starts):
        self.starts = starts

    def __call__(self, x) -> float:
        return -float(cartpole_steps(np.asarray(x), self.starts).mean())


def _cartpole(spec) -> Problem:
    from nondiff.space import Array, Space

    starts = instance_rng(spec).uniform(-0.05, 0.05, (5, 4))
    lo, hi = np.full(5, -10.0), np.full(5, 10.0)
    return Problem(spec, Space(x=Array((5,), -10.0, 10.0)), _CartPole(starts),
                   -float(MAX_STEPS), bounds=(lo, hi))


# --- feature selection -------------------------------------------------------------------------
PER_FEATURE, N_ROWS = 0.01, 60


class _Selection:
    def __init__(self, data):
        self.data = data

    def __call__(self, x) -> float:
        return selection_error(self.data, np.asarray(x, dtype=bool))


def selection_error(data, mask) -> float:
    """Validation MSE of least squares on the features in ``mask``, plus the feature cost."""
    Xt, yt, Xv, yv = data
    if not mask.any():
        return float(np.mean(yv**2))
    coef = np.linalg.lstsq(Xt[:, mask], yt, rcond=None)[0]
    return float(np.mean((Xv[:, mask] @ coef - yv) ** 2)) + PER_FEATURE * int(mask.sum())


def _selection_data(spec):
    rng = instance_rng(spec)
    k = max(2, spec.dim // 4)
    informative = rng.choice(spec.dim, k, replace=False)
    beta = np.zeros(spec.dim)
    beta[informative] = rng.choice([-1, 1], k) * rng.uniform(1, 2, k)
    X = rng.normal(size=(2 * N_ROWS, spec.dim))
    y = X @ beta + 0.3 * rng.normal(size=2 * N_ROWS)
    return (X[:N_ROWS], y[:N_ROWS], X[N_ROWS:], y[N_ROWS:]), informative


def _feature_selection(spec) -> Problem:
    from nondiff.space import Bits, Space

    data, informative = _selection_data(spec)
    if spec.dim <= 14:
        masks = np.array(list(itertools.product([False, True], repeat=spec.dim)))
        fopt, exact = min(selection_error(data, m) for m in masks), True
    else:
        mask = np.zeros(spec.dim, dtype=bool)
        mask[informative] = True
        fopt, exact = selection_error(data, mask), False
    return Problem(spec, Space(x=Bits(spec.dim)), _Selection(data), fopt, exact=exact,
                   call="kwargs")


FUNCTIONS = {"bang-bang": _bang_bang, "cartpole": _cartpole,
             "feature-selection": _feature_selection, "bang-bang-cli": _bang_bang_cli}
FIXED_DIMS = {"bang-bang": 4, "cartpole": 5, "bang-bang-cli": 4}
CONTINUOUS = frozenset({"bang-bang", "cartpole"})  # problems baselines can run

