"""The campaign runner: strategies x problems x dimensions x instances x seeds, resumable.

:func:`plan` expands a campaign into :class:`RunSpec` items, each with a stable ``key``;
:func:`run_campaign` runs those not yet in the database, in parallel, and stores each finished
run with its trace in one transaction (:mod:`nondiff.bench.store`). A campaign killed at any
point and started again skips the stored keys, so it never repeats or loses a finished run, and
because every run is seeded from its key's fields it ends with the same database content as
an unbroken campaign.

Runs execute in worker processes (``spawn``) whose BLAS/OpenMP pools are pinned to one thread
through the environment they start with (numpy reads it once, at import), or on any
``concurrent.futures.Executor`` such as a Dask ``Client.get_executor()``. Workers ignore
Ctrl-C: the parent stops handing out runs, lets the running ones finish and stores them.

Every run is judged by COCO's rules (Hansen et al., *COCO: performance assessment*, Evol.
Comput. 2021 / arXiv:1605.03560): precision ``f_best - f_opt``, 51 targets ``10^2 .. 10^-8``,
and the evaluation count at which each target was first reached (:data:`TARGETS`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import hashlib
import json
import math
import multiprocessing
import os
import re
import signal
import time
from dataclasses import dataclass, field

import numpy as np

from nondiff.bench import baselines, suites
from nondiff.bench.store import Store, thread_settings
from nondiff.bench.suites import ProblemSpec
from nondiff.workers import PINNED_VARIABLES, pinned_threads

__all__ = ["TARGETS", "RunSpec", "plan", "execute", "run_campaign", "parse_budget",
           "parse_ints", "first_hits", "log_trace", "Summary"]

# COCO's 51 targets on the precision: 10^2, 10^1.8, ..., 10^-8 (rounded exponents keep
# 10^-8 exactly 1e-8)
TARGETS = 10.0 ** np.round(np.linspace(2.0, -8.0, 51), 10)
TRACE_PER_DECADE = 10


@dataclass(frozen=True)
class RunSpec:
    """One run: a strategy (or baseline) on a problem with a seed index and a budget."""

    strategy: str
    problem: ProblemSpec
    seed_index: int
    budget: int
    options: str = "{}"  # the strategy options as canonical JSON (hashable)

    @property
    def key(self) -> str:
        text = json.dumps([self.strategy, self.problem.id, self.seed_index, self.budget,
                           self.options])
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    @property
    def seed(self) -> int:
        """The run's seed: the same for every strategy on one problem and seed index."""
        digest = hashlib.sha256(f"{self.problem.id}#{self.seed_index}".encode()).digest()
        return int.from_bytes(digest[:8], "little") >> 1


# --- campaign parameters ------------------------------------------------------------------------
def parse_budget(budget, dim: int) -> int:
    """``"200d"`` -> 200 * dim evaluations; ``"1000"`` or 1000 -> 1000."""
    text = str(budget).strip().lower()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(d?)", text)
    if m is None:
        raise ValueError(f"budget must be like '200d' (times the dimension) or '1000', "
                         f"got {budget!r}")
    value = float(m.group(1)) * (dim if m.group(2) else 1)
    if value < 1:
        raise ValueError(f"budget {budget!r} gives {value:g} evaluations in dimension {dim}")
    return int(math.ceil(value))


def parse_ints(text) -> list[int]:
    """``"1-3,5"`` -> [1, 2, 3, 5]; a list of ints passes through."""
    if not isinstance(text, str):
        return [int(v) for v in text]
    out: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if m is None:
            raise ValueError(f"expected integers and ranges like '1-5,7', got {text!r}")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        out += range(lo, hi + 1)
    if not out:
        raise ValueError(f"no integers in {text!r}")
    return out


def plan(suite: str, dims, instances, strategies, *, budget="200d", seeds=1, functions=None,
         options=None) -> tuple[list[RunSpec], list[str]]:
    """Every run of a campaign, and notes on the combinations left out.

    Parameters
    ----------
    suite : str
        A name in :data:`nondiff.bench.suites.SUITES`.
    dims, instances : sequence of int or str like ``"1-5"``
    strategies : sequence of str
        Registry names or baseline names (:data:`nondiff.bench.baselines.BASELINES`).
    budget : str or int
        ``"200d"`` (times the dimension) or a number of evaluations.
    seeds : int
        Runs per (strategy, problem), seed indices ``0..seeds-1``.
    functions : sequence of str, optional
        Only these functions of the suite.
    options : dict, optional
        Strategy name -> constructor options.
    """
    if not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be an integer >= 1, got {seeds!r}")
    _check_strategies(strategies)
    options = options or {}
    specs, notes = [], []
    problems = suites.problems(suite, parse_ints(dims), parse_ints(instances), functions)
    for name in strategies:
        opts = json.dumps(options.get(name, {}), sort_keys=True)
        for p in problems:
            if name in baselines.BASELINES and not baselines.supports(p):
                notes.append(f"{name} skips {p.id}: baselines need a continuous box")
                continue
            specs += [RunSpec(name, p, s, parse_budget(budget, p.dim), opts)
                      for s in range(seeds)]
    return specs, notes


