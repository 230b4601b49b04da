"""classify(): the issue's f(a, b, c), escapes caught by the probe, source lines, routing."""

import inspect
import math

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.hybrid import classify
from nondiff.hybrid.probe import Probe
from nondiff.space import Array, Bits, Categorical, Integer, Real, Space

X = np.linspace(-1.0, 1.0, 5)


def f(a, b, c):
    return anp.sum(a * X) + (1.0 if b > 0 else 3.0) + c * anp.round(c)


F_SPACE = Space(a=Array(5, -1, 1), b=Real(-1, 1), c=Real(-3, 3))


def _line(fun, text):
    src, start = inspect.getsourcelines(fun)
    return start + next(i for i, line in enumerate(src) if text in line)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_issue_example(seed):
    cl = classify(f, F_SPACE, seed=seed)
    assert (cl["a"], cl["b"], cl["c"]) == ("differentiable", "black-box", "piecewise")
    assert cl.gradient == ["a", "c"] and cl.black_box == ["b"] and cl.strategy == "hybrid"
    line = _line(f, "1.0 if b > 0")
    assert [(e.kind, e.lineno) for e in cl.reports["b"].events] == [("branch", line)]
    assert [(e.kind, e.lineno) for e in cl.reports["c"].events] == [("round", line)]


def test_no_silent_zero_gradient_for_b():
    # autodiff alone reports d/db = 0 everywhere; the classification must not call b trainable
    cl = classify(f, F_SPACE, seed=3)
    probes = cl.reports["b"].probes
    assert probes and all(p.ad == 0.0 for p in probes)
    assert "b" not in cl.gradient


def escaped(w, v):
    return math.floor(anp.asarray(w).item() * 10) / 10 + v ** 2


def test_probe_alone_catches_item_and_floor():
    # .item() hands the tracer a plain float: grad says 0, the value moves in steps of 0.1
    space = Space(w=Real(0, 1), v=Real(-1, 1))
    cl = classify(escaped, space, analysis=False, seed=0)
    assert cl["w"] == "black-box" and "value moves" in cl.reports["w"].reason
    assert cl["v"] == "differentiable"
    assert any(p.es != 0 for p in cl.reports["w"].probes)


def through_float(w, v):
    return math.floor(float(w) * 10) / 10 + v ** 2


def test_float_escape_blamed_on_its_parameter_only():
    cl = classify(through_float, Space(w=Real(0, 1), v=Real(-1, 1)), seed=0)
    assert cl["w"] == "black-box" and "EscapeError" in cl.reports["w"].reason
    assert cl["v"] == "differentiable"
    assert cl.reports["w"].events[0].lineno == _line(through_float, "float(w)")


def mixed(x, k, act, mask, unused):
    h = x * k
    h = anp.tanh(h) if act == "tanh" else anp.maximum(h, 0.0)
    return anp.sum(h * mask)


def test_kinds_routing_and_no_effect():
    space = Space(x=Array(3, -1, 1), k=Integer(1, 4), act=Categorical(["tanh", "relu"]),
                  mask=Bits(3), unused=Real(0, 1))
    cl = classify(mixed, space, points=4, seed=0)
    assert cl["k"] == cl["act"] == cl["mask"] == "black-box"
    assert cl["unused"] == "no effect"
    assert cl["x"] in ("differentiable", "piecewise")  # relu's kink when act is relu
    assert cl.to_dict()["k"]["reason"] == "a integer parameter"


def test_routing_options_rebuild_the_split():
    from strategies.hybrid import Hybrid

    cl = classify(f, F_SPACE, seed=0)
    s = Hybrid(F_SPACE, program=f, seed=0, **cl.hybrid_options())
    assert s.classification is None  # not classified twice
    assert (s.gradient, s.searched, s.piecewise) == (("a", "c"), ("b",), ("c",))


def test_no_gradient_parameter_routes_nowhere():
    cl = classify(lambda k, b: k + (0.0 if b > 0.5 else 1.0),
                  Space(k=Integer(0, 3), b=Real(0, 1)), seed=0)
    assert cl.gradient == [] and cl.strategy is None


def test_counts_every_call():
    calls = []

    def g(a, b, c):
        calls.append(1)
        return f(a, b, c)

    cl = classify(g, F_SPACE, points=2, seed=0)
    assert cl.nfev == len(calls) and 0 < cl.njev < cl.nfev


def test_probe_verdicts():
    assert Probe(1.0, 1.0 + 1e-7, 1.0, 1.0).agrees()
    assert not Probe(0.0, 0.5, 0.5, 1.0).agrees()
    assert not Probe(0.0, 0.0, 0.0, 1.0).moves() and Probe(0.0, 0.0, 0.2, 1.0).moves()


def test_bad_points():
    with pytest.raises(ValueError, match="points"):
        classify(f, F_SPACE, points=0)
