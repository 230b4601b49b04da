"""The SQLite store: atomic run + trace, no duplicates, fingerprints, concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from nondiff.bench.store import Store


def row(key, best=1.0, seconds=0.5, **extra):
    return {"key": key, "suite": "classic", "function": "sphere", "dim": 2, "instance": 1,
            "strategy": "random", "seed_index": 0, "seed": 7, "budget": 10, "options": {},
            "fopt": 0.0, "exact": 1, "nfev": 10, "best": best, "precision": best,
            "stop_reason": "budget", "hits": [1, None], "seconds": seconds, **extra}


def test_run_and_trace_round_trip(tmp_path):
    with Store(tmp_path / "r.db") as s:
        assert s.add_run(row("a"), [(1, 3.0), (10, 1.0)])
        [got] = s.runs()
        assert got["hits"] == [1, None] and got["options"] == {} and got["best"] == 1.0
        assert s.traces() == {"a": [(1, 3.0), (10, 1.0)]}
        assert s.done_keys() == {"a"}
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_stored_key_is_never_written_twice(tmp_path):
    with Store(tmp_path / "r.db") as s:
        assert s.add_run(row("a", best=1.0), [(1, 1.0)])
        assert not s.add_run(row("a", best=0.0), [(1, 0.0), (2, 0.0)])
        assert [r["best"] for r in s.runs()] == [1.0]
        assert s.traces() == {"a": [(1, 1.0)]}


def test_a_failed_trace_insert_rolls_back_the_run(tmp_path):
    with Store(tmp_path / "r.db") as s:
        with pytest.raises(sqlite3.IntegrityError):
            s.add_run(row("a"), [(1, 1.0), (1, 2.0)])  # duplicate (key, evals)
        assert s.done_keys() == set() and s.traces() == {}


def test_fingerprint_ignores_timings_but_not_results(tmp_path):
    a, b, c = (Store(tmp_path / f"{n}.db") for n in "abc")
    a.add_run(row("k", seconds=1.0), [(1, 1.0)])
    b.add_run(row("k", seconds=9.0, finished_at="later"), [(1, 1.0)])
    c.add_run(row("k", best=0.5), [(1, 1.0)])
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_campaign_records_versions_machine_and_threads(tmp_path):
    with Store(tmp_path / "r.db") as s:
        cid = s.start_campaign({"suite": "classic"}, {"OMP_NUM_THREADS": "1"})
        [c] = s.campaigns()
        assert c["id"] == cid and c["options"] == {"suite": "classic"}
        assert c["versions"]["numpy"] and c["machine"]["cpu_count"]
        assert c["threads"] == {"OMP_NUM_THREADS": "1"}


def test_unknown_filter_column_is_named(tmp_path):
    with Store(tmp_path / "r.db") as s, pytest.raises(ValueError, match="'color'"):
        s.runs(color="red")


def _writer(path, first, n):
    with Store(path) as s:
        for i in range(first, first + n):
            s.add_run(row(f"k{i:04d}"), [(e, 1.0 / e) for e in range(1, 6)])


def test_two_processes_write_one_database(tmp_path):
    path = tmp_path / "r.db"
    Store(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, i * 100, 60)) for i in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    with Store(path) as s:
        assert len(s.done_keys()) == 120
        assert sum(len(t) for t in s.traces().values()) == 600


def test_source_digest_changes_with_the_source(tmp_path, monkeypatch):
    from nondiff.bench.store import source_digest

    pkg = tmp_path / "fakepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("x = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    first = source_digest(("fakepkg",))
    assert source_digest(("fakepkg",)) == first
    (pkg / "__init__.py").write_text("x = 2\n")
    assert source_digest(("fakepkg",)) != first
    assert len(source_digest()) == 16
