"""``nondiff bench`` and ``nondiff report`` through click, under the root group's exit codes."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from cli.bench import bench
from cli.main import Group
from cli.report import report


@click.group(cls=Group)
def root():
    """The root group as cli/main.py builds it, with the two commands added."""


root.add_command(bench)
root.add_command(report)


def invoke(*args):
    return CliRunner().invoke(root, [str(a) for a in args], prog_name="nondiff")


def test_help():
    for name in ("bench", "report"):
        res = invoke(name, "--help")
        assert res.exit_code == 0 and "Usage:" in res.output


def test_bench_then_rerun_then_report(tmp_path):
    db = tmp_path / "r.db"
    args = ["bench", "--suite", "discrete", "--dims", "6", "--instances", "1",
            "--functions", "onemax,knapsack", "--strategies", "random,ga", "--budget", "10d",
            "--workers", "0", "--db", db, "--json"]
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    doc = json.loads(first.stdout)
    assert (doc["stored"], doc["already_stored"], doc["total"]) == (4, 0, 4)
    again = json.loads(invoke(*args).stdout)
    assert (again["stored"], again["already_stored"]) == (0, 4)
    out = tmp_path / "rep"
    rep = invoke("report", db, "--out", out, "--no-plots", "--json")
    assert rep.exit_code == 0, rep.output
    assert sorted(p.rsplit("/", 1)[-1] for p in json.loads(rep.stdout)["files"]) == [
        "ecdf.csv", "ert.csv", "report.md", "summary.csv"]


@pytest.mark.parametrize("args,fragment", [
    (["--strategies", "nope"], "unknown nope"),
    (["--budget", "lots"], "budget"),
    (["--instances", "a-b"], "1-5,7"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, fragment):
    res = invoke("bench", "--db", tmp_path / "r.db", "--no-progress", *args)
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and fragment in lines[0]


def test_unavailable_suite_says_what_to_install(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "cocoex", None)
    res = invoke("bench", "--suite", "bbob", "--db", tmp_path / "r.db")
    assert res.exit_code == 2 and "coco-experiment" in res.stderr


def test_report_on_an_empty_database_is_a_usage_error(tmp_path):
    from nondiff.bench.store import Store

    Store(tmp_path / "e.db").close()
    res = invoke("report", tmp_path / "e.db", "--out", tmp_path / "o")
    assert res.exit_code == 2 and "no runs" in res.stderr
