"""Stochastic programs and score-function (REINFORCE) gradient estimators.

>>> from nondiff.stochastic import Bernoulli, Categorical, Normal, PlackettLuce
>>> from nondiff.stochastic import sample, run, estimate_grad, Estimator
"""

from nondiff.stochastic.baselines import (
    ControlVariate,
    LeaveOneOut,
    MovingAverage,
    NoBaseline,
    as_baseline,
)
from nondiff.stochastic.distributions import Bernoulli, Categorical, Normal, PlackettLuce
from nondiff.stochastic.estimators import Estimate, Estimator, estimate_grad
from nondiff.stochastic.program import Site, run, sample

__all__ = ["Bernoulli", "Categorical", "Normal", "PlackettLuce", "sample", "run", "Site",
           "Estimate", "Estimator", "estimate_grad", "NoBaseline", "LeaveOneOut",
           "MovingAverage", "ControlVariate", "as_baseline"]
