"""External baselines run through the same runner as nondiff's strategies: like for like.

- ``scipy-de``: :func:`scipy.optimize.differential_evolution` (Storn and Price, J. Glob. Optim.
  11, 1997), default settings, no polishing (a polish would spend evaluations outside the
  budget accounting);
- ``scipy-da``: :func:`scipy.optimize.dual_annealing` (Xiang et al., Phys. Lett. A 233, 1997);
- ``scipy-nm``: Nelder-Mead (Nelder and Mead, Comput. J. 7, 1965) restarted from uniform random
  points until the budget is spent;
- ``pycma``: raw ``cma.CMAEvolutionStrategy`` ask/tell with IPOP restarts (Auger and Hansen,
  CEC 2005: population doubled at each restart), to compare against nondiff's adapter.

Each sees the problem's objective on its continuous box through :class:`Budgeted`, which records
every evaluation in order and ends the optimizer by raising :class:`BudgetSpent` at the budget,
so a baseline never gets more evaluations than a strategy. ``pycma`` draws from numpy's global
generator, seeded through its ``seed`` option, as pycma does; each run is alone in its worker
process, so runs stay reproducible.
"""

from __future__ import annotations

import numpy as np

from nondiff.seeding import as_generator

__all__ = ["BASELINES", "Budgeted", "BudgetSpent", "supports", "run"]


class BudgetSpent(Exception):
    """Raised by :class:`Budgeted` once the budget is used up."""


class Budgeted:
    """Wrap ``fn(x)``: record each value, raise :class:`BudgetSpent` after ``budget`` calls."""

    def __init__(self, fn, budget: int):
        self.fn, self.budget = fn, budget
        self.values: list[float] = []

    def __call__(self, x) -> float:
        if len(self.values) >= self.budget:
            raise BudgetSpent
        try:
            v = float(self.fn(np.asarray(x, dtype=float)))
        except Exception:
            v = float("nan")  # a failure is recorded, and shown to the optimizer as worst
        self.values.append(v)
        return v if np.isfinite(v) else 1e300


def _de(f, lo, hi, budget, rng, **options):
    from scipy.optimize import differential_evolution

    differential_evolution(f, list(zip(lo, hi)), maxiter=10**9, tol=0.0, polish=False,
                           rng=rng, **options)


def _da(f, lo, hi, budget, rng, **options):
    from scipy.optimize import dual_annealing

    dual_annealing(f, list(zip(lo, hi)), maxfun=budget, maxiter=10**9, rng=rng, **options)


def _nelder_mead(f, lo, hi, budget, rng, **options):
    from scipy.optimize import minimize

    tol = {"xatol": 1e-12, "fatol": 1e-12, **options}
    while True:  # restarts until Budgeted raises
        x0 = rng.uniform(lo, hi)
        minimize(f, x0, method="Nelder-Mead", bounds=list(zip(lo, hi)),
                 options={"maxfev": budget, **tol})


def _pycma(f, lo, hi, budget, rng, **options):
    import cma

    popsize = None
    while True:  # IPOP restarts until Budgeted raises
        opts = {"bounds": [list(lo), list(hi)], "verbose": -9,
                "seed": int(rng.integers(1, 2**31)), **options}
        if popsize is not None:
            opts["popsize"] = popsize
        es = cma.CMAEvolutionStrategy(rng.uniform(lo, hi), 0.3 * float(np.max(hi - lo)), opts)
        while not es.stop():
            X = es.ask()
            es.tell(X, [f(x) for x in X])
        popsize = 2 * es.popsize


BASELINES = {"scipy-de": _de, "scipy-da": _da, "scipy-nm": _nelder_mead, "pycma": _pycma}


def supports(spec) -> bool:
    """Whether baselines can run ``spec`` (a problem with a continuous box)."""
    from nondiff.bench import suites

    mod = suites.suite_module(spec.suite)
    return getattr(mod, "CONTINUOUS", None) is None or spec.function in mod.CONTINUOUS


def run(name: str, problem, budget: int, seed: int, **options) -> tuple[np.ndarray, str]:
    """Run baseline ``name`` on ``problem``; every value in order, and the stop reason."""
    if problem.bounds is None or problem.call != "vector":
        raise ValueError(f"baseline {name!r} needs a problem on a continuous box; "
                         f"{problem.spec.id} is not one")
    lo, hi = (np.asarray(b, dtype=float) for b in problem.bounds)
    f = Budgeted(problem.fn, budget)
    try:
        BASELINES[name](f, lo, hi, budget, as_generator(seed), **options)
    except BudgetSpent:
        pass
    reason = "budget" if len(f.values) >= budget else "stopped"
    return np.array(f.values, dtype=float), reason
