"""CMA-ES as a Strategy: an adapter over the ``cma`` package (pycma), not a rewrite.

[1] N. Hansen, "The CMA evolution strategy: a tutorial", arXiv:1604.00772 (2016); the
    algorithm itself is pycma's (N. Hansen, Y. Akimoto, P. Baudis, CMA-ES/pycma, Zenodo
    doi:10.5281/zenodo.2559634).
[2] A. Auger, N. Hansen, "A restart CMA evolution strategy with increasing population size",
    CEC 2005 (IPOP: each restart multiplies the population by ``incpopsize``, default 2, and
    starts from a uniform random point of the box).
[3] N. Hansen, "Benchmarking a BI-population CMA-ES on the BBOB-2009 function testbed",
    GECCO 2009 workshop (BIPOP: interleaves large-population IPOP runs with small-population
    runs of ``popsize0 * (lambda_large / popsize0)^(U^2)`` and ``sigma0 * 0.01^U``, ``U``
    uniform, whenever the small runs have used fewer evaluations than the large ones).

What the adapter adds to pycma, and how:

- **Coordinates.** pycma searches the space's unit-cube encoding with bounds [0, 1], so with
  continuous parameters its coordinates *are* the candidates' vectors and a run reproduces raw
  pycma exactly. Dimensions with a discrete cell width ``w = space.vector_steps[i] > 0``
  (integers, bits, categorical scores) are rescaled to ``c = x / w - 1/2``: cell ``k`` becomes
  the integer ``k`` with bounds ``[-1/2, K - 1/2]``, and those dimensions are passed as pycma's
  ``integer_variables`` (pycma rounds them in ``ask`` and keeps a minimal step size so they
  never stall). ``CMA_stds = 1/w`` there, so ``sigma0`` is the same fraction of every range.
- **Randomness.** pycma draws its samples through the ``randn`` option; it gets a
  ``standard_normal`` of ``seeding.spawn(seed, 2)[0]``, and restarts draw from the second
  generator. The few pycma paths that still call numpy's global RNG (integer handling, the
  noise handler) run with a private legacy RandomState swapped in and out, so the caller's
  global stream is never touched and a resumed run reproduces.
- **Silence.** ``verbose=-9``, ``verb_log=0``, ``verb_disp=0``: no prints, no outcmaes/ folder.
- **Bounds, a whole population at a time.** pycma applies its ``BoundTransform`` one solution
  at a time, about half of its ask/tell cost in dimension 10 (``benchmarks/auto_overhead.py``).
  On a continuous space every bound is [0, 1], so the adapter runs pycma *unbounded* on the
  genotypes and applies pycma's own transformation (``BoxConstraintsLinQuadTransformation``)
  to the flattened population, with the ``maxstd`` pycma would derive from the bounds: the same
  numbers as pycma with ``bounds=[0, 1]``, bit for bit, at a third of the cost. With integer
  dimensions or ``bounds="penalty"`` pycma keeps the bounds (its integer handling needs them).
- **Restarts** (IPOP/BIPOP after [2, 3], the same rules as ``cma.fmin2``), ``sep-CMA``
  (``CMA_diagonal``) from dimension 500 up unless told otherwise, bounds by
  ``cma.BoundTransform`` (default) or ``cma.BoundPenalty``, and noise handling by
  ``cma.NoiseHandler`` (a generation is followed by an ask of the re-evaluations it asks for,
  perturbed by ``epsilon`` as in ``cma.fmin``, or the same points when there are integer
  dimensions; one evaluation per measurement, no averaging).
- **Failures.** ``+inf`` values reach pycma through ``finite_or_worst``. A generation in which
  every evaluation failed carries no ranking, so it is not told at all and the next ``ask``
  samples the same distribution again (pycma's own ``ask_and_eval`` likewise resamples
  solutions whose value is NaN); the driver's fail-fast rule then sees the failures pile up.
"""

from __future__ import annotations

import contextlib
import math
import pickle
import warnings
from dataclasses import dataclass, field

import numpy as np

