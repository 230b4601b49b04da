"""Benchmark problems: what a problem is, the suites by name, and how a worker rebuilds one.

A :class:`ProblemSpec` is the small, picklable identity of a problem (suite, function, dimension,
instance); :func:`build` turns it into a :class:`Problem` with a space, an objective and the
optimum (``exact=True``) or a reference value (``exact=False``) against which precision
``f - fopt`` is measured. Workers receive specs and build problems themselves, so nothing
unpicklable (a ``cocoex`` problem, a compiled function) ever crosses a process boundary.

Each suite module defines ``FUNCTIONS`` (name -> builder ``(dim, instance) -> Problem``),
``FIXED_DIMS`` (name -> the one dimension of problems whose size is fixed) and may define
``available()`` returning None or the reason the suite cannot run here.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field

__all__ = ["ProblemSpec", "Problem", "SUITES", "suite_module", "problems", "build"]

SUITES = {
    "classic": "nondiff.bench.suites.classic",
    "bbob": "nondiff.bench.suites.bbob",
    "discrete": "nondiff.bench.suites.discrete",
    "programs": "nondiff.bench.suites.programs",
}


@dataclass(frozen=True, order=True)
class ProblemSpec:
    """The identity of one problem: suite, function name, dimension and instance number."""

    suite: str
    function: str
    dim: int
    instance: int

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.function}/d{self.dim}/i{self.instance}"


@dataclass
class Problem:
    """A problem ready to run.

    Attributes
    ----------
    spec : ProblemSpec
    space : Space
    fn : callable
        The objective (minimized), called as ``fn(x)`` when ``call == "vector"`` (``x`` the
        natural-units vector) or ``fn(**params)`` when ``call == "kwargs"``.
    fopt : float
        The optimum value (``exact``) or a reference value (not ``exact``: a bound or the best
        known value, stated in the builder's docstring).
    bounds : (lo, hi) arrays, optional
        The box of a purely continuous problem; baselines (scipy, raw pycma) need one.
    close : callable, optional
        Releases resources (the ``cocoex`` observer) after the run.
    """

    spec: ProblemSpec
    space: object
    fn: object
    fopt: float
    exact: bool = True
    call: str = "vector"
    bounds: tuple | None = None
    close: object = field(default=None, repr=False)

    def objective(self):
        """The :class:`~nondiff.objective.Objective` that ``minimize`` runs."""
        from nondiff.objective import Objective

        return Objective(self.fn, self.space, call=self.call, name=self.spec.function)


def suite_module(name: str):
    """The module of suite ``name``; ValueError lists the known suites."""
    if name not in SUITES:
        raise ValueError(f"unknown suite {name!r}; known suites: {', '.join(SUITES)}")
    return importlib.import_module(SUITES[name])


def unavailable(name: str) -> str | None:
    """Why suite ``name`` cannot run here (a missing optional package), or None."""
    check = getattr(suite_module(name), "available", None)
    return check() if check is not None else None


def problems(suite: str, dims, instances, functions=None) -> list[ProblemSpec]:
    """The problems of ``suite`` for ``dims`` x ``instances``, optionally only ``functions``.

    A problem of fixed size (``FIXED_DIMS``) appears once per instance, at its own dimension.
    """
    mod = suite_module(suite)
    names = list(mod.FUNCTIONS) if functions is None else list(functions)
    unknown = [f for f in names if f not in mod.FUNCTIONS]
    if unknown:
        raise ValueError(f"functions: {', '.join(unknown)} not in suite {suite!r}; "
                         f"known: {', '.join(mod.FUNCTIONS)}")
    specs = []
    for f in names:
        fixed = mod.FIXED_DIMS.get(f)
        for d in ([fixed] if fixed is not None else dims):
            specs += [ProblemSpec(suite, f, int(d), int(i)) for i in instances]
    return sorted(set(specs), key=lambda s: (s.dim, names.index(s.function), s.instance))


def build(spec: ProblemSpec, **kw) -> Problem:
    """Build the problem ``spec`` (``kw`` goes to the suite, e.g. the bbob observer folder)."""
    mod = suite_module(spec.suite)
    if spec.function not in mod.FUNCTIONS:
        raise ValueError(f"function {spec.function!r} is not in suite {spec.suite!r}")
    builder = getattr(mod, "build", None)
    if builder is not None:
        return builder(spec, **kw)
    return mod.FUNCTIONS[spec.function](spec, **kw)


def instance_rng(spec: ProblemSpec):
    """The generator that draws an instance's shift, data or cities (stable across runs)."""
    from nondiff.seeding import as_generator

    key = f"{spec.suite}/{spec.function}/{spec.dim}/{spec.instance}".encode()
    return as_generator(int.from_bytes(hashlib.sha256(key).digest()[:8], "little"))
