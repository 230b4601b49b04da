"""numpy for traced programs: ``import nondiff.autodiff.numpy as anp`` in place of numpy.

Differentiable functions come from the area modules (elementwise, reductions, shape, linalg,
special); functions without derivatives from ``nograd``; everything else here (constructors,
constants, dtypes) is numpy's own and returns plain arrays. Plain ``numpy`` functions also work
on traced arrays when a counterpart exists here (through ``__array_function__`` and
``__array_ufunc__``); a numpy function without one refuses traced input rather than silently
dropping its derivative.
"""

from __future__ import annotations

import numpy as _np
from numpy import (  # noqa: F401  constants, dtypes and constructors pass through
    arange,
    e,
    empty,
    eye,
    float32,
    float64,
    full,
    identity,
    inf,
    int32,
    int64,
    linspace,
    nan,
    ndarray,
    newaxis,
    ones,
    pi,
    random,
    zeros,
)

from ..tracer import Box as _Box
from ..tracer import getval as _getval
from . import linalg, special
from .box import FUNCTIONS, ArrayBox, assign
from .elementwise import *  # noqa: F403
from .elementwise import __all__ as _elementwise
from .linalg import dot, einsum, inner, matmul, outer, tensordot
from .nograd import *  # noqa: F403
from .nograd import __all__ as _nograd
from .reductions import *  # noqa: F403
from .reductions import __all__ as _reductions
from .shape import *  # noqa: F403
from .shape import __all__ as _shape_names

__all__ = ["array", "asarray", "shape", "ndim", "size", "linalg", "special", "ArrayBox",
           "assign", "dot", "einsum", "inner", "matmul", "outer", "tensordot", *_elementwise,
           *_nograd, *_reductions, *_shape_names]


def _has_box(x):
    if isinstance(x, _Box):
        return True
    return isinstance(x, (list, tuple)) and any(_has_box(v) for v in x)


def shape(x):
    """The shape of a plain or traced array."""
    return _np.shape(_getval(x))


def ndim(x):
    """The number of dimensions of a plain or traced array."""
    return _np.ndim(_getval(x))


def size(x):
    """The number of elements of a plain or traced array."""
    return _np.size(_getval(x))


def array(obj, dtype=None):
    """numpy.array that also builds arrays from (nested) lists containing traced values."""
    if isinstance(obj, _Box):
        return obj
    if not _has_box(obj):
        return _np.array(obj, dtype=dtype)
    return stack([array(v) for v in obj])  # noqa: F405


def asarray(obj, dtype=None):
    """numpy.asarray that leaves traced values traced."""
    if _has_box(obj):
        return array(obj)
    return _np.asarray(obj, dtype=dtype)


def _register_numpy_functions():
    here = globals()
    for name in __all__:
        target = getattr(_np, name, None)
        if callable(target) and not isinstance(target, _np.ufunc):
            FUNCTIONS[target] = here[name]
    for name in linalg.__all__:
        target = getattr(_np.linalg, name, None)
        if target is not None:
            FUNCTIONS[target] = getattr(linalg, name)


_register_numpy_functions()
