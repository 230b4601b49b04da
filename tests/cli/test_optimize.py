"""``nondiff optimize``: results checked by re-evaluating the objective, every exit code, one-line
errors for bad input, and ``--json`` as exactly one document on success and failure."""

from __future__ import annotations

import math
import sys

import pytest

QUADRATIC = """
    def f(x, n, act):
        return (x - 0.3) ** 2 + n + (0.5 if act == "b" else 0.0)

    def g(x):
        return -((x - 0.3) ** 2)
"""
SPACE = ("--param", "x=real:-1:1", "--param", "n=int:0:3", "--param", "act=cat:a,b")


def quadratic(x, n, act):
    return (x - 0.3) ** 2 + n + (0.5 if act == "b" else 0.0)


def test_json_result_re_evaluates_to_the_reported_value(run, objective_file):
    ref = f"{objective_file(QUADRATIC)}:f"
    inv = run("optimize", ref, *SPACE, "--budget", 40, "--seed", 1, "--json")
    assert inv.code == 0, inv.stderr
    doc = inv.json()
    assert doc["error"] is None and doc["exit_code"] == 0
    assert doc["nfev"] == 40 and doc["stop_reason"] == "budget" and doc["seed"] == 1
    assert doc["counts"]["ok"] == 40
    assert doc["value"] == pytest.approx(quadratic(**doc["params"]), rel=1e-12)
    assert doc["params"]["n"] == 0 and doc["params"]["act"] == "a"  # 40 draws find both
    assert inv.stderr == ""  # no progress bar when stderr is not a terminal


def test_same_seed_same_result(run, objective_file):
    ref = f"{objective_file(QUADRATIC)}:f"
    a, b = (run("optimize", ref, *SPACE, "--budget", 15, "--seed", 7, "--json").json()
            for _ in range(2))
    assert (a["params"], a["value"]) == (b["params"], b["value"])


def test_human_summary(run, objective_file):
    ref = f"{objective_file(QUADRATIC)}:f"
    inv = run("optimize", ref, *SPACE, "--budget", 10, "--seed", 2)
    assert inv.code == 0
    lines = inv.stdout.splitlines()
    assert lines[0].startswith("best value: ")
    assert [line.split("=")[0].strip() for line in lines[1:4]] == ["x", "n", "act"]
    assert lines[4].startswith("evaluations: 10 (ok 10); stop: budget")
    assert "\x1b" not in inv.stdout + inv.stderr


def test_maximize(run, objective_file):
    ref = f"{objective_file(QUADRATIC)}:g"
    doc = run("optimize", ref, "--param", "x=real:-1:1", "--budget", 60, "--seed", 0,
              "--maximize", "--json").json()
    assert doc["exit_code"] == 0
    assert doc["value"] == pytest.approx(-((doc["params"]["x"] - 0.3) ** 2))
    assert -0.01 < doc["value"] <= 0


def test_strategy_and_option(run, objective_file):
    ref = f"{objective_file(QUADRATIC)}:f"
    doc = run("optimize", ref, *SPACE, "--strategy", "sobol", "--budget", 8, "--seed", 3,
              "--json").json()
    assert doc["strategy"] == "sobol" and doc["nfev"] == 8


def test_target_stops_early(run, objective_file):
    ref = f"{objective_file(QUADRATIC)}:f"
    doc = run("optimize", ref, *SPACE, "--budget", 500, "--seed", 0, "--target", 0.5,
              "--json").json()
    assert doc["stop_reason"] == "target" and doc["value"] <= 0.5 and doc["nfev"] < 500


def test_space_file_and_param_merge(run, objective_file, tmp_path):
    space = tmp_path / "space.toml"
    space.write_text('[x]\ntype = "real"\nlo = -1\nhi = 1\n\n[n]\ntype = "int"\nlo = 0\nhi = 3\n')
    ref = f"{objective_file(QUADRATIC)}:f"
    doc = run("optimize", ref, "--space", space, "--param", "act=cat:a,b", "--budget", 5,
              "--seed", 0, "--json").json()
    assert doc["exit_code"] == 0 and set(doc["params"]) == {"x", "n", "act"}


