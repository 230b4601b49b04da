"""Version counters for in-place operations, and the check that runs in the backward pass.

Every traced array carries a counter ``[version, last in-place op, is_input]`` shared by all
views of its root array. A VJP node records ``(counter, version, id(value), argnum)`` for each
array argument and for its answer. When the backward pass reaches the node and a counter has
moved, the node's closures are searched for the saved object; if the rule captured it, its
data is no longer what the rule saw and :class:`InplaceError` names both the primitive that
saved it and the in-place operation that changed it (PyTorch's behaviour, made more specific).
``id`` is safe here: the closure keeps the object alive, and any object in a closure existed
together with it when the closure was made, so equal ids mean the same object.
"""

from __future__ import annotations

import numpy as np

__all__ = ["InplaceError", "check_saved", "describe_write", "writes"]

writes = [0]  # in-place writes so far in this process: while 0, no saved value can be stale


class InplaceError(RuntimeError):
    """An in-place operation invalidated a value needed for the gradient, or changed an input."""


def check_saved(node):
    """Raise :class:`InplaceError` if a value ``node``'s rules captured was changed in place."""
    for counter, version, ident, argnum in node.saved:
        if counter[0] != version and _captured(node.vjps, ident, 3):
            what = "its output" if argnum < 0 else f"its argument {argnum}"
            raise InplaceError(
                f"the gradient of '{node.prim.name}' needs {what}, saved at version {version}, "
                f"but it was modified by the in-place operation {describe_write(counter)} and "
                f"is now at version {counter[0]}; compute on a copy (x = x.copy()) before "
                f"changing it in place")


def describe_write(counter):
    """Text naming the last in-place operation recorded on ``counter``."""
    if counter[1] is None:
        return "(unknown)"
    op, (filename, lineno) = counter[1]
    return f"'{op}' at {filename}:{lineno}"


def _captured(objs, ident, depth):
    """True if any object reachable through closures (``depth`` levels) is the saved value."""
    for obj in objs:
        if id(obj) == ident:
            return True
        if type(obj) is np.ndarray and obj.base is not None and id(obj.base) == ident:
            return True
        if isinstance(obj, (tuple, list)) and depth and _captured(obj, ident, depth - 1):
            return True
        cells = getattr(obj, "__closure__", None)
        if cells and depth and _captured(_contents(cells), ident, depth - 1):
            return True
    return False


def _contents(cells):
    out = []
    for c in cells:
        try:
            out.append(c.cell_contents)
        except ValueError:  # an empty cell (a variable not yet bound)
            pass
    return out
