"""Check nondiff's ERT and ECDF against cocopp on the same bbob runs (the COCO logs).

``nondiff bench --suite bbob --coco-dir DIR`` logs every bbob run through COCO's observer in
``DIR/<strategy>/``. This script loads those folders with ``cocopp`` and compares, for every
(strategy, function, dimension) and each of the 51 targets:

- nondiff's ERT (:func:`nondiff.bench.report.ert` on the database) with ``DataSet.detERT``;
- nondiff's runtime ECDF (:func:`nondiff.bench.report.ecdf`) with the same ECDF built from
  ``DataSet.detEvals`` (the per-run first-hit evaluations cocopp reads from the logs), at every
  evaluation count up to the budget;
- the runs' evaluation counts with ``DataSet.maxevals``, which COCO cuts at the evaluation that
  reached the final target 1e-8 (later evaluations cannot change any measure).

cocopp is not a nondiff dependency: run this with a Python that has cocopp, numpy and
nondiff's source on the path, e.g.
``PYTHONPATH=. /work/venv-bench/bin/python benchmarks/bench_check_cocopp.py DB DIR``.
Prints the largest differences and exits 1 if any exceeds 1e-9 (relative for ERT).
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings

import numpy as np

from nondiff.bench.report import _groups, ecdf, ert
from nondiff.bench.runner import TARGETS
from nondiff.bench.store import Store

TOL = 1e-9


def load_cocopp(folder):
    import cocopp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {(ds.funcId, ds.dim): ds for ds in cocopp.load(folder)}


def rel(a: float, b: float) -> float:
    if math.isinf(a) or math.isinf(b) or math.isnan(b):
        return 0.0 if (math.isinf(a) and (math.isinf(b) or math.isnan(b))) else math.inf
    return abs(a - b) / max(abs(b), 1.0)


def _cut(run) -> int:
    """The run's evaluations as COCO counts them: up to the final target if reached."""
    return run["hits"][-1] if run["hits"][-1] is not None else run["nfev"]


def compare(ds, runs) -> dict:
    """The largest ERT, ECDF and evaluation-count differences for one problem."""
    ours = np.array([ert(runs, i)[0] for i in range(len(TARGETS))])
    theirs = np.array(ds.detERT(list(TARGETS)), dtype=float)
    evals = np.vstack(ds.detEvals(list(TARGETS)))  # targets x runs, NaN where not reached
    budget = max(r["budget"] for r in runs)
    grid = np.arange(1, budget + 1)
    hits = np.where(np.isnan(evals), np.inf, evals).ravel()
    theirs_ecdf = np.array([np.mean(hits <= e) for e in grid])
    return {"ert": max(rel(a, b) for a, b in zip(ours, theirs)),
            "ecdf": float(np.max(np.abs(ecdf(runs, grid) - theirs_ecdf))),
            "nfev": sorted(_cut(r) for r in runs) != sorted(int(m) for m in ds.maxevals),
            "runs": len(runs)}


def main(db, coco_root) -> int:
    with Store(db) as store:
        tree = _groups(store.runs(suite="bbob"))["bbob"]
    worst = {"ert": 0.0, "ecdf": 0.0, "nfev_mismatches": 0, "problems": 0, "runs": 0}
    for strategy in sorted(os.listdir(coco_root)):
        logged = load_cocopp(os.path.join(coco_root, strategy))
        for dim, funcs in tree.items():
            for f, by in funcs.items():
                if strategy not in by:
                    continue
                d = compare(logged[(int(f[1:]), dim)], by[strategy])
                worst["ert"] = max(worst["ert"], d["ert"])
                worst["ecdf"] = max(worst["ecdf"], d["ecdf"])
                worst["nfev_mismatches"] += int(d["nfev"])
                worst["problems"] += 1
                worst["runs"] += d["runs"]
    worst["ok"] = worst["ert"] <= TOL and worst["ecdf"] <= TOL and not worst["nfev_mismatches"]
    print(json.dumps(worst, indent=2))
    return 0 if worst["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
