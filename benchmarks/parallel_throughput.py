"""Parallel throughput: serial vs a process pool (workers=2) vs a Dask LocalCluster.

The objective burns a fixed amount of CPU (a pure-Python loop calibrated to about 50 ms on this
machine before the runs), so a contended machine shows up as lower throughput rather than being
hidden by a wall-clock sleep. Each configuration evaluates 200 candidates in batches of 20
through :class:`nondiff.evaluate.Evaluator`, the three configurations taking turns batch by
batch; throughput is evaluations per second of ``evaluate`` time, with worker/cluster start-up
reported separately (it is paid once per run).
Targets (issue 2): workers=2 at least 1.8x serial, Dask (2 worker processes, one thread each)
at least 1.6x. A stdlib ``ProcessPoolExecutor(2)`` row is a control: on a machine shared with
other jobs it shows how much parallelism the load leaves to any two processes at that moment.

    python benchmarks/parallel_throughput.py [--evals 200] [--ms 50] [--repeats 1]
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import nondiff as nd
from nondiff.evaluate import Evaluator
from nondiff.strategy import candidates_from_vectors

SPACE = nd.Space(x=nd.Real(-1.0, 1.0), y=nd.Real(-1.0, 1.0))
BATCH = 20


def burn(x, y, *, iters):
    """``iters`` iterations of integer arithmetic (no sleeping, no I/O), then a sphere value."""
    acc = 0
    for i in range(iters):
        acc = (acc + i * i) % 1_000_003
    return x * x + y * y + acc * 0.0


def calibrate(ms: float) -> int:
    """Loop iterations that take ``ms`` milliseconds here (best of three)."""
    n = 200_000
    t = min(_timed(burn, 0.0, 0.0, iters=n) for _ in range(3))
    return max(1, int(n * ms / 1000 / t))


def _timed(fn, *args, **kw) -> float:
    t = time.perf_counter()
    fn(*args, **kw)
    return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evals", type=int, default=200)
    p.add_argument("--ms", type=float, default=50.0)
    p.add_argument("--repeats", type=int, default=1)
    args = p.parse_args()
    iters = calibrate(args.ms)
    objective = nd.Objective(functools.partial(burn, iters=iters), SPACE, name="burn")
    print(f"objective: {iters} loop iterations ~ {args.ms:g} ms; {args.evals} evaluations, "
          f"batches of {BATCH}; {os.cpu_count()} CPUs")
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        startup = {"dask 2 procs": time.perf_counter() - t0}
        stdlib = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
        configs = {"serial": {}, "workers=2": {"workers": 2}, "dask 2 procs": {"executor": client},
                   # a control: what the machine's load leaves to any two processes right now
                   "stdlib pool 2": {"executor": stdlib}}
        evaluators = {}
        for name, kw in configs.items():
            t = time.perf_counter()
            evaluators[name] = Evaluator(objective, SPACE, **kw)
            startup[name] = startup.get(name, 0.0) + time.perf_counter() - t
        try:
            for rep in range(args.repeats):
                report(interleaved(evaluators, args.evals), startup, args.evals, rep)
        finally:
            for ev in evaluators.values():
                ev.close()
            stdlib.shutdown()


def interleaved(evaluators: dict, evals: int) -> dict:
    """``name -> (seconds, ok count)``, the configurations taking turns batch by batch.

    Taking turns means a burst of load from other processes on the machine slows every
    configuration alike, not just whichever happened to be running.
    """
    X = np.random.default_rng(0).random((evals, SPACE.dim))
    seconds = dict.fromkeys(evaluators, 0.0)
    ok = dict.fromkeys(evaluators, 0)
    for start in range(0, evals, BATCH):
        cs = candidates_from_vectors(SPACE, X[start:start + BATCH], start)
        for name, ev in evaluators.items():
            t = time.perf_counter()
            out = ev.evaluate(cs)
            seconds[name] += time.perf_counter() - t
            ok[name] += int((out.status == 0).sum())
    return {name: (seconds[name], ok[name]) for name in evaluators}


def report(results: dict, startup: dict, evals: int, rep: int) -> None:
    base = evals / results["serial"][0]
    targets = {"workers=2": 1.8, "dask 2 procs": 1.6}
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"--- run {rep + 1} (load average after it: {load}; other processes on the machine "
          "compete for the same cores)")
    for name, (seconds, ok) in results.items():
        rate = evals / seconds
        target = targets.get(name)
        verdict = "" if target is None else \
            f" (target {target}x: {'met' if rate / base >= target else 'MISSED'})"
        print(f"{name:>13}: {rate:6.2f} evals/s = {rate / base:4.2f}x serial{verdict}; "
              f"start-up {startup[name]:.2f} s; ok {ok}/{evals}")


if __name__ == "__main__":
    main()
