"""Objectives: validation, calling conventions, return-value conversion, file references and
shell commands (argv safety, JSON fields, errors with stderr, process-group timeouts)."""

import json
import os
import pickle
import sys
import time

import numpy as np
import pytest

from nondiff import Array, Bits, Categorical, Integer, Real, Space
from nondiff.errors import UsageError
from nondiff.objective import Objective, as_objective
from nondiff.outcome import Status, convert_batch, convert_raw, to_value
from nondiff.strategy import candidates_from_vectors

PY = sys.executable
MIXED = Space(x=Real(-2, 2), n=Integer(0, 4), c=Categorical(["a", "b", "c"]))
NUMERIC = Space(x=Real(-2, 2), n=Integer(0, 4), w=Array((2,), -1, 1))


def cands(space, n=6, seed=0):
    X = np.random.default_rng(seed).random((n, space.dim))
    return candidates_from_vectors(space, X, 0)


def mixed_fn(x, n, c):
    return (x - 1) ** 2 + n + {"a": 0.0, "b": 0.5, "c": 1.0}[c]


# --- construction and validation ------------------------------------------------------------
@pytest.mark.parametrize("kw, word", [
    ({"direction": "up"}, "direction"), ({"on_error": "ignore"}, "on_error"),
    ({"call": "args"}, "call"), ({"timeout": 0}, "timeout"), ({"timeout": -1.0}, "timeout"),
])
def test_bad_options_name_the_parameter(kw, word):
    with pytest.raises(ValueError, match=word):
        Objective(mixed_fn, MIXED, **kw)


@pytest.mark.parametrize("kw, word", [({"timeout": "5"}, "timeout"), ({"batch": 1}, "batch")])
def test_bad_option_types_name_the_parameter(kw, word):
    with pytest.raises(TypeError, match=word):
        Objective(mixed_fn, MIXED, **kw)


def test_not_callable_is_a_type_error():
    with pytest.raises(TypeError, match="callable"):
        Objective(3.0, MIXED)


def test_call_is_inferred_from_the_space():
    assert Objective(mixed_fn, MIXED).call == "kwargs"
    assert Objective(np.sum, Space(w=Array((3,), 0, 1))).call == "vector"
    assert Objective(np.sum).call == "vector"
    # inferred again once the space is known, unless given explicitly
    assert Objective(mixed_fn).with_space(MIXED).call == "kwargs"
    assert Objective(np.sum, call="vector").with_space(NUMERIC).call == "vector"


def test_vector_call_refuses_non_numeric_spaces():
    with pytest.raises(ValueError, match="categorical"):
        Objective(np.sum, MIXED, call="vector")


def test_sign_follows_direction():
    assert Objective(mixed_fn).sign == 1
    assert Objective(mixed_fn, direction="maximize").sign == -1


# --- arguments and run ----------------------------------------------------------------------
def test_kwargs_run_matches_direct_calls():
    cs = cands(MIXED, 20)
    res = Objective(mixed_fn, MIXED).run(Objective(mixed_fn, MIXED).arguments(cs))
    expected = [mixed_fn(**c.params) for c in cs]
    np.testing.assert_array_equal(res.values, expected)
    assert (res.status == Status.OK).all() and (res.seconds >= 0).all()


def test_vector_arguments_are_natural_units_in_space_order():
    cs = cands(NUMERIC, 5)
    X = Objective(np.sum, NUMERIC, call="vector").arguments(cs)
    expected = [[c.params["x"], c.params["n"], *c.params["w"]] for c in cs]
    np.testing.assert_allclose(X, expected, rtol=0, atol=1e-12)


def test_single_array_keeps_its_shape():
    space = Space(m=Array((2, 3), -1, 1))
    cs = cands(space, 4)
    X = Objective(np.sum, space).arguments(cs)
    assert X.shape == (4, 2, 3)
    np.testing.assert_allclose(X[2], cs[2].params["m"], atol=1e-12)


