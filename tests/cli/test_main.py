"""The root group: help for every subcommand, version, and what ``cli.main`` imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cli._output import jsonable, one_line, wants_json
from cli.main import cli

SUBCOMMANDS = sorted(cli.commands)


def test_every_subcommand_is_registered():
    assert SUBCOMMANDS == ["analyze", "bench", "optimize", "report", "resume", "strategies"]


@pytest.mark.parametrize("args", [[]] + [[name] for name in SUBCOMMANDS])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(run, args, flag):
    inv = run(*args, flag)
    assert inv.code == 0
    assert inv.stdout.startswith("Usage: ")
    assert inv.stderr == ""


def test_root_help_lists_subcommands_and_exit_codes(run):
    out = run("--help").stdout
    for name in SUBCOMMANDS:
        assert f"  {name}  " in out
    assert "130 interrupted" in out


def test_no_arguments_shows_help_and_exits_2(run):
    inv = run()
    assert inv.code == 2
    assert "Usage: " in inv.stderr and "Commands:" in inv.stderr


def test_version(run):
    inv = run("--version")
    assert inv.code == 0 and inv.stdout.startswith("nondiff, version ")


def test_unknown_subcommand_is_one_line_exit_2(run, usage_error):
    usage_error(run("optimise"), "No such command 'optimise'")


def test_unknown_flag_with_json_still_writes_one_document(run):
    inv = run("optimize", "--json", "--no-such-flag")
    assert inv.code == 2
    doc = inv.json()
    assert doc["exit_code"] == 2 and "--no-such-flag" in doc["error"]


def test_wants_json_ignores_arguments_after_double_dash():
    assert wants_json(["optimize", "--json"])
    assert not wants_json(["optimize", "--", "--json"])


def test_jsonable_maps_non_finite_to_null_and_unwraps_numpy():
    import numpy as np

    doc = jsonable({"a": float("inf"), "b": np.float64(1.5), "c": np.arange(2), "d": (1, None)})
    assert doc == {"a": None, "b": 1.5, "c": [0, 1], "d": [1, None]}
    json.dumps(doc, allow_nan=False)


def test_one_line_collapses_newlines():
    assert one_line("a\n  b\tc\n") == "a b c"


HEAVY = ("numpy", "scipy", "cma", "dask", "distributed", "matplotlib", "strategies",
         "nondiff.minimize", "nondiff.space")


def test_importing_cli_main_loads_nothing_heavy():
    code = ("import sys, json, cli.main; "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert json.loads(out.stdout) == []


def test_help_runs_as_a_real_process_without_heavy_imports():
    code = ("import sys, json; from cli.main import main\n"
            "try:\n    main(['optimize', '--help'])\nexcept SystemExit as e:\n"
            f"    print(json.dumps([e.code, [m for m in {HEAVY!r} if m in sys.modules]]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout.splitlines()[-1]) == [0, []]
