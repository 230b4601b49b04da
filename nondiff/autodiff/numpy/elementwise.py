"""Elementwise primitives: arithmetic, ufuncs, maximum/minimum, clip, where.

Each primitive has its VJP and JVP next to each other. Rules may ignore broadcasting: the
trace sums a cotangent back to its argument's shape (``_unbroadcast``) and broadcasts a tangent
up to the answer's shape (``_broadcast``), once for every primitive of this module.

Conventions at points of non-differentiability follow PyTorch's documented choices
(https://pytorch.org/docs/stable/notes/autograd.html, "Gradients for non-differentiable
functions"): ``abs'(0) = 0``; ``maximum``/``minimum`` split the gradient equally (0.5 each)
between tied arguments; ``clip`` passes the gradient where ``lo <= x <= hi`` (boundaries
included); ``sqrt'(0) = inf``; ``x ** y`` has zero derivative in ``x`` where ``y == 0`` and zero
derivative in ``y`` where ``x == 0 and y >= 0``. These points are kinks that finite differences
may not see; :func:`~nondiff.autodiff.analyze` reports every primitive marked ``kink`` below.
"""

from __future__ import annotations

import builtins as _builtins
import math as _math
import operator as _operator

import numpy as _np

from ..forward import defjvp
from ..reverse import defvjp
from ..tracer import Primitive, getval

__all__ = [
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "positive", "power",
    "exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "cbrt", "square",
    "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh",
    "tanh", "arcsinh", "arccosh", "arctanh", "hypot", "logaddexp", "abs", "absolute",
    "maximum", "minimum", "clip", "where", "remainder", "mod", "sinc", "deg2rad", "rad2deg",
]

UFUNCS = {}  # numpy ufunc -> primitive, used by ArrayBox.__array_ufunc__
BROADCASTING = []


def _prim(fun, name=None, kink=None, scalar=None):
    """An elementwise primitive; ``scalar`` computes it on Python floats without numpy."""
    p = Primitive(_dual(fun, scalar) if scalar is not None else fun, name or fun.__name__)
    p.kink = kink
    BROADCASTING.append(p)
    if isinstance(fun, _np.ufunc):
        UFUNCS[fun] = p
    return p


_SCALARS = frozenset((float, int))
_FALLBACK = (ValueError, ZeroDivisionError, OverflowError)


def _dual(array_fun, scalar_fun):
    """Python's float arithmetic and ``math`` for floats (a numpy call on a scalar costs ~1 us),
    numpy otherwise and wherever Python would raise (log(-1), 1/0: numpy gives nan/inf)."""
    if array_fun.nin == 1:
        def unary(x, *args, **kwargs):
            if args or kwargs:
                return array_fun(x, *args, **kwargs)
            if type(x) in _SCALARS:
                try:
                    return scalar_fun(x)
                except _FALLBACK:
                    pass
            return array_fun(x)
        return unary

    def binary(x, y, *args, **kwargs):
        if args or kwargs:
            return array_fun(x, y, *args, **kwargs)
        if type(x) in _SCALARS and type(y) in _SCALARS:
            try:
                return scalar_fun(x, y)
            except _FALLBACK:
                pass
        return array_fun(x, y)
    return binary