def test_the_objective_file_does_not_change_sys_path(run, objective_file):
    before = list(sys.path)
    run("optimize", f"{objective_file(QUADRATIC)}:f", *SPACE, "--budget", 3, "--json")
    assert sys.path == before


# --- exit code 1: the objective failed --------------------------------------------------------
FAILING = """
    def f(x):
        raise RuntimeError("boom in user code")
"""


def test_objective_failing_everywhere_exits_1_with_its_traceback(run, objective_file):
    inv = run("optimize", f"{objective_file(FAILING)}:f", "--param", "x=real:0:1",
              "--budget", 50, "--seed", 0)
    assert inv.code == 1
    assert "boom in user code" in inv.stderr and inv.stderr.startswith("Error: ")


def test_objective_failing_json_carries_the_partial_result(run, objective_file):
    inv = run("optimize", f"{objective_file(FAILING)}:f", "--param", "x=real:0:1",
              "--budget", 50, "--seed", 0, "--json")
    assert inv.code == 1
    doc = inv.json()
    assert doc["exit_code"] == 1 and "boom in user code" in doc["error"]
    # the run stops after the first generation that completes 10 failed evaluations
    assert doc["nfev"] >= 10 and doc["counts"]["error"] == doc["nfev"] and doc["value"] is None


# --- exit code 3: no finite value -------------------------------------------------------------
NAN = """
    def f(x):
        return float("nan")
"""


def test_no_finite_value_exits_3(run, objective_file):
    # fewer evaluations than the fail-fast threshold (10), so the run ends by its budget
    inv = run("optimize", f"{objective_file(NAN)}:f", "--param", "x=real:0:1", "--budget", 4,
              "--seed", 0, "--json")
    assert inv.code == 3
    doc = inv.json()
    assert doc["exit_code"] == 3 and doc["error"].startswith("no finite evaluation")
    assert doc["value"] is None and doc["counts"]["nan"] == 4
    assert run("optimize", f"{objective_file(NAN)}:f", "--param", "x=real:0:1", "--budget",
               4).code == 3


# --- exit code 2: bad input, one line, never a traceback --------------------------------------
def bad_inputs(ref, missing):
    """(args, fragments the one error line must contain)."""
    return [
        ((f"{missing}:f", *SPACE), ["does not exist"]),
        ((f"{ref}:nope", *SPACE), ["nope"]),
        ((f"{ref}:f", "--param", "x=real:1"), ["--param", "real takes"]),
        ((f"{ref}:f", "--param", "x=float:0:1"), ["unknown kind 'float'"]),
        ((f"{ref}:f", "--param", "x=real:2:1"), ["--param", "x=real:2:1"]),
        ((f"{ref}:f", *SPACE, "--param", "x=real:0:1"), ["'x' is defined twice"]),
        ((f"{ref}:f", *SPACE, "--strategy", "nope"), ["unknown strategy 'nope'", "random"]),
        ((f"{ref}:f", *SPACE, "--option", "no_such_option=1"), ["no_such_option"]),
        ((f"{ref}:f", *SPACE, "--option", "oops"), ["not KEY=VALUE"]),
        ((f"{ref}:f", *SPACE, "--option", "a=1", "--option", "a=2"), ["'a' given twice"]),
        ((f"{ref}:f", *SPACE, "--budget", "0"), ["--budget"]),
        ((f"{ref}:f", *SPACE, "--timeout", "-1"), ["--timeout"]),
        ((f"{ref}:f", *SPACE, "--workers", "two"), ["--workers"]),
        ((f"{ref}:f", *SPACE, "--space", "space.yaml"), ["must end in .json or .toml"]),
        ((f"{ref}:f", *SPACE, "--checkpoint", f"{missing}/ck.npz"), ["--checkpoint"]),
        ((f"{ref}:f", *SPACE, "--checkpoint-every", "5"), ["needs --checkpoint"]),
        ((*SPACE,), ["FILE.py:FUNC or --command"]),
        ((f"{ref}:f", "--command", "echo {x}", *SPACE), ["exactly one"]),
        ((f"{ref}:f", *SPACE, "--field", "cost"), ["--field applies only to --command"]),
        (("--command", "echo {y}", "--param", "x=real:0:1"), ["--command", "y"]),
        (("--command", "echo {}", "--param", "x=real:0:1"), ["{"]),
        (("--command", "echo 'unclosed {x}", "--param", "x=real:0:1"), ["--command"]),
        (("--command", "echo {x}"), ["--command needs a space"]),
        (("extra", "args", "here"), ["extra"]),
        ((f"{ref}:f",), ["no search space"]),
        ((f"{ref}:f", *SPACE, "--strategy", "ga", "--option", "popsize=-1"), ["popsize"]),
    ]


