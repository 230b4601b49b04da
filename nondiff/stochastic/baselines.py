"""Baselines for score-function estimators.

A baseline ``b`` is subtracted from the cost before it multiplies the score. The estimator
stays unbiased as long as ``b`` does not depend on the sample it is paired with: leave-one-out
uses the *other* samples of the batch, the moving average only earlier batches, a control
variate only theta. Each baseline maps the batch of costs ``f`` (sample axis first) to ``b`` of
the same shape, and may learn from ``f`` afterwards (``update``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["NoBaseline", "LeaveOneOut", "MovingAverage", "ControlVariate", "as_baseline"]


class NoBaseline:
    """b = 0: the plain score-function estimator."""

    def compute(self, f: np.ndarray, theta) -> np.ndarray:
        return np.zeros_like(f)

    def update(self, f: np.ndarray) -> None:
        pass


class LeaveOneOut(NoBaseline):
    """b_k = mean of the other K-1 costs (RLOO; Kool, van Hoof & Welling 2019)."""

    def compute(self, f, theta):
        k = f.shape[0]
        if k < 2:
            raise ValueError("the leave-one-out baseline needs n_samples >= 2")
        return (f.sum(axis=0, keepdims=True) - f) / (k - 1)


class MovingAverage(NoBaseline):
    """b = exponential moving average of earlier batches' mean cost (0 before the first).

    Keep one instance across calls: its state is what makes it useful.
    """

    def __init__(self, decay: float = 0.9):
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"decay must be in [0, 1), got {decay!r}")
        self.decay = decay
        self.average = None

    def compute(self, f, theta):
        if self.average is None:
            return np.zeros_like(f)
        return np.broadcast_to(self.average, f.shape)

    def update(self, f):
        mean = f.mean(axis=0)
        if self.average is None:
            self.average = mean
        else:
            self.average = self.decay * self.average + (1.0 - self.decay) * mean


class ControlVariate(NoBaseline):
    """A user-supplied ``b(theta)`` (a float or an array broadcastable to the cost's shape)."""

    def __init__(self, fn):
        if not callable(fn):
            raise TypeError(f"control variate must be callable, not {type(fn).__name__}")
        self.fn = fn

    def compute(self, f, theta):
        return np.broadcast_to(np.asarray(self.fn(theta), dtype=float), f.shape)


_NAMED = {"none": NoBaseline, "rloo": LeaveOneOut, "leave-one-out": LeaveOneOut,
          "moving-average": MovingAverage, "moving_average": MovingAverage}


def as_baseline(baseline):
    """A baseline object from a name, an object with ``compute``, or a callable of theta."""
    if baseline is None:
        return NoBaseline()
    if isinstance(baseline, str):
        if baseline not in _NAMED:
            raise ValueError(f"unknown baseline {baseline!r}; known: {', '.join(sorted(_NAMED))}")
        return _NAMED[baseline]()
    if hasattr(baseline, "compute"):
        return baseline
    if callable(baseline):
        return ControlVariate(baseline)
    raise TypeError(f"baseline must be a name, a baseline object or a callable, "
                    f"not {type(baseline).__name__}")
