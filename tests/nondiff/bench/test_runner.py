"""The runner: campaign plans, exact target hits, traces, resuming, parallel = sequential."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nondiff.bench import runner
from nondiff.bench.runner import TARGETS, first_hits, log_trace, parse_budget, parse_ints, plan
from nondiff.bench.store import Store


def test_targets_are_cocos_51_from_1e2_to_1e_8():
    assert len(TARGETS) == 51 and TARGETS[0] == 100.0 and TARGETS[-1] == 1e-8
    assert np.allclose(np.diff(np.log10(TARGETS)), -0.2)


@pytest.mark.parametrize("text,dim,expected", [("200d", 5, 1000), ("1000", 3, 1000),
                                                (300, 2, 300), ("2.5d", 3, 8)])
def test_parse_budget(text, dim, expected):
    assert parse_budget(text, dim) == expected


@pytest.mark.parametrize("bad", ["d200", "-5", "0d", "lots"])
def test_bad_budget_is_named(bad):
    with pytest.raises(ValueError, match="budget"):
        parse_budget(bad, 2)


def test_parse_ints():
    assert parse_ints("1-3,5") == [1, 2, 3, 5]
    assert parse_ints([2, 4]) == [2, 4]
    with pytest.raises(ValueError, match="1-5,7"):
        parse_ints("1..3")


def test_first_hits_hand_example():
    precision = np.minimum.accumulate([150.0, 50.0, 5.0, 0.5, 0.7, 1e-9])
    hits = first_hits(precision)
    assert hits[0] == 2  # 1e2 first reached by the 2nd evaluation (50)
    assert hits[5] == 3  # 1e1 by the 3rd (5)
    assert hits[10] == 4  # 1e0 by the 4th (0.5)
    assert hits[11] == 4  # 10^-0.2 = 0.63 also by the 4th
    assert hits[12] == 6  # 10^-0.4 = 0.40 only by the 6th
    assert hits[50] == 6


def test_first_hits_matches_a_loop():
    rng = np.random.default_rng(3)
    for _ in range(20):
        precision = np.minimum.accumulate(10.0 ** rng.uniform(-10, 3, 40))
        loop = [next((i + 1 for i, p in enumerate(precision) if p <= t), None)
                for t in TARGETS]
        assert first_hits(precision) == loop


def test_log_trace_is_best_so_far_at_log_spaced_counts():
    values = np.array([5.0, np.nan, 3.0] + [4.0] * 97 + [1.0])
    trace = dict(log_trace(values, per_decade=2))
    assert list(trace) == [1, 3, 10, 31, 100, 101]
    assert trace[1] == 5.0 and trace[3] == 3.0 and trace[100] == 3.0 and trace[101] == 1.0
    assert log_trace([]) == []


def test_plan_expands_the_product_with_stable_keys():
    specs, notes = plan("classic", "2,5", "1-2", ["random", "cmaes"], budget="10d", seeds=3,
                        functions=["sphere"])
    assert len(specs) == 2 * 2 * 2 * 3 and not notes
    assert len({s.key for s in specs}) == len(specs)
    again, _ = plan("classic", [2, 5], [1, 2], ["random", "cmaes"], budget="10d", seeds=3,
                    functions=["sphere"])
    assert [s.key for s in again] == [s.key for s in specs]
    assert {s.budget for s in specs} == {20, 50}
    by = {(s.strategy, s.problem, s.seed_index): s.seed for s in specs}
    # common random numbers: every strategy gets the same seed on a problem and seed index
    assert all(by[("random", p, i)] == seed for (_, p, i), seed in by.items())
    assert len(set(by.values())) == 2 * 2 * 3


def test_plan_skips_baselines_where_there_is_no_box_and_names_bad_input():
    specs, notes = plan("discrete", [6], [1], ["scipy-de", "random"], functions=["onemax"])
    assert [s.strategy for s in specs] == ["random"] and "scipy-de skips" in notes[0]
    with pytest.raises(ValueError, match="unknown nope"):
        plan("classic", [2], [1], ["nope"])
    with pytest.raises(ValueError, match="seeds"):
        plan("classic", [2], [1], ["random"], seeds=0)


def test_execute_row_agrees_with_its_trace():
    [spec], _ = plan("classic", [3], [1], ["one-plus-one"], budget="30d",
                     functions=["sphere"])
    row, trace = runner.execute(spec)
    assert row["nfev"] == trace[-1][0] <= 90 and row["best"] == trace[-1][1]
    assert row["precision"] == row["best"] - row["fopt"]
    assert [b for _, b in trace] == sorted((b for _, b in trace), reverse=True)
    reached = [h is not None for h in row["hits"]]
    assert reached == [row["precision"] <= t for t in TARGETS]


def small_plan():
    specs, _ = plan("classic", [2], [1, 2], ["random", "one-plus-one", "scipy-nm"],
                    budget="15d", functions=["sphere", "rastrigin"])
    return specs


def test_resumed_campaign_equals_unbroken_one(tmp_path):
    specs = small_plan()
    one = runner.run_campaign(specs, tmp_path / "one.db", workers=0)
    assert one.done == len(specs) == 12 and not one.failed
    part = runner.run_campaign(specs[:5], tmp_path / "two.db", workers=0)
    rest = runner.run_campaign(specs, tmp_path / "two.db", workers=0)
    assert (part.done, rest.already, rest.done) == (5, 5, 7)
    with Store(tmp_path / "one.db") as a, Store(tmp_path / "two.db") as b:
        assert a.fingerprint() == b.fingerprint()
        assert len(b.campaigns()) == 2


def test_process_pool_gives_the_sequential_result_and_pins_threads(tmp_path):
    specs = small_plan()
    runner.run_campaign(specs, tmp_path / "seq.db", workers=0)
    summary = runner.run_campaign(specs, tmp_path / "par.db", workers=2)
    assert summary.done == len(specs)
    with Store(tmp_path / "seq.db") as a, Store(tmp_path / "par.db") as b:
        assert a.fingerprint() == b.fingerprint()
        assert b.campaigns()[0]["threads"]["OPENBLAS_NUM_THREADS"] == "1"


class _InterruptAfter:
    """A progress callback that raises KeyboardInterrupt (as Ctrl-C would) at its n-th call."""

    def __init__(self, n):
        self.n, self.calls = n, 0

    def __call__(self, done, total, elapsed):
        self.calls += 1
        if self.calls == self.n:
            raise KeyboardInterrupt


@pytest.mark.parametrize("workers", [0, 2])
def test_ctrl_c_stops_cleanly_and_a_rerun_completes(tmp_path, workers):
    specs = small_plan()
    first = runner.run_campaign(specs, tmp_path / "r.db", workers=workers,
                                progress=_InterruptAfter(2))
    assert first.interrupted and 2 <= first.done < len(specs)
    second = runner.run_campaign(specs, tmp_path / "r.db", workers=workers)
    assert second.already == first.done and second.done == len(specs) - first.done
    runner.run_campaign(specs, tmp_path / "ref.db", workers=0)
    with Store(tmp_path / "r.db") as a, Store(tmp_path / "ref.db") as b:
        assert a.fingerprint() == b.fingerprint()


def test_a_failing_run_is_reported_and_not_stored(tmp_path):
    specs, _ = plan("discrete", [4, 6], [1], ["random"], budget="5d", functions=["tsp"])
    summary = runner.run_campaign(specs, tmp_path / "r.db", workers=0)
    assert summary.done == 1 and len(summary.failed) == 1  # dim 6 runs, dim 4 fails
    assert "tsp needs dim >= 5" in summary.failed[0][1]
    again = runner.run_campaign(specs, tmp_path / "r.db", workers=0)
    assert (again.already, again.done, len(again.failed)) == (1, 0, 1)


def test_bbob_runs_are_logged_for_cocopp(tmp_path, monkeypatch):
    pytest.importorskip("cocoex", reason="the bbob suite needs coco-experiment")
    monkeypatch.chdir(tmp_path)
    specs, _ = plan("bbob", [2], [1], ["random"], budget="10d", functions=["f1", "f8"])
    summary = runner.run_campaign(specs, tmp_path / "r.db", workers=0,
                                  coco_root=tmp_path / "coco")
    assert summary.done == 2
    infos = sorted(p.name for p in (tmp_path / "coco" / "random").rglob("*.info"))
    assert infos == ["bbobexp_f1.info", "bbobexp_f8.info"]
    assert not (tmp_path / "exdata").exists()  # cocoex's working folder, removed at the end
    with Store(tmp_path / "r.db") as s:
        assert all(math.isfinite(r["fopt"]) and r["nfev"] == 20 for r in s.runs())


def test_any_executor_gives_the_sequential_result(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    specs = small_plan()
    runner.run_campaign(specs, tmp_path / "seq.db", workers=0)
    with ThreadPoolExecutor(2) as pool:
        summary = runner.run_campaign(specs, tmp_path / "ex.db", executor=pool, workers=2)
    assert summary.done == len(specs)
    with Store(tmp_path / "seq.db") as a, Store(tmp_path / "ex.db") as b:
        assert a.fingerprint() == b.fingerprint()
        assert b.campaigns()[0]["threads"]["executor"] == "ThreadPoolExecutor"


@pytest.mark.slow
def test_dask_executor_gives_the_sequential_result(tmp_path):
    distributed = pytest.importorskip("distributed")
    specs = small_plan()
    runner.run_campaign(specs, tmp_path / "seq.db", workers=0)
    with distributed.Client(n_workers=2, threads_per_worker=1, processes=True,
                            dashboard_address=None) as client:
        summary = runner.run_campaign(specs, tmp_path / "dask.db",
                                      executor=client.get_executor(), workers=2)
    assert summary.done == len(specs)
    with Store(tmp_path / "seq.db") as a, Store(tmp_path / "dask.db") as b:
        assert a.fingerprint() == b.fingerprint()


def test_pool_workers_start_with_one_blas_thread(monkeypatch):
    import os

    from nondiff.bench.store import thread_settings

    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "8")
    with runner.pinned_threads():
        pool = runner._process_pool(1)
        try:
            seen = pool.submit(thread_settings).result(timeout=120)  # read in the worker
        finally:
            pool.shutdown()
    assert set(seen.values()) == {"1"} and os.environ["OPENBLAS_NUM_THREADS"] == "8"