from nondiff import seeding
from nondiff.strategy import Pickled, candidate_ids, candidates_from_vectors
from strategies._common import Ledger, finite_or_worst

with warnings.catch_warnings():  # pycma warns on import when matplotlib (an extra) is absent
    warnings.filterwarnings("ignore", message="Could not import matplotlib")
    import cma
    from cma.transformations import BoxConstraintsLinQuadTransformation

__all__ = ["CMAES"]

_MANAGED = ("bounds", "BoundaryHandler", "randn", "seed", "verbose", "verb_log", "verb_disp",
            "popsize", "integer_variables", "CMA_stds", "maxiter")


class _Randn:
    """pycma's ``randn(lam, N)`` drawing from a numpy Generator (picklable, unlike a lambda)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def __call__(self, *shape):
        return self.rng.standard_normal(shape)


class _UnitBox:
    """pycma's bound transformation for [0, 1]^d, applied to a whole population in one call.

    The transformation is element-wise with the same constants for every coordinate of the unit
    cube, so pycma's class applied to the flattened population gives, element for element, what
    ``cma.BoundTransform([0, 1])`` gives one solution at a time.
    """

    # pycma documents the transformation as the identity on [lb + al, ub - au] with
    # al = au = min((ub - lb) / 2, 0.05 * max(|bound|, 1)), so 0.05 for [0, 1]
    LINEAR = (0.05, 0.95)

    def __init__(self):
        self._by_size = {}  # pycma re-derives its constants whenever the length changes
        edges = np.array(self.LINEAR)
        self._shortcut = bool(np.array_equal(self._transform(edges), edges))

    def __call__(self, C: np.ndarray) -> np.ndarray:
        lo, hi = self.LINEAR
        if not C.size or (self._shortcut and C.min() >= lo and C.max() <= hi):
            return C.copy()  # the usual case, a tenth of the cost (pycma's fails when empty)
        return self._transform(C)

    def _transform(self, C: np.ndarray) -> np.ndarray:
        tf = self._by_size.get(C.size)
        if tf is None:
            tf = self._by_size[C.size] = BoxConstraintsLinQuadTransformation([[0.0, 1.0]])
            tf.initialize(C.size)
        return np.asarray(tf(C.reshape(-1).copy(), copy=False)).reshape(C.shape)

    @staticmethod
    def inverse(x: np.ndarray) -> np.ndarray:
        return np.asarray(cma.BoundTransform([0.0, 1.0]).inverse(x))


@dataclass
class _Params:
    x0: np.ndarray | None
    sigma0: float
    popsize: int | None
    restarts: int
    bipop: bool
    incpopsize: float
    opts: dict  # pycma options shared by every run
    scale: np.ndarray  # cell width per dimension, 1 where continuous
    discrete: np.ndarray  # indices of the rescaled dimensions
    noise: bool
    penalty: bool
    unit_box: _UnitBox | None  # set when the adapter, not pycma, maps into the bounds


@dataclass
class _State:
    es: object  # the current cma.CMAEvolutionStrategy
    irun: int = 0
    runs_with_small: int = 0
    small_evals: int = 0
    large_evals: int = 0
    popsize0: int = 0
    maxiter0: float = 0.0
    regime: str = "small"  # the first run counts as small, as in cma.fmin2 [3]
    legacy: dict = field(default_factory=dict)  # private global-RNG state (numpy legacy)
    noise: object = None  # cma.NoiseHandler
    noise_pending: dict | None = None  # the generation awaiting its re-evaluations
    stopped: str | None = None
    generation: int = 0


class CMAES:
    """CMA-ES through pycma with IPOP/BIPOP restarts, integer handling and silenced output.

    Parameters
    ----------
    space : nondiff.space.Space
        Searched through its unit-cube vector encoding (see the module docstring).
    seed, budget
        As for every strategy.
    x0 : array, optional
        Initial mean in the unit cube; default a uniform draw from the restart generator.
    sigma0 : float
        Initial step size as a fraction of every range (default 0.25).
    popsize : int, optional
        pycma's default ``4 + floor(3 ln dim)`` when None.
    restarts : int
        Maximum number of IPOP/BIPOP restarts after pycma's own termination (default 0).
    restart_strategy : {"ipop", "bipop"}
    incpopsize : float
        Population multiplier per IPOP restart (default 2).
    bounds : {"transform", "penalty"}
        ``cma.BoundTransform`` (default) or ``cma.BoundPenalty``.
    diagonal : bool, optional
        sep-CMA (``CMA_diagonal=True``); default True from dimension 500 up.
    noise_handling : bool
        Use ``cma.NoiseHandler`` (default False).
    options : dict, optional
        Further pycma options (e.g. ``{"CMA_active": False}``); unknown names and the ones
        this adapter manages raise ValueError.

    Examples
    --------
    >>> from nondiff.space import Space, Real
    >>> es = CMAES(Space(x=Real(-1, 1), y=Real(-1, 1)), seed=0)
    >>> len(es.ask())
    6
    """

    supported_types = ("real", "array", "integer")

    def __init__(self, space, *, seed=None, budget=None, x0=None, sigma0=0.25, popsize=None,
                 restarts=0, restart_strategy="ipop", incpopsize=2, bounds="transform",
                 diagonal=None, noise_handling=False, options=None):
        _check_args(space, budget, sigma0, popsize, restarts, restart_strategy, incpopsize,
                    bounds, options)
        self.space, self.budget = space, budget
        sampler_rng, self._rng = seeding.spawn(seed, 2)
        self._randn = _Randn(sampler_rng)
        self._ledger = Ledger(space)
        self._asked = None
        self._params = self._make_params(x0, sigma0, popsize, restarts, restart_strategy,
                                         incpopsize, bounds, diagonal, noise_handling, options)
        legacy = np.random.RandomState(int(self._rng.integers(2**32)))
        self._state = _State(es=None, legacy=legacy.get_state(legacy=False))
        with self._private_global_rng():
            self._state.es = self._new_run(self._start_point(), self._params.sigma0, {})
            if self._params.noise:
                self._state.noise = cma.NoiseHandler(space.dim, maxevals=1)
        self._state.popsize0 = self._state.es.popsize
        self._state.maxiter0 = float(self._state.es.opts["maxiter"])

    # --- construction ------------------------------------------------------------------------

    def _make_params(self, x0, sigma0, popsize, restarts, restart_strategy, incpopsize, bounds,
                     diagonal, noise_handling, options):
        dim = self.space.dim
        steps = np.asarray(getattr(self.space, "vector_steps", np.zeros(dim)), dtype=float)
        discrete = np.flatnonzero(steps > 0)
        scale = np.where(steps > 0, steps, 1.0)
        lo, hi = np.zeros(dim), np.ones(dim)
        lo[discrete], hi[discrete] = -0.5, 1.0 / scale[discrete] - 0.5
        if diagonal is None:
            diagonal = dim >= 500  # full CMA is O(n^2) per sample and O(n^3) per update
        opts = {"verbose": -9, "verb_log": 0, "verb_disp": 0, "seed": np.nan,
                "randn": self._randn, "CMA_diagonal": bool(diagonal)}
        unit_box = _UnitBox() if bounds == "transform" and not discrete.size else None
        if unit_box is None:
            opts["bounds"] = [list(lo), list(hi)]
            opts["BoundaryHandler"] = (cma.BoundPenalty if bounds == "penalty"
                                       else cma.BoundTransform)
        if discrete.size and dim > 1:
            opts["integer_variables"] = [int(i) for i in discrete]
            opts["CMA_stds"] = list(1.0 / scale)
        elif dim == 1:  # pycma 4.5 fails clamping a 1-D step size to its bounds' maxstd
            opts["maxstd"] = np.inf
            sigma0 = sigma0 / scale[0]  # what CMA_stds would do: sigma0 a fraction of the range
        opts.update(options or {})
        if unit_box is not None and dim > 1:
            opts["maxstd"] = _maxstd_from_bounds(options or {}, hi - lo)
        if x0 is not None:
            x0 = np.asarray(x0, dtype=float).reshape(-1)
            if x0.shape != (dim,) or not np.all((x0 >= 0) & (x0 <= 1)):
                raise ValueError(f"x0 must be {dim} numbers in [0, 1] (the unit-cube encoding)")
        return _Params(x0=x0, sigma0=float(sigma0), popsize=popsize, restarts=int(restarts),
                       bipop=restart_strategy == "bipop", incpopsize=float(incpopsize),
                       opts=opts, scale=scale, discrete=discrete, noise=bool(noise_handling),
                       penalty=bounds == "penalty", unit_box=unit_box)

    def _start_point(self) -> np.ndarray:
        """x0 for a run in pycma's coordinates: the given one first, uniform restarts [2]."""
        p = self._params
        if p.x0 is not None and self._state.irun == 0:
            x = p.x0.copy()
        else:
            x = self._rng.uniform(0.0, 1.0, self.space.dim)
        return self._to_cma(x)

    def _new_run(self, x0, sigma, extra):
        opts = dict(self._params.opts, **extra)
        if "popsize" not in opts and self._params.popsize is not None:
            opts["popsize"] = self._params.popsize
        return cma.CMAEvolutionStrategy(x0, sigma, opts)

    # --- coordinates -------------------------------------------------------------------------

    def _to_cma(self, x: np.ndarray) -> np.ndarray:
        if self._params.unit_box is not None:
            return self._params.unit_box.inverse(x)
        d = self._params.discrete
        if d.size:
            x = x.copy()
            x[d] = x[d] / self._params.scale[d] - 0.5
        return x

    def _from_cma(self, C: np.ndarray) -> np.ndarray:
        if self._params.unit_box is not None and not self._state.es.boundary_handler.has_bounds():
            # (a run restored from a checkpoint written before this mapping still has bounds)
            return self._params.unit_box(C)
        d = self._params.discrete
        if d.size:
            C = C.copy()
            C[:, d] = (C[:, d] + 0.5) * self._params.scale[d]
        if self._params.penalty:
            return np.clip(C, 0.0, 1.0)  # BoundPenalty asks outside the box; evaluate repaired
        return C

    @contextlib.contextmanager
    def _private_global_rng(self):
        """Run pycma with our own legacy global RNG state, restoring the caller's afterwards."""
        if not (self._params.discrete.size or self._params.noise):
            yield  # no pycma path on this configuration touches the global RNG
            return
        saved = np.random.get_state(legacy=False)
        np.random.set_state(self._state.legacy)
        try:
            yield
        finally:
            self._state.legacy = np.random.get_state(legacy=False)
            np.random.set_state(saved)

    # --- the protocol ------------------------------------------------------------------------

    def ask(self):
        st = self._state
        with self._private_global_rng():
            if st.noise_pending is not None:
                C = self._reevaluation_points()
                whole = len(C)
                C = C[: self._within_budget(whole)]
            else:
                whole = st.es.popsize
                n = self._within_budget(whole)
                C = np.asarray(st.es.ask(n)) if n else np.zeros((0, self.space.dim))
        self._asked = (C, self._ledger.issue(len(C)), whole)
        return candidates_from_vectors(self.space, self._from_cma(C), self._asked[1])

    def _within_budget(self, n: int) -> int:
        """How many of ``n`` points the budget still allows."""
        if self.budget is None:
            return n
        return max(0, min(n, self.budget - self._ledger.next_id))

    def tell(self, candidates, values) -> None:
        values = self._ledger.accept(candidates, values)
        if self._asked is None:
            return  # an empty tell with no ask pending (accept refuses any candidate then)
        C, first, whole = self._asked
        self._asked = None
        rows = candidate_ids(candidates) - first
        full = np.full(len(C), np.inf)
        full[rows] = values
        complete = len(rows) == whole > 0
        st = self._state
        with self._private_global_rng():
            if st.noise_pending is not None:
                self._tell_reevaluations(full, complete)
            elif complete and np.isfinite(full).any():
                self._tell_generation(C, full)
            # else: the budget cut this generation short (pycma needs whole generations), or
            # every evaluation failed: told as equal values, pycma would see a flat landscape
            # and stop on tolfun; the next ask samples the same distribution again instead
            if st.noise_pending is None and st.stopped is None and st.es.stop():
                self._end_run()
        st.generation += 1

    def _tell_generation(self, C, values):
        st = self._state
        st.es.tell(list(C), list(finite_or_worst(values)))
        if st.noise is not None:
            # measure the noise on re-evaluations before the next generation (pycma's fmin order)
            st.noise_pending = {"C": C, "f": values, "idx": st.noise.indices(list(values))}

    def _reevaluation_points(self) -> np.ndarray:
        st = self._state
        pend, eps = st.noise_pending, st.noise.epsilon
        if self._params.discrete.size:
            # a perturbation of 1e-7 sigma is rounded away on integers; re-evaluate the points
            return pend["C"][pend["idx"]]
        return np.asarray([st.es.ask(1, pend["C"][i], eps)[0] for i in pend["idx"]])

    def _tell_reevaluations(self, values, complete):
        st = self._state
        pend, st.noise_pending = st.noise_pending, None
        if not complete:
            return
        both = finite_or_worst(np.concatenate([pend["f"], values]))
        fit, fitre = both[: len(pend["f"])], both[: len(pend["f"])].copy()
        fitre[pend["idx"]] = both[len(pend["f"]):]
        nh = st.noise
        nh.fit, nh.fitre, nh.idx = list(fit), list(fitre), pend["idx"]
        nh.update_measure()
        st.es.sigma *= nh.treat()

    def _end_run(self):
        """pycma stopped this run: restart (IPOP/BIPOP) or record why the strategy stops."""
        st, p = self._state, self._params
        reasons = st.es.stop()
        if st.regime == "small":
            st.small_evals += st.es.countevals
        else:
            st.large_evals += st.es.countevals
        if st.irun - st.runs_with_small >= p.restarts:
            st.stopped = "converged: " + ", ".join(sorted(reasons))
            return
        st.irun += 1
        sigma, extra = self._next_regime()
        st.es = self._new_run(self._start_point(), sigma, extra)

    def _next_regime(self):
        """sigma0 and pycma options of the next run, by the rules of cma.fmin2 [2, 3]."""
        st, p = self._state, self._params
        small = p.bipop and st.small_evals < max(1, st.large_evals)
        if small:
            st.runs_with_small += 1
        mult = p.incpopsize ** (st.irun - st.runs_with_small)
        st.regime = "small" if small else "large"
        if not small:
            return p.sigma0, {"popsize": int(st.popsize0 * mult), "maxiter": st.maxiter0}
        u_sigma, u_pop = self._rng.uniform(size=2)
        popsize = int(st.popsize0 * mult ** (u_pop**2))
        maxiter = min(st.maxiter0, 0.5 * st.large_evals / popsize)
        return p.sigma0 * 0.01**u_sigma, {"popsize": popsize, "maxiter": maxiter}

    def stop(self) -> str | None:
        if self.budget is not None and self._ledger.next_id >= self.budget:
            return "budget"
        return self._state.stopped

    @property
    def best(self):
        return self._ledger.best

    @property
    def es(self) -> cma.CMAEvolutionStrategy:
        """The current pycma object (read it, do not step it)."""
        return self._state.es

    # --- state -------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        st = self._state
        pycma = {"es": st.es, "noise": st.noise, "noise_pending": st.noise_pending}
        return {
            "pycma": Pickled(pickle.dumps(pycma)),  # carries the sampler's generator too
            "restart": {k: getattr(st, k) for k in _RESTART_FIELDS},
            "legacy_rng": _jsonable_legacy(st.legacy),
            "rng": seeding.generator_state(self._rng),
            "ledger": self._ledger.state_dict(),
        }

    def load_state_dict(self, state: dict) -> None:
        pycma = pickle.loads(state["pycma"].data)
        st = self._state
        st.es, st.noise, st.noise_pending = pycma["es"], pycma["noise"], pycma["noise_pending"]
        self._randn = st.es.opts["randn"]
        self._params.opts["randn"] = self._randn  # later restarts share the restored sampler
        for k in _RESTART_FIELDS:
            setattr(st, k, state["restart"][k])
        st.legacy = _legacy_from_json(state["legacy_rng"])
        seeding.set_generator_state(self._rng, state["rng"])
        self._ledger.load_state_dict(state["ledger"])
        self._asked = None


