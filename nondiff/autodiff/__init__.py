"""nondiff.autodiff: a numpy automatic differentiation engine (reverse, forward, any order).

Write the program with ``import nondiff.autodiff.numpy as anp`` and Python control flow;
``grad``/``value_and_grad``/``vjp`` differentiate it backwards, ``jvp`` forwards, ``jacobian``
either way, ``hessian``/``hvp`` forward over reverse. In-place operations are supported with
PyTorch's safety net (version counters, :class:`InplaceError`); a derivative is never dropped
silently (``float(x)``, ``np.asarray(x)`` or writing ``x`` into a plain numpy array raise
:class:`EscapeError`; ``x.item()`` and :func:`stop_gradient` are the explicit ways out); and
:func:`analyze` reports which inputs the result depends on differentiably, piecewise, or not at
all. Conventions at kinks follow PyTorch (``abs'(0) = 0``, ties split evenly; see
:mod:`nondiff.autodiff.numpy.elementwise`).

>>> import nondiff.autodiff.numpy as anp
>>> from nondiff.autodiff import grad
>>> float(grad(lambda x: anp.tanh(x) ** 2)(0.5))  # 2 tanh(x) (1 - tanh(x)^2)
0.7268619813835873

Layout: ``tracer`` (primitives, boxes, traces) -> ``reverse`` / ``forward`` (modes) ->
``api`` (transformations) -> ``numpy`` (the rules, one module per area, and ``box`` for
operators, views and in-place writes); ``analyze`` and ``testing`` sit beside ``api``.
"""

from . import numpy as _numpy  # noqa: F401  (installs ArrayBox; rules register on import)
from .analyze import Analysis, analyze
from .api import (
    grad,
    hessian,
    hvp,
    jacobian,
    jvp,
    nograd_primitive,
    primitive,
    value_and_grad,
    vjp,
)
from .forward import defjvp
from .numpy.nograd import stop_gradient
from .reverse import defvjp
from .testing import check_grads
from .tracer import EscapeError, Primitive
from .versions import InplaceError

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp",
           "stop_gradient", "primitive", "nograd_primitive", "Primitive", "defvjp", "defjvp",
           "check_grads", "analyze", "Analysis", "InplaceError", "EscapeError"]