def test_batch_kwargs_receive_columns():
    def fn(x, n, c):
        return (x - 1) ** 2 + n + np.select([c == "a", c == "b"], [0.0, 0.5], 1.0)
    cs = cands(MIXED, 9)
    obj = Objective(fn, MIXED, batch=True)
    res = obj.run(obj.arguments(cs))
    np.testing.assert_allclose(res.values, [mixed_fn(**c.params) for c in cs], rtol=1e-15)


def test_batch_vector_receives_a_matrix():
    obj = Objective(lambda X: (X**2).sum(axis=1), NUMERIC, batch=True, call="vector")
    cs = cands(NUMERIC, 7)
    res = obj.run(obj.arguments(cs))
    ref = [c.params["x"] ** 2 + c.params["n"] ** 2 + (c.params["w"] ** 2).sum() for c in cs]
    np.testing.assert_allclose(res.values, ref, rtol=1e-12)


def test_params_supplied_by_the_strategy_are_used_verbatim():
    space = Space(b=Bits(3), x=Real(0, 1))
    genome = {"b": np.array([[True, False, True]]), "x": np.array([0.1234567890123])}
    from nondiff.strategy import candidates_from_genome
    cs = candidates_from_genome(space, genome, 0)
    seen = []
    obj = Objective(lambda b, x: seen.append((b.tolist(), x)) or 0.0, space)
    obj.run(obj.arguments(cs))
    assert seen == [([True, False, True], 0.1234567890123)]


def test_raise_mode_propagates_the_original_exception():
    class Boom(Exception):
        pass

    def fn(x, n, c):
        raise Boom("no")
    obj = Objective(fn, MIXED, on_error="raise")
    with pytest.raises(Boom):
        obj.run(obj.arguments(cands(MIXED, 2)))


def test_keyboard_interrupt_marks_the_rest_interrupted():
    calls = []

    def fn(x, n, c):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return 1.0
    obj = Objective(fn, MIXED)
    res = obj.run(obj.arguments(cands(MIXED, 6)))
    assert res.interrupted
    assert res.status.tolist() == [0, 0, 5, 5, 5, 5]
    assert np.isnan(res.values[2:]).all()


# --- return values --------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [1.5, 3, np.float32(1.5), np.int64(2), np.array(2.5),
                                 np.array([2.5]), np.array([[7]])])
def test_real_scalars_convert(raw):
    value, status, text = to_value(raw)
    assert status == Status.OK and text is None and value == float(np.asarray(raw).ravel()[0])


@pytest.mark.parametrize("raw, word", [(None, "NoneType"), ("1.5", "str"), (True, "bool"),
                                       ([1.0], "list"), (np.ones(3), "shape (3,)"),
                                       (1 + 2j, "complex"), (np.array(["a"]), "ndarray")])
def test_other_returns_are_errors_naming_the_type(raw, word):
    value, status, text = to_value(raw)
    assert status == Status.ERROR and np.isnan(value) and word in text


@pytest.mark.parametrize("raw, word", [(float("nan"), "nan"), (np.inf, "+inf"),
                                       (-np.inf, "-inf"), (np.float32("nan"), "nan")])
def test_non_finite_values_are_nan_failures(raw, word):
    value, status, text = to_value(raw)
    assert status == Status.NAN and np.isnan(value) and text.endswith(word)


def test_fast_and_slow_conversion_agree():
    raw = [1.0, 2, np.float64(np.nan), -np.inf, None, "x", np.array([4.0])]
    res = convert_raw(raw, np.zeros(len(raw)))
    assert res.status.tolist() == [0, 0, 2, 2, 1, 1, 0]
    np.testing.assert_array_equal(res.values[[0, 1, 6]], [1.0, 2.0, 4.0])
    assert sorted(res.errors) == [2, 3, 4, 5]
    fast = convert_raw([1.0, np.inf, 3], np.zeros(3))
    assert fast.status.tolist() == [0, 2, 0] and "+inf" in fast.errors[1]


def test_batch_returns_of_the_wrong_size_are_errors():
    res = convert_batch(np.ones(3), 4, 1.0)
    assert (res.status == Status.ERROR).all() and "4 real numbers" in res.errors[0]
    ok = convert_batch([[1.0], [2.0]], 2, 1.0)
    assert ok.status.tolist() == [0, 0] and ok.seconds.tolist() == [0.5, 0.5]
    mixed = convert_batch([1.0, None, np.nan], 3, 0.0)
    assert mixed.status.tolist() == [0, 1, 2]


