"""Tracing core: named primitives, boxes and nested traces (no numpy rules live here).

A :class:`Primitive` wraps a plain function. Called on ordinary values it just runs it; called
with a :class:`Box` among its arguments it hands the call to the box's :class:`Trace`, which
unboxes the arguments belonging to it, evaluates the primitive one level down (so boxes of
outer traces are traced too, which is what gives derivatives of any order) and boxes the answer
with a node that its mode understands: VJP closures (reverse), a tangent (forward) or
dependency masks (analysis). Traces are numbered by nesting depth and the deepest trace among
the arguments handles the call first, as in HIPS autograd and JAX.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading

import numpy as np

__all__ = ["Primitive", "NoGradPrimitive", "Box", "Trace", "new_trace", "getval", "isbox",
           "EscapeError"]

_ndarray = np.ndarray


class EscapeError(RuntimeError):
    """A value carrying a derivative was converted to a plain float or array.

    A RuntimeError rather than a TypeError on purpose: numpy swallows TypeErrors raised by
    ``__float__`` while writing into an array, and would report a misleading message instead.
    """


def top_trace(args):
    """The innermost (highest-level) trace among the boxed ``args``, or None."""
    top = None
    for a in args:
        if isinstance(a, Box):
            t = a._trace
            if top is None or t.level > top.level:
                top = t
    return top


class Primitive:
    """A named function with derivative rules attached by :func:`defvjp` / :func:`defjvp`.

    Attributes set by the rule modules: ``vjps`` / ``jvps`` (argnum -> staged rule),
    ``unbroadcast`` / ``broadcast`` (set on elementwise primitives so that broadcasting is
    undone in one place, the trace, rather than in every rule), ``kink`` (an analysis label for
    primitives with points of non-differentiability, e.g. ``abs``), ``view`` (the result may
    share memory with argument 0) and ``keep`` (which arguments its VJP rules can hold on to,
    -1 for the answer; None if unknown: see :func:`~nondiff.autodiff.reverse.defvjp`).
    """

    __slots__ = ("name", "fun", "vjps", "jvps", "unbroadcast", "broadcast", "kink", "view",
                 "keep", "__wrapped__", "__dict__")

    def __init__(self, fun, name=None):
        self.fun = fun
        self.name = name or getattr(fun, "__name__", repr(fun))
        self.vjps = {}
        self.jvps = {}
        self.unbroadcast = self.broadcast = self.kink = self.keep = None
        self.view = False
        self.__doc__ = getattr(fun, "__doc__", None)
        self.__wrapped__ = fun

    def __call__(self, *args, **kwargs):
        top = top_trace(args)
        if top is None:
            return self.fun(*args, **kwargs) if kwargs else self.fun(*args)
        if kwargs and "out" in kwargs:
            return out_hook(self, args, kwargs)
        return top.apply(self, args, kwargs)

    def __repr__(self):
        return f"<primitive {self.name}>"


class NoGradPrimitive(Primitive):
    """A primitive whose result carries no derivative (rounding, comparisons, indices).

    ``category`` tells :func:`~nondiff.autodiff.analyze` what kind of break it is: ``"round"``
    (the result is a step function: floor, sign, integer casts), ``"branch"`` (a comparison or an
    index choice: argmax, argsort) or ``"stop"`` (stop_gradient); ``"shape"`` results depend on
    shapes only (zeros_like) and stay boxed so that in-place writes into them are tracked.
    """

    __slots__ = ("category",)

    def __init__(self, fun, name=None, category="round"):
        super().__init__(fun, name)
        self.category = category

    def __call__(self, *args, **kwargs):
        top = top_trace(args)
        if top is None:
            return self.fun(*args, **kwargs)
        return top.nograd(self, args, kwargs)


class Box:
    """A traced value: the value one level down, its trace and its node in that trace.

    ``_storage`` is the version counter ``[version, last in-place op, is_input]`` shared by all
    views of one array (None for Python floats); ``_root`` / ``_chain`` describe a view as the
    primitives that produce it from its root box, ``_seen`` the root version its node reflects.
    """

    __slots__ = ("_value", "_trace", "_node", "_storage", "_root", "_chain", "_seen",
                 "__weakref__")

    def __init__(self, value, trace, node, storage=None):
        self._value = value
        self._trace = trace
        self._node = node
        self._storage = storage
        self._root = None

    def __repr__(self):
        return f"Box({self._value!r}, level={self._trace.level})"


def isbox(x):
    """True if ``x`` is a traced value."""
    return isinstance(x, Box)


def getval(x):
    """The plain value under all levels of boxes."""
    while isinstance(x, Box):
        x = x._value
    return x


class Trace:
    """One level of tracing; subclasses implement a mode (reverse, forward, analysis)."""

    __slots__ = ("level",)

    def __init__(self, level):
        self.level = level

    def apply(self, prim, args, kwargs):
        raise NotImplementedError

    def nograd(self, prim, args, kwargs):
        """Evaluate a no-derivative primitive: a plain result (constant box if shape-only)."""
        raw = []
        for a in args:  # strip every level (a loop, not getval: comparisons run in hot loops)
            while isinstance(a, Box):
                a = a._value
            raw.append(a)
        ans = prim.fun(*raw, **kwargs) if kwargs else prim.fun(*raw)
        if prim.category == "shape":
            return self.box(ans, None)
        return ans

    def box(self, value, node):
        """Box ``value``; arrays get a fresh version counter."""
        if type(value) is _ndarray or (isinstance(value, Box) and value._storage is not None):
            return BoxType(value, self, node, [0, None, False])
        return BoxType(value, self, node)

    def event(self, kind, box, convert):
        """A traced value leaves the engine: ``kind`` is branch, cast, float, item or array.

        ``float()`` and conversion to a plain array of a value that carries a derivative are
        refused (as PyTorch refuses ``.numpy()``): they are how derivatives get lost silently,
        e.g. ``plain_array[i] = x`` calls ``float(x)``, ``math.sin(x)`` too. ``.item()`` is the
        explicit way to take the plain value.
        """
        if (kind == "array" or kind == "float") and box._node is not None:
            filename, lineno = user_location(3)
            what = "float()" if kind == "float" else "a plain numpy array"
            raise EscapeError(
                f"a traced value was converted to {what} at {filename}:{lineno} (a numpy or "
                "math function without a nondiff.autodiff.numpy counterpart, np.asarray, or a "
                "write into a plain numpy array); its derivative would be lost. Use "
                "nondiff.autodiff.numpy (anp.zeros_like(x) for buffers), or x.item() / "
                "stop_gradient(x) if the plain value is what you want")
        return convert(box._value)

    def unbox_args(self, args):
        """Split ``args`` into plain values at this level and the boxes of this trace.

        Returns ``(raw, boxes, lower)``: ``boxes`` is a list of ``(argnum, box)`` and ``lower``
        is True when some value still holds boxes of outer traces.
        """
        raw = list(args)
        boxes = []
        lower = False
        for i, a in enumerate(args):
            if isinstance(a, Box):
                if a._trace is self:
                    if a._root is not None:
                        a = sync_view(a)
                    v = raw[i] = a._value
                    boxes.append((i, a))
                    if isinstance(v, Box):
                        lower = True
                else:
                    lower = True
        return raw, boxes, lower


BoxType = Box  # replaced by numpy.box.ArrayBox, which adds numpy's operators


def out_hook(prim, args, kwargs):
    """``prim(*args, out=box)``: replaced by numpy.box, which implements in-place writes."""
    raise TypeError(f"{prim.name}: out= needs nondiff.autodiff.numpy")


_local = threading.local()  # trace nesting depth, per thread


@contextlib.contextmanager
def new_trace(cls):
    """Open a trace of mode ``cls`` one level deeper than any open trace."""
    depth = getattr(_local, "depth", 0) + 1
    _local.depth = depth
    try:
        with quiet_gc():
            yield cls(depth)
    finally:
        _local.depth = depth - 1


@contextlib.contextmanager
def quiet_gc(young=50_000):
    """Collect young objects less often while a graph is built or walked.

    Every primitive allocates a few container objects (box, node, closures), so the default
    threshold (700) runs a collection every ~100 primitives, each one re-scanning survivors of
    an acyclic graph; that was 10-15% of the time of a chain of small operations. The
    threshold is restored on exit, and cyclic garbage is still collected, only in larger batches.
    """
    old = gc.get_threshold()
    if old[0] >= young or not gc.isenabled():
        yield
        return
    gc.set_threshold(young, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def sync_view(box):
    """Refresh the history of a view whose root was written in place since its node was made.

    The view's data already changed (it shares memory); its node is rebuilt by replaying the view
    primitives on the root's current history, what PyTorch calls view replay.
    """
    root = box._root
    if root._storage[0] == box._seen:
        return box
    fresh = apply_chain(root, box._chain)
    box._value = fresh._value
    box._node = fresh._node
    box._seen = root._storage[0]
    return box


def node_of(box):
    """The node of ``box``, brought up to date first if it is a view."""
    if box._root is not None:
        sync_view(box)
    return box._node


def apply_chain(x, chain):
    """Apply the view primitives ``chain`` (tuples ``(prim, args, kwargs)``) to ``x``."""
    for prim, args, kwargs in chain:
        x = prim(x, *args, **kwargs)
    return x


def link_view(out, src, prim, args, kwargs):
    """Make ``out`` (a box of ``prim(src, *args)``) a view of ``src``'s root if they share memory.

    Views share the root's version counter, so an in-place change through any of them is seen
    by every saved value and every other view.
    """
    a, b = getval(out._value), getval(src._value)
    base = a.base if type(a) is _ndarray else None
    if base is None or (base is not b and base is not getattr(b, "base", None)):
        return out
    root = src._root if src._root is not None else src
    out._root = root
    out._chain = (src._chain if src._root is not None else ()) + ((prim, args, kwargs),)
    out._storage = root._storage
    out._seen = root._storage[0]
    return out


_PACKAGE_DIR = __file__.rsplit("/", 1)[0]


def user_location(depth=2):
    """``(filename, lineno)`` of the innermost frame outside the autodiff package.

    Only called at rare events (in-place writes, errors), never on the per-primitive path.
    """
    f = sys._getframe(depth)
    while f is not None and f.f_code.co_filename.startswith(_PACKAGE_DIR):
        f = f.f_back
    return (f.f_code.co_filename, f.f_lineno) if f is not None else ("<unknown>", 0)
