"""ArrayBox: numpy's operators and methods on traced values, views and in-place writes.

In-place operations (``+=``, ``a[idx] = v``, ``out=``) mutate the root array's memory and bump
its version counter. The history is rewritten, not lost: writing ``v`` into the region of the
root selected by a chain of view primitives replaces the root's node by a node with two
inputs, the old root (its gradient is the incoming one with the region zeroed) and ``v`` (its
gradient is the region of the incoming one, summed back to ``v``'s shape). Views made before
the write replay their chain on the new history the next time they are used (PyTorch's view
replay). ``a op= b`` first computes ``op(copy of a, b)``, so rules that need the old ``a``
(``*=``) keep it, as PyTorch does for ``mul_``; an input being differentiated (or a view of one)
cannot be changed in place.
"""

from __future__ import annotations

import numpy as _np

from .. import tracer
from ..forward import defjvp
from ..reverse import defvjp
from ..tracer import Box, Primitive, apply_chain, getval, sync_view, user_location
from ..versions import InplaceError, writes
from . import elementwise as ew
from . import linalg as la
from . import nograd as ng
from . import reductions as rd
from . import shape as sh

__all__ = ["ArrayBox", "assign"]


class ArrayBox(Box):
    """A traced float or array with numpy's operators, properties and common methods."""

    __slots__ = ()
    __hash__ = object.__hash__

    shape = property(lambda self: _np.shape(getval(self)))
    ndim = property(lambda self: _np.ndim(getval(self)))
    size = property(lambda self: _np.size(getval(self)))
    dtype = property(lambda self: _np.result_type(getval(self)))
    T = property(lambda self: sh.transpose(self))

    __add__ = lambda self, other: ew.add(self, other)  # noqa: E731
    __radd__ = lambda self, other: ew.add(other, self)  # noqa: E731
    __sub__ = lambda self, other: ew.subtract(self, other)  # noqa: E731
    __rsub__ = lambda self, other: ew.subtract(other, self)  # noqa: E731
    __mul__ = lambda self, other: ew.multiply(self, other)  # noqa: E731
    __rmul__ = lambda self, other: ew.multiply(other, self)  # noqa: E731
    __truediv__ = lambda self, other: ew.divide(self, other)  # noqa: E731
    __rtruediv__ = lambda self, other: ew.divide(other, self)  # noqa: E731
    __pow__ = lambda self, other: ew.power(self, other)  # noqa: E731
    __rpow__ = lambda self, other: ew.power(other, self)  # noqa: E731
    __matmul__ = lambda self, other: la.matmul(self, other)  # noqa: E731
    __rmatmul__ = lambda self, other: la.matmul(other, self)  # noqa: E731
    __mod__ = lambda self, other: ew.remainder(self, other)  # noqa: E731
    __rmod__ = lambda self, other: ew.remainder(other, self)  # noqa: E731
    __floordiv__ = lambda self, other: ng.floor_divide(self, other)  # noqa: E731
    __rfloordiv__ = lambda self, other: ng.floor_divide(other, self)  # noqa: E731
    __neg__ = lambda self: ew.negative(self)  # noqa: E731
    __pos__ = lambda self: self  # noqa: E731
    __abs__ = lambda self: ew.abs(self)  # noqa: E731
    __lt__ = lambda self, other: ng.less(self, other)  # noqa: E731
    __le__ = lambda self, other: ng.less_equal(self, other)  # noqa: E731
    __gt__ = lambda self, other: ng.greater(self, other)  # noqa: E731
    __ge__ = lambda self, other: ng.greater_equal(self, other)  # noqa: E731
    __eq__ = lambda self, other: ng.equal(self, other)  # noqa: E731
    __ne__ = lambda self, other: ng.not_equal(self, other)  # noqa: E731

    def __iadd__(self, other):
        return _inplace(self, ew.add, other, "+=")

    def __isub__(self, other):
        return _inplace(self, ew.subtract, other, "-=")

    def __imul__(self, other):
        return _inplace(self, ew.multiply, other, "*=")

    def __itruediv__(self, other):
        return _inplace(self, ew.divide, other, "/=")

    def __ipow__(self, other):
        return _inplace(self, ew.power, other, "**=")

    def __getitem__(self, idx):
        return sh.getitem(self, idx)

    def __setitem__(self, idx, value):
        assign(self, ((sh.getitem, (idx,), {}),), value, "setitem")

    def __len__(self):
        return len(getval(self))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # --- conversions: the points where a traced value leaves the engine ---
    def __bool__(self):
        return bool(self._trace.event("branch", self, bool))

    def __int__(self):
        return int(self._trace.event("cast", self, int))

    def __index__(self):
        return int(self._trace.event("cast", self, int))

    def __float__(self):
        return float(self._trace.event("float", self, float))

    def __format__(self, spec):
        return format(getval(self), spec)

    def __array__(self, dtype=None, copy=None):
        value = self._trace.event("array", self, _np.asarray)
        return value if dtype is None else value.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        prim = _UFUNCS.get(ufunc) if method == "__call__" else None
        if prim is None:
            return NotImplemented
        return _with_out(prim, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        impl = FUNCTIONS.get(func)
        if impl is not None:
            return impl(*args, **kwargs)
        return func(*_escape(args), **kwargs)  # leaves the engine: refused if it has a derivative

    # --- methods mirroring ndarray's ---
    def sum(self, axis=None, keepdims=False):
        return rd.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return rd.mean(self, axis=axis, keepdims=keepdims)

    def prod(self, axis=None, keepdims=False):
        return rd.prod(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return rd.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return rd.min(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, ddof=0, keepdims=False):
        return rd.var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        return rd.std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def cumsum(self, axis=None):
        return rd.cumsum(self, axis=axis)

    def reshape(self, *shape, order="C"):
        return sh.reshape(self, shape[0] if len(shape) == 1 else shape, order=order)

    def transpose(self, *axes):
        return sh.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)

    def swapaxes(self, a, b):
        return sh.swapaxes(self, a, b)

    def squeeze(self, axis=None):
        return sh.squeeze(self, axis)

    def ravel(self):
        return sh.ravel(self)

    def flatten(self):
        return sh.ravel(self) * 1.0

    def dot(self, other):
        return la.dot(self, other)

    def clip(self, lo=None, hi=None):
        return ew.clip(self, lo, hi)

    def copy(self):
        return ew.positive(self)

    def astype(self, dtype):
        if _np.issubdtype(dtype, _np.floating):
            return ew.positive(self)
        return ng.astype_int(self, dtype)

    def argmax(self, axis=None):
        return ng.argmax(self, axis)

    def argmin(self, axis=None):
        return ng.argmin(self, axis)

    def argsort(self, axis=-1):
        return ng.argsort(self, axis)

    def item(self):
        """The plain value, explicitly without derivative (PyTorch's ``.item()``)."""
        value = self._trace.event("item", self, getval)
        return value.item() if hasattr(value, "item") else value

    def tolist(self):
        return getval(self).tolist()


_UFUNCS = {**ew.UFUNCS, **ng.UFUNCS, _np.matmul: la.matmul}


def _escape(args):
    """Plain values for a numpy function the engine does not know (refused with derivatives)."""
    out = []
    for a in args:
        if isinstance(a, Box):
            a = a._trace.event("array", a, _np.asarray)
        elif isinstance(a, (list, tuple)):
            a = type(a)(_escape(a))
        out.append(a)
    return out


FUNCTIONS = {}  # numpy function -> nondiff.autodiff.numpy function (filled by the namespace)
tracer.BoxType = ArrayBox
tracer.out_hook = lambda prim, args, kwargs: _with_out(prim, args, dict(kwargs))


# --- in-place writes ---
def _region_set(arr, chain, value):
    """Write ``value`` into the region of the plain array ``arr`` selected by ``chain``."""
    if not chain:
        arr[...] = value
        return
    for prim, args, kwargs in chain[:-1]:
        arr = prim.fun(arr, *args, **kwargs)
    prim, args, kwargs = chain[-1]
    if prim is sh.getitem:
        arr[args[0]] = value
    else:
        prim.fun(arr, *args, **kwargs)[...] = value


def _zero_region_fun(g, chain):
    out = _np.array(g, dtype=_np.result_type(g, _np.float64))
    _region_set(out, chain, 0.0)
    return out


def _place_fun(v, chain, shape):
    out = _np.zeros(shape, dtype=_np.result_type(v, _np.float64))
    _region_set(out, chain, v)
    return out


zero_region = Primitive(_zero_region_fun, "zero_region")
place = Primitive(_place_fun, "place")
_WRITE = Primitive(None, "in-place write")
defvjp(zero_region, lambda ans, g, chain: lambda h: zero_region(h, chain))
defjvp(zero_region, lambda t, ans, g, chain: zero_region(t, chain))
defvjp(place, lambda ans, v, chain, shape: _read_region(v, chain))
defjvp(place, lambda t, ans, v, chain, shape: place(t, chain, shape))


def _read_region(v, chain):
    vshape = _np.shape(getval(v))
    return lambda h: ew._unbroadcast(apply_chain(h, chain), vshape)


def assign(target, chain, value, op):
    """Write ``value`` into ``target`` (a box, possibly a view) at ``chain``; returns ``target``."""
    if not isinstance(target, Box):
        if isinstance(value, Box):
            value = value._trace.event("array", value, _np.asarray)
        _region_set(target, chain, value)
        return target
    root = target
    if target._root is not None:
        sync_view(target)
        root, chain = target._root, target._chain + chain
    _write(root, chain, value, (op, user_location(2)))
    return target


def _write(root, chain, value, why):
    if not isinstance(root, Box):
        _region_set(root, chain, getval(value))
        return
    trace = root._trace
    if isinstance(value, Box) and value._trace.level > trace.level:
        raise InplaceError(f"in-place '{why[0]}': cannot write a value traced by an inner "
                           "derivative into an array of an outer one")
    counter = root._storage
    if counter is None:
        raise TypeError(f"in-place '{why[0]}' on a traced Python scalar")
    if counter[2]:
        raise InplaceError(
            f"in-place '{why[0]}' at {why[1][0]}:{why[1][1]} changes an input being "
            "differentiated (or a view of one); work on a copy (x = x.copy())")
    mine = value if isinstance(value, Box) and value._trace is trace else None
    if mine is not None and mine._root is not None:
        sync_view(mine)
    inner = mine._value if mine is not None else value
    old = root._value
    _write(old, chain, inner, why)
    counter[0] += 1
    counter[1] = why
    writes[0] += 1
    root._node = trace.linear(_WRITE, _write_parts(root, chain, mine, old), old)


def _write_parts(root, chain, mine, old):
    shape = _np.shape(getval(old))
    parts = []
    if chain and root._node is not None:
        parts.append((root, lambda g: zero_region(g, chain), lambda t: zero_region(t, chain)))
    if mine is not None and mine._node is not None:
        vshape = _np.shape(getval(mine))
        parts.append((mine, lambda g: ew._unbroadcast(apply_chain(g, chain), vshape),
                      lambda t: place(t, chain, shape)))
    return parts


def _with_out(prim, args, kwargs):
    """``prim(*args, out=target)`` as an out-of-place call followed by an in-place write."""
    out = kwargs.pop("out", None)
    if isinstance(out, tuple):
        out = out[0]
    result = prim(*args, **kwargs)
    if out is None:
        return result
    return assign(out, (), result, f"{prim.name}(out=)")


def _snapshot(x):
    """A copy of ``x`` with the same history and its own version counter."""
    if not isinstance(x, Box):
        return _np.array(x)
    if x._root is not None:
        sync_view(x)
    return x._trace.box(_snapshot(x._value), x._node)


def _inplace(box, prim, other, op):
    if not isinstance(getval(box), _np.ndarray):
        return prim(box, other)  # Python scalars are immutable: rebind, as Python does
    result = prim(_snapshot(box), other)
    assign(box, (), result, op)
    return box
