"""Classic continuous test functions with known optima, on the box [-5, 5]^d.

Each instance shifts the optimum to ``x_opt`` drawn uniformly in [-4, 4]^d from the instance's
own generator (instance 0 is unshifted, ``x_opt = 0``) and adds nothing to the value, so
``f(x_opt) = fopt = 0`` exactly. Definitions follow Hansen et al., *Real-parameter black-box
optimization benchmarking 2009: noiseless functions definitions* (INRIA RR-6829): sphere (f1
without offset), ellipsoid with condition 1e6 (f2), Rosenbrock (f8, optimum moved from the ones
vector to ``x_opt``), Rastrigin (f3 without the oscillation/asymmetry transforms) and Ackley
(Ackley 1987, with a=20, b=0.2, c=2 pi).
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from nondiff.bench.suites import Problem, instance_rng

__all__ = ["FUNCTIONS", "FIXED_DIMS", "sphere", "ellipsoid", "rosenbrock", "rastrigin",
           "ackley"]

LO, HI = -5.0, 5.0


def sphere(z: np.ndarray) -> float:
    return float(z @ z)


def ellipsoid(z: np.ndarray) -> float:
    # weights 10^(6 (i-1)/(d-1)): condition number 1e6 (RR-6829, f2)
    d = z.size
    w = 10.0 ** (6.0 * np.arange(d) / max(d - 1, 1))
    return float(w @ (z * z))


def rosenbrock(z: np.ndarray) -> float:
    # z is x - x_opt; the textbook form has its minimum at the ones vector
    y = z + 1.0
    return float(np.sum(100.0 * (y[:-1] ** 2 - y[1:]) ** 2 + (y[:-1] - 1.0) ** 2))


def rastrigin(z: np.ndarray) -> float:
    return float(10.0 * z.size + np.sum(z * z - 10.0 * np.cos(2.0 * math.pi * z)))


def ackley(z: np.ndarray) -> float:
    d = z.size
    r = math.sqrt(float(z @ z) / d)
    c = float(np.sum(np.cos(2.0 * math.pi * z))) / d
    return max(0.0, -20.0 * math.exp(-0.2 * r) - math.exp(c) + 20.0 + math.e)


_BASE = {"sphere": sphere, "ellipsoid": ellipsoid, "rosenbrock": rosenbrock,
         "rastrigin": rastrigin, "ackley": ackley}


def _shifted(base, x_opt: np.ndarray, x) -> float:
    return base(np.asarray(x, dtype=float) - x_opt)


def x_opt(spec) -> np.ndarray:
    """The optimum of instance ``spec.instance`` (zeros for instance 0)."""
    if spec.instance == 0:
        return np.zeros(spec.dim)
    return instance_rng(spec).uniform(-4.0, 4.0, spec.dim)


def _builder(name: str):
    def build(spec) -> Problem:
        from nondiff.space import Array, Space

        if spec.dim < 2 and name == "rosenbrock":
            raise ValueError("rosenbrock needs dim >= 2")
        lo, hi = np.full(spec.dim, LO), np.full(spec.dim, HI)
        fn = partial(_shifted, _BASE[name], x_opt(spec))
        return Problem(spec, Space(x=Array((spec.dim,), LO, HI)), fn, 0.0, bounds=(lo, hi))

    build.__doc__ = f"The shifted {name} function; optimum 0 at :func:`x_opt`."
    return build


FUNCTIONS = {name: _builder(name) for name in _BASE}
FIXED_DIMS: dict[str, int] = {}
