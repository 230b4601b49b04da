"""Hybrid programs: find which parameters gradients reach, train those, search the rest.

- :func:`classify` (``nondiff.classify``): differentiable / piecewise / black-box / no effect
  for every parameter of a program, from tracing and a numerical probe, with source lines;
  ``Classification.strategy`` is the routing (``"hybrid"`` or None) the ``auto`` strategy reads.
- :func:`minimize`: the driver with the ``hybrid`` strategy, reporting function and gradient
  evaluations.
- :class:`HybridModel`: differentiable weights (nested containers of arrays) trained by
  gradients, structure (a Space) searched, with ``fit``.
- :func:`hypergrad`, :func:`sgd_hd`: hypergradients through unrolled SGD/momentum, and online
  hypergradient descent of the learning rate.
- :func:`adam`, :func:`lbfgsb`: the inner trainers.
"""

from nondiff.hybrid.classify import Classification, ParamReport, classify
from nondiff.hybrid.hypergrad import hypergrad, sgd_hd, unrolled_sgd
from nondiff.hybrid.inner import adam, lbfgsb
from nondiff.hybrid.model import HybridModel
from nondiff.hybrid.run import minimize

__all__ = ["classify", "Classification", "ParamReport", "minimize", "HybridModel",
           "hypergrad", "unrolled_sgd", "sgd_hd", "adam", "lbfgsb"]