def _check_strategies(strategies) -> None:
    from nondiff import registry

    known = set(registry.names()) | set(baselines.BASELINES)
    unknown = [s for s in strategies if s not in known]
    if unknown:
        raise ValueError(f"strategies: unknown {', '.join(unknown)}; known: "
                         f"{', '.join(sorted(known))}")
    if not strategies:
        raise ValueError("strategies: give at least one")


# --- one run ------------------------------------------------------------------------------------
def execute(spec: RunSpec, coco_root=None) -> tuple[dict, list]:
    """Run ``spec`` here and return its database row and trace (see :mod:`.store`)."""
    if spec.problem.suite == "bbob":
        kw = {}
        if coco_root is not None:
            kw = {"observer_folder": coco_folder(coco_root, spec), "algorithm": spec.strategy}
        problem = suites.build(spec.problem, **kw)
    else:
        problem = _cached_build(spec.problem)
    t0 = time.perf_counter()
    try:
        values, stop_reason = _values_of(spec, problem)
    finally:
        if problem.close is not None:
            problem.close()
    seconds = time.perf_counter() - t0
    return _row(spec, problem, values, stop_reason, seconds), log_trace(values)


@functools.lru_cache(maxsize=512)
def _cached_build(problem: ProblemSpec):
    """Problems other than bbob's are stateless: a worker builds each once (TSP references and
    feature-selection enumerations are not cheap), whichever strategies then run on it."""
    return suites.build(problem)


def coco_folder(root, spec: RunSpec) -> str:
    """Where COCO logs ``spec``: one folder per strategy (what ``cocopp`` compares), one per run."""
    p = spec.problem
    return os.path.join(str(root), spec.strategy,
                        f"{p.function}_d{p.dim}_i{p.instance}_s{spec.seed_index}")


def _values_of(spec: RunSpec, problem) -> tuple[np.ndarray, str]:
    """Every evaluation's value in order (NaN for failures) and why the run stopped."""
    options = json.loads(spec.options)
    if spec.strategy in baselines.BASELINES:
        return baselines.run(spec.strategy, problem, spec.budget, spec.seed, **options)
    from nondiff.minimize import minimize

    res = minimize(problem.objective(), problem.space, spec.strategy, budget=spec.budget,
                   seed=spec.seed, strategy_options=options)
    return np.array(res.history.values, dtype=float), res.stop_reason


def _row(spec: RunSpec, problem, values, stop_reason, seconds) -> dict:
    best = _best_so_far(values)
    final = float(best[-1]) if best.size else math.inf
    p = spec.problem
    return {"key": spec.key, "suite": p.suite, "function": p.function, "dim": p.dim,
            "instance": p.instance, "strategy": spec.strategy, "seed_index": spec.seed_index,
            "seed": spec.seed, "budget": spec.budget, "options": json.loads(spec.options),
            "fopt": problem.fopt, "exact": int(problem.exact), "nfev": int(values.size),
            "best": final, "precision": final - problem.fopt, "stop_reason": stop_reason,
            "hits": first_hits(best - problem.fopt), "seconds": seconds}


