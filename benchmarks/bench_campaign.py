"""A full bbob campaign, unbroken and killed halfway (SIGKILL) then resumed: same database?

Runs ``nondiff bench`` (via ``python -m``) as a subprocess twice:

1. unbroken, into ``<out>/unbroken.db``;
2. into ``<out>/killed.db``, killed with SIGKILL (the whole process group: parent and workers)
   once half of the runs are stored, then the same command again until it finishes.

It prints and writes ``<out>/campaign.json``: the wall times, the number of runs stored at the
kill, whether the two databases have the same :meth:`Store.fingerprint` (every column but
timings, plus every trace), and whether every campaign start saw the same nondiff source
(run it from a snapshot, ``git archive HEAD``, with ``PYTHONPATH`` pointing there, when others
are editing the tree). Then ``nondiff report <out>/unbroken.db --out <out>/report``.

Usage: ``python benchmarks/bench_campaign.py --out bench-out [--dims 2,5] [--instances 1-3]
[--strategies cmaes,xnes,snes,openai-es,ga] [--budget 200d] [--workers 2] [--suite bbob]``
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

# the nondiff CLI, with bench/report added if cli/main.py does not register them yet
_LAUNCH = """import sys
from cli.main import cli, main
from cli.bench import bench
from cli.report import report
for command in (bench, report):
    cli.commands.setdefault(command.name, command)
sys.exit(main())
"""
CLI = [sys.executable, "-c", _LAUNCH]


def bench_args(a, db, coco):
    return [*CLI, "bench", "--suite", a.suite, "--dims", a.dims, "--instances", a.instances,
            "--strategies", a.strategies, "--budget", a.budget, "--workers", str(a.workers),
            "--db", db, "--coco-dir", coco, "--no-progress"]


def stored(db) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as con:
            return con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def run(cmd) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t0


def run_and_kill(cmd, db, at: int) -> tuple[float, int]:
    """Start ``cmd`` in its own process group and SIGKILL the group once ``at`` runs are in."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, start_new_session=True)
    while proc.poll() is None and stored(db) < at:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return time.perf_counter() - t0, stored(db)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="bench-out")
    p.add_argument("--suite", default="bbob")
    p.add_argument("--dims", default="2,5")
    p.add_argument("--instances", default="1-3")
    p.add_argument("--strategies", default="cmaes,xnes,snes,openai-es,ga")
    p.add_argument("--budget", default="200d")
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    from nondiff.bench.store import Store

    first = os.path.join(a.out, "unbroken.db")
    second = os.path.join(a.out, "killed.db")
    unbroken_s = run(bench_args(a, first, os.path.join(a.out, "coco-unbroken")))
    total = stored(first)
    cmd = bench_args(a, second, os.path.join(a.out, "coco-killed"))
    killed_s, at_kill = run_and_kill(cmd, second, total // 2)
    resumed_s = run(cmd)
    with Store(first) as s1, Store(second) as s2:
        same = s1.fingerprint() == s2.fingerprint()
        n1, n2 = len(s1.runs()), len(s2.runs())
        # a result is only comparable if no source file changed while the campaigns ran
        sources = {c["versions"]["nondiff_source"] for c in s1.campaigns() + s2.campaigns()}
    doc = {"runs": total, "unbroken_seconds": unbroken_s, "killed_after_seconds": killed_s,
           "runs_at_kill": at_kill, "resume_seconds": resumed_s, "runs_unbroken": n1,
           "runs_killed_resumed": n2, "same_fingerprint": same,
           "one_source_version": len(sources) == 1, "args": vars(a)}
    with open(os.path.join(a.out, "campaign.json"), "w") as fh:
        json.dump(doc, fh, indent=2)
    print(json.dumps(doc, indent=2))
    run([*CLI, "report", first, "--out", os.path.join(a.out, "report")])


if __name__ == "__main__":
    main()
