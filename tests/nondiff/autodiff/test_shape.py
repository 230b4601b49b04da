"""check_grads for shape and indexing primitives (scatter-add for repeated advanced indices)."""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import check_grads, grad

R = np.random.default_rng(2)
X = R.standard_normal((2, 3))
Y = R.standard_normal((2, 3, 4))


def check(f, *args):
    check_grads(f, modes=("fwd", "rev"), order=2)(*args)


CASES = {
    "reshape": (lambda x: anp.reshape(x, (3, 2)), X),
    "reshape_method": (lambda x: x.reshape(6), X),
    "transpose": (lambda x: anp.transpose(x), X),
    "transpose_axes": (lambda x: anp.transpose(x, (2, 0, 1)), Y),
    "T": (lambda x: x.T, X),
    "swapaxes": (lambda x: anp.swapaxes(x, 0, 2), Y),
    "moveaxis": (lambda x: anp.moveaxis(x, 0, -1), Y),
    "squeeze": (lambda x: anp.squeeze(x), X[:1]),
    "expand_dims": (lambda x: anp.expand_dims(x, 1), X),
    "ravel": (anp.ravel, X),
    "broadcast_to": (lambda x: anp.broadcast_to(x, (4, 2, 3)), X),
    "tile": (lambda x: anp.tile(x, (2, 1, 3)), X),
    "repeat": (lambda x: anp.repeat(x, 2, axis=1), X),
    "repeat_flat": (lambda x: anp.repeat(x, 3), X),
    "flip": (lambda x: anp.flip(x, 1), X),
    "pad": (lambda x: anp.pad(x, ((1, 0), (2, 1)), constant_values=0.5), X),
    "triu": (lambda x: anp.triu(x, 1), X),
    "tril": (anp.tril, X),
    "roll": (lambda x: anp.roll(x, 2, axis=1), X),
    "basic_index": (lambda x: x[1:, ::2], Y),
    "int_index": (lambda x: x[1], X),
    "advanced_index_repeats": (lambda x: x[[0, 1, 0], [2, 2, 2]], X),
    "bool_index": (lambda x: x[x > 0], X),
    "newaxis_ellipsis": (lambda x: x[..., None, 1], Y),
    "sort": (lambda x: anp.sort(x, axis=1), X),
    "sort_flat": (lambda x: anp.sort(x, axis=None), X),
    "diagonal": (lambda x: anp.diagonal(x), X),
    "trace": (lambda x: anp.trace(x @ x.T), X),
    "scalar_index": (lambda x: x[0] * 2.0, 1.5 * np.ones(3)),
    "diag_build": (lambda x: anp.diag(x[0], 1), X),
    "diag_read": (lambda x: anp.diag(x @ x.T), X),
    "take": (lambda x: anp.take(x, [2, 0, 2], axis=1), X),
    "take_flat": (lambda x: anp.take(x, [5, 1]), X),
}


@pytest.mark.parametrize("name", list(CASES))
def test_shape_op(name):
    f, x = CASES[name]
    check(f, x)


def test_concatenate_stack_split():
    check(lambda x, y: anp.concatenate([x, y, x], axis=1), X, X[:, :2])
    check(lambda x, y: anp.stack([x, y], axis=-1), X, X * 2)
    check(lambda x: anp.hstack([x, x]), X)
    check(lambda x: anp.vstack([x, x[0]]), X)
    check(lambda x: anp.split(x, [1, 2], axis=1)[1] * anp.split(x, 3, axis=1)[2], X)


def test_take_along_axis():
    idx = np.array([[0, 0, 2], [1, 2, 1]])
    check(lambda x: anp.take_along_axis(x, idx, 1), X)


def test_array_from_traced_list():
    f = lambda x: anp.array([x[0] * x[1], x[1] ** 2, [1.0, 2.0][0] * x[0]])  # noqa: E731
    check(f, np.array([0.3, 0.7]))
    assert np.allclose(grad(lambda x: anp.sum(f(x)))(np.array([0.3, 0.7])), [1.7, 1.7])


def test_iteration_and_len():
    def f(x):
        return sum(row * i for i, row in enumerate(x)) if len(x) == 2 else 0.0
    check(f, X)


def test_concatenate_and_stack_of_many_arrays():
    """Variadic primitives have a rule for every position, not only the first 63."""
    x = np.arange(1.0, 4.0)
    check_grads(lambda x: anp.concatenate([x * k for k in range(70)]), modes=("fwd", "rev"),
                order=1)(x)
    check_grads(lambda x: anp.stack([x[0] * k for k in range(100)]), modes=("rev",), order=1)(x)