_RESTART_FIELDS = ("irun", "runs_with_small", "small_evals", "large_evals", "popsize0",
                   "maxiter0", "regime", "stopped", "generation")


def _maxstd_from_bounds(options: dict, span: np.ndarray):
    """``maxstd`` as pycma sets it when given bounds of width ``span``: the user's, else ``span``
    times ``maxstd_boundrange`` (default 1/3). Strings are evaluated and None (pycma's default)
    means unset, as pycma does."""
    maxstd = _evaluated(options, "maxstd", len(span))
    if maxstd is not None:
        return maxstd
    frac = _evaluated(options, "maxstd_boundrange", len(span))
    return span * (1.0 / 3.0 if frac is None else float(frac))


def _evaluated(options: dict, key: str, dim: int):
    """The value of one pycma option as pycma evaluates it (``"1/5"``, ``"None"``, ...)."""
    if key not in options:
        return None
    return cma.CMAOptions({key: options[key]}).eval(key, None, {"N": dim})


def _jsonable_legacy(state: dict) -> dict:
    """numpy's legacy MT19937 state dict as plain JSON data."""
    inner = state["state"]
    return dict(state, state={"key": np.asarray(inner["key"]).tolist(), "pos": int(inner["pos"])})


def _legacy_from_json(state: dict) -> dict:
    inner = state["state"]
    return dict(state, state={"key": np.asarray(inner["key"], dtype=np.uint32),
                              "pos": int(inner["pos"])})


