"""Which parameters of a program gradients can reach: tracing plus the numerical probe.

:func:`classify` runs the program under :func:`nondiff.autodiff.analyze` (taint tracking into
branches, casts, rounding, indices and escapes) and the probe of :mod:`nondiff.hybrid.probe`
(autodiff against central finite differences and a Gaussian-smoothed estimate) at a few random
points, and gives each parameter one status:

- ``differentiable``: the tracer saw no break and autodiff matches finite differences;
- ``piecewise``: the gradient is exact locally (it matches finite differences at the probe
  points) but branches, kinks or steps elsewhere in its path make it jump (``c * round(c)``);
- ``black-box``: the gradient is zero or wrong (``1 if b > 0 else 3``, a value that left
  through ``float()``), or the parameter is not a float (integers, categoricals, bits,
  permutations); only black-box search moves it;
- ``no effect``: nothing depends on it at the probe points.

A parameter whose autodiff gradient is zero is never called differentiable when the value
moves with it: there is no silent zero gradient.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nondiff.hybrid.probe import probe_point
from nondiff.hybrid.program import GRADIENT_KINDS, BoundProgram
from nondiff.seeding import as_generator

__all__ = ["classify", "Classification", "ParamReport", "DIFFERENTIABLE", "PIECEWISE",
           "BLACK_BOX", "NO_EFFECT"]

DIFFERENTIABLE, PIECEWISE, BLACK_BOX, NO_EFFECT = ("differentiable", "piecewise", "black-box",
                                                   "no effect")
_INTERIOR = (0.15, 0.85)  # probe points stay inside the box so perturbations stay in it too


@dataclass(frozen=True)
class ParamReport:
    """One parameter's status, why, the source lines responsible and the probe readings."""

    name: str
    status: str
    reason: str
    events: tuple = ()
    probes: tuple = field(default=(), repr=False)

    def __str__(self):
        lines = "".join(f"\n    {e}" for e in self.events)
        return f"{self.name}: {self.status} ({self.reason}){lines}"


class Classification:
    """The result of :func:`classify`: ``reports`` by name, the name lists, and the routing.

    ``classification["a"]`` is the status of ``a``; ``gradient`` lists the parameters the
    hybrid strategy trains with gradients (differentiable and piecewise), ``black_box`` the
    ones it searches; ``strategy`` is ``"hybrid"`` when some parameter has a usable gradient,
    else None (the routing the ``auto`` strategy reads).
    """

    def __init__(self, reports, nfev=0, njev=0):
        self.reports = {r.name: r for r in reports}
        self.nfev, self.njev = nfev, njev

    def __getitem__(self, name):
        return self.reports[name].status

    def names(self, *statuses):
        return [n for n, r in self.reports.items() if r.status in statuses]

    @property
    def differentiable(self):
        return self.names(DIFFERENTIABLE)

    @property
    def piecewise(self):
        return self.names(PIECEWISE)

    @property
    def gradient(self):
        return self.names(DIFFERENTIABLE, PIECEWISE)

    @property
    def black_box(self):
        return self.names(BLACK_BOX, NO_EFFECT)

    @property
    def strategy(self):
        return "hybrid" if self.gradient else None

    def hybrid_options(self):
        """Options that build the ``hybrid`` strategy on this classification without running
        it again: ``Hybrid(space, program=f, **classification.hybrid_options())``."""
        return {"gradient": tuple(self.gradient), "piecewise": tuple(self.piecewise)}

    def to_dict(self):
        """Plain data: name -> {status, reason, events (as strings)}."""
        return {n: {"status": r.status, "reason": r.reason, "events": [str(e) for e in r.events]}
                for n, r in self.reports.items()}

    def __str__(self):
        return "\n".join(str(r) for r in self.reports.values())

    __repr__ = __str__