add = _prim(_np.add, scalar=_operator.add)
subtract = _prim(_np.subtract, scalar=_operator.sub)
multiply = _prim(_np.multiply, scalar=_operator.mul)
true_divide = divide = _prim(_np.divide, "divide", scalar=_operator.truediv)
negative = _prim(_np.negative, scalar=_operator.neg)
positive = _prim(_np.positive, scalar=_operator.pos)
power = _prim(_np.power, scalar=_math.pow)
exp = _prim(_np.exp, scalar=_math.exp)
exp2 = _prim(_np.exp2)
log = _prim(_np.log, scalar=_math.log)
log2 = _prim(_np.log2)
log10 = _prim(_np.log10)
log1p = _prim(_np.log1p, scalar=_math.log1p)
expm1 = _prim(_np.expm1, scalar=_math.expm1)
sqrt = _prim(_np.sqrt, scalar=_math.sqrt)
cbrt = _prim(_np.cbrt)
square = _prim(_np.square)
reciprocal = _prim(_np.reciprocal)
sin = _prim(_np.sin, scalar=_math.sin)
cos = _prim(_np.cos, scalar=_math.cos)
tan = _prim(_np.tan, scalar=_math.tan)
arcsin = _prim(_np.arcsin)
arccos = _prim(_np.arccos)
arctan = _prim(_np.arctan, scalar=_math.atan)
arctan2 = _prim(_np.arctan2)
sinh = _prim(_np.sinh)
cosh = _prim(_np.cosh)
tanh = _prim(_np.tanh, scalar=_math.tanh)
arcsinh = _prim(_np.arcsinh)
arccosh = _prim(_np.arccosh)
arctanh = _prim(_np.arctanh)
hypot = _prim(_np.hypot)
logaddexp = _prim(_np.logaddexp)
remainder = mod = _prim(_np.remainder, kink="jump")
sinc = _prim(_np.sinc)
deg2rad = _prim(_np.deg2rad)
rad2deg = _prim(_np.rad2deg)
absolute = abs = _prim(_np.absolute, "abs", kink="abs", scalar=_builtins.abs)
maximum = _prim(_np.maximum, kink="maximum", scalar=lambda x, y: x if x >= y else y)
minimum = _prim(_np.minimum, kink="minimum", scalar=lambda x, y: x if x <= y else y)
clip = _prim(_np.clip, kink="clip")
where = _prim(_np.where, kink="where")

_LN2, _LN10 = _np.log(2.0), _np.log(10.0)

