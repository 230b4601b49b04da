"""``auto``: the default strategy, a portfolio chosen from the space, the budget and the setting.

``auto`` is a scheduler over other strategies (its *components*). At construction it reads the
space's parameter kinds, the dimension, the budget and what the caller says about the run
(``noisy``, ``workers``, ``vectorized``, ``program``), and fixes a *plan*: a list of phases,
each a component with its options. A phase ends when its component stops (converged) or the
budget runs out; the last phase restarts its component until the budget is spent. Every choice
is recorded with its reason in :attr:`Auto.decisions`.

The rules (the continuous ones come from measurements on BBOB instances 1-5 only, recorded
with their commands in ``benchmarks/auto_tuning.md``; instances 6-10 are kept for the final
figures):

- **continuous** (reals and arrays), noiseless, sequential: from the centre of the box, one
  sweep of coordinate search over a grid (a tenth of the budget), then a projected
  finite-difference BFGS (:mod:`strategies.auto_local`; fast on smooth unimodal functions at
  small budgets, Ros 2009), then BIPOP-CMA-ES restarts ([1, 2]) through the ``cmaes``
  adapter for the rest of the budget (multimodal functions), with three times pycma's
  default population, four times from 500 evaluations per dimension up;
- **continuous, dimension <= 5, under 500 evaluations per dimension**: the same sweep, then
  Nelder-Mead with adaptive coefficients (:mod:`strategies.auto_nm`, [5]) restarted from
  uniform random points (much better than BFGS + BIPOP in dimensions 2 and 3 at such budgets);
- **continuous and noisy**: CMA-ES with pycma's noise handler and IPOP restarts [1, 3]
  (finite differences are meaningless under noise);
- **continuous with many workers or a vectorized objective** (``workers > dim``): IPOP-CMA-ES
  with a population at least as large as the number of workers, so every batch fills them;
- **reals and integers**: BIPOP-CMA-ES with pycma's integer handling [4];
- **categorical, bits, permutations, or mixed with them**: the genetic algorithm ``ga`` (typed
  operators per kind), restarted if it stops early;
- **a Python program whose parameters the autodiff analysis finds differentiable**
  (``program=``): the ``hybrid`` strategy when it is registered.

[1] N. Hansen, "Benchmarking a BI-population CMA-ES on the BBOB-2009 function testbed",
    GECCO 2009 workshop.
[2] N. Hansen, "The CMA evolution strategy: a tutorial", arXiv:1604.00772 (2016).
[3] N. Hansen, A. S. P. Niederberger, L. Guzzella, P. Koumoutsakos, "A method for handling
    uncertainty in evolutionary optimization...", IEEE TEC 13(1), 2009.
[4] T. Marty, Y. Semet, A. Auger, S. Hery, N. Hansen, "Benchmarking CMA-ES with basic integer
    handling on a mixed-integer test problem suite", GECCO 2023 companion.
[5] F. Gao, L. Han, "Implementing the Nelder-Mead simplex algorithm with adaptive
    parameters", Comput. Optim. Appl. 51(1), 2012.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace

import numpy as np

from nondiff import registry, seeding
from nondiff.plain import plain
from nondiff.strategy import Batch, candidate_ids, stack_vectors
from strategies._common import Ledger

__all__ = ["Auto", "PORTFOLIOS"]

_FOREVER = 10**9  # restarts "without limit": the budget ends the run


@dataclass(frozen=True)
class _Phase:
    """One step of a plan: a component, its options, where it starts and how long it lasts.

    ``until`` is the fraction of the budget at which the phase ends (None: when its component
    stops); with ``repeat`` a stopped component is restarted until then. The last phase of a
    plan always repeats until the budget is spent.
    """

    component: str  # "local" (LocalBFGS), "nm" (LocalNM) or a registry name
    options: dict = field(default_factory=dict)
    start: str = "default"  # "default" | "centre" | "random": the component's x0
    until: float | None = None
    repeat: bool = False


def _bipop(**options):
    return _Phase("cmaes", {"restarts": _FOREVER, "restart_strategy": "bipop", **options})


# The continuous plans compared on BBOB instances 1-5 (benchmarks/auto_tuning.md).
PORTFOLIOS = {
    "bfgs-bipop": (_Phase("local", start="centre"), _bipop()),
    "bipop": (_bipop(),),
    "bfgs-restarts": (_Phase("local", start="centre"), _Phase("local", start="random")),
    "lbfgs-bipop": (_Phase("local", {"memory": 10}, start="centre"), _bipop()),
    "scan-bfgs-bipop": (_Phase("local", {"scan": "budget"}, start="centre"), _bipop()),
    "bfgs50-bipop": (_Phase("local", start="centre", until=0.5), _bipop()),
    "lbfgs50-bipop": (_Phase("local", {"memory": 10}, start="centre", until=0.5), _bipop()),
    "bfgs-restarts-bipop": (_Phase("local", start="centre"),
                            _Phase("local", start="random", until=0.4, repeat=True), _bipop()),
    "bfgs-bipop-restarts": (_Phase("local", start="centre"), replace(_bipop(), until=0.6),
                            _Phase("local", start="random")),
    "nm-restarts": (_Phase("nm", start="centre"), _Phase("nm", start="random")),
    "scan-nm-restarts": (_Phase("nm", {"scan": "budget"}, start="centre"),
                         _Phase("nm", start="random")),
}
# BIPOP with k times pycma's default population (fewer, cheaper generations per evaluation)
PORTFOLIOS["scan-bfgs-bipop-scaled"] = (_Phase("local", {"scan": "budget"}, start="centre"),
                                         _bipop(popsize="budget"))
PORTFOLIOS.update({f"scan-bfgs-bipop{k}x": (_Phase("local", {"scan": "budget"}, start="centre"),
                                            _bipop(popsize=f"{k}x")) for k in (2, 3, 4, 6, 8)})
DEFAULT_CONTINUOUS = "scan-bfgs-bipop-scaled"
SMALL_CONTINUOUS = "scan-nm-restarts"  # low dimension, small budget: see _nelder_mead_first


@dataclass
class _State:
    phase: int = 0  # index in the plan
    child_spec: dict | None = None  # how the running component was built (plain data)
    child_first: int = 0  # auto's id of the child's current ask
    child_used: int = 0  # evaluations spent before the running component started
    components: int = 0  # components started so far
    log: list = field(default_factory=list)  # (evaluations, what happened)


class Auto:
    """The default strategy: a portfolio of registered strategies picked from the problem.

    Parameters
    ----------
    space : nondiff.space.Space
    seed, budget
        As for every strategy.
    noisy : bool
        The objective is noisy (default False).
    workers : int
        Evaluations that run at once (default 1); many workers favour large populations.
    vectorized : bool
        The objective evaluates whole batches at once (treated like many workers).
    program : callable, optional
        The Python program being optimized (``program(**params) -> float``, written with
        :mod:`nondiff.autodiff.numpy`); when :func:`nondiff.hybrid.classify` finds parameters
        with a usable gradient, ``hybrid`` trains those and searches the rest.
    portfolio : str, optional
        Force one of :data:`PORTFOLIOS` on a continuous space (for tuning and comparisons).

    Examples
    --------
    >>> from nondiff.space import Space, Real
    >>> s = Auto(Space(x=Real(-1, 1), y=Real(-1, 1)), seed=0, budget=100)
    >>> s.plan_name
    'scan-nm-restarts'
    >>> len(s.ask())  # the centre of the box first
    1
    """

    supported_types = ("real", "integer", "categorical", "bits", "permutation", "array")

    def __init__(self, space, *, seed=None, budget=None, noisy=False, workers=1,
                 vectorized=False, program=None, portfolio=None):
        _check_args(space, budget, noisy, workers, vectorized, portfolio)
        self.space, self._program = space, program
        self.budget = None if budget is None else int(budget)
        self._rng = seeding.as_generator(seed)
        self._ledger = Ledger(space)
        self.plan_name, self.plan, self.decisions = _choose(
            space, budget, noisy=bool(noisy), workers=int(workers), vectorized=bool(vectorized),
            program=program, portfolio=portfolio)
        self._state = _State()
        self._child, self._batch = None, None
        self._begin(0)

    # --- components --------------------------------------------------------------------
    def _begin(self, phase: int) -> None:
        """Build and start the component of ``phase`` (restarting the last one)."""
        st = self._state
        st.phase = min(phase, len(self.plan) - 1)
        if st.phase < len(self.plan) - 1 and self._phase_budget(st.phase) == 0:
            self._begin(st.phase + 1)  # no evaluations left for this phase
            return
        st.child_used = self._ledger.next_id
        p = self.plan[st.phase]
        spec = {"component": p.component, "options": self._resolve(p.options),
                "seed": int(self._rng.integers(2**63 - 1)),
                "budget": self._phase_budget(st.phase), "x0": self._start_point(p.start)}
        st.child_spec, st.components = spec, st.components + 1
        st.log.append([self._ledger.next_id, f"start {p.component} (phase {st.phase})"])
        self._child = _build(self.space, spec, self._program)

    def _resolve(self, options: dict) -> dict:
        """Options that depend on the problem: ``scan="budget"`` becomes a grid size and
        ``popsize="<k>x"`` k times CMA-ES's default population ``4 + floor(3 ln dim)``."""
        out = dict(options)
        if out.get("scan") == "budget":
            out["scan"] = _scan_size(self.budget, self.space.dim)
        if out.get("popsize") == "budget":
            out["popsize"] = _popsize_factor(self.budget, self.space.dim)
        if isinstance(out.get("popsize"), str):
            factor = float(out["popsize"].rstrip("x"))
            out["popsize"] = int(factor * (4 + int(3 * np.log(self.space.dim))))
        return out

    def _phase_budget(self, phase: int):
        """Evaluations left to ``phase``: up to its ``until`` share, else to the budget."""
        if self.budget is None:
            return None
        until = self.plan[phase].until
        end = self.budget if until is None else min(self.budget, int(until * self.budget))
        return max(0, end - self._ledger.next_id)

    def _start_point(self, start: str):
        if start == "centre":
            return [0.5] * self.space.dim
        if start == "random":
            return self._rng.uniform(0.0, 1.0, self.space.dim).tolist()
        return None

    def _remaining(self):
        return None if self.budget is None else self.budget - self._ledger.next_id

    def _next_component(self) -> None:
        st = self._state
        st.log.append([self._ledger.next_id, f"{st.child_spec['component']} stopped: "
                                             f"{self._child.stop()}"])
        again = self.plan[st.phase].repeat and self._phase_budget(st.phase) != 0
        self._begin(st.phase if again else st.phase + 1)

    # --- the protocol --------------------------------------------------------------------
    def ask(self):
        if self.budget is not None and self._ledger.next_id >= self.budget:
            return self._emit([])
        for _ in range(3):  # a fresh component always asks something
            batch = self._child.ask()
            if len(batch):
                return self._emit(batch)
            self._next_component()
        raise RuntimeError(f"component {self._state.child_spec['component']} asks nothing")

    def _emit(self, batch):
        first = self._ledger.issue(len(batch))
        self._batch, self._state.child_first = batch, first
        X = stack_vectors(batch) if len(batch) else np.zeros((0, self.space.dim))
        return Batch(self.space, X, first, getattr(batch, "params", None))

    def tell(self, candidates, values) -> None:
        values = self._ledger.accept(candidates, values)
        rows = candidate_ids(candidates) - self._state.child_first
        batch, self._batch = self._batch, None
        if batch is None or not len(batch):
            return
        if np.array_equal(rows, np.arange(len(rows))) and isinstance(batch, Batch):
            told = batch[: len(rows)]
        else:
            told = [batch[int(i)] for i in rows]
        self._child.tell(told, values)
        if self._child.stop() is not None and self._remaining() != 0:
            self._next_component()

    def stop(self) -> str | None:
        if self.budget is not None and self._ledger.next_id >= self.budget:
            return "budget"
        return None  # the last phase restarts until the budget is spent

    @property
    def best(self):
        return self._ledger.best

    @property
    def component(self) -> str:
        """The name of the component running now."""
        return self._state.child_spec["component"]

    def describe(self) -> str:
        """What was picked and why, then what ran (one line each)."""
        lines = [f"auto: plan {self.plan_name!r}"] + [f"  - {d}" for d in self.decisions]
        lines += [f"  at evaluation {n}: {what}" for n, what in self._state.log]
        return "\n".join(lines)

    # --- state ---------------------------------------------------------------------------
    def state_dict(self) -> dict:
        st = self._state
        return {"phase": st.phase, "child_spec": st.child_spec, "child_used": st.child_used,
                "components": st.components, "log": [list(e) for e in st.log],
                "child": self._child.state_dict(), "rng": seeding.generator_state(self._rng),
                "ledger": self._ledger.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self._state = _State(phase=int(state["phase"]), child_spec=plain(state["child_spec"]),
                             child_used=int(state["child_used"]),
                             components=int(state["components"]),
                             log=[[int(n), str(w)] for n, w in state["log"]])
        self._child = _build(self.space, self._state.child_spec, self._program)
        self._child.load_state_dict(state["child"])
        seeding.set_generator_state(self._rng, state["rng"])
        self._ledger.load_state_dict(state["ledger"])
        self._batch = None


# auto's own components (not in the registry): name -> (module, class)
_OWN = {"local": ("strategies.auto_local", "LocalBFGS"), "nm": ("strategies.auto_nm", "LocalNM")}


def _build(space, spec: dict, program=None):
    """The component described by ``spec`` (see ``Auto._begin``); ``program`` goes to hybrid."""
    options = dict(spec["options"])
    if spec["component"] == "hybrid":
        options["program"] = program
    if spec["x0"] is not None:
        options["x0"] = np.asarray(spec["x0"], dtype=float)
    if spec["component"] in _OWN:
        module, name = _OWN[spec["component"]]
        factory = getattr(importlib.import_module(module), name)
        return factory(space, seed=spec["seed"], budget=spec["budget"], **options)
    return registry.create(spec["component"], space, seed=spec["seed"], budget=spec["budget"],
                           **options)


# --- the choice ---------------------------------------------------------------------------------
def _choose(space, budget, *, noisy, workers, vectorized, program, portfolio):
    """(plan name, phases, reasons) for this problem; a table of rules, first match wins."""
    facts = {"space": space, "kinds": set(space.kinds), "dim": space.dim, "budget": budget,
             "noisy": noisy, "parallel": vectorized or workers > space.dim, "workers": workers,
             "program": program, "portfolio": portfolio}
    for rule in _RULES:
        picked = rule(facts)
        if picked is not None:
            return picked
    raise AssertionError("the last rule always matches")  # pragma: no cover


def _rule_hybrid(f):
    if f["program"] is None or _hybrid_missing() is not None:
        return None
    if not callable(f["program"]):
        raise TypeError(f"program must be a callable, not {type(f['program']).__name__}")
    from nondiff.hybrid.classify import classify

    cl = classify(f["program"], f["space"], seed=0)
    if cl.strategy != "hybrid":
        return None
    found = {"gradient": list(cl.gradient), "piecewise": list(cl.piecewise)}
    return ("hybrid", (_Phase("hybrid", found),),
            [f"a Python program was given and autodiff reaches {', '.join(cl.gradient)} "
             f"(nondiff.hybrid.classify, {cl.nfev} probe evaluations outside the budget): "
             "hybrid takes gradient steps on those and searches the rest black-box"])


def _hybrid_missing() -> str | None:
    """Why the hybrid strategy cannot be used here, or None."""
    try:
        registry.get("hybrid")
    except Exception as exc:  # not registered, or its module is not importable yet
        return f"{type(exc).__name__}: {exc}"
    return None


def _rule_forced(f):
    if f["portfolio"] is None:
        return None
    if not f["kinds"] <= {"real", "array"}:
        raise ValueError(f"portfolio {f['portfolio']!r} needs a continuous space, "
                         f"this one has {sorted(f['kinds'])}")
    return f["portfolio"], PORTFOLIOS[f["portfolio"]], ["portfolio forced by the caller"]


def _rule_discrete(f):
    exotic = f["kinds"] & {"categorical", "bits", "permutation"}
    if not exotic:
        return None
    popsize = _ga_popsize(f["budget"])
    return ("ga", (_Phase("ga", {"popsize": popsize}),),
            [f"the space has {', '.join(sorted(exotic))} parameters: the genetic algorithm "
             "has typed operators for each kind (restarted if it stops early)",
             f"GA population {popsize}: about 35 generations of the budget, between 20 and "
             "100 (benchmarks/auto_mixed.py, tuning instance)"] + _hybrid_note(f))


def _scan_size(budget, dim) -> int:
    """Grid points per coordinate of the local phase's scan: a tenth of the budget, <= 100."""
    if budget is None:
        return 50
    n = int(0.1 * budget / dim)
    return 0 if n < 5 else min(n, 100)


def _popsize_factor(budget, dim) -> str:
    """CMA-ES population of the global phase, as a multiple of pycma's default.

    4x from 500 evaluations per dimension up (BBOB instances 1-5 at 1000*dim: 0.783 against
    0.769 with the default, better on f15-f19) and without a budget; 3x below, where larger
    populations score a little lower (dimension 10 at 200*dim: 0.401 against 0.407) but
    pycma's cost per evaluation, which does not depend on the objective, falls by half (26 to
    14 us in dimension 10, benchmarks/auto_overhead.py).
    """
    return "3x" if budget is not None and budget < 500 * dim else "4x"


def _ga_popsize(budget) -> int:
    if budget is None:
        return 100  # the GA's own default
    return int(np.clip(round(budget / 35), 20, 100))


def _rule_integer(f):
    if "integer" not in f["kinds"]:
        return None
    return ("bipop", (_bipop(),),
            ["reals and integers only: BIPOP-CMA-ES with pycma's integer handling"
             + (" (not in one dimension, where pycma cannot: a step size scaled to the range)"
                if f["dim"] == 1 else "")]
            + _hybrid_note(f))


def _rule_noisy(f):
    if not f["noisy"]:
        return None
    return ("cmaes-noise", (_Phase("cmaes", {"restarts": _FOREVER, "noise_handling": True}),),
            ["noisy objective: CMA-ES with pycma's noise handler and IPOP restarts; finite "
             "differences would measure the noise"] + _hybrid_note(f))


def _rule_parallel(f):
    if not f["parallel"]:
        return None
    popsize = max(f["workers"], 4 + int(3 * np.log(f["dim"])))
    return ("ipop-wide", (_Phase("cmaes", {"restarts": _FOREVER, "popsize": popsize}),),
            [f"{_parallel_reason(f)}: IPOP-CMA-ES with population {popsize} keeps every "
             "batch full (the local phase asks one point at a time in its line search)"]
            + _hybrid_note(f))


def _parallel_reason(f):
    if f["workers"] > f["dim"]:
        return f"{f['workers']} workers"
    return "vectorized objective"


def _rule_continuous(f):
    n = _scan_size(f["budget"], f["dim"])
    scan = (f"one sweep of coordinate search ({n} values per coordinate, a tenth of the "
            "budget; solves separable multimodal functions), then " if n else
            "(the budget is too small for a coordinate sweep) ")
    if _nelder_mead_first(f["budget"], f["dim"]):
        return (SMALL_CONTINUOUS, PORTFOLIOS[SMALL_CONTINUOUS],
                [f"continuous space in dimension {f['dim']} <= 5 with under 500 evaluations "
                 f"per dimension: from the centre of the box, {scan}Nelder-Mead with adaptive "
                 "coefficients, restarted from uniform random points (chosen on BBOB instances "
                 "1-5, benchmarks/auto_tuning.md)"] + _hybrid_note(f))
    factor = _popsize_factor(f["budget"], f["dim"])
    pop = f" with {factor} pycma's default population (fewer, cheaper generations)"
    return (DEFAULT_CONTINUOUS, PORTFOLIOS[DEFAULT_CONTINUOUS],
            [f"continuous space: from the centre of the box, {scan}finite-difference BFGS "
             f"(cheap on smooth functions), then BIPOP-CMA-ES restarts{pop} for the rest of the "
             "budget (chosen on BBOB instances 1-5, benchmarks/auto_tuning.md)"]
            + _hybrid_note(f))


def _nelder_mead_first(budget, dim) -> bool:
    """Nelder-Mead restarts rather than BFGS + BIPOP: small budgets in low dimension.

    On BBOB instances 1-5 at 200 evaluations per dimension, scan + Nelder-Mead restarts minus
    scan + BFGS + BIPOP: +0.132 (dim 2), +0.052 (3), +0.013 (5), -0.069 (10); at 1000 per
    dimension +0.007 (2), -0.030 (3), -0.059 (5). The budget threshold is the one of
    :func:`_popsize_factor`.
    """
    return budget is not None and budget < 500 * dim and dim <= 5


def _hybrid_note(f):
    if f["program"] is None:
        return []
    missing = _hybrid_missing()
    if missing is not None:
        return [f"a program was given but the hybrid strategy is unavailable ({missing})"]
    return ["a program was given but no parameter has a usable gradient: black-box search"]


_RULES = (_rule_hybrid, _rule_forced, _rule_discrete, _rule_integer, _rule_noisy,
          _rule_parallel, _rule_continuous)


def _check_args(space, budget, noisy, workers, vectorized, portfolio):
    if getattr(space, "dim", 0) < 1:
        raise ValueError("space must have at least one dimension")
    if budget is not None and (isinstance(budget, bool)
                               or not isinstance(budget, (int, np.integer)) or budget < 1):
        raise ValueError(f"budget must be an integer >= 1 or None, got {budget!r}")
    for name, value in (("noisy", noisy), ("vectorized", vectorized)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if portfolio is not None and portfolio not in PORTFOLIOS:
        raise ValueError(f"portfolio must be one of {sorted(PORTFOLIOS)}, got {portfolio!r}")
