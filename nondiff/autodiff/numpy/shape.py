"""Shape and indexing primitives: reshape, transpose, concatenate, indexing with scatter-add...

``getitem``, ``reshape``, ``transpose``, ``swapaxes``, ``squeeze`` and ``expand_dims`` are
marked as views: when numpy returns a view, the result shares its root's version counter, and
in-place writes through it update the root's history (see ``box.py``).
"""

from __future__ import annotations

import numpy as _np

from ..forward import defjvp
from ..reverse import defvjp
from ..tracer import Primitive, getval

__all__ = [
    "getitem", "reshape", "transpose", "swapaxes", "moveaxis", "squeeze", "expand_dims",
    "ravel", "broadcast_to", "concatenate", "stack", "hstack", "vstack", "split", "tile",
    "repeat", "flip", "pad", "triu", "tril", "roll", "take_along_axis", "sort", "diagonal",
    "trace", "atleast_1d", "atleast_2d", "diag", "take",
]


def _view(fun, name):
    p = Primitive(fun, name)
    p.view = True
    return p


def _getitem(x, idx):
    out = x[idx]
    if type(x) is _np.ndarray and not isinstance(out, _np.ndarray):
        # an element: numpy copies it out as a scalar; take it as a 0-d view instead, so that
        # it shares the array's version counter as PyTorch's x[i] does
        return x[(*idx, Ellipsis) if isinstance(idx, tuple) else (idx, Ellipsis)]
    return out


getitem = _view(_getitem, "getitem")
reshape = _view(lambda x, shape, order="C": _np.reshape(x, shape, order=order), "reshape")
transpose = _view(lambda x, axes=None: _np.transpose(x, axes), "transpose")
swapaxes = _view(_np.swapaxes, "swapaxes")
squeeze = _view(lambda x, axis=None: _np.squeeze(x, axis), "squeeze")
expand_dims = _view(_np.expand_dims, "expand_dims")
broadcast_to = Primitive(lambda x, shape: _np.broadcast_to(x, shape), "broadcast_to")
flip = Primitive(lambda x, axis=None: _np.flip(x, axis), "flip")
tile = Primitive(_np.tile, "tile")
repeat = Primitive(lambda x, repeats, axis=None: _np.repeat(x, repeats, axis), "repeat")
triu = Primitive(lambda x, k=0: _np.triu(x, k), "triu")
tril = Primitive(lambda x, k=0: _np.tril(x, k), "tril")
roll = Primitive(lambda x, shift, axis=None: _np.roll(x, shift, axis), "roll")
untake = Primitive(lambda g, idx, shape: _scatter_add(g, idx, shape), "untake")
concatenate_args = Primitive(lambda axis, *xs: _np.concatenate(xs, axis), "concatenate")
pad_constant = Primitive(lambda x, width, value=0.0: _np.pad(x, width, constant_values=value),
                         "pad")
take_along_axis = Primitive(_np.take_along_axis, "take_along_axis")
untake_along = Primitive(lambda g, idx, axis, shape: _scatter_along(g, idx, axis, shape),
                         "untake_along_axis")


def _scatter_add(g, idx, shape):
    out = _np.zeros(shape, dtype=_np.result_type(g, _np.float64))
    _np.add.at(out, idx, g)
    return out


def _scatter_along(g, idx, axis, shape):
    out = _np.zeros(shape, dtype=_np.result_type(g, _np.float64))
    full = _np.indices(idx.shape, sparse=True)
    full = list(full)
    full[axis] = idx
    _np.add.at(out, tuple(full), g)
    return out


def _shape(x):
    return _np.shape(getval(x))


def _inverse_perm(axes):
    return tuple(_np.argsort(axes))


defvjp(getitem, lambda ans, x, idx: _untake_rule(x, idx))
defjvp(getitem, lambda t, ans, x, idx: getitem(t, idx))
defvjp(untake, lambda ans, g, idx, shape: lambda h: getitem(h, idx))
defjvp(untake, lambda t, ans, g, idx, shape: untake(t, idx, shape))


def _untake_rule(x, idx):
    shape = _shape(x)
    return lambda g: untake(g, idx, shape)


defvjp(reshape, lambda ans, x, shape, order="C": _reshape_back(x, order))
defjvp(reshape, lambda t, ans, x, shape, order="C": reshape(t, shape, order=order))


def _reshape_back(x, order):
    shape = _shape(x)
    return lambda g: reshape(g, shape, order=order)


def _transpose_vjp(ans, x, axes=None):
    back = None if axes is None else _inverse_perm(axes)
    return lambda g: transpose(g, back)