def classify(program, space, *, points=3, seed=0, analysis=True) -> Classification:
    """Classify every parameter of ``space`` for ``program(**params) -> float``.

    Parameters
    ----------
    program : callable
        The program, taking every parameter by keyword; use :mod:`nondiff.autodiff.numpy`.
    space : Space
    points : int
        How many random points to trace and probe (control flow depends on the values).
    seed : int or Generator
        Seeds the probe points and directions.
    analysis : bool
        Also trace with :func:`~nondiff.autodiff.analyze` (False: the probe alone).

    Returns
    -------
    Classification

    Examples
    --------
    >>> import nondiff.autodiff.numpy as anp
    >>> from nondiff.space import Space, Real, Array
    >>> x = anp.linspace(-1.0, 1.0, 3)
    >>> def f(a, b, c):
    ...     return anp.sum(a * x) + (1.0 if b > 0 else 3.0) + c * anp.round(c)
    >>> space = Space(a=Array(3, -1, 1), b=Real(-1, 1), c=Real(-3, 3))
    >>> cl = classify(f, space)
    >>> cl["a"], cl["b"], cl["c"], cl.strategy
    ('differentiable', 'black-box', 'piecewise', 'hybrid')
    """
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise ValueError(f"points must be an integer >= 1, got {points!r}")
    rng = as_generator(seed)
    names = [n for n in space.names if space[n].kind in GRADIENT_KINDS]
    bound = BoundProgram(program, space, names)
    X = rng.uniform(*_INTERIOR, size=(points, space.dim))
    at = space.to_params(space.decode(X))
    traced = [_trace(bound, p) for p in at] if analysis and names else []
    probes = [probe_point(bound, p, rng) for p in at] if names else []
    reports = [_decide(n, space[n].kind, traced, probes) for n in space.names]
    return Classification(reports, bound.nfev, bound.njev)


def _trace(bound, params):
    """``{name: LeafReport}`` from one analysis run, or an error message if tracing failed."""
    from nondiff.autodiff import analyze

    rest = {k: v for k, v in params.items() if k not in bound.slices}
    mine = {n: params[n] for n in bound.names}
    bound.counts.nfev += 1  # an analysis run is one call of the program
    try:
        found = analyze(lambda p: bound.program(**rest, **p), mine)
    except Exception as exc:  # the program does not run on traced values
        return f"tracing failed: {type(exc).__name__}: {exc}"
    return {n: found.report(f"p[{n!r}]") for n in bound.names}


def _decide(name, kind, traced, probes):
    if kind not in GRADIENT_KINDS:
        return ParamReport(name, BLACK_BOX, f"a {kind} parameter")
    failed = [t for t in traced if isinstance(t, str)]
    leaves = [t[name] for t in traced if not isinstance(t, str)]
    mine = tuple(p[name] for p in probes if name in p)
    events = tuple(dict.fromkeys(e for leaf in leaves for e in leaf.events))
    status, reason = _verdict({leaf.status for leaf in leaves}, mine, failed)
    return ParamReport(name, status, reason, events, mine)


def _verdict(seen, probes, failed):
    """(status, reason) from the analysis statuses ``seen`` and the probe readings."""
    if failed:
        return BLACK_BOX, failed[0]
    if not probes:
        return BLACK_BOX, "the program failed at every probe point"
    errors = [p.error for p in probes if p.error]
    if errors:
        return BLACK_BOX, errors[0]
    reach = any(p.reaches() for p in probes)
    moves = any(p.moves() for p in probes)
    if not reach:
        if moves:
            return BLACK_BOX, "the gradient is zero but the value moves (probe)"
        if seen - {"no effect"}:
            return BLACK_BOX, "the gradient is zero; steps or branches only (trace)"
        return NO_EFFECT, "nothing depends on it"
    agree = [p.agrees() for p in probes]
    if not any(agree):
        return BLACK_BOX, "the gradient disagrees with finite differences at every probe point"
    if seen <= {"differentiable"} and all(agree):
        return DIFFERENTIABLE, "autodiff matches finite differences"
    why = "branches, kinks or steps (trace)" if seen - {"differentiable"} else "probe mismatch"
    return PIECEWISE, f"exact locally; {why}"
