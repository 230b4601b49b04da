"""Shared helpers of the GA benchmarks: timing nondiff's GA and DEAP's equivalent loop.

nondiff's GA is driven through ask/tell exactly as a user would (candidates' params in, values
out), so each timed generation includes building the candidates and evaluating the objective.
DEAP's loop is the textbook one (``varAnd`` over a cloned population, fitness evaluated per
individual, the best individual kept), with the same population, selection, operators and
rates. DEAP draws from Python's global ``random`` module, seeded per run; it is imported only
when installed (``pip install deap``; keep it out of nondiff's own environment).

Run every GA benchmark from the repository root with an interpreter that has numpy (and
optionally deap), e.g. ``PYTHONPATH=. /work/venv-ga/bin/python benchmarks/ga_onemax.py``.
"""

from __future__ import annotations

import random
import statistics
import time

import numpy as np

__all__ = ["run_ga", "deap_available", "deap_run", "median", "fmt"]


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


def deap_run(make_individual, evaluate, mate, mutate, *, popsize, generations, seed,
             cxpb=0.9, mutpb=1.0, tournsize=3) -> dict:
    """DEAP's generational GA with one elite; returns the best value and per-generation times.

    ``evaluate(individual) -> (value,)`` is minimized; ``mate``/``mutate`` are
    ``(function, keyword_arguments)`` pairs for ``Toolbox.register``.
    """
    from deap import algorithms, tools

    random.seed(seed)
    tb = _deap_toolbox(make_individual, evaluate, mate, mutate, tournsize)
    pop = [tb.individual() for _ in range(popsize)]
    for ind in pop:
        ind.fitness.values = tb.evaluate(ind)
    times = []
    for _ in range(generations):
        t0 = time.perf_counter()
        elite = tools.selBest(pop, 1)
        offspring = algorithms.varAnd(tb.select(pop, popsize - 1), tb, cxpb, mutpb)
        for ind in offspring:
            if not ind.fitness.valid:
                ind.fitness.values = tb.evaluate(ind)
        pop = elite + offspring
        times.append(time.perf_counter() - t0)
    return {"best": min(ind.fitness.values[0] for ind in pop), "times": times}


def median(xs) -> float:
    return float(statistics.median(xs))


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


def stack_param(cands, name) -> np.ndarray:
    """One parameter of every candidate, stacked (what a user's batch objective would see)."""
    return np.stack([np.asarray(c.params[name]) for c in cands])
