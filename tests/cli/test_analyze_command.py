"""``nondiff analyze``: statuses, source lines and routing, JSON, and one-line usage errors."""

import json
import textwrap

import pytest
from click.testing import CliRunner

from cli.analyze import analyze

PROGRAM = textwrap.dedent("""
    import numpy as np
    import nondiff.autodiff.numpy as anp
    from nondiff.space import Array, Real, Space

    X = np.linspace(-1.0, 1.0, 3)
    SPACE = Space(a=Array(3, -1, 1), b=Real(-1, 1), c=Real(-3, 3))

    def f(a, b, c):
        return anp.sum(a * X) + (1.0 if b > 0 else 3.0) + c * anp.round(c)

    def only_b(b):
        return 1.0 if b > 0 else 3.0
""")


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    return str(path)


def test_text_report_with_source_lines(program):
    res = CliRunner().invoke(analyze, [f"{program}:f"])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "a: differentiable" in out and "b: black-box" in out and "c: piecewise" in out
    assert f"{program}:10: branch (bool())" in out and f"{program}:10: round (round)" in out
    assert out.strip().endswith("recommended strategy: hybrid")


def test_json_and_params_from_flags(program):
    res = CliRunner().invoke(analyze, [f"{program}:only_b", "--param", "b=real:-1:1",
                                       "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["parameters"]["b"]["status"] == "black-box"
    assert doc["strategy"] is None and doc["nfev"] > 0


@pytest.mark.parametrize("args, message", [
    (["{p}:missing"], "has no function 'missing'"),
    (["{p}:only_b", "--param", "b=int:0:1", "--param", "b=real:0:1"], "defined twice"),
    (["nothere.py:f"], "does not exist"),
    (["{p}:f", "--points", "0"], "--points"),
])
def test_bad_input_is_a_usage_error(program, args, message):
    res = CliRunner().invoke(analyze, [a.format(p=program) for a in args])
    assert res.exit_code == 2 and message in res.output


def test_no_space_anywhere(tmp_path):
    path = tmp_path / "bare.py"
    path.write_text("def g(x):\n    return x * x\n")
    res = CliRunner().invoke(analyze, [f"{path}:g"])
    assert res.exit_code == 2 and "no space" in res.output


def test_help():
    res = CliRunner().invoke(analyze, ["--help"])
    assert res.exit_code == 0 and "FILE.py:FUNC" in res.output
