"""Shared helpers of the GA benchmarks: timing nondiff's GA and DEAP's equivalent loop.

nondiff's GA is driven through ask/tell exactly as a user would (candidates' params in, values
out), so each timed generation includes building the candidates and evaluating the objective.
DEAP's loop is the textbook one (``varAnd`` over a cloned population, fitness evaluated per
individual, the best individual kept), with the same population, selection, operators and
rates. The two are timed in turns (:func:`alternate`), so that a shared, busy machine slows
both alike and the ratio of medians stays meaningful. DEAP draws from
Python's global ``random`` module, seeded per run; it is imported only when installed
(``pip install deap``; keep it out of nondiff's own environment).

Run every GA benchmark from the repository root with an interpreter that has numpy (and
optionally deap), e.g. ``PYTHONPATH=. /work/venv-ga/bin/python benchmarks/ga_onemax.py``.
"""

from __future__ import annotations

import random
import statistics
import time

import numpy as np

from nondiff.strategy import Batch

__all__ = ["run_ga", "deap_available", "DeapGA", "ga_step", "alternate", "median", "fmt",
           "report", "stack_param"]


def run_ga(ga, evaluate, max_asks: int, until=None) -> dict:
    """Drive ``ga`` for up to ``max_asks`` asks; ``evaluate(candidates) -> values``.

    Stops early when the strategy stops or ``until(best_value)`` is true. Returns the best
    value, asks, evaluations and the wall time of each ask -> evaluate -> tell step.
    """
    times, evals = [], 0
    for _ in range(max_asks):
        if ga.stop() is not None or (until is not None and ga.best and until(ga.best[1])):
            break
        t0 = time.perf_counter()
        cands = ga.ask()
        ga.tell(cands, evaluate(cands))
        times.append(time.perf_counter() - t0)
        evals += len(cands)
    return {"best": ga.best[1], "asks": len(times), "evals": evals, "times": times}


def deap_available() -> bool:
    try:
        import deap  # noqa: F401
    except ImportError:
        return False
    return True


def _deap_toolbox(make_individual, evaluate, mate, mutate, tournsize):
    from deap import base, creator, tools

    if not hasattr(creator, "BenchFitness"):
        creator.create("BenchFitness", base.Fitness, weights=(-1.0,))
        creator.create("BenchIndividual", list, fitness=creator.BenchFitness)
    tb = base.Toolbox()
    tb.register("individual", lambda: creator.BenchIndividual(make_individual()))
    tb.register("evaluate", evaluate)
    tb.register("mate", mate[0], **mate[1])
    tb.register("mutate", mutate[0], **mutate[1])
    tb.register("select", tools.selTournament, tournsize=tournsize)
    return tb


class DeapGA:
    """DEAP's generational GA with one elite, advanced one generation per :meth:`step`.

    ``evaluate(individual) -> (value,)`` is minimized; ``mate``/``mutate`` are
    ``(function, keyword_arguments)`` pairs for ``Toolbox.register``.
    """

    def __init__(self, make_individual, evaluate, mate, mutate, *, popsize, seed, cxpb=0.9,
                 mutpb=1.0, tournsize=3):
        random.seed(seed)
        self.tb = _deap_toolbox(make_individual, evaluate, mate, mutate, tournsize)
        self.popsize, self.cxpb, self.mutpb = popsize, cxpb, mutpb
        self.pop = [self.tb.individual() for _ in range(popsize)]
        for ind in self.pop:
            ind.fitness.values = self.tb.evaluate(ind)

    def step(self) -> tuple[float, float]:
        """One generation (select, clone + vary, evaluate, keep the elite): (wall, CPU) seconds."""
        from deap import algorithms, tools

        t0, c0 = time.perf_counter(), time.process_time()
        elite = tools.selBest(self.pop, 1)
        chosen = self.tb.select(self.pop, self.popsize - 1)
        offspring = algorithms.varAnd(chosen, self.tb, self.cxpb, self.mutpb)
        for ind in offspring:
            if not ind.fitness.valid:
                ind.fitness.values = self.tb.evaluate(ind)
        self.pop = elite + offspring
        return time.perf_counter() - t0, time.process_time() - c0

    @property
    def best(self) -> float:
        return min(ind.fitness.values[0] for ind in self.pop)


def ga_step(ga, evaluate) -> tuple[float, float]:
    """One ask -> evaluate -> tell of a nondiff strategy: (wall, CPU) seconds."""
    t0, c0 = time.perf_counter(), time.process_time()
    cands = ga.ask()
    ga.tell(cands, evaluate(cands))
    return time.perf_counter() - t0, time.process_time() - c0


def alternate(ga, evaluate, deap_ga, generations: int, nd_block: int = 20) -> tuple[list, list]:
    """Per-generation times of nondiff and DEAP, taken in turns so both see the same load.

    Each turn runs ``nd_block`` nondiff generations then one DEAP generation (about the same
    wall time), so a busy shared machine slows both alike, while each library still runs
    several steps in a row with its own data in cache, as it would alone. The first ask of
    ``ga`` (its initial population) is not a generation and is not timed. Both lists hold
    ``(wall, cpu)`` seconds per generation; each gets ``generations`` entries.
    """
    if ga.best is None:
        ga_step(ga, evaluate)
    nd, dp = [], []
    while len(nd) < generations or len(dp) < generations:
        for _ in range(nd_block if len(nd) < generations else 0):
            nd.append(ga_step(ga, evaluate))
        if len(dp) < generations:
            dp.append(deap_ga.step())
    return nd[:generations], dp


def median(xs) -> float:
    return float(statistics.median(xs))


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


def report(nd, dp) -> None:
    """Print medians of wall and CPU time per generation and the DEAP / nondiff ratios.

    CPU time (``time.process_time``) is the steadier figure on a shared machine: it does not
    count the time the process waited for a core.
    """
    for i, clock in enumerate(("wall", "CPU")):
        a, b = median([t[i] for t in nd]), median([t[i] for t in dp])
        print(f"{clock:>4} time per generation: nondiff {fmt(a)}, DEAP {fmt(b)} -> nondiff "
              f"{b / a:.1f}x faster")


def stack_param(cands, name) -> np.ndarray:
    """One parameter of every candidate, stacked: what a user's batch objective receives (the
    driver decodes a generation's vectors in one call, :meth:`Space.decode`)."""
    if isinstance(cands, Batch):
        return cands.space.decode(cands.vectors)[name]
    return np.stack([np.asarray(c.params[name]) for c in cands])