def _best_so_far(values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    v = np.where(np.isnan(v), np.inf, v)  # a failed evaluation never improves the best
    return np.minimum.accumulate(v) if v.size else v


def first_hits(precision, targets=TARGETS) -> list[int | None]:
    """For each target, the 1-based evaluation count at which ``precision <= target`` first.

    ``precision`` is the best-so-far precision after each evaluation (non-increasing).
    """
    precision = np.asarray(precision, dtype=float)
    # non-increasing: the count of evaluations still above the target is the hit index
    above = np.searchsorted(-precision, -np.asarray(targets), side="left")
    return [int(i) + 1 if i < precision.size else None for i in above]


def log_trace(values, per_decade: int = TRACE_PER_DECADE) -> list[tuple[int, float]]:
    """The best-so-far value at log-spaced evaluation counts (and at the last evaluation)."""
    best = _best_so_far(values)
    n = best.size
    if n == 0:
        return []
    exps = np.arange(0, per_decade * math.log10(n) + 1) / per_decade
    evals = np.unique(np.append(np.floor(10.0**exps).astype(np.int64), n))
    evals = evals[evals <= n]
    return [(int(e), float(best[e - 1])) for e in evals]


# --- the campaign -------------------------------------------------------------------------------
@dataclass
class Summary:
    """What :func:`run_campaign` did."""

    total: int
    already: int
    done: int = 0
    failed: list = field(default_factory=list)  # (key, error text)
    interrupted: bool = False
    seconds: float = 0.0
    campaign: int | None = None


def run_campaign(specs, db, *, workers: int = 1, executor=None, coco_root=None,
                 progress=None, options=None) -> Summary:
    """Run every ``spec`` not yet stored in ``db`` and store each finished run.

    Parameters
    ----------
    specs : list of RunSpec
    db : str or Path
        The SQLite database (created if missing).
    workers : int
        Worker processes (``spawn``, BLAS pinned to one thread); 0 runs in this process.
    executor : concurrent.futures.Executor, optional
        Run there instead (e.g. ``distributed.Client(...).get_executor()``).
    coco_root : path, optional
        Log bbob runs through COCO's observer below this folder (see :func:`coco_folder`).
    progress : callable, optional
        Called as ``progress(done, todo, elapsed_seconds)`` after each stored run.
    options : dict, optional
        The campaign's options, recorded in the database.

    Returns
    -------
    Summary
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ValueError(f"workers must be an integer >= 0, got {workers!r}")
    with Store(db) as store:
        done = store.done_keys()
        todo = [s for s in dict.fromkeys(specs) if s.key not in done]
        summary = Summary(total=len(specs), already=len(specs) - len(todo))
        threads = _thread_record(workers, executor)
        summary.campaign = store.start_campaign(options or {}, threads)
        t0 = time.perf_counter()
        if todo:
            with _coco_cleanup(coco_root, todo):
                _drive(todo, store, summary, workers, executor, coco_root, progress, t0)
        summary.seconds = time.perf_counter() - t0
    return summary


def _coco_cleanup(coco_root, todo):
    if coco_root is None or not any(s.problem.suite == "bbob" for s in todo):
        return contextlib.nullcontext()
    from nondiff.bench.suites.bbob import remove_exdata

    return remove_exdata()


def _thread_record(workers, executor) -> dict:
    if executor is not None:
        return {"executor": type(executor).__name__, **thread_settings()}
    if workers == 0:
        return {"in_process": True, **thread_settings()}
    return dict.fromkeys(PINNED_VARIABLES, "1")


def _drive(todo, store, summary, workers, executor, coco_root, progress, t0) -> None:
    if executor is None and workers == 0:
        _run_inline(todo, store, summary, coco_root, progress, t0)
        return
    with pinned_threads():
        pool = executor if executor is not None else _process_pool(workers)
        try:
            _run_parallel(pool, max(workers, 1), todo, store, summary, coco_root, progress, t0)
        finally:
            if executor is None:
                pool.shutdown(wait=True, cancel_futures=True)


def _run_inline(todo, store, summary, coco_root, progress, t0) -> None:
    try:
        for spec in todo:
            _store_one(store, summary, spec, _safe_execute(spec, coco_root), progress, t0,
                       len(todo))
    except KeyboardInterrupt:
        summary.interrupted = True


def _run_parallel(pool, width, todo, store, summary, coco_root, progress, t0) -> None:
    queue = list(reversed(todo))
    running: dict = {}
    try:
        while queue or running:
            # keep every worker busy and one run queued behind each, no more: a Ctrl-C
            # then only has to wait for the runs already started
            while queue and len(running) < 2 * width:
                spec = queue.pop()
                running[pool.submit(_safe_execute, spec, coco_root)] = spec
            finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                _store_one(store, summary, running.pop(fut), _outcome(fut), progress, t0,
                           len(todo))
    except KeyboardInterrupt:
        summary.interrupted = True
        _finish_running(running, store, summary, progress, t0, len(todo))


def _finish_running(running, store, summary, progress, t0, n) -> None:
    """After Ctrl-C: drop the queued runs, store those already running when they end."""
    for fut in list(running):
        if fut.cancel():
            running.pop(fut)
    for fut in cf.as_completed(list(running)):
        _store_one(store, summary, running.pop(fut), _outcome(fut), progress, t0, n)


def _outcome(fut):
    try:
        return fut.result()
    except Exception as exc:  # a worker died or the executor failed: the run is not stored
        return ("error", f"{type(exc).__name__}: {exc}")


def _safe_execute(spec, coco_root):
    """``execute`` in a worker, turning an exception into a picklable error record."""
    try:
        return execute(spec, coco_root)
    except Exception as exc:
        return ("error", f"{type(exc).__name__}: {exc}")


def _store_one(store, summary, spec, outcome, progress, t0, n) -> None:
    if outcome[0] == "error":
        summary.failed.append((spec.key, f"{spec.strategy} on {spec.problem.id}: {outcome[1]}"))
    else:
        row, trace = outcome
        row["campaign"] = summary.campaign
        store.add_run(row, trace)
        summary.done += 1
    if progress is not None:
        progress(summary.done + len(summary.failed), n, time.perf_counter() - t0)


def _process_pool(workers: int) -> cf.ProcessPoolExecutor:
    ctx = multiprocessing.get_context("spawn")
    return cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init)


def _worker_init() -> None:
    # Ctrl-C is the parent's business: it decides which runs finish
    signal.signal(signal.SIGINT, signal.SIG_IGN)