# --- file references ------------------------------------------------------------------------
SOURCE = """
from dataclasses import dataclass

@dataclass
class Shift:
    by: float

SHIFT = Shift(0.5)
NOT_A_FUNCTION = 3

def sphere(x, n, c):
    return (x - SHIFT.by) ** 2 + n
"""


@pytest.fixture
def ref_file(tmp_path):
    path = tmp_path / "my objective.py"
    path.write_text(SOURCE)
    return path


def test_reference_imports_the_file_without_touching_sys_path(ref_file):
    before = list(sys.path)
    obj = Objective.from_reference(f"{ref_file}:sphere", MIXED)
    assert sys.path == before and obj.name == "sphere"
    assert obj.fn(x=1.5, n=2, c="a") == 3.0


def test_reference_pickles_as_path_and_reimports(ref_file):
    obj = Objective.from_reference(f"{ref_file}:sphere", MIXED)
    data = pickle.dumps(obj)
    assert b"sphere" in data and str(ref_file).encode() in data
    assert pickle.loads(data).fn(x=0.5, n=1, c="b") == 1.0


@pytest.mark.parametrize("suffix, word", [(":nope", "no function 'nope'"),
                                          (":NOT_A_FUNCTION", "not a function"),
                                          ("", "file.py:function")])
def test_bad_references_are_usage_errors(ref_file, suffix, word):
    with pytest.raises(UsageError, match=word):
        Objective.from_reference(f"{ref_file}{suffix}")


def test_missing_file_and_import_errors(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        Objective.from_reference(f"{tmp_path}/absent.py:f")
    bad = tmp_path / "bad.py"
    bad.write_text("def f(:\n")
    with pytest.raises(ValueError, match="SyntaxError"):
        Objective.from_reference(f"{bad}:f")


def test_as_objective_dispatch(ref_file):
    assert as_objective(f"{ref_file}:sphere", MIXED).fn(x=0.5, n=0, c="a") == 0.0
    obj = as_objective(mixed_fn, MIXED)
    assert as_objective(obj) is obj
    assert as_objective(obj, direction="maximize").sign == -1
    with pytest.raises(TypeError, match="objective"):
        as_objective(42)
    with pytest.raises(TypeError, match="colour"):
        as_objective(obj, colour="red")


# --- shell commands -------------------------------------------------------------------------
def test_command_values_are_single_argv_items():
    space = Space(s=Categorical(["a b; echo 99 $(id)", "ok"]), k=Integer(1, 3))
    cmd = f"{PY} -c 'import sys, json; print(json.dumps(dict(n=len(sys.argv))))' {{s}} {{k}}"
    obj = Objective.from_command(cmd, field="n", space=space)
    assert obj.fn(s="a b; echo 99 $(id)", k=2) == 3  # ['-c', s, k]


def test_command_formats_arrays_and_specs():
    space = Space(b=Bits(3), x=Real(0, 1))
    obj = Objective.from_command(f"{PY} -c 'import sys; print(sys.argv[1] == \"1,0,1\" and "
                                 f"sys.argv[2] == \"0.12\")' {{b}} {{x:.2f}}", space=space)
    with pytest.raises(Exception, match="last stdout line 'True'"):
        obj.fn(b=np.array([True, False, True]), x=0.123)


def test_command_placeholders_must_be_in_the_space():
    with pytest.raises(ValueError, match="depth"):
        Objective.from_command("sim --lr {lr} --depth {depth}", space=Space(lr=Real(0, 1)))
    with pytest.raises(ValueError, match="positional"):
        Objective.from_command("sim {}", space=Space(lr=Real(0, 1)))
    with pytest.raises(ValueError, match="literal braces"):
        Objective.from_command("python -c 'print({\"a\": 1})'")
    obj = Objective.from_command("sim --depth {depth}")  # checked once the space is known
    with pytest.raises(ValueError, match="depth"):
        obj.with_space(Space(lr=Real(0, 1)))


def test_command_reads_the_last_line_and_json_fields():
    prog = "print('log line'); print(2.5)"
    assert Objective.from_command(f"{PY} -c \"{prog}\"").fn() == 2.5
    prog = "import json; print(json.dumps(dict(loss=0.25, acc=0.9)))"
    assert Objective.from_command(f"{PY} -c \"{prog}\"", field="loss").fn() == 0.25
    with pytest.raises(Exception, match="field 'f1' not in"):
        Objective.from_command(f"{PY} -c \"{prog}\"", field="f1").fn()
    with pytest.raises(Exception, match="pass field"):
        Objective.from_command(f"{PY} -c \"{prog}\"").fn()


def test_command_failures_carry_stderr():
    prog = "import sys; print('half', file=sys.stderr); sys.exit(3)"
    obj = Objective.from_command(f"{PY} -c \"{prog}\"")
    res = obj.run([{}])
    assert res.status.tolist() == [Status.ERROR]
    assert "status 3" in res.errors[0] and "half" in res.errors[0]
    assert "Traceback" not in res.errors[0]
    res = Objective.from_command(f"{PY} -c \"print('not a number')\"").run([{}])
    assert "not a number" in res.errors[0]


def test_command_env_and_cwd(tmp_path):
    prog = "import os; print(float(os.environ['SCALE']) * len(os.listdir('.')))"
    (tmp_path / "a").write_text("")
    obj = Objective.from_command(f"{PY} -c \"{prog}\"", env={"SCALE": "1.5"}, cwd=tmp_path)
    assert obj.fn() == 1.5


def test_command_timeout_kills_the_process_group(tmp_path):
    pidfile = tmp_path / "pid"
    prog = ("import subprocess, sys, time; "
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); "
            f"open({str(pidfile)!r}, 'w').write(str(p.pid)); time.sleep(30)")
    obj = Objective.from_command(f"{PY} -c \"{prog}\"", timeout=1.0)
    t0 = time.monotonic()
    res = obj.run([{}])
    assert time.monotonic() - t0 < 5
    assert res.status.tolist() == [Status.TIMEOUT] and "timed out" in res.errors[0]
    grandchild = int(pidfile.read_text())
    time.sleep(0.2)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is dead, just not reaped by its parent
        return f.read().split()[2] != "Z"


