"""The click parameter types: each spec kind against the nondiff.space object it must build,
and every malformed input rejected with a message naming it."""

from __future__ import annotations

import json

import click
import pytest

from cli import params as p

space = pytest.importorskip("nondiff.space")


def convert(ptype, value):
    return ptype.convert(value, None, None)


@pytest.mark.parametrize("spec, kind, attrs", [
    ("real:-5:5", "real", {"lo": -5.0, "hi": 5.0}),
    ("real:1e-4:1:log", "real", {"lo": 1e-4, "hi": 1.0, "log": True}),
    ("int:1:8", "integer", {"lo": 1, "hi": 8}),
    ("integer:-3:3", "integer", {"lo": -3, "hi": 3}),
    ("cat:relu,tanh,3,0.5", "categorical", {"choices": ["relu", "tanh", 3, 0.5]}),
    ("bits:16", "bits", {"n": 16}),
    ("perm:7", "permutation", {"n": 7}),
    ("array:3x4:-1:1", "array", {"shape": (3, 4)}),
])
def test_spec_builds_the_parameter(spec, kind, attrs):
    name, param = convert(p.PARAM_SPEC, f"w={spec}")
    assert name == "w" and param.kind == kind
    for attr, expected in attrs.items():
        got = getattr(param, attr)
        assert (list(got) if attr == "choices" else got) == expected


def test_real_without_log_is_linear():
    assert convert(p.PARAM_SPEC, "x=real:0:1")[1].log is False


def test_array_bounds_broadcast():
    _, param = convert(p.PARAM_SPEC, "w=array:5:-2:3")
    assert param.shape == (5,) and param.size == 5


@pytest.mark.parametrize("value, fragment", [
    ("x", "not NAME=SPEC"),
    ("1x=real:0:1", "not NAME=SPEC"),
    ("x=float:0:1", "unknown kind 'float'"),
    ("x=real:0", "real takes"),
    ("x=real:0:1:2", "'log'"),
    ("x=real:a:1", "'a' is not a valid float"),
    ("x=int:0:1.5", "'1.5' is not a valid int"),
    ("x=int:0:1:2", "int takes"),
    ("x=cat:", "non-empty choices"),
    ("x=cat:a,,b", "non-empty choices"),
    ("x=bits:", "bits takes"),
    ("x=bits:two", "'two' is not a valid int"),
    ("x=perm:3:4", "perm takes"),
    ("x=array:3:0", "array takes"),
    ("x=real:5:1", "x=real:5:1"),  # lo >= hi, rejected by nondiff.space
    ("x=real:0:1:log", "x=real:0:1:log"),  # log with lo <= 0
])
def test_malformed_spec_is_rejected(value, fragment):
    with pytest.raises(click.BadParameter) as info:
        convert(p.PARAM_SPEC, value)
    assert fragment in info.value.message


def test_reference_checks_shape_and_file(tmp_path):
    f = tmp_path / "obj.py"
    f.write_text("def f(x):\n    return x\n")
    ref = convert(p.REFERENCE, f"{f}:f")
    assert ref == (str(f), "f") and str(ref) == f"{f}:f"
    for bad, fragment in [(f"{f}", "not FILE.py:FUNC"), (f"{f}:", "not FILE.py:FUNC"),
                          (f"{f}:1f", "not FILE.py:FUNC"), ("obj.txt:f", "not FILE.py:FUNC"),
                          (f"{tmp_path}/missing.py:f", "does not exist")]:
        with pytest.raises(click.BadParameter, match=fragment):
            convert(p.REFERENCE, bad)


def test_option_values_are_json_when_possible():
    assert convert(p.OPTION, "popsize=20") == ("popsize", 20)
    assert convert(p.OPTION, "sigma0=0.3") == ("sigma0", 0.3)
    assert convert(p.OPTION, "restarts=true") == ("restarts", True)
    assert convert(p.OPTION, "mode=fast") == ("mode", "fast")
    assert convert(p.OPTION, 'x0=[1, 2]') == ("x0", [1, 2])
    assert convert(p.OPTION, "pop-size=4") == ("pop_size", 4)
    for bad in ("popsize", "=3", "1a=2"):
        with pytest.raises(click.BadParameter, match="not KEY=VALUE"):
            convert(p.OPTION, bad)


def test_strategy_names_come_from_the_registry():
    assert convert(p.STRATEGY, "random") == "random"
    with pytest.raises(click.BadParameter, match="unknown strategy 'nope'; known: .*random"):
        convert(p.STRATEGY, "nope")
    names = [c.value for c in p.STRATEGY.shell_complete(None, None, "so")]
    assert names == ["sobol"]


def _space_dict():
    s = space.Space(lr=space.Real(1e-3, 1, log=True), depth=space.Integer(1, 4),
                    act=space.Categorical(["relu", "tanh"]))
    return s, s.to_dict()


def test_space_file_json_round_trip(tmp_path):
    s, d = _space_dict()
    f = tmp_path / "space.json"
    f.write_text(json.dumps(d))
    assert convert(p.SPACE_FILE, str(f)) == s


def test_space_file_toml(tmp_path):
    f = tmp_path / "space.toml"
    f.write_text(_toml(_space_dict()[1]))
    assert convert(p.SPACE_FILE, str(f)) == _space_dict()[0]


def _toml(d) -> str:
    """A minimal TOML writer for the Space.to_dict shape (tables of scalars and lists)."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        return json.dumps(v)
    return "\n".join(f"{k} = {value(v)}" for k, v in d.items()) + "\n"


@pytest.mark.parametrize("name, content, fragment", [
    ("space.yaml", "x: 1", "must end in .json or .toml"),
    ("missing.json", None, "does not exist"),
    ("bad.json", "{not json", "JSONDecodeError"),
    ("bad.toml", "x = [", "TOMLDecodeError"),
    ("wrong.json", '{"x": 3}', "wrong.json"),
])
def test_space_file_errors(tmp_path, name, content, fragment):
    f = tmp_path / name
    if content is not None:
        f.write_text(content)
    with pytest.raises(click.BadParameter, match=fragment):
        convert(p.SPACE_FILE, str(f))
