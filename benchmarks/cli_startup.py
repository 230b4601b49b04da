"""Wall time of ``nondiff --help`` (median of 10 runs) against a bare ``python -c pass``.

The CLI must start in under 0.5 s, so heavy imports (numpy, scipy, cma, dask, strategies) are
deferred to the command functions. Run with the interpreter of the environment nondiff is
installed in::

    python benchmarks/cli_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

LIMIT_SECONDS = 0.5


def wall_times(argv: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` sequential runs of ``argv`` (stdout discarded)."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times


def nondiff_script() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m``-style call."""
    script = os.path.join(os.path.dirname(sys.executable), "nondiff")
    if os.path.exists(script):
        return [script]
    found = shutil.which("nondiff")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from cli.main import main; sys.exit(main())"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    baseline = statistics.median(wall_times([sys.executable, "-c", "pass"], runs))
    cmd = nondiff_script() + ["--help"]
    median = statistics.median(wall_times(cmd, runs))
    print(f"python -c pass : {baseline * 1000:7.1f} ms (median of {runs})")
    print(f"nondiff --help : {median * 1000:7.1f} ms (median of {runs}; limit "
          f"{LIMIT_SECONDS * 1000:.0f} ms) {'OK' if median < LIMIT_SECONDS else 'TOO SLOW'}")
    return 0 if median < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