# --- VJP (staged: ans, *args -> g -> cotangent) and JVP (t, ans, *args -> tangent) tables ---
defvjp(add, lambda ans, x, y: lambda g: g, lambda ans, x, y: lambda g: g)
defjvp(add, lambda t, ans, x, y: t, lambda t, ans, x, y: t)
defvjp(subtract, lambda ans, x, y: lambda g: g, lambda ans, x, y: lambda g: -g)
defjvp(subtract, lambda t, ans, x, y: t, lambda t, ans, x, y: -t)
defvjp(multiply, lambda ans, x, y: lambda g: g * y, lambda ans, x, y: lambda g: x * g)
defjvp(multiply, lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t)
defvjp(divide, lambda ans, x, y: lambda g: g / y, lambda ans, x, y: lambda g: -g * ans / y)
defjvp(divide, lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * ans / y)
defvjp(negative, lambda ans, x: lambda g: -g)
defjvp(negative, lambda t, ans, x: -t)
defvjp(positive, lambda ans, x: lambda g: g)
defjvp(positive, lambda t, ans, x: t)
defvjp(exp, lambda ans, x: lambda g: g * ans)
defjvp(exp, lambda t, ans, x: t * ans)
defvjp(exp2, lambda ans, x: lambda g: g * ans * _LN2)
defjvp(exp2, lambda t, ans, x: t * ans * _LN2)
defvjp(log, lambda ans, x: lambda g: g / x)
defjvp(log, lambda t, ans, x: t / x)
defvjp(log2, lambda ans, x: lambda g: g / (x * _LN2))
defjvp(log2, lambda t, ans, x: t / (x * _LN2))
defvjp(log10, lambda ans, x: lambda g: g / (x * _LN10))
defjvp(log10, lambda t, ans, x: t / (x * _LN10))
defvjp(log1p, lambda ans, x: lambda g: g / (x + 1.0))
defjvp(log1p, lambda t, ans, x: t / (x + 1.0))
defvjp(expm1, lambda ans, x: lambda g: g * (ans + 1.0))
defjvp(expm1, lambda t, ans, x: t * (ans + 1.0))
defvjp(sqrt, lambda ans, x: lambda g: g * 0.5 / ans)
defjvp(sqrt, lambda t, ans, x: t * 0.5 / ans)
defvjp(cbrt, lambda ans, x: lambda g: g / (3.0 * ans ** 2))
defjvp(cbrt, lambda t, ans, x: t / (3.0 * ans ** 2))
defvjp(square, lambda ans, x: lambda g: g * 2.0 * x)
defjvp(square, lambda t, ans, x: t * 2.0 * x)
defvjp(reciprocal, lambda ans, x: lambda g: -g * ans ** 2)
defjvp(reciprocal, lambda t, ans, x: -t * ans ** 2)
defvjp(sin, lambda ans, x: lambda g: g * cos(x))
defjvp(sin, lambda t, ans, x: t * cos(x))
defvjp(cos, lambda ans, x: lambda g: -g * sin(x))
defjvp(cos, lambda t, ans, x: -t * sin(x))
defvjp(tan, lambda ans, x: lambda g: g * (1.0 + ans ** 2))
defjvp(tan, lambda t, ans, x: t * (1.0 + ans ** 2))
defvjp(arcsin, lambda ans, x: lambda g: g / sqrt(1.0 - x ** 2))
defjvp(arcsin, lambda t, ans, x: t / sqrt(1.0 - x ** 2))
defvjp(arccos, lambda ans, x: lambda g: -g / sqrt(1.0 - x ** 2))
defjvp(arccos, lambda t, ans, x: -t / sqrt(1.0 - x ** 2))
defvjp(arctan, lambda ans, x: lambda g: g / (1.0 + x ** 2))
defjvp(arctan, lambda t, ans, x: t / (1.0 + x ** 2))
defvjp(sinh, lambda ans, x: lambda g: g * cosh(x))
defjvp(sinh, lambda t, ans, x: t * cosh(x))
defvjp(cosh, lambda ans, x: lambda g: g * sinh(x))
defjvp(cosh, lambda t, ans, x: t * sinh(x))
defvjp(tanh, lambda ans, x: lambda g: g * (1.0 - ans ** 2))
defjvp(tanh, lambda t, ans, x: t * (1.0 - ans ** 2))
defvjp(arcsinh, lambda ans, x: lambda g: g / sqrt(x ** 2 + 1.0))
defjvp(arcsinh, lambda t, ans, x: t / sqrt(x ** 2 + 1.0))
defvjp(arccosh, lambda ans, x: lambda g: g / sqrt(x ** 2 - 1.0))
defjvp(arccosh, lambda t, ans, x: t / sqrt(x ** 2 - 1.0))
defvjp(arctanh, lambda ans, x: lambda g: g / (1.0 - x ** 2))
defjvp(arctanh, lambda t, ans, x: t / (1.0 - x ** 2))
defvjp(arctan2, lambda ans, y, x: lambda g: g * x / (x ** 2 + y ** 2),
       lambda ans, y, x: lambda g: -g * y / (x ** 2 + y ** 2))
defjvp(arctan2, lambda t, ans, y, x: t * x / (x ** 2 + y ** 2),
       lambda t, ans, y, x: -t * y / (x ** 2 + y ** 2))
defvjp(hypot, lambda ans, x, y: lambda g: g * x / ans, lambda ans, x, y: lambda g: g * y / ans)
defjvp(hypot, lambda t, ans, x, y: t * x / ans, lambda t, ans, x, y: t * y / ans)
defvjp(logaddexp, lambda ans, x, y: lambda g: g * exp(x - ans),
       lambda ans, x, y: lambda g: g * exp(y - ans))
defjvp(logaddexp, lambda t, ans, x, y: t * exp(x - ans), lambda t, ans, x, y: t * exp(y - ans))
defvjp(remainder, lambda ans, x, y: lambda g: g,
       lambda ans, x, y: lambda g: -g * _np.floor_divide(_raw(x), _raw(y)))
defjvp(remainder, lambda t, ans, x, y: t,
       lambda t, ans, x, y: -t * _np.floor_divide(_raw(x), _raw(y)))
defvjp(deg2rad, lambda ans, x: lambda g: g * (_np.pi / 180.0))
defjvp(deg2rad, lambda t, ans, x: t * (_np.pi / 180.0))
defvjp(rad2deg, lambda ans, x: lambda g: g * (180.0 / _np.pi))
defjvp(rad2deg, lambda t, ans, x: t * (180.0 / _np.pi))
defvjp(abs, lambda ans, x: lambda g: g * _np.sign(_raw(x)))
defjvp(abs, lambda t, ans, x: t * _np.sign(_raw(x)))
defvjp(maximum, lambda ans, x, y: lambda g: g * _share(x, y),
       lambda ans, x, y: lambda g: g * _share(y, x))
