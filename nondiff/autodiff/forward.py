"""Forward mode: JVP rules ``rule(t, ans, *args, **kwargs) -> tangent of ans``.

A forward trace carries the tangent in the box's node slot and combines the contributions of
all traced arguments immediately; there is no graph and nothing is saved, so in-place changes
cannot invalidate anything (they still update the tangent of the array written to).
"""

from __future__ import annotations

from .tracer import Trace, link_view

__all__ = ["defjvp", "ForwardTrace"]


def defjvp(prim, *rules, argnums=None):
    """Attach JVP rules ``rule(t, ans, *args, **kwargs)`` to ``prim`` (None skips one)."""
    for i, rule in zip(argnums or range(len(rules)), rules):
        if rule is not None:
            prim.jvps[i] = rule


class ForwardTrace(Trace):
    """Pushes tangents along with values."""

    __slots__ = ()

    def apply(self, prim, args, kwargs):
        raw, boxes, lower = self.unbox_args(args)
        if kwargs:
            ans = prim(*raw, **kwargs) if lower else prim.fun(*raw, **kwargs)
        else:
            ans = prim(*raw) if lower else prim.fun(*raw)
        tangent = None
        for i, b in boxes:
            if b._node is None:
                continue
            rule = prim.jvps.get(i)
            if rule is None:
                raise TypeError(f"no JVP rule for argument {i} of primitive '{prim.name}'")
            t = rule(b._node, ans, *raw, **kwargs) if kwargs else rule(b._node, ans, *raw)
            if t is None:
                continue
            tangent = t if tangent is None else tangent + t
        if tangent is not None and prim.broadcast is not None:
            tangent = prim.broadcast(tangent, ans)
        out = self.box(ans, tangent)
        if prim.view and boxes and boxes[0][0] == 0:
            link_view(out, boxes[0][1], prim, tuple(args[1:]), kwargs)
        return out

    def leaf(self, value, tangent):
        """Box an input with its tangent; in-place changes are refused as in reverse mode."""
        out = self.box(value, tangent)
        if out._storage is not None:
            out._storage[2] = True
        return out

    def linear(self, prim, parts, ans):
        """The tangent of ``ans``, a linear function of the boxes in ``parts`` (box, vjp, jvp)."""
        tangent = None
        for b, _, jvp in parts:
            if b._node is not None:
                t = jvp(b._node)
                tangent = t if tangent is None else tangent + t
        return tangent
