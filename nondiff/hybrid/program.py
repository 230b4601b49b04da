"""A user program bound to a space: calls that count, and gradients over chosen parameters.

The hybrid machinery calls the user's program many times outside the driver (gradient steps,
the consistency probe), so every call goes through a :class:`BoundProgram`, which counts
function evaluations (``nfev``) and gradient evaluations (``njev``; a value-and-gradient call
counts one of each). The gradient-trained parameters are packed into one flat vector in the
user's units, with the bounds of their :class:`~nondiff.params.Real` / ``Array`` definitions.
"""

from __future__ import annotations

import numpy as np

from nondiff.autodiff import value_and_grad

__all__ = ["BoundProgram", "Counts", "GRADIENT_KINDS"]

GRADIENT_KINDS = ("real", "array")  # the kinds whose user values are floats gradients can move


class Counts:
    """Function and gradient evaluations, shared by the bindings of one program."""

    __slots__ = ("nfev", "njev")

    def __init__(self, nfev=0, njev=0):
        self.nfev, self.njev = nfev, njev

    def as_dict(self) -> dict:
        return {"nfev": self.nfev, "njev": self.njev}


class BoundProgram:
    """``program(**params) -> float`` over ``space``, with ``names`` packed into a flat vector.

    Parameters
    ----------
    program : callable
        Takes every parameter of ``space`` by keyword and returns a scalar; written with
        :mod:`nondiff.autodiff.numpy` where gradients should reach.
    space : Space
    names : sequence of str
        The parameters the flat vector holds (kinds ``real`` or ``array``).
    counts : Counts, optional
        Where to count calls (shared with other bindings of the same program).
    """

    def __init__(self, program, space, names=(), counts=None):
        if not callable(program):
            raise TypeError(f"program must be callable, got {type(program).__name__}")
        self.program, self.space, self.names = program, space, tuple(names)
        for n in self.names:
            if space[n].kind not in GRADIENT_KINDS:
                raise ValueError(f"parameter {n!r}: a {space[n].kind} cannot take gradient steps")
        self.lo, self.hi, self.slices = _layout(space, self.names)
        self.counts = counts if counts is not None else Counts()

    def only(self, names) -> BoundProgram:
        """The same program with ``names`` packed instead, counting into the same Counts."""
        return BoundProgram(self.program, self.space, names, self.counts)

    @property
    def nfev(self) -> int:
        return self.counts.nfev

    @property
    def njev(self) -> int:
        return self.counts.njev

    @property
    def size(self) -> int:
        return int(self.lo.size)

    def pack(self, params) -> np.ndarray:
        """The flat vector of ``names`` taken from a params dict."""
        if not self.names:
            return np.zeros(0)
        return np.concatenate([np.ravel(np.asarray(params[n], dtype=float)) for n in self.names])

    def unpack(self, theta) -> dict:
        """``names`` -> user values (float for a Real, an array for an Array) from ``theta``."""
        out = {}
        for n in self.names:
            part = np.asarray(theta[self.slices[n]], dtype=float)
            p = self.space[n]
            out[n] = float(part[0]) if p.kind == "real" else part.reshape(p.shape).copy()
        return out

    def value(self, params) -> float:
        """One counted call of the program."""
        self.counts.nfev += 1
        return float(self.program(**params))

    def value_and_grad(self, params, theta):
        """``(value, flat gradient)`` at ``params`` with ``names`` replaced by ``theta``."""
        self.counts.nfev += 1
        self.counts.njev += 1
        rest = {k: v for k, v in params.items() if k not in self.slices}
        value, g = value_and_grad(lambda p: self.program(**rest, **p))(self.unpack(theta))
        return float(value), self.pack(g)


def _layout(space, names):
    lo, hi, slices, start = [], [], {}, 0
    for n in names:
        p = space[n]
        size = 1 if p.kind == "real" else p.size
        lo.append(np.broadcast_to(np.asarray(p.lo, dtype=float), (size,)).ravel())
        hi.append(np.broadcast_to(np.asarray(p.hi, dtype=float), (size,)).ravel())
        slices[n] = slice(start, start + size)
        start += size
    if not names:
        return np.zeros(0), np.zeros(0), slices
    return np.concatenate(lo), np.concatenate(hi), slices
