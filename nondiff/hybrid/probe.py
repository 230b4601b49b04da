"""The numerical consistency probe: autodiff against finite differences and a smoothed estimate.

At one point and for each gradient-kind parameter, along a random direction ``d`` (scaled by
the parameter's box width), the probe measures three directional derivatives:

- ``ad``: the autodiff gradient projected on ``d``;
- ``fd``: the central finite difference ``(f(x + h d) - f(x - h d)) / 2h``;
- ``es``: the Gaussian-smoothed derivative ``E[f(x + s e d) e] / s`` with ``e ~ N(0, 1)``,
  estimated from antithetic pairs (the ES gradient of Salimans et al. 2017, restricted to
  the line through ``x`` along ``d``).

``ad`` and ``fd`` agree where the gradient is exact; ``ad == 0`` while ``fd`` or ``es`` is not is
a gradient that never reached the parameter (a value that left the tracer through ``float()``
into ``math`` or C code); ``es`` sees steps that a finite difference steps over.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Probe", "probe_point"]

FD_STEP = 1e-6  # fraction of the box width
SMOOTH = 0.05  # standard deviation of the smoothing, fraction of the box width
PAIRS = 4


@dataclass(frozen=True)
class Probe:
    """Directional derivatives of one parameter at one point (see the module docstring)."""

    ad: float
    fd: float
    es: float
    scale: float  # 1 + |f(x)|: the size below which a derivative counts as zero
    error: str = ""  # why autodiff failed at this point (then ``ad`` is 0)

    def agrees(self) -> bool:
        """Autodiff matches the finite difference (relative 1e-4, absolute 1e-6 * scale)."""
        return abs(self.ad - self.fd) <= 1e-4 * max(abs(self.ad), abs(self.fd)) + 1e-6 * self.scale

    def reaches(self) -> bool:
        """The autodiff gradient is not zero."""
        return abs(self.ad) > 1e-12 * self.scale

    def moves(self) -> bool:
        """The value changes with the parameter (finite difference or smoothed estimate)."""
        return max(abs(self.fd), abs(self.es)) > 1e-6 * self.scale


def probe_point(bound, params, rng) -> dict:
    """``{name: Probe}`` for every parameter ``bound`` packs, at ``params``.

    Each parameter gets its own value-and-gradient call (so a failure of autodiff is blamed on
    the parameter that caused it) plus ``2 + 2 * PAIRS`` calls, all counted by ``bound``.
    Returns ``{}`` when the program fails at ``params`` even without tracing.
    """
    try:
        scale = 1.0 + abs(bound.value(params))
    except Exception:
        return {}
    if not np.isfinite(scale):
        return {}
    return {n: _probe_one(bound.only((n,)), params, rng, scale) for n in bound.names}


def _probe_one(one, params, rng, scale):
    theta = one.pack(params)
    error = ""
    try:
        g = one.value_and_grad(params, theta)[1]
    except Exception as exc:  # e.g. EscapeError: the value left the tracer through float()
        error = f"autodiff failed: {type(exc).__name__}: {str(exc).split(' (')[0]}"
        g = np.zeros_like(theta)
    u = rng.standard_normal(theta.size)
    d = u / np.linalg.norm(u) * (one.hi - one.lo)
    fd = _at(one, params, theta + FD_STEP * d) - _at(one, params, theta - FD_STEP * d)
    eps = np.abs(rng.standard_normal(PAIRS))
    es = [(_at(one, params, theta + SMOOTH * e * d) - _at(one, params, theta - SMOOTH * e * d))
          * e for e in eps]
    return Probe(float(g @ d), fd / (2 * FD_STEP), float(np.mean(es)) / (2 * SMOOTH), scale,
                 error)


def _at(bound, params, theta):
    try:
        value = bound.value({**params, **bound.unpack(theta)})
    except Exception:
        return np.nan
    return value
