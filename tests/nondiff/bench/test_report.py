"""Report measures against hand-computed examples, and the files a report writes."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from nondiff.bench import report, runner
from nondiff.bench.report import ecdf, ert, fraction_reached, ranks
from nondiff.bench.runner import TARGETS


def fake_run(hits_upto: int, at: int, nfev: int = 100, precision: float = 1.0, **kw) -> dict:
    """A run that reached the first ``hits_upto`` targets, all at evaluation ``at``."""
    hits = [at if i < hits_upto else None for i in range(len(TARGETS))]
    return {"hits": hits, "nfev": nfev, "precision": precision, **kw}


def test_ert_hand_example():
    runs = [fake_run(51, 10, nfev=100), fake_run(0, 0, nfev=80), fake_run(51, 30, nfev=120)]
    # target 1e2: successes after 10 and 30 evaluations, one failure that spent 80
    assert ert(runs, 0) == ((10 + 80 + 30) / 2, 2)
    assert ert([fake_run(0, 0, nfev=50)], 0) == (math.inf, 0)


def test_ert_uses_each_runs_own_hit():
    runs = [fake_run(1, 4, nfev=9), {"hits": [2] + [None] * 50, "nfev": 7, "precision": 0}]
    assert ert(runs, 0) == (3.0, 2)
    assert ert(runs, 1) == (math.inf, 0)


def test_ecdf_and_fraction_reached_hand_example():
    runs = [fake_run(51, 5), fake_run(11, 20)]  # all 51 targets at 5; 1e2..1e0 at 20
    assert ecdf(runs, [4, 5, 19, 20, 10**6]).tolist() == [0, 51 / 102, 51 / 102, 62 / 102,
                                                          62 / 102]
    assert fraction_reached(runs) == 62 / 102


def test_ranks_break_ties_by_median_precision_and_share_equal_ranks():
    by = {"a": [fake_run(51, 5, precision=0.0)],
          "b": [fake_run(20, 5, precision=0.5)], "c": [fake_run(20, 9, precision=0.5)],
          "d": [fake_run(20, 5, precision=0.1)]}
    assert ranks(by) == {"a": 1.0, "d": 2.0, "b": 3.5, "c": 3.5}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("rep") / "r.db"
    specs, _ = runner.plan("classic", [2, 3], [1, 2], ["random", "one-plus-one"],
                           budget="20d", functions=["sphere", "ackley"])
    runner.run_campaign(specs, path, workers=0)
    return path


def test_report_writes_tables_csvs_and_plots(db, tmp_path):
    pytest.importorskip("matplotlib")
    paths = report.write_report(db, tmp_path / "out")
    names = sorted(p.rsplit("/", 1)[-1] for p in paths)
    assert {"report.md", "summary.csv", "ert.csv", "ecdf.csv", "ecdf_classic_d2.png",
            "convergence_classic_sphere_d3.png"} <= set(names)
    assert sum(n.endswith(".png") for n in names) == 2 + 4
    md = (tmp_path / "out" / "report.md").read_text()
    assert "## classic, dimension 2" in md and "| one-plus-one |" in md
    lines = (tmp_path / "out" / "ert.csv").read_text().splitlines()
    assert len(lines) == 1 + 2 * 2 * 2 * 51  # header + dims x functions x strategies x targets


def test_summary_matches_the_runs(db, tmp_path):
    from nondiff.bench.store import Store

    with Store(db) as s:
        runs = s.runs(strategy="random", dim=2)
    funcs = report._groups(runs)["classic"][2]
    [row] = report.summary_rows("classic", 2, funcs)
    assert row["runs"] == 4
    assert row["targets_reached"] == np.mean([h is not None for r in runs for h in r["hits"]])


def test_plots_are_skipped_with_a_message_without_matplotlib(db, tmp_path, monkeypatch):
    import nondiff.bench

    # as if matplotlib were missing: importing the plots module fails
    monkeypatch.setitem(sys.modules, "nondiff.bench.plots", None)
    monkeypatch.delattr(nondiff.bench, "plots", raising=False)
    notes = []
    paths = report.write_report(db, tmp_path / "out", log=notes.append)
    assert not any(p.endswith(".png") for p in paths)
    assert "plots skipped" in notes[0] and "nondiff[plot]" in notes[0]


def test_empty_database_is_an_error(tmp_path):
    from nondiff.bench.store import Store

    Store(tmp_path / "e.db").close()
    with pytest.raises(ValueError, match="no runs"):
        report.write_report(tmp_path / "e.db", tmp_path / "out")
