"""PNG plots of a results database with matplotlib (the ``plot`` extra; imported only here).

- ``ecdf_<suite>_d<dim>.png``: per strategy, the fraction of (run, target) pairs reached
  against evaluations / dimension on a log axis, COCO's runtime ECDF over the 51 targets;
- ``convergence_<suite>_<function>_d<dim>.png``: per strategy, the median best-so-far precision
  over runs against evaluations (both log), with the 25-75% band.
"""

from __future__ import annotations

import math
import os
import re

import matplotlib

matplotlib.use("Agg")  # files only: never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nondiff.bench.report import PRECISION_FLOOR, _ecdf_grid, _strategies, ecdf  # noqa: E402

__all__ = ["write_all", "ecdf_plot", "convergence_plot"]


def write_all(tree, traces, out) -> list[str]:
    """Every ECDF and convergence plot of ``tree`` (suite -> dim -> function -> strategy)."""
    paths = []
    for suite, dims in sorted(tree.items()):
        for dim, funcs in sorted(dims.items()):
            paths.append(ecdf_plot(suite, dim, funcs, out))
            for f, by in funcs.items():
                paths.append(convergence_plot(suite, dim, f, by, traces, out))
    return paths


def ecdf_plot(suite, dim, funcs, out) -> str:
    """The runtime ECDF of each strategy over all functions of ``suite`` in dimension ``dim``."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for s in _strategies(funcs):
        runs = [r for by in funcs.values() for r in by.get(s, [])]
        grid = _ecdf_grid(dim, runs)
        ax.step(grid / dim, ecdf(runs, grid), where="post", label=s)
    ax.set(xscale="log", ylim=(0, 1), xlabel="evaluations / dimension",
           ylabel="fraction of (run, target) pairs",
           title=f"{suite}, d={dim}: {len(funcs)} functions, 51 targets 1e2..1e-8")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    return _save(fig, os.path.join(out, f"ecdf_{_slug(suite)}_d{dim}.png"))


def _curve(trace, fopt, grid) -> np.ndarray:
    """Best-so-far precision of one run at each count of ``grid`` (last value after its end)."""
    evals = np.array([e for e, _ in trace])
    best = np.array([b for _, b in trace], dtype=float) - fopt
    idx = np.searchsorted(evals, grid, side="right") - 1
    out = np.where(idx >= 0, best[np.clip(idx, 0, None)], np.inf)
    return np.clip(out, PRECISION_FLOOR, None)


def convergence_plot(suite, dim, function, by_strategy, traces, out) -> str:
    """Median and quartiles of the best precision over runs, per strategy."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    top = max(r["budget"] for rs in by_strategy.values() for r in rs)
    grid = np.unique(np.round(np.logspace(0, math.log10(top), 80)))
    for s, runs in sorted(by_strategy.items()):
        curves = np.array([_curve(traces.get(r["key"], []) or [(1, np.inf)], r["fopt"], grid)
                           for r in runs])
        q25, q50, q75 = np.percentile(curves, [25, 50, 75], axis=0)
        (line,) = ax.plot(grid, q50, label=s)
        ax.fill_between(grid, q25, q75, color=line.get_color(), alpha=0.15)
    ax.set(xscale="log", yscale="log", xlabel="evaluations", ylabel="best f - fopt",
           title=f"{suite} {function}, d={dim} (median, 25-75%)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    name = f"convergence_{_slug(suite)}_{_slug(function)}_d{dim}.png"
    return _save(fig, os.path.join(out, name))


def _slug(text) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", str(text))


def _save(fig, path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
