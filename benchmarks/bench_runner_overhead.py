"""Runner overhead: what ``run_campaign`` adds to the time of the strategies it runs.

A trivial objective (the classic sphere) keeps evaluation cost out of the way. Three timings of
each run (strategies x instances, one seed each), taken back to back in one process, the
minimum over repeats, summed over the runs:

- **strategy**: the strategies alone, a bare ``ask`` / evaluate / ``tell`` loop on the unit
  cube vectors (the sphere evaluated in one numpy call per generation);
- **driver**: ``nondiff.minimize`` per run (history, decoding, evaluation records, stop rules);
- **runner**: what ``run_campaign`` does per run: the driver plus problem building, target
  hits, the trace and one SQLite transaction.

It prints the totals, the runner's additions ``(runner - driver)`` relative to the strategies'
own time and to the driver's, in milliseconds per run, the fixed cost of a campaign start
(opening the database, recording versions and machine), and the end-to-end wall time of the
whole campaign in process and through a pool of one worker (spawn start-up included).

    python benchmarks/bench_runner_overhead.py [--dim 5] [--budget 200d] [--instances 1-5]
        [--strategies cmaes,xnes,snes,openai-es,ga] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from nondiff import registry  # noqa: E402
from nondiff.bench import runner, suites  # noqa: E402
from nondiff.bench.store import Store  # noqa: E402
from nondiff.minimize import minimize  # noqa: E402


def strategy_only(spec) -> float:
    """Seconds of a bare ask/tell loop on the problem's unit-cube encoding."""
    problem = suites.build(spec.problem)
    x_opt = problem.space.encode([{"x": suites.classic.x_opt(spec.problem)}])[0]
    t0 = time.perf_counter()
    strat = registry.create(spec.strategy, problem.space, seed=spec.seed, budget=spec.budget)
    used = 0
    while used < spec.budget and strat.stop() is None:
        cands = strat.ask()[: spec.budget - used]
        X = np.stack([c.vector for c in cands])
        # the sphere in the cube's coordinates: as trivial as the benchmarked objective
        strat.tell(cands, 100.0 * np.einsum("ij,ij->i", X - x_opt, X - x_opt))
        used += len(cands)
    return time.perf_counter() - t0


def driver_only(spec) -> float:
    problem = suites.build(spec.problem)
    t0 = time.perf_counter()
    minimize(problem.objective(), problem.space, spec.strategy, budget=spec.budget,
             seed=spec.seed)
    return time.perf_counter() - t0


def runner_path(spec, store) -> float:
    """Seconds of what ``run_campaign`` does per run: ``execute`` and the stored row."""
    t0 = time.perf_counter()
    row, trace = runner.execute(spec)
    row["campaign"] = 0
    store.add_run(row, trace)
    return time.perf_counter() - t0


def campaign(specs, workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = runner.run_campaign(specs, os.path.join(tmp, "r.db"), workers=workers)
        seconds = time.perf_counter() - t0
    assert summary.done == len(specs) and not summary.failed
    return seconds


def per_run(specs, repeats: int) -> dict:
    """Per-run minimum over ``repeats`` of each timing, the three taken back to back so that
    the machine's load drifts as little as possible between them."""
    best = np.full((len(specs), 3), np.inf)
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(repeats):
            with Store(os.path.join(tmp, f"{r}.db")) as store:
                for k, spec in enumerate(specs):
                    t = (strategy_only(spec), driver_only(spec), runner_path(spec, store))
                    best[k] = np.minimum(best[k], t)
        fixed = min(campaign([], 0) for _ in range(repeats))  # Store open + campaign record
    strategy, driver, path = best.sum(axis=0)
    return {"strategy": strategy, "driver": driver, "runner": path, "campaign_fixed": fixed,
            "runner_over_strategy": (path - driver) / strategy,
            "runner_over_driver": (path - driver) / driver,
            "driver_over_strategy": (driver - strategy) / strategy,
            "runner_ms_per_run": 1e3 * (path - driver) / len(specs)}


def end_to_end(specs, repeats: int) -> dict:
    inline = min(campaign(specs, 0) for _ in range(repeats))
    pool1 = min(campaign(specs, 1) for _ in range(repeats))
    return {"campaign_in_process": inline, "campaign_pool1": pool1}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dim", type=int, default=5)
    p.add_argument("--budget", default="200d")
    p.add_argument("--instances", default="1-5")
    p.add_argument("--strategies", default="cmaes,xnes,snes,openai-es,ga")
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    specs, _ = runner.plan("classic", [a.dim], a.instances, a.strategies.split(","),
                           budget=a.budget, functions=["sphere"])
    doc = {"runs": len(specs), "evaluations": sum(s.budget for s in specs), **vars(a)}
    doc.update(per_run(specs, a.repeats))
    doc.update(end_to_end(specs, a.repeats))
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
