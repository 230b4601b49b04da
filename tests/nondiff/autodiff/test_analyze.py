"""analyze(): per-input classification with the source lines responsible."""

import numpy as np

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import analyze, check_grads, grad, stop_gradient


def test_four_classes():
    def program(smooth, kinked, steps, unused):
        y = anp.sum(anp.sin(smooth)) + anp.abs(kinked)
        for _ in range(int(steps)):
            y = y * 1.1
        return y

    a = analyze(program, np.ones(3), 0.5, 2.0, 1.0)
    assert a["smooth"] == "differentiable"
    assert a["kinked"] == "piecewise"
    assert a["steps"] == "non-differentiable"
    assert a["unused"] == "no effect"
    (event,) = a.report("steps").events
    assert event.kind == "cast" and event.filename == __file__
    assert a.report("kinked").events[0].name == "abs"


def test_kink_invisible_to_finite_differences_is_reported():
    f = lambda x: anp.abs(x) * 2.0  # noqa: E731
    check_grads(f, modes=("fwd", "rev"), order=1)(0.0)  # symmetric kink: FD sees nothing
    assert analyze(f, 0.0)["x"] == "piecewise"


def test_branch_records_line_and_piecewise():
    def f(x, y):
        if x > 0:  # the branch on x
            return x * y
        return -x

    a = analyze(f, 1.0, 2.0)
    assert a["x"] == "piecewise" and a["y"] == "differentiable"
    events = a.report("x").events
    assert {(e.kind, e.lineno) for e in events} == {("branch", f.__code__.co_firstlineno + 1)}
    assert {e.name for e in events} == {"bool()"}


def test_only_through_a_branch_is_non_differentiable():
    def f(x):
        return 1.0 if x > 0 else 0.0
    assert analyze(f, 1.0)["x"] == "non-differentiable"


def test_rounding_argmax_escape_and_stop_gradient():
    w = np.arange(4.0)

    def f(r, choice, esc, stop, data):
        idx = anp.argmax(choice)
        return (anp.floor(r) + w[idx] + float(esc) + stop_gradient(stop)
                + anp.sum(anp.sort(data)))

    a = analyze(f, 1.5, np.array([0.1, 0.9, 0.3]), 2.0, 1.0, np.array([3.0, 1.0]))
    assert a["r"] == "non-differentiable"
    assert a["choice"] == "non-differentiable"
    assert a["esc"] == "non-differentiable"
    assert a["stop"] == "non-differentiable"
    assert a["data"] == "piecewise"
    kinds = {e.kind for e in a.report("r").events}
    assert kinds == {"round"}
    assert {(e.kind, e.name) for e in a.report("esc").events} == {("escape", "float()")}


def test_container_leaves_and_value():
    def loss(params, n_layers):
        h = params["x"]
        for k in range(n_layers):
            h = anp.maximum(h * params["w"][k], 0.0)
        return anp.sum(h) + 0.0 * params["bias"]

    params = {"x": np.ones(2), "w": [np.ones(2), np.ones(2)], "bias": 1.0, "name": "mlp"}
    a = analyze(loss, params, 2)
    assert a["params['x']"] == "piecewise"
    assert a["params['w'][0]"] == "piecewise"
    assert a["params['bias']"] == "differentiable"
    assert a["n_layers"] == "non-differentiable"
    assert np.isclose(a.value, 2.0)
    assert "params['name']" not in [leaf.path for leaf in a.leaves]
    assert "n_layers: non-differentiable" in str(a)


def test_where_comparison_is_piecewise_and_int_index_is_cast():
    def f(x, k):
        return anp.sum(anp.where(x > 0, x, 0.0)) + [1.0, 2.0, 3.0][k]
    a = analyze(f, np.array([1.0, -1.0]), 1)
    assert a["x"] == "piecewise" and a["k"] == "non-differentiable"


def test_inplace_write_carries_dependencies():
    def f(x, y):
        a = x * 1
        a[0] = y * 2
        return a.sum()
    a = analyze(f, np.ones(3), 1.0)
    assert a["x"] == "differentiable" and a["y"] == "differentiable"


def test_escape_to_plain_numpy_is_recorded_not_raised():
    def f(x):
        return np.fft.fft(x).real.sum() + anp.sum(x)
    assert analyze(f, np.ones(4))["x"] == "non-differentiable"


def test_grad_still_correct_after_analysis_of_same_program():
    def f(x):
        return x ** 2 if x > 0 else -x
    assert analyze(f, 2.0)["x"] == "piecewise"
    assert grad(f)(2.0) == 4.0
