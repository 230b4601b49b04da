"""Where differentiability breaks: ``analyze(f, *args)`` classifies every input of a program.

The program runs once under an analysis trace. Every traced value carries four bit masks over
the input leaves (one bit per leaf): ``dep`` (leaves it depends on at all), ``diff`` (leaves
reaching it through differentiable primitives only), ``step`` (leaves reaching it through a
step function: rounding, integer casts) and ``piece`` (leaves reaching it through a kink or a
comparison: abs, maximum, sort, where). Control flow adds to the same masks: ``bool()`` of a
traced value is a branch, ``int()``/indexing by a traced value is a cast, ``float()`` and
conversion to a plain array are escapes. Each such event is recorded once per source line.

A leaf is then *no effect* (nothing depends on it), *non-differentiable* (it flows through a
step, a cast or an escape, or reaches the result only through branches and indices, so its
gradient is zero almost everywhere), *piecewise* (its gradient is exact locally but branches
or kinks make it change abruptly) or *differentiable*. Kinks are reported even where finite
differences cannot see them (``abs`` at 0 is symmetric).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from sys import _getframe

from .tracer import Box, Trace, getval, link_view, new_trace, node_of
from .vspace import flatten, leaf_paths, unflatten

__all__ = ["analyze", "Analysis", "LeafReport", "Event", "DIFFERENTIABLE", "PIECEWISE",
           "NONDIFFERENTIABLE", "NO_EFFECT"]

DIFFERENTIABLE = "differentiable"
PIECEWISE = "piecewise"
NONDIFFERENTIABLE = "non-differentiable"
NO_EFFECT = "no effect"

_STEP_KINDS = ("round", "cast", "escape", "array")
_CONVERSIONS = {"branch": "bool()", "cast": "int()", "float": "float()", "item": ".item()",
                "array": "np.asarray()"}
_EVENT_KIND = {"branch": "branch", "cast": "cast", "float": "escape", "item": "escape",
               "array": "array"}
_COMPARISONS = frozenset(("greater", "greater_equal", "less", "less_equal", "equal", "not_equal"))
_PACKAGE_DIR = __file__.rsplit("/", 1)[0]


@dataclass(frozen=True)
class Event:
    """One source line where differentiability breaks: ``kind`` is branch, kink, round, cast,
    escape (``float()``), array (conversion to a plain array) or stop (``stop_gradient``)."""

    kind: str
    name: str
    filename: str
    lineno: int

    def __str__(self):
        return f"{self.filename}:{self.lineno}: {self.kind} ({self.name})"


@dataclass(frozen=True)
class LeafReport:
    """The classification of one input leaf, with the events that decided it."""

    path: str
    status: str
    events: tuple = field(default=())

    def __str__(self):
        lines = "".join(f"\n    {e}" for e in self.events)
        return f"{self.path}: {self.status}{lines}"


class Analysis:
    """The result of :func:`analyze`: ``leaves`` (list of :class:`LeafReport`), ``value``
    (the program's result), ``events`` (every recorded :class:`Event`, in order).

    ``analysis[path]`` returns the status of a leaf (``"x"``, ``"params['w']"``).
    """

    def __init__(self, leaves, value, events):
        self.leaves = leaves
        self.value = value
        self.events = events
        self._by_path = {leaf.path: leaf for leaf in leaves}

    def __getitem__(self, path):
        return self._by_path[path].status

    def report(self, path):
        """The :class:`LeafReport` of ``path``."""
        return self._by_path[path]

    def __str__(self):
        return "\n".join(str(leaf) for leaf in self.leaves)

    __repr__ = __str__


class _Recorder:
    """Events keyed by ``(kind, name, code object, line)`` -> mask of the leaves involved.

    Recording must stay cheap (a 2,000-step loop branches thousands of times): the user's frame
    is found at a known depth and checked against a cache of the engine's own code objects;
    keys hold code objects, and names and file names are resolved once, in :meth:`report`.
    Conversions (``bool()``, ``int()``...) are keyed ``(kind, instruction offset, code)``.
    """

    __slots__ = ("events", "branch_steps")

    def __init__(self):
        self.events = {}
        self.branch_steps = 0  # leaves that reached a branch through a step function

    def add(self, kind, name, mask, depth=3):
        f = _user_frame(_getframe(depth))
        key = (kind, name, f.f_code, f.f_lineno) if f is not None else (kind, name, None, 0)
        events = self.events
        events[key] = events.get(key, 0) | mask

    def control_event(self, kind, f, mask):
        """Record a conversion at the first frame of ``f``'s stack outside the engine."""
        f = _user_frame(f)
        key = (kind, f.f_lasti, f.f_code) if f is not None else (kind, -1, None)
        self.events[key] = self.events.get(key, 0) | mask

    def control(self):
        """``(piece, step)`` masks contributed by conversions of traced values."""
        piece, step = 0, self.branch_steps
        for key, mask in self.events.items():
            if len(key) == 3:
                if key[0] == "branch":
                    piece |= mask
                else:
                    step |= mask
        return piece, step

    def report(self):
        """``{Event: mask}`` with names and file names resolved."""
        out = {}
        for key, mask in self.events.items():
            if len(key) == 3:
                kind, offset, code = key
                key = (_EVENT_KIND[kind], _CONVERSIONS[kind], code, _line(code, offset))
            kind, name, code, line = key
            where = code.co_filename if code is not None else "<unknown>"
            event = Event(kind, name, where, line)
            out[event] = out.get(event, 0) | mask
        return out


def _line(code, offset):
    """The source line of the instruction at byte ``offset`` of ``code``."""
    if code is None:
        return 0
    for start, end, line in code.co_lines():
        if start <= offset < end:
            return line if line is not None else code.co_firstlineno
    return code.co_firstlineno


def _user_frame(f):
    while f is not None and _in_engine(f.f_code):
        f = f.f_back
    return f


_ENGINE_CODES = {}  # id -> (code, inside the package?)


def _in_engine(code):
    known = _ENGINE_CODES.get(id(code))
    if known is None:
        known = _ENGINE_CODES[id(code)] = (code, code.co_filename.startswith(_PACKAGE_DIR))
    return known[1]


class AnalyzeTrace(Trace):
    """Propagates the four masks ``(dep, diff, step, piece)`` instead of derivatives."""

    __slots__ = ("rec", "events")

    def apply(self, prim, args, kwargs):
        raw, boxes, lower = self.unbox_args(args)
        ans = prim(*raw, **kwargs) if lower else prim.fun(*raw, **kwargs)
        dep = diff = step = piece = 0
        for i, b in boxes:
            m = b._node
            if m is None:
                continue
            dep |= m[0]
            step |= m[2]
            piece |= m[3]
            if i in prim.vjps:
                diff |= m[1]
        if prim.kink is not None and dep:
            piece |= dep
            self.rec.add("kink", prim.kink, dep)
        out = self.box(ans, (dep, diff, step, piece) if dep else None)
        if prim.view and boxes and boxes[0][0] == 0:
            link_view(out, boxes[0][1], prim, tuple(args[1:]), kwargs)
        return out

    def nograd(self, prim, args, kwargs):
        ans = prim.fun(*[getval(a) for a in args], **kwargs)
        if prim.category == "shape":
            return self.box(ans, None)
        dep = step = piece = 0
        for a in args:
            if isinstance(a, Box) and a._trace is self and a._node is not None:
                dep |= a._node[0]
                step |= a._node[2]
                piece |= a._node[3]
        if not dep:
            return ans
        if prim.category == "round":
            step |= dep
        elif prim.category == "branch":
            piece |= dep
        if prim.name not in _COMPARISONS:  # a comparison is reported where it is used
            self.rec.add(prim.category, prim.name, dep)
        return self.box(ans, (dep, 0, step, piece))

    def event(self, kind, box, convert):
        m = box._node
        if m is not None:  # the hot path of analysis: one frame, one dict lookup
            # keyed by the instruction offset, not f_lineno (decoded from the line table on
            # every access); lines are resolved once, in the report. Only keys of the
            # program's own frames are ever stored, so a hit means "already recorded".
            f = _getframe(2)  # event <- ArrayBox.__bool__ (or __int__, ...) <- the program
            seen = self.events.get((kind, f.f_lasti, f.f_code))
            if seen is None or seen | m[0] != seen:
                self.rec.control_event(kind, f, m[0])
            if m[2]:
                self.rec.branch_steps |= m[2]
        return convert(box._value)

    def linear(self, prim, parts, ans):
        masks = [b._node for b, _, _ in parts if b._node is not None]
        if not masks:
            return None
        return tuple(_or(m[k] for m in masks) for k in range(4))


def _or(values):
    out = 0
    for v in values:
        out |= v
    return out


def analyze(fun, *args, argnums=None):
    """Run ``fun(*args)`` once and classify each input leaf by how the result depends on it.

    Parameters
    ----------
    fun : callable
        A program written with :mod:`nondiff.autodiff.numpy` (Python control flow allowed).
    *args
        Its arguments: numbers, arrays, or dicts/lists/tuples of them (each leaf is classified).
    argnums : int or tuple of int, optional
        Which arguments to analyze (default: all).

    Returns
    -------
    Analysis
        ``analysis["x"]`` is one of ``"differentiable"``, ``"piecewise"``,
        ``"non-differentiable"``, ``"no effect"``; ``analysis.report("x").events`` lists the
        source lines responsible.

    Examples
    --------
    >>> import nondiff.autodiff.numpy as anp
    >>> def f(x, n, unused):
    ...     y = anp.abs(x)
    ...     for _ in range(int(n)):
    ...         y = y * 2.0
    ...     return y
    >>> a = analyze(f, 1.5, 3, 0.0)
    >>> a["x"], a["n"], a["unused"]
    ('piecewise', 'non-differentiable', 'no effect')
    """
    names = _arg_names(fun, len(args))
    argnums = range(len(args)) if argnums is None else _as_tuple(argnums)
    with new_trace(AnalyzeTrace) as trace:
        trace.rec = _Recorder()
        trace.events = trace.rec.events  # one attribute lookup less on the hot path
        args, paths = _box_inputs(trace, args, argnums, names)
        value = fun(*args)
    out = _output_masks(trace, value)
    events, control = trace.rec.report(), trace.rec.control()
    leaves = [_classify(p, 1 << k, out, control, events) for k, p in enumerate(paths)]
    return Analysis(leaves, _strip(value), list(events))


def _as_tuple(argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _arg_names(fun, n):
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [names[i] if i < len(names) else f"arg{i}" for i in range(n)]


def _box_inputs(trace, args, argnums, names):
    args, paths, bit = list(args), [], 0
    for i in argnums:
        leaves, tree = flatten(args[i])
        boxed = []
        for leaf, path in zip(leaves, leaf_paths(args[i], names[i])):
            if _numeric(leaf):
                m = 1 << bit
                boxed.append(trace.box(leaf, (m, m, 0, 0)))
                paths.append(path)
                bit += 1
            else:
                boxed.append(leaf)
        args[i] = unflatten(tree, boxed)
    return args, paths


def _numeric(x):
    import numpy as np

    if isinstance(x, bool):
        return False
    return isinstance(x, (int, float, np.number, np.ndarray)) and np.issubdtype(
        np.result_type(x), np.number)


def _output_masks(trace, value):
    leaves, _ = flatten(value)
    masks = [node_of(v) for v in leaves if isinstance(v, Box) and v._trace is trace]
    masks = [m for m in masks if m]
    return tuple(_or(m[k] for m in masks) for k in range(4))


def _strip(value):
    leaves, tree = flatten(value)
    return unflatten(tree, [getval(v) for v in leaves])


def _classify(path, bit, out, control, events):
    dep, diff, step, piece = out
    ctrl_piece, ctrl_step = control
    if not (dep | ctrl_piece | ctrl_step) & bit:
        return LeafReport(path, NO_EFFECT)
    mine = [e for e, m in events.items() if m & bit]
    if (step | ctrl_step) & bit:
        return LeafReport(path, NONDIFFERENTIABLE, _kinds(mine, _STEP_KINDS))
    if not diff & bit:
        return LeafReport(path, NONDIFFERENTIABLE, tuple(mine))
    if (piece | ctrl_piece) & bit:
        return LeafReport(path, PIECEWISE, _kinds(mine, ("branch", "kink")))
    return LeafReport(path, DIFFERENTIABLE)


def _kinds(events, kinds):
    return tuple(e for e in events if e.kind in kinds)
