"""Throughput under ``max_time`` with a process pool: a deadline in the pool vs chunks.

Under a time limit the driver used to send a generation to the pool ``workers`` candidates at a
time, checking the clock between chunks; each chunk waits for its slowest evaluation, so with
uneven evaluation times the workers idle. Now the whole generation goes to the pool at once with
a deadline the pool enforces (``Evaluator.evaluate(candidates, deadline=...)``). This script
runs both schedules on the same :class:`~nondiff.evaluate.Evaluator` (the old one rebuilt here
by calling ``evaluate`` chunk by chunk, as the driver did), taking turns, with random search
asking generations of ``--popsize`` candidates, until ``--max-time`` seconds have passed.

The objective sleeps 50-300 ms (uniform in ``x``, so uneven within every chunk) rather than
burning CPU, so that the two worker processes do not compete with this parent process on a
2-core machine. Reported per schedule: evaluations completed before the limit and the idle
fraction of the workers, 1 - (seconds spent evaluating, including evaluations cut at the limit)
/ (workers x wall seconds). A last row runs ``nondiff.minimize(..., max_time=...)`` itself, whose
time also counts the pool's start-up.

    python benchmarks/max_time_throughput.py [--max-time 3] [--popsize 20] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import nondiff as nd
from nondiff import registry
from nondiff.evaluate import Evaluator
from nondiff.outcome import Status

SPACE = nd.Space(x=nd.Real(0.0, 1.0), y=nd.Real(-1.0, 1.0))
WORKERS = 2


def uneven(x, y):
    """Sleeps 50 ms (x=0) to 300 ms (x=1); a sphere value."""
    time.sleep(0.05 + 0.25 * x)
    return x * x + y * y


def deadline_schedule(evaluator, candidates, deadline):
    """The new schedule: the whole generation at once, the pool stops at the deadline."""
    return [evaluator.evaluate(candidates, deadline=deadline)]


def chunked_schedule(evaluator, candidates, deadline):
    """The old schedule: ``WORKERS`` candidates at a time, the clock checked between chunks."""
    parts = []
    for start in range(0, len(candidates), WORKERS):
        if parts and time.monotonic() >= deadline:
            break
        parts.append(evaluator.evaluate(candidates[start:start + WORKERS]))
    return parts


def run_schedule(schedule, evaluator, max_time, popsize, seed):
    """Generations of random search until ``max_time``: (completed, busy seconds, wall)."""
    strategy = registry.create("random", SPACE, seed=seed, batch_size=popsize)
    t0 = time.monotonic()
    deadline = t0 + max_time
    completed, busy = 0, 0.0
    while time.monotonic() < deadline:
        candidates = strategy.ask()
        parts = schedule(evaluator, candidates, deadline)
        status = np.concatenate([p.status for p in parts])
        busy += sum(float(p.seconds.sum()) for p in parts)
        completed += int((status == Status.OK).sum())
        if len(status) == len(candidates) and (status == Status.OK).all():
            values = np.concatenate([p.values for p in parts])
            strategy.tell(candidates, values)
    return completed, busy, time.monotonic() - t0


def run_minimize(max_time, popsize, seed):
    res = nd.minimize(uneven, SPACE, "random", budget=10**6, seed=seed, workers=WORKERS,
                      max_time=max_time, strategy_options={"batch_size": popsize})
    return res.nfev, float(res.history.seconds.sum()), res.elapsed


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--max-time", type=float, default=3.0)
    p.add_argument("--popsize", type=int, default=20)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    rows = {"deadline (new)": [], "chunks of 2 (old)": [], "minimize (new)": []}
    with Evaluator(uneven, SPACE, workers=WORKERS) as ev:
        for r in range(args.repeats):
            order = [("deadline (new)", deadline_schedule), ("chunks of 2 (old)",
                                                             chunked_schedule)]
            for name, schedule in order if r % 2 == 0 else order[::-1]:
                rows[name].append(run_schedule(schedule, ev, args.max_time, args.popsize, r))
    for r in range(args.repeats):
        rows["minimize (new)"].append(run_minimize(args.max_time, args.popsize, r))
    print(f"objective: sleeps 50-300 ms; workers={WORKERS}, max_time={args.max_time:g} s, "
          f"random search popsize {args.popsize}, {args.repeats} repeats (medians)")
    print(f"{'schedule':<20}{'completed':>10}{'evals/s':>9}{'idle':>8}{'wall s':>8}")
    for name, runs in rows.items():
        completed = statistics.median(c for c, _, _ in runs)
        wall = statistics.median(w for _, _, w in runs)
        idle = statistics.median(1 - b / (WORKERS * w) for _, b, w in runs)
        print(f"{name:<20}{completed:>10.0f}{completed / wall:>9.2f}{idle:>8.1%}{wall:>8.2f}")


if __name__ == "__main__":
    main()