defvjp(transpose, _transpose_vjp)
defjvp(transpose, lambda t, ans, x, axes=None: transpose(t, axes))
defvjp(swapaxes, lambda ans, x, a, b: lambda g: swapaxes(g, a, b))
defjvp(swapaxes, lambda t, ans, x, a, b: swapaxes(t, a, b))
defvjp(squeeze, lambda ans, x, axis=None: _reshape_back(x, "C"))
defjvp(squeeze, lambda t, ans, x, axis=None: squeeze(t, axis))
defvjp(expand_dims, lambda ans, x, axis: _reshape_back(x, "C"))
defjvp(expand_dims, lambda t, ans, x, axis: expand_dims(t, axis))
defvjp(broadcast_to, lambda ans, x, shape: _sum_to(x))
defjvp(broadcast_to, lambda t, ans, x, shape: broadcast_to(t, shape))
defvjp(flip, lambda ans, x, axis=None: lambda g: flip(g, axis))
defjvp(flip, lambda t, ans, x, axis=None: flip(t, axis))
defvjp(triu, lambda ans, x, k=0: lambda g: triu(g, k))
defjvp(triu, lambda t, ans, x, k=0: triu(t, k))
defvjp(tril, lambda ans, x, k=0: lambda g: tril(g, k))
defjvp(tril, lambda t, ans, x, k=0: tril(t, k))
defvjp(roll, lambda ans, x, shift, axis=None: lambda g: roll(g, _neg(shift), axis))
defjvp(roll, lambda t, ans, x, shift, axis=None: roll(t, shift, axis))
defvjp(take_along_axis, lambda ans, x, idx, axis: _along_rule(x, idx, axis))
defjvp(take_along_axis, lambda t, ans, x, idx, axis: take_along_axis(t, idx, axis))
defvjp(untake_along, lambda ans, g, idx, axis, shape: lambda h: take_along_axis(h, idx, axis))
defjvp(untake_along, lambda t, ans, g, idx, axis, shape: untake_along(t, idx, axis, shape))


def _neg(shift):
    return tuple(-s for s in shift) if isinstance(shift, tuple) else -shift


def _along_rule(x, idx, axis):
    shape = _shape(x)
    return lambda g: untake_along(g, idx, axis, shape)


def _sum_to(x):
    shape = _shape(x)
    return lambda g: _unbroadcast(g, shape)


def _concat_vjp(i):
    def rule(ans, axis, *xs):
        sizes = [_shape(x)[axis] for x in xs]
        start = int(_np.sum(sizes[:i - 1]))
        return lambda g: _slice_axis(g, axis, start, start + sizes[i - 1])
    return rule


def _slice_axis(g, axis, start, stop):
    idx = [slice(None)] * len(_shape(g))
    idx[axis] = slice(start, stop)
    return getitem(g, tuple(idx))


class _PerArgument(dict):
    """Rules of a variadic primitive, made on first use for argument ``i >= 1`` by
    ``factory(i)``: concatenating any number of arrays needs a rule for each position."""

    def __init__(self, factory):
        super().__init__()
        self.factory = factory

    def get(self, i, default=None):
        if i not in self and isinstance(i, int) and i >= 1:
            self[i] = self.factory(i)
        return super().get(i, default)


def _concat_jvp(i):
    return lambda t, ans, axis, *xs: _concat_tangent(t, i, axis, xs)


concatenate_args.vjps = _PerArgument(_concat_vjp)
concatenate_args.jvps = _PerArgument(_concat_jvp)


def _concat_tangent(t, i, axis, xs):
    parts = [_np.zeros(_shape(x)) for x in xs]
    parts[i - 1] = t
    return concatenate_args(axis, *parts)


def _tile_vjp(ans, x, reps):
    shape = _shape(x)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    nd = max(len(shape), len(reps))
    full = (1,) * (nd - len(shape)) + shape
    reps = (1,) * (nd - len(reps)) + reps
    split_shape = [d for pair in zip(reps, full) for d in pair]
    return lambda g: reshape(sum(reshape(g, split_shape), axis=tuple(range(0, 2 * nd, 2))),
                             shape)


defvjp(tile, _tile_vjp)
defjvp(tile, lambda t, ans, x, reps: tile(t, reps))


def _repeat_vjp(ans, x, repeats, axis=None):
    if not isinstance(repeats, int):
        raise NotImplementedError("repeat: the gradient needs an int `repeats`")
    shape = _shape(x)
    if axis is None:
        return lambda g: reshape(sum(reshape(g, (-1, repeats)), axis=1), shape)
    axis = axis % len(shape)
    split_shape = shape[:axis + 1] + (repeats,) + shape[axis + 1:]
    return lambda g: sum(reshape(g, split_shape), axis=axis + 1)


