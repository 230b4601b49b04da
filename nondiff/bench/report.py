"""Reports on a results database: targets reached, ERT, ranks, ECDF and convergence plots.

The measures are COCO's (Hansen et al., *COCO: performance assessment*, arXiv:1605.03560):

- the **expected running time** of a target on a problem, ``ERT = sum of evaluations over all
  runs / number of runs that reached it`` (section 3.1 there; evaluations are the first-hit
  count for successful runs and the whole run's count for the others; infinite with no success);
- the **runtime ECDF** of a set of runs: the fraction of (run, target) pairs, over the 51
  targets ``10^2 .. 10^-8``, reached within a given number of evaluations (section 4; without
  COCO's bootstrapped restarts, so it is the plain empirical distribution of the recorded runs);
- the **fraction of targets reached** within the budget, the ECDF at the end of the runs;
- **ranks** per problem (suite, function, dimension): strategies ordered by the fraction of
  targets reached, ties broken by the median final precision, equal pairs sharing a mean rank.

:func:`write_report` writes Markdown tables, CSV files and, with matplotlib (the ``plot``
extra), ECDF and convergence plots as PNG.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections import defaultdict

import numpy as np

from nondiff.bench.runner import TARGETS
from nondiff.bench.store import Store

__all__ = ["ert", "hit_matrix", "ecdf", "fraction_reached", "ranks", "write_report",
           "TABLE_TARGETS"]

TABLE_TARGETS = (1e1, 1e-1, 1e-3, 1e-5, 1e-8)  # the targets the Markdown ERT tables show
PRECISION_FLOOR = 1e-9  # plots show precisions at or below this (solved) at the floor


# --- measures -----------------------------------------------------------------------------------
def hit_matrix(runs) -> np.ndarray:
    """Evaluations to reach each of the 51 targets, one row per run (inf where never)."""
    return np.array([[math.inf if h is None else h for h in r["hits"]] for r in runs],
                    dtype=float).reshape(len(runs), len(TARGETS))


def ert(runs, target_index: int) -> tuple[float, int]:
    """ERT of target ``TARGETS[target_index]`` over ``runs`` of one problem, and the successes."""
    hits = hit_matrix(runs)[:, target_index]
    ok = np.isfinite(hits)
    spent = np.where(ok, hits, [r["nfev"] for r in runs]).sum()
    n_ok = int(ok.sum())
    return (float(spent) / n_ok if n_ok else math.inf), n_ok


def ecdf(runs, evals) -> np.ndarray:
    """Fraction of (run, target) pairs reached within each count in ``evals``."""
    hits = hit_matrix(runs).ravel()
    return np.array([np.mean(hits <= e) for e in np.atleast_1d(evals)])


def fraction_reached(runs) -> float:
    """Fraction of (run, target) pairs reached within the runs' budgets."""
    return float(np.mean(np.isfinite(hit_matrix(runs)))) if runs else math.nan


def _average_ranks(keys: list) -> list[float]:
    """Ranks from 1 (smallest key), equal keys sharing their mean rank."""
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    out = [0.0] * len(keys)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and keys[order[j + 1]] == keys[order[i]]:
            j += 1
        for k in order[i : j + 1]:
            out[k] = (i + j) / 2 + 1
        i = j + 1
    return out


def ranks(by_strategy: dict[str, list]) -> dict[str, float]:
    """Rank the strategies on one problem (``{strategy: runs}``; see the module docstring)."""
    names = sorted(by_strategy)
    keys = [(-fraction_reached(by_strategy[s]),
             float(np.median([r["precision"] for r in by_strategy[s]]))) for s in names]
    return dict(zip(names, _average_ranks(keys)))