@pytest.mark.parametrize("case", range(len(bad_inputs("r", "m"))))
def test_bad_input_is_one_line_and_exit_2(run, objective_file, tmp_path, usage_error, case):
    args, fragments = bad_inputs(objective_file(QUADRATIC), tmp_path / "missing.py")[case]
    usage_error(run("optimize", *args), *fragments)
    inv = run("optimize", *args, "--json")
    assert inv.code == 2
    doc = inv.json()
    assert doc["exit_code"] == 2 and all(f in doc["error"] for f in fragments)


def test_exit_code_for_result_table():
    from types import SimpleNamespace

    from cli._run import exit_code_for_result

    def code(reason, value):
        return exit_code_for_result(SimpleNamespace(stop_reason=reason, value=value))

    assert code("budget", 1.0) == 0
    assert code("target", -2.0) == 0
    assert code("interrupted", 1.0) == 130
    assert code("budget", math.nan) == 3
    assert code("budget", None) == 3


def test_workers_give_the_same_result_as_serial(run, objective_file):
    ref = f"{objective_file(QUADRATIC)}:f"
    serial, parallel = (run("optimize", ref, *SPACE, "--budget", 12, "--seed", 4,
                            "--workers", w, "--json").json() for w in (1, 2))
    assert parallel["exit_code"] == 0
    assert (parallel["params"], parallel["value"]) == (serial["params"], serial["value"])


def test_no_finite_value_names_the_first_failure(run, objective_file):
    inv = run("optimize", f"{objective_file(FAILING)}:f", "--param", "x=real:0:1",
              "--budget", 3, "--seed", 0, "--json")
    assert inv.code == 3
    assert inv.json()["error"] == ("no finite evaluation; the first failure was: RuntimeError: "
                                   "boom in user code")


def test_a_signature_that_cannot_take_the_space_is_a_usage_error(run, objective_file):
    inv = run("optimize", f"{objective_file(QUADRATIC)}:f", "--param", "x=real:0:1",
              "--budget", 3, "--seed", 0, "--json")
    assert inv.code == 2
    assert "cannot be called with the space's parameters (x)" in inv.json()["error"]


def test_command_warns_about_unused_parameters(run):
    inv = run("optimize", "--command", "echo {x}", "--param", "x=real:0:1",
              "--param", "n=int:0:3", "--budget", 2, "--seed", 0, "--json")
    assert inv.code == 0 and inv.json()["counts"]["ok"] == 2
    assert inv.stderr == "Warning: --command never uses n\n"


def test_command_timeout_is_a_failed_evaluation(run):
    inv = run("optimize", "--command", "sleep {t}", "--param", "t=real:5:6", "--timeout", 0.2,
              "--budget", 2, "--seed", 0, "--json")
    doc = inv.json()
    assert inv.code == 3 and doc["counts"]["timeout"] == 2 and doc["elapsed"] < 4


def test_command_failing_everywhere_exits_1_with_its_stderr(run):
    inv = run("optimize", "--command", "sh -c 'echo broken >&2; exit 1' {x}",
              "--param", "x=real:0:1", "--budget", 10, "--seed", 0)
    assert inv.code == 1 and "broken" in inv.stderr


def test_internal_error_keeps_its_traceback_and_json(run, objective_file, monkeypatch):
    import importlib

    # the module, not the facade's function of the same name
    driver = importlib.import_module("nondiff.minimize")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in nondiff")

    monkeypatch.setattr(driver, "minimize", broken)
    inv = run("optimize", f"{objective_file(QUADRATIC)}:f", *SPACE, "--json")
    assert inv.code == 1
    assert inv.json() == {"error": "internal error: RuntimeError: a bug in nondiff",
                          "exit_code": 1}
    assert "Traceback" in inv.stderr
