"""Reductions: sum, mean, prod, max, min, var, std, cumsum (with ``axis`` and ``keepdims``).

``max``/``min`` split the gradient equally among tied extrema (PyTorch's ``amax`` convention)
and are marked as kinks for :func:`~nondiff.autodiff.analyze`. ``prod`` handles zeros exactly:
with one zero in a slice only that entry gets the product of the others; with two or more,
the gradient is zero.
"""

from __future__ import annotations

import numpy as _np

from ..forward import defjvp
from ..reverse import defvjp
from ..tracer import Primitive, getval
from .elementwise import where

__all__ = ["sum", "mean", "prod", "max", "min", "amax", "amin", "var", "std", "cumsum",
           "average"]

sum = Primitive(_np.sum, "sum")
mean = Primitive(_np.mean, "mean")
prod = Primitive(_np.prod, "prod")
amax = max = Primitive(_np.max, "max")
amin = min = Primitive(_np.min, "min")
cumsum = Primitive(_np.cumsum, "cumsum")
max.kink = "max"
min.kink = "min"


def _keep(g, shape, axis, keepdims):
    """Reshape a reduced ``g`` so it broadcasts against the unreduced ``shape``."""
    if keepdims or axis is None and _np.ndim(getval(g)) == 0 and not shape:
        return g
    if axis is None:
        return reshape(g, (1,) * len(shape))
    axes = (axis,) if isinstance(axis, int) else axis
    axes = [a % len(shape) for a in axes]
    kept = [1 if i in axes else n for i, n in enumerate(shape)]
    return reshape(g, kept)


def _expand(g, shape, axis, keepdims):
    return broadcast_to(_keep(g, shape, axis, keepdims), shape)


def _count(shape, axis):
    if axis is None:
        return int(_np.prod(shape))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(_np.prod([shape[a] for a in axes]))


def _sum_vjp(ans, x, axis=None, dtype=None, keepdims=False):
    shape = _np.shape(getval(x))
    return lambda g: _expand(g, shape, axis, keepdims)


def _mean_vjp(ans, x, axis=None, dtype=None, keepdims=False):
    shape = _np.shape(getval(x))
    n = _count(shape, axis)
    return lambda g: _expand(g, shape, axis, keepdims) / n


defvjp(sum, _sum_vjp)
defjvp(sum, lambda t, ans, x, axis=None, dtype=None, keepdims=False:
       sum(t, axis=axis, keepdims=keepdims))
defvjp(mean, _mean_vjp)
defjvp(mean, lambda t, ans, x, axis=None, dtype=None, keepdims=False:
       mean(t, axis=axis, keepdims=keepdims))


def _extremum_weights(ans, x, axis, keepdims):
    """Where ``x`` attains the reduced extremum, divided by the number of ties."""
    xr, ar = _np.asarray(getval(x)), getval(ans)
    hit = xr == _np.broadcast_to(_keep(ar, xr.shape, axis, keepdims), xr.shape)
    return hit / _np.sum(hit, axis=axis, keepdims=True)


def _extremum_vjp(ans, x, axis=None, keepdims=False, **_):
    w = _extremum_weights(ans, x, axis, keepdims)
    shape = w.shape
    return lambda g: _expand(g, shape, axis, keepdims) * w


def _extremum_jvp(t, ans, x, axis=None, keepdims=False, **_):
    return sum(t * _extremum_weights(ans, x, axis, keepdims), axis=axis, keepdims=keepdims)


defvjp(max, _extremum_vjp)
defjvp(max, _extremum_jvp)
defvjp(min, _extremum_vjp)
defjvp(min, _extremum_jvp)


def _prod_others(ans, x, axis, keepdims):
    """d prod / d x_i, the product of the other entries of x_i's slice.

    Without zeros that is ``ans / x``. With zeros it is computed as a product over masked copies
    (O(n^2) in the slice length, only on that path), which stays exact at every order.
    """
    xr = _np.asarray(getval(x))
    if xr.ndim == 0:
        return 1.0
    if not (xr == 0).any():
        return _expand(ans, xr.shape, axis, keepdims) / x
    nd = xr.ndim
    axes = tuple(range(nd)) if axis is None else tuple(
        a % nd for a in ((axis,) if isinstance(axis, int) else axis))
    rest = [i for i in range(nd) if i not in axes]
    perm = tuple(rest + list(axes))
    moved = transpose(x, perm)
    n = _count(xr.shape, axes)
    flat = reshape(moved, tuple(xr.shape[i] for i in rest) + (n,))
    masked = where(_np.eye(n, dtype=bool), 1.0, expand_dims(flat, -2))
    others = reshape(prod(masked, axis=-1), tuple(xr.shape[i] for i in perm))
    return transpose(others, tuple(_np.argsort(perm)))


def _prod_vjp(ans, x, axis=None, dtype=None, keepdims=False):
    d = _prod_others(ans, x, axis, keepdims)
    shape = _np.shape(getval(x))
    return lambda g: _expand(g, shape, axis, keepdims) * d


defvjp(prod, _prod_vjp)
defjvp(prod, lambda t, ans, x, axis=None, dtype=None, keepdims=False:
       sum(t * _prod_others(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))


def _cumsum_vjp(ans, x, axis=None, dtype=None):
    shape = _np.shape(getval(x))
    if axis is None:
        return lambda g: reshape(flip(cumsum(flip(g, 0)), 0), shape)
    return lambda g: flip(cumsum(flip(g, axis), axis=axis), axis)


defvjp(cumsum, _cumsum_vjp)
defjvp(cumsum, lambda t, ans, x, axis=None, dtype=None: cumsum(t, axis=axis))


def var(x, axis=None, ddof=0, keepdims=False):
    """Variance, composed from primitives (so every order of derivative is available)."""
    n = _count(_np.shape(getval(x)), axis)
    centred = x - mean(x, axis=axis, keepdims=True)
    return sum(centred * centred, axis=axis, keepdims=keepdims) / (n - ddof)


def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation; like PyTorch its gradient is not finite where the variance is 0."""
    return var(x, axis=axis, ddof=ddof, keepdims=keepdims) ** 0.5


def average(x, axis=None, weights=None):
    """Weighted mean along ``axis`` (numpy.average without ``returned``)."""
    if weights is None:
        return mean(x, axis=axis)
    return sum(x * weights, axis=axis) / sum(weights * _np.ones_like(getval(x)), axis=axis)


from .shape import broadcast_to, expand_dims, flip, reshape, transpose  # noqa: E402
