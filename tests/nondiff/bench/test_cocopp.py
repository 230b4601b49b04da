"""ERT and ECDF against cocopp on the same bbob runs (skipped where cocopp is not installed).

cocopp is not a dependency of nondiff; run with a Python that has it, e.g.
``PYTHONPATH=. /work/venv-bench/bin/python -m pytest tests/nondiff/bench/test_cocopp.py``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from nondiff.bench import report, runner
from nondiff.bench.runner import TARGETS
from nondiff.bench.store import Store

pytest.importorskip("cocoex", reason="needs coco-experiment")
cocopp = pytest.importorskip("cocopp", reason="needs cocopp (not a nondiff dependency)")


def test_ert_and_ecdf_equal_cocopp_on_logged_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    specs, _ = runner.plan("bbob", [2], [1, 2, 3], ["one-plus-one"], budget="100d",
                           functions=["f1", "f2", "f15"])
    runner.run_campaign(specs, tmp_path / "r.db", workers=0, coco_root=tmp_path / "coco")
    with Store(tmp_path / "r.db") as s:
        funcs = report._groups(s.runs())["bbob"][2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logged = {ds.funcId: ds for ds in cocopp.load(str(tmp_path / "coco" / "one-plus-one"))}
    for f, by in funcs.items():
        runs, ds = by["one-plus-one"], logged[int(f[1:])]
        ours = [report.ert(runs, i)[0] for i in range(len(TARGETS))]
        np.testing.assert_allclose(ours, ds.detERT(list(TARGETS)), rtol=1e-9)
        evals = np.vstack(ds.detEvals(list(TARGETS)))
        hits = np.where(np.isnan(evals), np.inf, evals).ravel()
        grid = np.arange(1, 201)
        np.testing.assert_allclose(report.ecdf(runs, grid), [np.mean(hits <= e) for e in grid],
                                   atol=1e-12)
