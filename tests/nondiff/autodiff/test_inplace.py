"""In-place operations and aliasing: a table of small programs and their expected outcome.

Every program is written once against a namespace ``m`` (``nondiff.autodiff.numpy`` or
``torch``) so the same code runs in both engines. The expected gradients are closed forms; the
optional oracle test (skipped visibly without torch) checks that PyTorch 2.13 CPU gives the same
outcome, error or gradient, for every row.
"""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import InplaceError, grad

X = np.array([1.0, 2.0, 3.0])
Y = np.array([4.0, 5.0, 6.0])
ERROR = "error"


def p_mul_saved_then_inplace(m, x, y):
    a = x * 2
    b = a * y
    a += 1
    return b.sum()


def p_add_then_inplace(m, x, y):
    a = x * 2
    b = a + y
    a += 1
    return b.sum()


def p_inplace_mul(m, x, y):
    a = x * 1
    a *= y
    return a.sum()


def p_exp_output_changed(m, x, y):
    a = m.exp(x)
    b = a * 1
    a += 1
    return b.sum()


def p_inplace_mul_through_view(m, x, y):
    a = x * 2
    v = a[1:]
    v *= y[1:]
    return a.sum()


def p_inplace_on_input(m, x, y):
    x += 1
    return x.sum()


def p_inplace_on_view_of_input(m, x, y):
    v = x[1:]
    v += 1
    return x.sum()


def p_setitem(m, x, y):
    a = m.sin(x)
    a[0] = y[0]
    return (a * a).sum()


def p_view_taken_before_base_changes(m, x, y):
    a = x * 1
    v = a[1:]
    a *= 2
    return (v * y[1:]).sum()


def p_exp_of_view_then_base_changes(m, x, y):
    a = x * 1
    v = a[:2]
    b = m.exp(v)
    a += 1
    return b.sum()


def p_pow_then_setitem(m, x, y):
    a = x * 1
    c = a ** 2
    a[0] = 0.0
    return c.sum()


def p_advanced_setitem(m, x, y):
    a = x * 1
    a[[0, 2]] = y[:2]
    return (a * a).sum()


def p_view_of_view(m, x, y):
    a = x * 1
    v = a[1:]
    w = v[1:]
    w *= y[2:]
    return a.sum()


def p_write_into_zeros_like(m, x, y):
    buf = m.zeros_like(x)
    buf[1] = x[0] * y[1]
    return (buf * x).sum()


def p_sum_then_inplace(m, x, y):
    a = x * 1
    b = a.sum()
    a += 1
    return b + (a * y).sum()


def p_saved_view_base_written(m, x, y):
    a = x * 1
    v = a[:2]
    b = v * y[:2]
    a[0] = 5.0
    return b.sum()


def p_reshape_view_written(m, x, y):
    a = x * 1
    r = a.reshape(3, 1)
    r[2, 0] = y[0] * 2
    return (a * a).sum()


def p_transpose_view_written(m, x, y):
    a = x.reshape(3, 1) * y.reshape(1, 3)
    t = a.T
    t[0] += y
    return a.sum()


def p_alias_sees_change(m, x, y):
    a = x * 1
    b = a
    a += y
    return (b * b).sum()


def p_tanh_then_other_view_written(m, x, y):
    a = x * 1
    b = m.tanh(a[1:])
    a[0] = 2.0
    return b.sum()


TABLE = {  # program -> expected (grad x, grad y) or ERROR
    p_mul_saved_then_inplace: ERROR,
    p_add_then_inplace: (2 * np.ones(3), np.ones(3)),
    p_inplace_mul: (Y, X),
    p_exp_output_changed: ERROR,
    p_inplace_mul_through_view: ([2, 2 * Y[1], 2 * Y[2]], [0, 2 * X[1], 2 * X[2]]),
    p_inplace_on_input: ERROR,
    p_inplace_on_view_of_input: ERROR,
    p_setitem: ([0, *(2 * np.sin(X[1:]) * np.cos(X[1:]))], [2 * Y[0], 0, 0]),
    p_view_taken_before_base_changes: ([0, 2 * Y[1], 2 * Y[2]], [0, 2 * X[1], 2 * X[2]]),
    p_exp_of_view_then_base_changes: ([np.exp(X[0]), np.exp(X[1]), 0], np.zeros(3)),
    p_pow_then_setitem: ERROR,
    p_advanced_setitem: ([0, 2 * X[1], 0], [2 * Y[0], 2 * Y[1], 0]),
    p_view_of_view: ([1, 1, Y[2]], [0, 0, X[2]]),
    p_write_into_zeros_like: ([X[1] * Y[1], X[0] * Y[1], 0], [0, X[0] * X[1], 0]),
    p_sum_then_inplace: (1 + Y, X + 1),
    p_saved_view_base_written: ERROR,
    p_reshape_view_written: ([2 * X[0], 2 * X[1], 0], [8 * Y[0], 0, 0]),
    p_transpose_view_written: (np.sum(Y) * np.ones(3), np.sum(X) + np.ones(3)),
    p_alias_sees_change: (2 * (X + Y), 2 * (X + Y)),
    p_tanh_then_other_view_written: ([0, *(1 - np.tanh(X[1:]) ** 2)], np.zeros(3)),
}


