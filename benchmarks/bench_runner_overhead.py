"""Runner overhead: what ``run_campaign`` adds to the time of the strategies it runs.

A trivial objective (the classic sphere) keeps evaluation cost out of the way. Three timings of
the same runs (strategies x instances, one seed each), all in one process on one core:

- **strategy**: the strategies alone, a bare ``ask`` / evaluate / ``tell`` loop on the unit
  cube vectors (the sphere evaluated in one numpy call per generation);
- **driver**: ``nondiff.minimize`` per run (history, decoding, evaluation records, stop rules);
- **runner**: ``run_campaign(workers=0)``: the driver plus problem building, target hits,
  traces and one SQLite transaction per run.

It prints the three totals, the ratios runner/strategy and runner/driver, the runner's own
milliseconds per run, and the same campaign through a process pool of one worker (spawn
start-up included).

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


def campaign(specs, workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = runner.run_campaign(specs, os.path.join(tmp, "r.db"), workers=workers)
        seconds = time.perf_counter() - t0
    assert summary.done == len(specs) and not summary.failed
    return seconds


def measure(specs, repeats: int) -> dict:
    best = {"strategy": np.inf, "driver": np.inf, "runner": np.inf, "runner_pool1": np.inf}
    for _ in range(repeats):  # the minimum over repeats is the least disturbed timing
        best["strategy"] = min(best["strategy"], sum(strategy_only(s) for s in specs))
        best["driver"] = min(best["driver"], sum(driver_only(s) for s in specs))
        best["runner"] = min(best["runner"], campaign(specs, 0))
        best["runner_pool1"] = min(best["runner_pool1"], campaign(specs, 1))
    best["runner_over_strategy"] = best["runner"] / best["strategy"] - 1
    best["runner_over_driver"] = best["runner"] / best["driver"] - 1
    best["pool1_over_strategy"] = best["runner_pool1"] / best["strategy"] - 1
    best["runner_ms_per_run"] = 1e3 * (best["runner"] - best["driver"]) / len(specs)
    return best


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
    doc.update(measure(specs, a.repeats))
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
