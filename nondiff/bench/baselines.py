"""External baselines run through the same runner as nondiff's strategies: like for like.

Every baseline's first run starts at the centre of the box, ``(lo + hi) / 2``, as in the
anchors of issue 10 (box [-5, 5]^d, start at the centre); restarts start elsewhere.

- ``scipy-de``: :func:`scipy.optimize.differential_evolution` (Storn and Price, J. Glob. Optim.
  11, 1997), default settings, the centre as ``x0`` (it replaces the first member of the Latin
  hypercube population, which is evaluated first), no polishing (a polish would spend
  evaluations outside the budget accounting);
- ``scipy-da``: :func:`scipy.optimize.dual_annealing` (Xiang et al., Phys. Lett. A 233, 1997)
  from ``x0`` the centre, evaluated first;
- ``scipy-nm``: Nelder-Mead (Nelder and Mead, Comput. J. 7, 1965) from the centre, then
  restarted from uniform random points until the budget is spent; scipy's initial simplex by
  default, or with option ``step`` one of edges ``step * (hi - lo)`` along the axes;
- ``pycma``: raw ``cma.CMAEvolutionStrategy`` ask/tell, first run with mean the centre and
  ``sigma0 = 0.3 * (hi - lo)``, then IPOP restarts (Auger and Hansen, CEC 2005: population
  doubled at each restart) from uniform random means, to compare against nondiff's adapter;
- ``pycma-bipop``: pycma's own BIPOP restarts (Hansen, GECCO 2009 workshop) through
  ``cma.fmin2(..., restarts, bipop=True)``, the first run from the centre with the same
  ``sigma0``, later ones from uniform random points;
- ``ngopt``: nevergrad's ``NGOpt`` wizard (Meunier et al., IEEE Trans. Evol. Comput. 26, 2022)
  ask/tell on a bounded array initialised at the centre, one worker. nevergrad is optional
  (``pip install nevergrad``) and only imported by this baseline; nevergrad 1.0.12's
  MetaModel, which NGOpt picks on some problems, calls ``float`` on a one-element array, a
  TypeError from numpy 2.4 on (facebookresearch/nevergrad#1612), so run it with numpy < 2.4.

Each sees the problem's objective on its continuous box through :class:`Budgeted`, which records
every evaluation in order and ends the optimizer by raising :class:`BudgetSpent` at the budget,
so a baseline never gets more evaluations than a strategy. ``pycma`` draws from numpy's global
generator, seeded through its ``seed`` option, as pycma does; ``ngopt`` draws from its
parametrization's ``random_state`` and, in some of the optimizers it picks, from numpy's global
generator, both seeded from the run's seed. Each run is alone in its worker process, so runs
stay reproducible, except ``ngopt`` where NGOpt hands over to nevergrad's ``CmaFmin2`` (its
MetaModel does for d=5 and d=10 at 200·d): that calls ``cma.fmin`` without a seed, so pycma reseeds
numpy's global generator from the clock.
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


def _centre(lo, hi) -> np.ndarray:
    return (lo + hi) / 2


def _de(f, lo, hi, budget, rng, **options):
    from scipy.optimize import differential_evolution

    differential_evolution(f, list(zip(lo, hi)), maxiter=10**9, tol=0.0, polish=False,
                           rng=rng, **{"x0": _centre(lo, hi), **options})


def _da(f, lo, hi, budget, rng, **options):
    from scipy.optimize import dual_annealing

    dual_annealing(f, list(zip(lo, hi)), maxfun=budget, maxiter=10**9, rng=rng,
                   **{"x0": _centre(lo, hi), **options})


def _nelder_mead(f, lo, hi, budget, rng, step=None, **options):
    from scipy.optimize import minimize

    tol = {"xatol": 1e-12, "fatol": 1e-12, **options}
    x0 = _centre(lo, hi)
    while True:  # restarts until Budgeted raises
        if step is not None:
            tol["initial_simplex"] = _simplex(x0, lo, hi, step)
        minimize(f, x0, method="Nelder-Mead", bounds=list(zip(lo, hi)),
                 options={"maxfev": budget, **tol})
        x0 = rng.uniform(lo, hi)


def _simplex(x0, lo, hi, step) -> np.ndarray:
    """``x0`` and ``x0 + step * (hi - lo) * e_i``, each edge turned inwards where it would leave
    the box: scipy's own simplex (5% of each coordinate, 0.00025 where it is 0) collapses to a
    speck at the centre of a box symmetric about 0."""
    h = step * (hi - lo)
    h = np.where(x0 + h <= hi, h, -h)
    return np.vstack([x0, x0 + np.diag(h)])


def _pycma(f, lo, hi, budget, rng, **options):
    import cma

    x0, popsize = _centre(lo, hi), None
    while True:  # IPOP restarts until Budgeted raises
        opts = {"bounds": [list(lo), list(hi)], "verbose": -9,
                "seed": int(rng.integers(1, 2**31)), **options}
        if popsize is not None:
            opts["popsize"] = popsize
        es = cma.CMAEvolutionStrategy(x0, 0.3 * float(np.max(hi - lo)), opts)
        while not es.stop():
            X = es.ask()
            es.tell(X, [f(x) for x in X])
        popsize = 2 * es.popsize
        x0 = rng.uniform(lo, hi)


def _pycma_bipop(f, lo, hi, budget, rng, **options):
    """pycma's own BIPOP restarts (``cma.fmin2(..., bipop=True)``), the first from the centre."""
    import cma

    runs = [0]

    def x0():  # pycma calls it once per run
        runs[0] += 1
        return _centre(lo, hi) if runs[0] == 1 else rng.uniform(lo, hi)

    opts = {"bounds": [list(lo), list(hi)], "verbose": -9, "verb_log": 0,
            "seed": int(rng.integers(1, 2**31)), **options}
    while True:  # fmin2 ends after 10**6 restarts; Budgeted raises long before
        cma.fmin2(f, x0, 0.3 * float(np.max(hi - lo)), opts, restarts=10**6, bipop=True)


def _ngopt(f, lo, hi, budget, rng, **options):
    try:
        import nevergrad as ng
    except ImportError as exc:
        raise ImportError("baseline 'ngopt' needs nevergrad, which nondiff does not depend on: "
                          "pip install nevergrad") from exc
    param = ng.p.Array(init=_centre(lo, hi)).set_bounds(lo, hi)
    param.random_state = np.random.RandomState(int(rng.integers(2**32)))
    # some of the optimizers NGOpt picks draw from numpy's global generator, not random_state
    np.random.seed(int(rng.integers(2**32)))
    opt = ng.optimizers.NGOpt(parametrization=param, budget=budget, num_workers=1, **options)
    while True:  # until Budgeted raises
        candidate = opt.ask()
        opt.tell(candidate, f(candidate.value))


BASELINES = {"scipy-de": _de, "scipy-da": _da, "scipy-nm": _nelder_mead, "pycma": _pycma,
             "pycma-bipop": _pycma_bipop, "ngopt": _ngopt}


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