def _check_args(space, budget, sigma0, popsize, restarts, restart_strategy, incpopsize, bounds,
                options):
    """Validate constructor arguments, naming the bad one."""
    if getattr(space, "dim", 0) < 1:
        raise ValueError("space must have at least one dimension")
    checks = [("budget", budget, 1, True), ("popsize", popsize, 2, True),
              ("restarts", restarts, 0, True), ("sigma0", sigma0, 0, False),
              ("incpopsize", incpopsize, 1, False)]
    for name, value, low, integer in checks:
        if value is None and name in ("budget", "popsize"):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer,
                                                             np.floating)):
            raise TypeError(f"{name} must be a number, not {type(value).__name__}")
        if not math.isfinite(value) or value < low or (integer and int(value) != value):
            raise ValueError(f"{name} must be {'an integer ' if integer else ''}>= {low}, "
                             f"got {value!r}")
    if sigma0 == 0:
        raise ValueError("sigma0 must be > 0")
    if restart_strategy not in ("ipop", "bipop"):
        raise ValueError(f"restart_strategy must be 'ipop' or 'bipop', got {restart_strategy!r}")
    if bounds not in ("transform", "penalty"):
        raise ValueError(f"bounds must be 'transform' or 'penalty', got {bounds!r}")
    if options is not None:
        if not isinstance(options, dict):
            raise TypeError(f"options must be a dict, not {type(options).__name__}")
        known = set(cma.CMAOptions())
        bad = [k for k in options if k not in known or k in _MANAGED]
        if bad:
            raise ValueError(f"options: unknown or adapter-managed pycma option(s) {bad}")
        if space.dim == 1 and options.get("maxstd") not in (None, "None"):
            # pycma 4.5 cannot apply a step-size cap in dimension 1 ("dimension needed")
            raise ValueError("options: maxstd is not supported on a 1-D space (pycma 4.5 "
                             "fails on it); leave it out")
