"""Reverse mode: VJP nodes built while tracing, and the backward pass.

Rules are staged as in HIPS autograd: ``defvjp(sin, lambda ans, x: lambda g: g * cos(x))``.
The outer function runs during the forward pass and captures what the backward pass needs;
the node remembers the version of every array argument and of the answer, so that a value
changed in place afterwards is caught (:mod:`~nondiff.autodiff.versions`). The backward pass
visits nodes in decreasing creation order, which is a reverse topological order because a node
is always created after its parents; a heap keyed on that order replaces an explicit toposort.
"""

from __future__ import annotations

import itertools
from heapq import heappop, heappush
from inspect import CO_VARARGS as _VARARGS
from types import CodeType

from .tracer import Trace, link_view
from .versions import check_saved, writes

__all__ = ["defvjp", "VJPNode", "ReverseTrace", "backward_pass"]


def defvjp(prim, *rules, argnums=None):
    """Attach staged VJP rules ``rule(ans, *args, **kwargs) -> (g -> cotangent)`` to ``prim``.

    ``rules[k]`` is for argument ``argnums[k]`` (default ``0, 1, ...``); ``None`` means the
    argument is not differentiable. A rule may return None to say "zero for these arguments".
    """
    for i, rule in zip(argnums or range(len(rules)), rules):
        if rule is not None:
            prim.vjps[i] = rule
    keeps = [_captured_args(rule) for rule in prim.vjps.values()]
    prim.keep = None if None in keeps else frozenset().union(*keeps)


def _captured_args(rule):
    """Which arguments (-1: the answer) the closures of a staged rule can hold on to.

    Read from the code, once: the parameters of ``rule`` that its inner functions capture.
    Only those need a version record. When the closure is built elsewhere (a helper), or the
    rule also captures values it derived (possibly views of its arguments), all of them may
    be held: None, record everything.
    """
    code = getattr(rule, "__code__", None)
    if code is None or not any(isinstance(c, CodeType) for c in code.co_consts):
        return None
    n = code.co_argcount + code.co_kwonlyargcount
    params = code.co_varnames[:n]
    captured = set(code.co_cellvars)
    if code.co_flags & _VARARGS or not captured <= set(params):
        return None
    return frozenset(-1 if k == 0 else k - 1 for k, name in enumerate(params) if name in captured)


_FREED = ()  # parents of a node whose closures were released
_next_order = itertools.count(0, -1).__next__  # decreasing: a min-heap pops children first


class VJPNode:
    """One primitive application: parents, their VJP closures, and the saved-version records."""

    __slots__ = ("prim", "parents", "vjps", "saved", "order", "__weakref__")

    def __init__(self, prim, parents, vjps, saved):
        self.prim = prim
        self.parents = parents
        self.vjps = vjps
        self.saved = saved
        self.order = _next_order()


class ReverseTrace(Trace):
    """Builds VJP nodes."""

    __slots__ = ()

    def apply(self, prim, args, kwargs):
        # the hot path of the engine: kept flat (no helper calls) on purpose
        raw, found, lower = self.unbox_args(args)
        parents, vjps, saved = [], [], []
        if kwargs:
            ans = prim(*raw, **kwargs) if lower else prim.fun(*raw, **kwargs)
        else:  # calling with **{} costs a dict merge per call
            ans = prim(*raw) if lower else prim.fun(*raw)
        unbroadcast = None if type(ans) is float else prim.unbroadcast
        ans_shape = getattr(ans, "shape", ()) if unbroadcast is not None else ()
        keep = prim.keep
        for i, b in found:
            st = b._storage
            if st is not None and (keep is None or i in keep):
                saved.append((st, st[0], id(raw[i]), i))
            if b._node is None:
                continue
            rule = prim.vjps.get(i)
            if rule is None:
                raise TypeError(f"no VJP rule for argument {i} of primitive '{prim.name}'")
            vjp = rule(ans, *raw, **kwargs) if kwargs else rule(ans, *raw)
            if vjp is None:
                continue
            if unbroadcast is not None and getattr(raw[i], "shape", ()) != ans_shape:
                vjp = _unbroadcasting(unbroadcast, vjp, raw[i])
            parents.append(b._node)
            vjps.append(vjp)
        if not parents:
            out = self.box(ans, None)
        else:
            out = self.box(ans, VJPNode(prim, parents, vjps, saved))
            if out._storage is not None and (keep is None or -1 in keep):
                saved.append((out._storage, 0, id(ans), -1))
        if prim.view and found and found[0][0] == 0:
            link_view(out, found[0][1], prim, tuple(args[1:]), kwargs)
        return out

    def linear(self, prim, parts, ans):
        """Box ``ans`` computed outside ``prim.fun`` from ``parts``: ``(box, vjp, jvp)`` triples."""
        parents = [b._node for b, _, _ in parts if b._node is not None]
        vjps = [vjp for b, vjp, _ in parts if b._node is not None]
        return VJPNode(prim, parents, vjps, None) if parents else None

    def leaf(self, value):
        """Box an input being differentiated; its version counter forbids in-place changes."""
        out = self.box(value, VJPNode(None, (), (), None))
        if out._storage is not None:
            out._storage[2] = True
        return out


def _unbroadcasting(unbroadcast, vjp, arg):
    shape = getattr(arg, "shape", ())
    return lambda g: unbroadcast(vjp(g), shape)


def backward_pass(seeds, leaves, free=False):
    """Propagate cotangents from ``seeds`` (list of ``(node, g)``) to the ``leaves`` nodes.

    Returns a list with the cotangent of each leaf, or None where nothing reached it. With
    ``free`` each node drops its closures once used, so saved values are released during the
    pass (as PyTorch does without ``retain_graph``): peak memory falls and large temporaries
    are recycled by the allocator instead of being fetched as fresh pages.
    """
    grads = {}
    heap = []
    for node, g in seeds:
        if node in grads:
            grads[node] = grads[node] + g
        else:
            grads[node] = g
            heappush(heap, (node.order, node))
    check = writes[0] != 0  # no in-place write ever happened: nothing saved can be stale
    wanted = {id(n) for n in leaves}
    found = {}
    while heap:
        node = heappop(heap)[1]
        g = grads.pop(node)
        if not node.parents:
            if id(node) in wanted:
                found[id(node)] = g
            continue
        if check and node.saved:
            check_saved(node)
        for parent, vjp in zip(node.parents, node.vjps):
            pg = vjp(g)
            if parent in grads:
                grads[parent] = grads[parent] + pg
            else:
                grads[parent] = pg
                heappush(heap, (parent.order, parent))
        if free:
            node.vjps = node.saved = None
            node.parents = _FREED
        del g
    return [found.get(id(n)) for n in leaves]

