"""The transformations: grad/argnums, containers, vjp/jvp, jacobians, hessians, custom rules."""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import (
    EscapeError,
    check_grads,
    defjvp,
    defvjp,
    grad,
    hessian,
    hvp,
    jacobian,
    jvp,
    primitive,
    stop_gradient,
    value_and_grad,
    vjp,
)

R = np.random.default_rng(4)


def rosenbrock(x):
    return anp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hessian(x):
    """Closed form: tridiagonal."""
    n = len(x)
    h = np.zeros((n, n))
    i = np.arange(n - 1)
    h[i, i] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    h[i + 1, i + 1] += 200
    h[i, i + 1] = h[i + 1, i] = -400 * x[:-1]
    return h


def test_grad_argnums_and_value():
    f = lambda x, y: x * anp.sin(y)  # noqa: E731
    assert grad(f)(2.0, 0.5) == pytest.approx(np.sin(0.5))
    assert grad(f, argnums=1)(2.0, 0.5) == pytest.approx(2 * np.cos(0.5))
    gx, gy = grad(f, argnums=(0, 1))(2.0, 0.5)
    assert (gx, gy) == (pytest.approx(np.sin(0.5)), pytest.approx(2 * np.cos(0.5)))
    value, g = value_and_grad(f)(2.0, 0.5)
    assert value == pytest.approx(2 * np.sin(0.5)) and g == pytest.approx(np.sin(0.5))


def test_grad_of_nested_containers():
    params = {"w": R.standard_normal((3, 2)), "layers": [R.standard_normal(2), (0.5, 1.5)]}
    x = R.standard_normal(3)

    def loss(p):
        h = anp.tanh(x @ p["w"] + p["layers"][0])
        return anp.sum(h ** 2) * p["layers"][1][0] + p["layers"][1][1]

    g = grad(loss)(params)
    assert set(g) == {"w", "layers"} and isinstance(g["layers"], list)
    assert isinstance(g["layers"][1], tuple) and g["w"].shape == (3, 2)
    assert g["layers"][1][1] == pytest.approx(1.0)
    check_grads(loss, modes=("rev",), order=2)(params)


def test_vjp_and_jvp_agree_with_jacobian():
    f = lambda x: anp.sin(x) * anp.sum(x ** 2)  # noqa: E731
    x = R.standard_normal(4)
    jr, jf = jacobian(f)(x), jacobian(f, mode="fwd")(x)
    expected = np.diag(np.cos(x)) * np.sum(x ** 2) + np.outer(np.sin(x), 2 * x)
    assert np.allclose(jr, expected) and np.allclose(jf, expected)
    v, u = R.standard_normal(4), R.standard_normal(4)
    _, back = vjp(f, x)
    _, t = jvp(f, (x,), (u,))
    assert np.allclose(back(v), expected.T @ v) and np.allclose(t, expected @ u)


def test_jacobian_shapes():
    f = lambda x: x[:, None] * anp.ones((1, 3)) * 2.0  # noqa: E731
    assert jacobian(f)(np.ones(2)).shape == (2, 3, 2)
    assert jacobian(f, mode="fwd")(np.ones(2)).shape == (2, 3, 2)


def test_hessian_rosenbrock_closed_form_dim_100():
    x = R.uniform(-1, 1, 100)
    assert np.max(np.abs(hessian(rosenbrock)(x) - rosenbrock_hessian(x))) < 1e-10


def test_hvp_matches_closed_form():
    x, v = R.uniform(-1, 1, 50), R.standard_normal(50)
    assert np.allclose(hvp(rosenbrock)(x, v), rosenbrock_hessian(x) @ v, rtol=1e-12, atol=1e-9)


def test_reverse_over_reverse_and_third_order():
    assert grad(grad(grad(anp.sin)))(0.3) == pytest.approx(-np.cos(0.3))
    h = jacobian(grad(rosenbrock))(np.array([0.5, -0.2, 0.3]))
    assert np.allclose(h, rosenbrock_hessian(np.array([0.5, -0.2, 0.3])))


def test_nested_grad_closure_perturbation_confusion():
    # d/dx [x * d/dy (x + y)] = 1: the inner derivative must not see the outer x as a variable
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(2.0) == pytest.approx(1.0)


def test_stop_gradient():
    assert grad(lambda x: x * stop_gradient(x))(3.0) == pytest.approx(3.0)


def test_custom_primitive_with_rules():
    @primitive
    def logcosh(x):
        return np.log(np.cosh(x))

    defvjp(logcosh, lambda ans, x: lambda g: g * anp.tanh(x))
    defjvp(logcosh, lambda t, ans, x: t * anp.tanh(x))
    check_grads(logcosh, modes=("fwd", "rev"), order=2)(R.standard_normal(3))
    with pytest.raises(TypeError, match="no VJP rule"):
        grad(primitive(np.cosh))(1.0)


def test_plain_numpy_functions_dispatch_to_the_engine():
    assert grad(lambda x: np.sum(np.sin(x) * np.exp(x)))(np.zeros(2)) == pytest.approx([1, 1])
    assert np.allclose(grad(lambda x: np.linalg.norm(np.ones(3) * x))(np.ones(3)),
                       np.ones(3) / np.sqrt(3))


def test_errors_name_the_problem():
    with pytest.raises(TypeError, match="scalar output"):
        grad(lambda x: x * 2.0)(np.ones(3))
    with pytest.raises(TypeError, match="argument 0"):
        grad(lambda n: n * 2.0)(3)
    with pytest.raises(ValueError, match="argnums"):
        grad(lambda x: x, argnums=2)(1.0)
    with pytest.raises(ValueError, match="mode"):
        jacobian(anp.sin, mode="sideways")
    with pytest.raises(EscapeError, match="plain numpy array"):
        grad(lambda x: np.sum(np.fft.fft(x)).real)(np.ones(4))
    with pytest.raises(ValueError, match="modes"):
        check_grads(anp.sin, modes=("up",))


def test_unused_input_gets_zero_gradient():
    assert grad(lambda x, y: x * 2.0, argnums=1)(1.0, np.ones(2)).tolist() == [0.0, 0.0]


def test_derivative_never_lost_silently():
    def write_into_plain_array(x):
        buf = np.zeros(2)
        buf[0] = x[1]  # numpy calls float(): the derivative would vanish
        return anp.sum(buf * x)

    # numpy reports it as ValueError, chained to our EscapeError that names the line
    with pytest.raises((EscapeError, ValueError)):
        grad(write_into_plain_array)(np.ones(2))
    with pytest.raises(EscapeError, match="float"):
        grad(lambda x: float(x) * x)(1.0)
    with pytest.raises(EscapeError):
        grad(lambda x: __import__("math").sin(x))(1.0)

    def buffer_from_zeros_like(x):
        buf = anp.zeros_like(x)
        buf[0] = x[1]
        return anp.sum(buf * x)

    assert np.allclose(grad(buffer_from_zeros_like)(np.array([2.0, 3.0])), [3.0, 2.0])
    assert grad(lambda x: x * x.item())(3.0) == pytest.approx(3.0)
    assert f"{__import__('nondiff.autodiff', fromlist=['vjp']).vjp(anp.sin, 0.5)[0]:.2f}"