def test_command_objective_pickles():
    obj = Objective.from_command(f"{PY} -c \"print({{x}} * 2)\"", space=Space(x=Real(0, 1)))
    assert pickle.loads(pickle.dumps(obj)).fn(x=0.25) == 0.5
    assert json.loads(json.dumps(obj.fn.argv))  # plain strings


def test_one_argument_function_over_reals_is_called_with_the_vector():
    import numpy as np

    import nondiff as nd

    space = nd.Space(a=nd.Real(-1, 1), k=nd.Integer(0, 3))
    obj = nd.Objective(lambda x: float(np.sum(x)), space)
    assert obj.call == "vector"
    assert nd.Objective(lambda a, k: a + k, space).call == "kwargs"


def test_a_function_that_cannot_take_the_space_is_refused_naming_its_signature():
    import pytest

    import nondiff as nd
    from nondiff.errors import UsageError

    space = nd.Space(a=nd.Real(-1, 1), b=nd.Real(-1, 1))
    with pytest.raises(UsageError, match=r"\(a, b\).*signature is f\(a, c\)"):
        def f(a, c):
            return a
        nd.Objective(f, space)
    with pytest.raises(UsageError, match="call='vector'"):
        nd.Objective(lambda a, b: a, space, call="vector")


def test_background_child_holding_stdout_neither_blocks_nor_survives(tmp_path):
    pidfile = tmp_path / "pid"
    prog = ("import subprocess, sys; "
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); "
            f"open({str(pidfile)!r}, 'w').write(str(p.pid)); print(0.75)")
    obj = Objective.from_command(f"{PY} -c \"{prog}\"", timeout=20)
    t0 = time.monotonic()
    res = obj.run([{}])
    assert time.monotonic() - t0 < 5
    assert res.status.tolist() == [Status.OK] and res.values.tolist() == [0.75]
    time.sleep(0.2)
    assert not _alive(int(pidfile.read_text()))
