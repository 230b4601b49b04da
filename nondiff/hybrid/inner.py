"""Gradient trainers for the differentiable part: projected Adam and L-BFGS-B (scipy).

Both take ``fun_and_grad(theta) -> (value, gradient)`` on a flat vector, optional box bounds
and a cap on evaluations, and return the best point seen (a step that makes things worse, or a
non-finite value, never replaces a better point). Adam [1] (Algorithm 1) takes steps scaled by
the width of the box, so one learning rate suits parameters of different ranges; without bounds
the learning rate is absolute. L-BFGS-B [2] is :func:`scipy.optimize.minimize`'s.

[1] D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
[2] R. H. Byrd, P. Lu, J. Nocedal, C. Zhu, "A limited memory algorithm for bound constrained
    optimization", SIAM J. Sci. Comput. 16(5), 1995.
"""

from __future__ import annotations

import numpy as np

__all__ = ["adam", "lbfgsb", "TRAINERS", "Trained"]


class _Stop(Exception):
    """Raised inside a trainer when the evaluation cap is reached or the program fails."""


class Trained:
    """Best point and value seen by a trainer, and how many evaluations it took."""

    def __init__(self, theta, value, evaluations):
        self.theta, self.value, self.evaluations = theta, value, evaluations

    def __repr__(self):
        return f"Trained(value={self.value!r}, evaluations={self.evaluations})"


class _Tracker:
    """Wraps ``fun_and_grad``: keeps the best finite point, stops at ``cap`` calls or a failure."""

    def __init__(self, fun_and_grad, theta0, cap):
        self.fun_and_grad, self.cap, self.calls = fun_and_grad, cap, 0
        self.best_theta, self.best_value = np.array(theta0, dtype=float), np.inf

    def __call__(self, theta):
        if self.calls >= self.cap:
            raise _Stop
        self.calls += 1
        try:
            value, g = self.fun_and_grad(theta)
        except Exception:  # the outer evaluation records the program's error; stop training
            raise _Stop from None
        if not np.isfinite(value) or not np.all(np.isfinite(g)):
            raise _Stop
        if value < self.best_value:
            self.best_value, self.best_theta = float(value), np.array(theta, dtype=float)
        return value, np.asarray(g, dtype=float)

    def result(self):
        return Trained(self.best_theta, self.best_value, self.calls)


def _bounds(theta, lo, hi):
    lo = np.full(theta.shape, -np.inf) if lo is None else np.asarray(lo, dtype=float)
    hi = np.full(theta.shape, np.inf) if hi is None else np.asarray(hi, dtype=float)
    return lo, hi


def adam(fun_and_grad, theta0, *, lo=None, hi=None, steps=20, lr=0.05, beta1=0.9, beta2=0.999,
         eps=1e-8) -> Trained:
    """Projected Adam for ``steps`` evaluations; steps are ``lr`` times the box width if bounded.

    Examples
    --------
    >>> t = adam(lambda x: (float(((x - 0.3) ** 2).sum()), 2 * (x - 0.3)), [0.0, 1.0],
    ...          lo=[0, 0], hi=[1, 1], steps=200, lr=0.02)
    >>> np.round(t.theta, 3).tolist(), t.evaluations
    ([0.3, 0.3], 200)
    """
    theta = np.array(theta0, dtype=float)
    lo, hi = _bounds(theta, lo, hi)
    width = np.where(np.isfinite(hi - lo), hi - lo, 1.0)
    track, m, v = _Tracker(fun_and_grad, theta, steps), np.zeros_like(theta), np.zeros_like(theta)
    try:
        for t in range(1, steps + 1):
            _, g = track(theta)
            m = beta1 * m + (1 - beta1) * g  # biased first moment (Alg. 1)
            v = beta2 * v + (1 - beta2) * g * g  # biased second moment
            step = lr * width * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
            theta = np.clip(theta - step, lo, hi)
    except _Stop:
        pass
    return track.result()


def lbfgsb(fun_and_grad, theta0, *, lo=None, hi=None, steps=20, **options) -> Trained:
    """L-BFGS-B (scipy) with at most ``steps`` value-and-gradient evaluations.

    Examples
    --------
    >>> t = lbfgsb(lambda x: (float(((x - 0.3) ** 2).sum()), 2 * (x - 0.3)), [0.0, 1.0],
    ...            lo=[0, 0], hi=[1, 1], steps=10)
    >>> np.round(t.theta, 6).tolist()
    [0.3, 0.3]
    """
    from scipy.optimize import minimize

    theta = np.array(theta0, dtype=float)
    lo, hi = _bounds(theta, lo, hi)
    track = _Tracker(fun_and_grad, theta, steps)
    bounds = list(zip(np.where(np.isfinite(lo), lo, None), np.where(np.isfinite(hi), hi, None)))
    try:
        minimize(track, theta, jac=True, method="L-BFGS-B", bounds=bounds,
                 options={"maxfun": steps, "maxiter": steps, **options})
    except _Stop:
        pass
    return track.result()


TRAINERS = {"adam": adam, "lbfgs": lbfgsb}
