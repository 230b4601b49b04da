"""Primitives without derivatives: the table :func:`~nondiff.autodiff.analyze` reads.

Under ``grad`` they return plain values (their derivative is zero almost everywhere, the value
PyTorch returns for ``floor``/``round``/``sign``); under ``analyze`` they keep the dependency and
are recorded by category:

- ``round``: a step function of its input (floor, ceil, round, rint, trunc, fix, sign,
  floor_divide, integer casts); the result is non-differentiable in what flows into it;
- ``branch``: a comparison or a choice of index (argmax, argmin, argsort, searchsorted); the
  result is piecewise differentiable in what flows into it;
- ``shape``: depends on shapes only (zeros_like...); the result stays a (constant) traced array so
  that in-place writes of traced values into it are tracked;
- ``stop``: :func:`stop_gradient`, a deliberate cut.
"""

from __future__ import annotations

import operator as _operator

import numpy as _np

from ..tracer import NoGradPrimitive
from .elementwise import _dual

__all__ = [
    "floor", "ceil", "round", "around", "rint", "trunc", "fix", "sign", "floor_divide",
    "greater", "greater_equal", "less", "less_equal", "equal", "not_equal", "logical_and",
    "logical_or", "logical_not", "logical_xor", "isnan", "isinf", "isfinite", "argmax", "argmin",
    "argsort", "searchsorted", "digitize", "nonzero", "any", "all", "zeros_like", "ones_like",
    "empty_like", "full_like", "stop_gradient", "astype_int", "heaviside",
]

UFUNCS = {}


def _ng(fun, category, name=None, scalar=None):
    p = NoGradPrimitive(fun if scalar is None else _dual(fun, scalar), name or fun.__name__,
                        category)
    if isinstance(fun, _np.ufunc):
        UFUNCS[fun] = p
    return p


floor = _ng(_np.floor, "round")
ceil = _ng(_np.ceil, "round")
round = around = _ng(lambda x, decimals=0: _np.round(x, decimals), "round", "round")
rint = _ng(_np.rint, "round")
trunc = _ng(_np.trunc, "round")
fix = _ng(_np.fix, "round", "fix")
sign = _ng(_np.sign, "round")
heaviside = _ng(_np.heaviside, "round")
floor_divide = _ng(_np.floor_divide, "round")
astype_int = _ng(lambda x, dtype: _np.asarray(x).astype(dtype), "round", "astype")
greater = _ng(_np.greater, "branch", scalar=_operator.gt)
greater_equal = _ng(_np.greater_equal, "branch", scalar=_operator.ge)
less = _ng(_np.less, "branch", scalar=_operator.lt)
less_equal = _ng(_np.less_equal, "branch", scalar=_operator.le)
equal = _ng(_np.equal, "branch", scalar=_operator.eq)
not_equal = _ng(_np.not_equal, "branch", scalar=_operator.ne)
logical_and = _ng(_np.logical_and, "branch")
logical_or = _ng(_np.logical_or, "branch")
logical_not = _ng(_np.logical_not, "branch")
logical_xor = _ng(_np.logical_xor, "branch")
isnan = _ng(_np.isnan, "branch")
isinf = _ng(_np.isinf, "branch")
isfinite = _ng(_np.isfinite, "branch")
argmax = _ng(lambda x, axis=None: _np.argmax(x, axis), "branch", "argmax")
argmin = _ng(lambda x, axis=None: _np.argmin(x, axis), "branch", "argmin")
argsort = _ng(lambda x, axis=-1, kind=None: _np.argsort(x, axis, kind=kind), "branch", "argsort")
searchsorted = _ng(_np.searchsorted, "branch", "searchsorted")
digitize = _ng(_np.digitize, "branch", "digitize")
nonzero = _ng(_np.nonzero, "branch", "nonzero")
any = _ng(_np.any, "branch", "any")
all = _ng(_np.all, "branch", "all")
zeros_like = _ng(lambda x, dtype=None: _np.zeros_like(x, dtype=dtype), "shape", "zeros_like")
ones_like = _ng(lambda x, dtype=None: _np.ones_like(x, dtype=dtype), "shape", "ones_like")
empty_like = _ng(lambda x, dtype=None: _np.zeros_like(x, dtype=dtype), "shape", "empty_like")
full_like = _ng(lambda x, fill_value, dtype=None: _np.full_like(x, fill_value, dtype=dtype),
                "shape", "full_like")
stop_gradient = _ng(lambda x: x, "stop", "stop_gradient")
stop_gradient.__doc__ = """The value of ``x`` without derivative: gradients stop here."""