defvjp(repeat, _repeat_vjp)
defjvp(repeat, lambda t, ans, x, repeats, axis=None: repeat(t, repeats, axis))


def _pad_vjp(ans, x, width, value=0.0):
    shape = _shape(x)
    w = _np.broadcast_to(_np.asarray(width, dtype=int), (len(shape), 2))
    idx = tuple(slice(int(lo), int(lo) + n) for (lo, _), n in zip(w, shape))
    return lambda g: getitem(g, idx)


defvjp(pad_constant, _pad_vjp)
defjvp(pad_constant, lambda t, ans, x, width, value=0.0: pad_constant(t, width, 0.0))


# --- composites: built from the primitives above, so all orders of derivatives come for free ---
def moveaxis(x, source, destination):
    """numpy.moveaxis as a transpose."""
    order = list(_np.moveaxis(_np.arange(len(_shape(x))), source, destination))
    return transpose(x, tuple(int(i) for i in order))


def ravel(x, order="C"):
    """Flatten to one dimension."""
    return reshape(x, (-1,), order=order)


def concatenate(arrays, axis=0):
    """numpy.concatenate over a sequence of (possibly traced) arrays."""
    return concatenate_args(axis, *arrays)


def stack(arrays, axis=0):
    """numpy.stack: join along a new axis."""
    arrays = list(arrays)
    nd = len(_shape(arrays[0])) + 1
    axis = axis % nd
    return concatenate_args(axis, *[expand_dims(a, axis) for a in arrays])


def hstack(arrays):
    """numpy.hstack."""
    arrays = [atleast_1d(a) for a in arrays]
    return concatenate_args(0 if len(_shape(arrays[0])) == 1 else 1, *arrays)


def vstack(arrays):
    """numpy.vstack."""
    return concatenate_args(0, *[atleast_2d(a) for a in arrays])


def atleast_1d(x):
    """View ``x`` as at least one-dimensional."""
    return reshape(x, (1,)) if len(_shape(x)) == 0 else x


def atleast_2d(x):
    """View ``x`` as at least two-dimensional."""
    nd = len(_shape(x))
    return reshape(x, (1,) * (2 - nd) + _shape(x)) if nd < 2 else x


def split(x, indices_or_sections, axis=0):
    """numpy.split as basic slices (views, as in numpy and PyTorch)."""
    n = _shape(x)[axis]
    if isinstance(indices_or_sections, int):
        if n % indices_or_sections:
            raise ValueError("split: indices_or_sections does not divide the axis equally")
        step = n // indices_or_sections
        bounds = list(range(0, n + 1, step))
    else:
        bounds = [0, *indices_or_sections, n]
    return [_slice_axis(x, axis, a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def pad(x, pad_width, mode="constant", constant_values=0.0):
    """numpy.pad, constant mode only."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode={mode!r} is not supported (only 'constant')")
    return pad_constant(x, pad_width, constant_values)


def sort(x, axis=-1):
    """Sorted values; ties keep index order. The ordering itself is recorded as a branch."""
    idx = argsort(x, axis=axis, kind="stable")
    if axis is None:
        return take_along_axis(ravel(x), idx, 0)
    return take_along_axis(x, idx, axis)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of a matrix (2-D only), as a gather."""
    if len(_shape(x)) != 2 or (axis1, axis2) != (0, 1):
        raise NotImplementedError("diagonal: only 2-D arrays with axis1=0, axis2=1")
    n, m = _shape(x)
    rows = _np.arange(max(0, -offset), min(n, m - offset))
    return getitem(x, (rows, rows + offset))


def diag(v, k=0):
    """numpy.diag: the k-th diagonal of a 2-D array, or a 2-D array with ``v`` on it."""
    if len(_shape(v)) == 2:
        return diagonal(v, k)
    n = _shape(v)[0] + abs(k)
    rows = _np.arange(_shape(v)[0]) + max(-k, 0)
    return untake(v, (rows, rows + k), (n, n))  # a scatter into zeros: linear, all orders


def take(x, indices, axis=None):
    """numpy.take as indexing (gradients scatter-add over repeated indices)."""
    if axis is None:
        return getitem(ravel(x), indices)
    idx = [slice(None)] * len(_shape(x))
    idx[axis] = indices
    return getitem(x, tuple(idx))


def trace(x, offset=0):
    """Sum of the diagonal of a 2-D array."""
    return sum(diagonal(x, offset))


from .elementwise import _unbroadcast  # noqa: E402
from .nograd import argsort  # noqa: E402
from .reductions import sum  # noqa: E402