defjvp(maximum, lambda t, ans, x, y: t * _share(x, y), lambda t, ans, x, y: t * _share(y, x))
defvjp(minimum, lambda ans, x, y: lambda g: g * _share(y, x),
       lambda ans, x, y: lambda g: g * _share(x, y))
defjvp(minimum, lambda t, ans, x, y: t * _share(y, x), lambda t, ans, x, y: t * _share(x, y))
defvjp(clip, lambda ans, x, lo, hi: lambda g: g * _inside(x, lo, hi))
defjvp(clip, lambda t, ans, x, lo, hi: t * _inside(x, lo, hi))
defvjp(where, None, lambda ans, c, x, y: lambda g: where(c, g, 0.0),
       lambda ans, c, x, y: lambda g: where(c, 0.0, g))
defjvp(where, None, lambda t, ans, c, x, y: where(c, t, 0.0),
       lambda t, ans, c, x, y: where(c, 0.0, t))


_raw = getval


def _share(x, y):
    """Weight of ``x`` in max(x, y): 1 where it wins, 0.5 at a tie (PyTorch), 0 elsewhere."""
    x, y = _raw(x), _raw(y)
    tie = x == y
    if not _np.any(tie):  # the usual case: a 0/1 mask, no float arithmetic
        return x > y
    return (x > y) + 0.5 * tie


def _inside(x, lo, hi):
    x = _raw(x)
    lo = -_np.inf if lo is None else _raw(lo)
    hi = _np.inf if hi is None else _raw(hi)
    return (x >= lo) & (x <= hi)


def _pow_vjp_x(ans, x, y):
    if isinstance(y, (int, float)):
        if y == 2:  # the common square: no power call (and none in its derivatives)
            return lambda g: g * (x * 2.0)
        return None if y == 0 else (lambda g: g * (y * power(x, y - 1)))
    zero = _raw(y) == 0
    return lambda g: g * where(zero, 0.0, y * x ** where(zero, 1.0, y - 1.0))


def _pow_vjp_y(ans, x, y):
    return lambda g: g * _pow_dy(ans, x, y)


def _pow_dy(ans, x, y):
    zero = (_raw(x) == 0) & (_raw(y) >= 0)
    return where(zero, 0.0, ans * log(where(zero, 1.0, x)))


def _pow_jvp_x(t, ans, x, y):
    vjp = _pow_vjp_x(ans, x, y)
    return None if vjp is None else vjp(t)


defvjp(power, _pow_vjp_x, _pow_vjp_y)
defjvp(power, _pow_jvp_x, lambda t, ans, x, y: t * _pow_dy(ans, x, y))


def _sinc_d(x):
    # d/dx sin(pi x)/(pi x) = (cos(pi x) - sinc(x)) / x, and 0 at x = 0
    px = _raw(x)
    safe = where(px == 0, 1.0, x)
    return where(px == 0, 0.0, (cos(_np.pi * x) - sinc(x)) / safe)


defvjp(sinc, lambda ans, x: lambda g: g * _sinc_d(x))
defjvp(sinc, lambda t, ans, x: t * _sinc_d(x))


def _unbroadcast(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched, back to ``shape``."""
    gshape = getattr(_raw(g), "shape", ())
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    if extra:
        g = _sum(g, axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and gshape[extra + i] != 1)
    if axes:
        g = _sum(g, axis=axes, keepdims=True)
    return g


def _broadcast(t, ans):
    shape = getattr(_raw(ans), "shape", ())
    if getattr(_raw(t), "shape", ()) == shape:
        return t
    return _broadcast_to(t, shape)


for _p in BROADCASTING:
    _p.unbroadcast = _unbroadcast
    _p.broadcast = _broadcast

from .reductions import sum as _sum  # noqa: E402  (reductions' rules use this module)
from .shape import broadcast_to as _broadcast_to  # noqa: E402
