"""Shared helpers for the autodiff benchmarks: one thread, interleaved rounds, medians.

The comparison engines (HIPS autograd, PyTorch CPU, micrograd) are optional imports: install
them in a separate environment (``pip install torch==2.13.0 autograd micrograd``) and run the
scripts with it; an engine that is missing is reported as skipped. Every engine runs inside the
same round before the next round starts (interleaved), so that load from other processes on a
shared machine hits all of them alike; the figure reported is the median over rounds.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy/torch are imported: one thread everywhere

import importlib  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.setrecursionlimit(100_000)  # micrograd's topological sort is recursive


def steady_allocator():
    """Keep freed memory in the heap instead of returning it to the kernel (glibc ``mallopt``).

    Arrays above glibc's mmap threshold are otherwise fetched as fresh zeroed pages and released
    on every call; the page faults then dominate timings of MB-sized temporaries and vary with
    heap history (we saw the same hand-written numpy backward take 2.2x or 5x the forward).
    This affects every engine in the process alike. ``--default-malloc`` skips it.
    """
    if "--default-malloc" in sys.argv:
        print("# default glibc allocator")
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    libc.mallopt(m_mmap_threshold, 1 << 30)
    libc.mallopt(m_trim_threshold, 1 << 30)
    libc.mallopt(m_top_pad, 64 << 20)
    print("# glibc mallopt: mmap/trim thresholds 1 GiB (run with --default-malloc to compare)")


def optional(name):
    """Import ``name`` or return None (the engine is then skipped)."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        print(f"# {name} not installed: skipped")
        return None
    if name == "torch":
        module.set_num_threads(1)
        try:
            module.set_num_interop_threads(1)
        except RuntimeError:  # already set by an earlier call
            pass
    return module


def best_of(fun, repeat):
    """Fastest of ``repeat`` calls, in seconds (the least disturbed by other processes)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fun()
        times.append(time.perf_counter() - start)
    return min(times)


def interleaved(cases, rounds=7, repeat=3):
    """``{name: median over rounds of best_of(case, repeat)}``, cases alternating per round."""
    samples = interleaved_samples(cases, rounds, repeat)
    return {name: statistics.median(ts) for name, ts in samples.items()}


def interleaved_samples(cases, rounds=7, repeat=3):
    """``{name: [best_of(case, repeat) for each round]}``, cases alternating per round."""
    samples = {name: [] for name in cases}
    names = list(cases)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            samples[name].append(best_of(cases[name], repeat))
    return samples


def table(title, rows, header):
    """Print a small aligned table."""
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for row in [header, *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)))
