"""Hybrid: black-box search over the parameters gradients cannot reach, gradient steps on the rest.

Each generation, a black-box strategy from the registry (``search``; by default CMA-ES [1] when
the black-box parameters are all floats, else the GA) asks candidates over the *black-box
subspace*. For each one, the *gradient parameters* (classified differentiable or piecewise by
:func:`nondiff.hybrid.classify`, or named with ``gradient=``) are trained by Adam [2] or
L-BFGS-B [3] on the user's program through the autodiff engine, starting from

- the incumbent's trained values (``mode="lamarckian"``, the default: learned values are
  inherited, Lamarckian evolution as in memetic algorithms [4]), or
- the initial values every time (``mode="baldwinian"``: learning shapes fitness only, the
  Baldwin effect as in Hinton & Nowlan [5]).

Piecewise parameters are perturbed by ``N(0, (perturb * width)^2)`` before training so that
branches can switch (a (1, lambda)-ES step [1] on top of the gradient steps). The candidate
handed to the driver holds the trained values, so the driver's evaluation is the fitness after
learning in both modes.

How this fits ask/tell: the program must be given to the strategy (``program=``) because the
inner training calls it with traced values; ``ask`` does the training, ``tell`` passes the
values of the black-box part on to the search and updates the incumbent. Without ``program``
the strategy is the search strategy over the whole space.

Budget: every call of the program the strategy makes (gradient steps, classification, the
periodic re-check) is counted (``evaluations()``: ``nfev`` all function evaluations including the
driver's, ``njev`` gradient evaluations). With a budget and a program, inner training is capped
so that driver evaluations plus inner evaluations stay within ``budget``, and ``stop()`` returns
``"budget"`` when that total is spent (the driver's own count covers only its evaluations).

[1] N. Hansen, "The CMA evolution strategy: a tutorial", arXiv:1604.00772, 2016.
[2] D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015, Alg. 1.
[3] R. H. Byrd, P. Lu, J. Nocedal, C. Zhu, SIAM J. Sci. Comput. 16(5), 1995.
[4] Y. S. Ong, A. J. Keane, "Meta-Lamarckian learning in memetic algorithms", IEEE TEC 8(2),
    2004.
[5] G. E. Hinton, S. J. Nowlan, "How learning can guide evolution", Complex Systems 1, 1987.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nondiff import registry, seeding
from nondiff.hybrid.classify import classify
from nondiff.hybrid.inner import TRAINERS
from nondiff.hybrid.probe import PAIRS, probe_point
from nondiff.hybrid.program import GRADIENT_KINDS, BoundProgram, Counts
from nondiff.space import Space
from nondiff.strategy import Batch, candidate_ids, stack_vectors
from strategies._common import Ledger

__all__ = ["Hybrid"]

_MODES = ("lamarckian", "baldwinian")


@dataclass(frozen=True)
class _Params:
    gradient: tuple  # names trained by gradients
    searched: tuple  # names the black-box strategy searches
    trainer: object
    steps: int
    lr: float
    lamarckian: bool
    perturb: float
    recheck_every: int


@dataclass
class _State:
    rng: np.random.Generator
    parent: np.ndarray  # the gradient parameters' flat vector training starts from
    parent_value: float = np.inf
    piecewise: list = field(default_factory=list)
    outer: int = 0  # evaluations told back by the driver
    generation: int = 0


class Hybrid:
    """Black-box search plus gradient training of the differentiable parameters.

    Parameters
    ----------
    space : Space
    seed, budget
        As for every strategy; ``budget`` counts the driver's and the inner evaluations.
    program : callable or str, optional
        The objective as a program ``program(**params) -> float`` written with
        :mod:`nondiff.autodiff.numpy`; needed for any gradient step. A ``"file.py:function"``
        reference is loaded here (and keeps the run's options checkpointable).
    gradient, piecewise : sequence of str, optional
        Override the classification: the parameters trained by gradients, and those of them
        also perturbed.
    search : str
        Registry name of the black-box strategy, or ``"auto"`` (CMA-ES or GA).
    search_options : dict, optional
    trainer : {"adam", "lbfgs"}
    steps : int
        Value-and-gradient evaluations per candidate.
    lr : float
        Adam's learning rate, as a fraction of each parameter's box width.
    mode : {"lamarckian", "baldwinian"}
    perturb : float
        Standard deviation of the piecewise perturbation, as a fraction of the box width.
    recheck_every : int
        Re-probe the gradient parameters at the incumbent every this many generations
        (0: never); a parameter whose gradient stops matching finite differences becomes
        piecewise.
    classify_points : int
        Probe points of the initial classification.
    x0 : dict, optional
        Initial values of the gradient parameters (default: the centre of their boxes).

    Examples
    --------
    >>> import nondiff.autodiff.numpy as anp
    >>> from nondiff import minimize
    >>> from nondiff.space import Space, Real, Integer
    >>> def f(w, k):
    ...     return (w - 0.1 * k) ** 2 + 0.01 * k
    >>> space = Space(w=Real(-2, 2), k=Integer(0, 10))
    >>> s = Hybrid(space, program=f, seed=0, budget=300)
    >>> s.gradient, s.searched
    (('w',), ('k',))
    >>> res = minimize(f, space, s, budget=300, seed=0)
    >>> res.params["k"], round(res.params["w"], 3), s.evaluations()["njev"] > 0
    (0, 0.0, True)
    """

    supported_types = ("real", "integer", "categorical", "bits", "permutation", "array")

    def __init__(self, space, *, seed=None, budget=None, program=None, gradient=None,
                 piecewise=None, search="auto", search_options=None, trainer="adam", steps=20,
                 lr=0.05, mode="lamarckian", perturb=0.05, recheck_every=10, classify_points=3,
                 x0=None):
        program = _load(program)
        _check_options(program, trainer, steps, lr, mode, perturb, recheck_every, budget)
        self.space, self.budget, self.program = space, budget, program
        rng_classify, rng_search, rng = seeding.spawn(seed, 3)
        self.counts_inner = Counts()
        grad_names, pieces = self._split(program, gradient, piecewise, classify_points,
                                         rng_classify)
        searched = tuple(n for n in space.names if n not in grad_names)
        self._p = _Params(grad_names, searched, TRAINERS[trainer], steps, lr,
                          mode == "lamarckian", perturb, recheck_every)
        self._bound = BoundProgram(program, space, grad_names, self.counts_inner) \
            if program is not None else None
        self._search = self._make_search(search, search_options, rng_search)
        self._theta0 = self._initial(x0)
        self._ledger = Ledger(space)
        self._state = _State(rng=rng, parent=self._theta0.copy(), piecewise=list(pieces))
        self._pending = None

    # --- construction ---------------------------------------------------------------------
    def _split(self, program, gradient, piecewise, points, rng):
        """(gradient names, piecewise names) from the options or the classification."""
        self.classification = None
        if gradient is None:
            if program is None:
                return (), ()
            self.classification = classify(program, self.space, points=points, seed=rng)
            self.counts_inner.nfev += self.classification.nfev
            self.counts_inner.njev += self.classification.njev
            gradient, auto_pieces = self.classification.gradient, self.classification.piecewise
            piecewise = auto_pieces if piecewise is None else piecewise
        gradient = _names("gradient", gradient, self.space)
        piecewise = _names("piecewise", piecewise or (), self.space)
        if not set(piecewise) <= set(gradient):
            raise ValueError(f"piecewise={list(piecewise)} must be a subset of gradient")
        return gradient, piecewise

    def _make_search(self, search, options, rng):
        if not self._p.searched:
            return None
        sub = Space({n: self.space[n] for n in self._p.searched})
        if search == "auto":
            search = "cmaes" if sub.kinds <= set(GRADIENT_KINDS) else "ga"
        if not isinstance(search, str) or search == "hybrid":
            raise ValueError(f"search must be a strategy name other than 'hybrid', got {search!r}")
        return registry.create(search, sub, seed=rng, **dict(options or {}))

    def _initial(self, x0):
        if self._bound is None:
            return np.zeros(0)
        centre = self.space.to_params(self.space.center())[0]
        given = dict(x0 or {})
        unknown = set(given) - set(self._p.gradient)
        if unknown:
            raise ValueError(f"x0 names {sorted(unknown)}, which are not gradient parameters")
        theta = self._bound.pack({**centre, **given})
        return np.clip(theta, self._bound.lo, self._bound.hi)

    @property
    def gradient(self) -> tuple:
        """The parameters trained by gradient steps."""
        return self._p.gradient

    @property
    def searched(self) -> tuple:
        """The parameters the black-box strategy searches."""
        return self._p.searched

    @property
    def piecewise(self) -> tuple:
        """The gradient parameters also perturbed (grows when a re-check finds a break)."""
        return tuple(self._state.piecewise)

    # --- ask ------------------------------------------------------------------------------
    def ask(self):
        subs = self._search.ask() if self._search is not None else None
        if subs is not None and self._bound is not None and self.budget is not None:
            subs = subs[: max(1, self._room())]  # a prefix: the search is told a prefix
        n = len(subs) if subs is not None else 1
        first = self._ledger.issue(n)
        X = np.zeros((n, self.space.dim))
        if subs is not None:
            X[:, self._columns(self._p.searched)] = stack_vectors(subs)
        if not self._p.gradient:
            self._pending = (first, subs, None)
            return Batch(self.space, X, first)
        base = [s.params for s in subs] if subs is not None else [{}]
        thetas = np.stack([self._train(b, cap) for b, cap in zip(base, self._caps(n))])
        trained = [self._bound.unpack(t) for t in thetas]
        params = [{k: {**b, **t}[k] for k in self.space.names} for b, t in zip(base, trained)]
        gspace = Space({k: self.space[k] for k in self._p.gradient})
        X[:, self._columns(self._p.gradient)] = gspace.encode(trained)
        self._pending = (first, subs, thetas)
        return Batch(self.space, X, first, params)

    def _columns(self, names):
        return np.concatenate([np.arange(self.space.dim)[self.space.slices[k]] for k in names])

    def _caps(self, n):
        """Inner evaluations per candidate: ``steps``, cut so the total fits in the budget."""
        if self.budget is None:
            return [self._p.steps] * n
        room = max(0, self._room() - n)
        return [min(self._p.steps, room // n + (i < room % n)) for i in range(n)]

    def _room(self):
        """Evaluations left in the budget (driver's and inner ones together)."""
        return self.budget - self._state.outer - self.counts_inner.nfev

    def _train(self, base, cap):
        st, b = self._state, self._bound
        theta = (st.parent if self._p.lamarckian else self._theta0).copy()
        for k in st.piecewise:  # branch switching: a Gaussian step on the piecewise part
            s = b.slices[k]
            theta[s] += self._p.perturb * (b.hi[s] - b.lo[s]) * st.rng.standard_normal(
                s.stop - s.start)
        theta = np.clip(theta, b.lo, b.hi)
        if cap <= 0:
            return theta
        options = {"lr": self._p.lr} if self._p.trainer is TRAINERS["adam"] else {}
        out = self._p.trainer(lambda t: b.value_and_grad(base, t), theta, lo=b.lo, hi=b.hi,
                              steps=cap, **options)
        return out.theta if np.isfinite(out.value) else theta

    # --- tell -----------------------------------------------------------------------------
    def tell(self, candidates, values):
        values = self._ledger.accept(candidates, values)
        if self._pending is None:
            return  # an empty tell with no ask pending (accept refuses any candidate then)
        first, subs, thetas = self._pending
        idx = candidate_ids(candidates) - first
        if subs is not None:
            self._search.tell([subs[i] for i in idx], values)
        st = self._state
        st.outer += len(values)
        st.generation += 1
        if thetas is not None and values.size and self._p.lamarckian:
            j = int(np.argmin(values))
            if values[j] < st.parent_value:
                st.parent, st.parent_value = thetas[idx[j]].copy(), float(values[j])
        every = self._p.recheck_every
        if every and self._p.gradient and st.generation % every == 0:
            self._recheck()

    def _recheck(self):
        """Probe the gradient parameters at the incumbent; mismatches become piecewise."""
        best = self._ledger.best
        cost = 1 + len(self._p.gradient) * (3 + 2 * PAIRS)  # see probe_point
        if best is None or (self.budget is not None and self._room() < cost + 1):
            return
        found = probe_point(self._bound, best[0].params, self._state.rng)
        for name, probe in found.items():
            if not probe.agrees() and name not in self._state.piecewise:
                self._state.piecewise.append(name)

    # --- protocol -------------------------------------------------------------------------
    def stop(self):
        if self._search is not None:
            reason = self._search.stop()
            if reason is not None:
                return reason
        if self.budget is not None and self.counts_inner.nfev and self._room() <= 0:
            return "budget"
        return None

    @property
    def best(self):
        return self._ledger.best

    def evaluations(self) -> dict:
        """Evaluations so far: ``nfev`` (all, driver's included), ``njev`` (gradients),
        ``nfev_outer`` (the driver's) and ``nfev_inner`` (this strategy's own calls)."""
        inner, outer = self.counts_inner, self._state.outer
        return {"nfev": outer + inner.nfev, "njev": inner.njev, "nfev_outer": outer,
                "nfev_inner": inner.nfev}

    def state_dict(self) -> dict:
        st = self._state
        return {
            "ledger": self._ledger.state_dict(), "rng": seeding.generator_state(st.rng),
            "search": None if self._search is None else self._search.state_dict(),
            "parent": st.parent.copy(), "parent_value": st.parent_value,
            "piecewise": list(st.piecewise), "outer": st.outer, "generation": st.generation,
            "nfev_inner": self.counts_inner.nfev,
            "njev": self.counts_inner.njev,
        }

    def load_state_dict(self, state: dict) -> None:
        self._ledger.load_state_dict(state["ledger"])
        if self._search is not None:
            self._search.load_state_dict(state["search"])
        self._state = _State(rng=seeding.from_state(state["rng"]),
                             parent=np.asarray(state["parent"], dtype=float).reshape(-1),
                             parent_value=float(state["parent_value"]),
                             piecewise=[str(k) for k in state["piecewise"]],
                             outer=int(state["outer"]), generation=int(state["generation"]))
        self.counts_inner.nfev = int(state["nfev_inner"])
        self.counts_inner.njev = int(state["njev"])
        self._pending = None


def _load(program):
    if not isinstance(program, str):
        return program
    from nondiff.objective import Objective

    return Objective.from_reference(program).fn  # UsageError (a ValueError) if it is bad


def _names(option, names, space):
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    for n in names:
        if n not in space.names:
            raise ValueError(f"{option}: unknown parameter {n!r}")
        if space[n].kind not in GRADIENT_KINDS:
            raise ValueError(f"{option}: parameter {n!r} is a {space[n].kind}; "
                             "only reals and arrays take gradient steps")
    return names


def _check_options(program, trainer, steps, lr, mode, perturb, recheck_every, budget):
    if program is not None and not callable(program):
        raise TypeError(f"program must be callable, got {type(program).__name__}")
    if trainer not in TRAINERS:
        raise ValueError(f"trainer must be one of {sorted(TRAINERS)}, got {trainer!r}")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    for name, value, lo in (("steps", steps, 0), ("recheck_every", recheck_every, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    for name, value in (("lr", lr), ("perturb", perturb)):
        if not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int)
                               or budget < 1):
        raise ValueError(f"budget must be an integer >= 1, got {budget!r}")