# --- grouping -----------------------------------------------------------------------------------
def _natural(text: str) -> tuple:
    """Sort key putting "f2" before "f10"."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _groups(runs):
    """suite -> dim -> function -> strategy -> runs; functions in natural order."""
    tree = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(list))))
    for r in sorted(runs, key=lambda r: (_natural(r["function"]), r["key"])):
        tree[r["suite"]][r["dim"]][r["function"]][r["strategy"]].append(r)
    return tree


def _strategies(funcs) -> list[str]:
    return sorted({s for by in funcs.values() for s in by})


def _fmt_ert(value: float, n_ok: int, n: int) -> str:
    return f"inf ({n_ok}/{n})" if math.isinf(value) else f"{value:.4g} ({n_ok}/{n})"


def _target_index(target: float) -> int:
    return int(np.argmin(np.abs(np.log10(TARGETS) - math.log10(target))))


# --- tables -------------------------------------------------------------------------------------
def summary_rows(suite, dim, funcs) -> list[dict]:
    """One row per strategy: runs, fraction of targets reached, mean rank, median seconds."""
    per_problem = [ranks(by) for by in funcs.values()]
    rows = []
    for s in _strategies(funcs):
        runs = [r for by in funcs.values() for r in by.get(s, [])]
        mean_rank = np.mean([rk[s] for rk in per_problem if s in rk])
        rows.append({"suite": suite, "dim": dim, "strategy": s, "runs": len(runs),
                     "targets_reached": fraction_reached(runs), "mean_rank": float(mean_rank),
                     "median_seconds": float(np.median([r["seconds"] for r in runs]))})
    return rows


def ert_rows(suite, dim, funcs) -> list[dict]:
    """ERT of every target for every (function, strategy)."""
    rows = []
    for f, by in funcs.items():
        for s, runs in sorted(by.items()):
            for i, t in enumerate(TARGETS):
                value, n_ok = ert(runs, i)
                rows.append({"suite": suite, "function": f, "dim": dim, "strategy": s,
                             "target": float(t), "ert": value, "successes": n_ok,
                             "runs": len(runs)})
    return rows


def _md_table(header, rows) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _md_summary(rows) -> list[str]:
    return _md_table(["strategy", "runs", "targets reached", "mean rank", "median s/run"],
                     [[r["strategy"], r["runs"], f"{100 * r['targets_reached']:.1f}%",
                       f"{r['mean_rank']:.2f}", f"{r['median_seconds']:.3g}"] for r in rows])


def _md_ert(funcs, target) -> list[str]:
    strategies, i = _strategies(funcs), _target_index(target)
    body = []
    for f, by in funcs.items():
        cells = [_fmt_ert(*ert(by[s], i), len(by[s])) if s in by else "-" for s in strategies]
        body.append([f, *cells])
    return _md_table(["function", *strategies], body)


def _md_ranks(funcs) -> list[str]:
    strategies = _strategies(funcs)
    body = []
    for f, by in funcs.items():
        rk = ranks(by)
        body.append([f, *(f"{rk[s]:g}" if s in rk else "-" for s in strategies)])
    return _md_table(["function", *strategies], body)


def _md_section(suite, dim, funcs, summary, runs_meta) -> list[str]:
    lines = [f"## {suite}, dimension {dim}", "", runs_meta, "", *_md_summary(summary), ""]
    for t in TABLE_TARGETS:
        lines += [f"ERT (evaluations; successes/runs) to precision {t:g}:", "",
                  *_md_ert(funcs, t), ""]
    return lines + ["Ranks per problem (1 = best):", "", *_md_ranks(funcs), ""]


# --- output -------------------------------------------------------------------------------------
def write_report(db, out, *, plots: bool = True, log=print) -> list[str]:
    """Write ``report.md``, CSV files and (with matplotlib) PNG plots into ``out``.

    Returns the paths written. ``log`` receives one line per notice (e.g. plots skipped).
    """
    with Store(db) as store:
        runs, traces, campaigns = store.runs(), store.traces(), store.campaigns()
    if not runs:
        raise ValueError(f"no runs in {db}: run 'nondiff bench' first")
    os.makedirs(out, exist_ok=True)
    tree = _groups(runs)
    md, summary, erts, written = _md_header(db, runs, campaigns), [], [], []
    for suite in sorted(tree):
        for dim in sorted(tree[suite]):
            funcs = tree[suite][dim]
            rows = summary_rows(suite, dim, funcs)
            summary += rows
            erts += ert_rows(suite, dim, funcs)
            md += _md_section(suite, dim, funcs, rows, _runs_meta(funcs))
    written += _write_csvs(out, summary, erts, _ecdf_rows(tree))
    written.append(_write_text(os.path.join(out, "report.md"), "\n".join(md) + "\n"))
    if plots:
        written += _plots(tree, traces, out, log)
    return written


def _md_header(db, runs, campaigns) -> list[str]:
    last = campaigns[-1] if campaigns else {}
    versions = ", ".join(f"{k} {v}" for k, v in (last.get("versions") or {}).items() if v)
    mach = last.get("machine") or {}
    return ["# Benchmark report", "", f"Database `{db}`: {len(runs)} runs, "
            f"{len(campaigns)} campaign start(s).", "",
            f"Software: {versions}.", f"Machine: {mach.get('processor')}, "
            f"{mach.get('cpu_count')} CPUs, {mach.get('platform')}.",
            f"Threads per worker: {last.get('threads')}.", "",
            "Precision is f - fopt; targets are 10^2 .. 10^-8 (51, as COCO). "
            "ERT = evaluations summed over all runs / successful runs.", ""]


def _runs_meta(funcs) -> str:
    runs = [r for by in funcs.values() for rs in by.values() for r in rs]
    budgets = sorted({r["budget"] for r in runs})
    inst = sorted({r["instance"] for r in runs})
    refs = sorted({r["function"] for r in runs if not r["exact"]})
    text = (f"{len(funcs)} functions, instances {inst}, budgets {budgets} evaluations, "
            f"{len(runs)} runs. Precision is measured from the known optimum")
    if refs:
        text += (f", except for {', '.join(refs)}: from a reference value (a bound or best "
                 "known), which a strategy may beat (negative precision reaches every target)")
    return text + "."


def _ecdf_grid(dim, runs) -> np.ndarray:
    top = max(r["budget"] for r in runs)
    return np.unique(np.round(np.logspace(0, math.log10(top), 60)))


def _ecdf_rows(tree) -> list[dict]:
    rows = []
    for suite, dims in tree.items():
        for dim, funcs in dims.items():
            for s in _strategies(funcs):
                runs = [r for by in funcs.values() for r in by.get(s, [])]
                grid = _ecdf_grid(dim, runs)
                rows += [{"suite": suite, "dim": dim, "strategy": s, "evals": int(e),
                          "evals_per_dim": e / dim, "fraction": float(v)}
                         for e, v in zip(grid, ecdf(runs, grid))]
    return rows


def _write_csvs(out, summary, erts, ecdfs) -> list[str]:
    paths = []
    for name, rows in (("summary", summary), ("ert", erts), ("ecdf", ecdfs)):
        path = os.path.join(out, f"{name}.csv")
        with open(path, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        paths.append(path)
    return paths


def _write_text(path, text) -> str:
    with open(path, "w") as fh:
        fh.write(text)
    return path


def _plots(tree, traces, out, log) -> list[str]:
    try:
        from nondiff.bench import plots
    except ImportError as exc:
        log(f"plots skipped: matplotlib is not installed ({exc}); "
            "pip install 'nondiff[plot]'")
        return []
    return plots.write_all(tree, traces, out)
