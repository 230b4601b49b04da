"""Value spaces: the leaves of nested containers and the vector operations on them.

Model parameters live in dicts, lists and tuples of arrays; derivatives with respect to them
have the same structure. ``flatten`` turns a container into its leaves (in a fixed order: dict
keys in insertion order) and a tree description that ``unflatten`` rebuilds from new leaves.
"""

from __future__ import annotations

import numpy as np

from .tracer import getval

__all__ = ["flatten", "unflatten", "leaf_paths", "zeros_like", "add", "inner", "randn_like",
           "scale", "check_float"]

_LEAF = None


def flatten(tree):
    """``(leaves, treedef)`` of a nested dict/list/tuple (anything else is one leaf)."""
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    if isinstance(tree, dict):
        return (dict, tuple(tree), tuple(_flatten(v, leaves) for v in tree.values()))
    if isinstance(tree, (list, tuple)):
        return (type(tree), None, tuple(_flatten(v, leaves) for v in tree))
    leaves.append(tree)
    return _LEAF


def unflatten(treedef, leaves):
    """Rebuild the container described by ``treedef`` from ``leaves``."""
    it = iter(leaves)
    return _unflatten(treedef, it)


def _unflatten(treedef, it):
    if treedef is _LEAF:
        return next(it)
    kind, keys, children = treedef
    values = [_unflatten(c, it) for c in children]
    if kind is dict:
        return dict(zip(keys, values))
    if kind in (list, tuple):
        return kind(values)
    return kind(*values)  # namedtuple


def leaf_paths(tree, prefix):
    """Readable paths of the leaves, e.g. ``params['w']``, ``layers[0]``."""
    if isinstance(tree, dict):
        return [p for k, v in tree.items() for p in leaf_paths(v, f"{prefix}[{k!r}]")]
    if isinstance(tree, (list, tuple)):
        return [p for i, v in enumerate(tree) for p in leaf_paths(v, f"{prefix}[{i}]")]
    return [prefix]


def check_float(x, where):
    """Refuse leaves that cannot carry a derivative (ints, bools, strings)."""
    x = getval(x)
    if isinstance(x, (float, np.floating)):
        return
    if isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating):
        return
    kind = type(x).__name__ if not isinstance(x, np.ndarray) else f"array of {x.dtype}"
    raise TypeError(f"can only differentiate with respect to floats or float arrays; "
                    f"{where} is {kind} (convert it with float() or .astype(float))")


def zeros_like(x):
    """A zero of the same type and shape as ``x``."""
    return 0.0 if np.ndim(x) == 0 and not isinstance(x, np.ndarray) else np.zeros(np.shape(x))


def add(a, b):
    """Sum of two cotangents, either of which may be None (zero)."""
    if a is None:
        return b
    return a if b is None else a + b


def scale(a, c):
    """``c * a`` for a leaf."""
    return a * c


def inner(a, b):
    """Euclidean inner product of two lists of leaves."""
    return sum(float(np.vdot(np.asarray(x, float), np.asarray(y, float))) for x, y in zip(a, b))


def randn_like(x, rng):
    """Standard normal values shaped like ``x`` (a float for a scalar)."""
    if isinstance(x, np.ndarray):
        return rng.standard_normal(x.shape)
    return float(rng.standard_normal())