def run_engine(program):
    return grad(lambda x, y: program(anp, x, y), argnums=(0, 1))(X.copy(), Y.copy())


@pytest.mark.parametrize("program", list(TABLE), ids=lambda p: p.__name__[2:])
def test_inplace_table(program):
    expected = TABLE[program]
    if expected is ERROR:
        with pytest.raises(InplaceError):
            run_engine(program)
        return
    gx, gy = run_engine(program)
    assert np.allclose(gx, expected[0]) and np.allclose(gy, expected[1])


def run_torch(torch, program):
    x = torch.tensor(X, requires_grad=True)
    y = torch.tensor(Y, requires_grad=True)
    try:
        program(torch, x, y).backward()
    except RuntimeError:
        return ERROR
    zeros = np.zeros(3)
    return tuple(zeros if t.grad is None else t.grad.numpy() for t in (x, y))


@pytest.mark.parametrize("program", list(TABLE), ids=lambda p: p.__name__[2:])
def test_table_agrees_with_pytorch(program):
    torch = pytest.importorskip("torch", reason="PyTorch oracle (pip install torch==2.13.0)")
    outcome = run_torch(torch, program)
    if TABLE[program] is ERROR:
        assert outcome is ERROR
    else:
        assert outcome is not ERROR
        assert np.allclose(outcome[0], TABLE[program][0])
        assert np.allclose(outcome[1], TABLE[program][1])


def test_error_names_saving_primitive_and_inplace_op():
    with pytest.raises(InplaceError, match=r"'multiply' needs its argument 0.*'\+=' at .*test_"):
        run_engine(p_mul_saved_then_inplace)
    with pytest.raises(InplaceError, match=r"'exp' needs its output.*'\+='"):
        run_engine(p_exp_output_changed)
    with pytest.raises(InplaceError, match=r"'power' needs its argument 0.*'setitem'"):
        run_engine(p_pow_then_setitem)
    with pytest.raises(InplaceError, match=r"input being differentiated"):
        run_engine(p_inplace_on_input)


def test_out_argument_writes_in_place():
    def f(x, y):
        a = x * 1
        np.add(a, y, out=a)  # plain numpy's out= reaches the engine through __array_ufunc__
        anp.multiply(a, 2.0, out=a)
        return (a * a).sum()
    gx, gy = grad(f, argnums=(0, 1))(X, Y)
    assert np.allclose(gx, 8 * (X + Y)) and np.allclose(gy, 8 * (X + Y))


def test_inplace_forward_mode_and_second_order():
    from nondiff.autodiff import check_grads

    def f(x):
        a = x * 1
        v = a[1:]
        v *= x[:2]
        a[0] = a[2] * 3.0
        return a
    check_grads(f, modes=("fwd", "rev"), order=2)(X)


def test_values_are_written_in_place():
    def f(x):
        a = x * 1
        v = a[1:]
        v += 10.0
        assert a[1].item() == X[1] + 10.0
        return a.sum()
    assert np.allclose(grad(f)(X), 1.0)


def test_view_returned_after_its_base_changed():
    def f(x):
        a = x * 1
        v = a[1:]
        a *= x
        return v
    _, back = __import__("nondiff.autodiff", fromlist=["vjp"]).vjp(f, X)
    assert np.allclose(back(np.ones(2)), [0, 2 * X[1], 2 * X[2]])


def test_scalar_inplace_rebinds():
    def f(x):
        a = x * 1.0
        a += x
        a *= x
        return a
    assert grad(f)(3.0) == pytest.approx(12.0)


def test_custom_rule_capturing_a_derived_view_is_still_checked():
    from nondiff.autodiff import defvjp, primitive

    @primitive
    def weighted(x):
        return np.sum(x * x)

    def rule(ans, x):
        view = x[:]  # a view of the argument, captured under another name
        return lambda g: 2.0 * g * view

    defvjp(weighted, rule)
    assert weighted.keep is None  # not provably safe: every argument gets a version record

    def f(x):
        a = x * 1
        out = weighted(a)
        a += 1
        return out

    with pytest.raises(InplaceError, match="'weighted' needs its argument 0"):
        grad(f)(X)
