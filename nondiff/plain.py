"""Plain Python data from numpy containers, for JSON state, checkpoints and results."""

from __future__ import annotations

import numpy as np

__all__ = ["plain"]


def plain(obj):
    """``obj`` with numpy arrays turned into lists and numpy scalars into Python scalars,
    recursively through dicts; anything else is returned as it is.

    >>> plain({"a": np.arange(2), "b": np.int64(3)})
    {'a': [0, 1], 'b': 3}
    """
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj
