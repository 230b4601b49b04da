"""check_grads for dot/matmul/einsum/tensordot and numpy.linalg rules."""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import check_grads

R = np.random.default_rng(3)
A = R.standard_normal((3, 3)) + 3 * np.eye(3)
B = R.standard_normal((3, 2))
V = R.standard_normal(3)
BATCH = R.standard_normal((2, 3, 3)) + 3 * np.eye(3)


def check(f, *args):
    check_grads(f, modes=("fwd", "rev"), order=2)(*args)


@pytest.mark.parametrize("a,b", [(A, B), (V, A), (A, V), (V, V), (BATCH, B), (V, BATCH),
                                 (BATCH, V), (BATCH, BATCH[0])], ids=str)
def test_matmul(a, b):
    check(anp.matmul, a, b)


def test_dot_outer_inner():
    check(anp.dot, A, B)
    check(anp.dot, V, V)
    check(anp.dot, 2.0, V)
    check(anp.dot, BATCH, B)
    check(anp.outer, V, B)
    check(anp.inner, A, B.T)


@pytest.mark.parametrize("axes", [2, 1, 0, ([0, 2], [1, 0]), ([1], [0])], ids=str)
def test_tensordot(axes):
    a = R.standard_normal((2, 3, 4))
    b = R.standard_normal((3, 2, 5)) if axes == ([0, 2], [1, 0]) else R.standard_normal((3, 4, 5))
    if axes == ([0, 2], [1, 0]):
        b = R.standard_normal((4, 2, 5))
    if axes in (1, ([1], [0])):
        b = R.standard_normal((4 if axes == 1 else 3, 5))
    check(lambda x, y: anp.tensordot(x, y, axes), a, b)


@pytest.mark.parametrize("spec,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,ij->", [(2, 3), (2, 3)]), ("i,j->ij", [(2,), (3,)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("ij,jk", [(2, 3), (3, 4)]),
    ("ijk->ki", [(2, 3, 4)]), ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
], ids=str)
def test_einsum(spec, shapes):
    check(lambda *ops: anp.einsum(spec, *ops), *[R.standard_normal(s) for s in shapes])


def test_solve_inv_det():
    check(anp.linalg.solve, A, V)
    check(anp.linalg.solve, A, B)
    check(anp.linalg.solve, BATCH, R.standard_normal((2, 3, 2)))
    check(anp.linalg.inv, A)
    check(anp.linalg.inv, BATCH)
    check(anp.linalg.det, A)
    check(anp.linalg.det, BATCH)
    check(lambda a: anp.linalg.slogdet(a)[1], A)


def test_cholesky():
    check(lambda x: anp.linalg.cholesky(x @ x.T + 3 * np.eye(3)), R.standard_normal((3, 3)))


@pytest.mark.parametrize("ord", [None, 1, 2, 3, np.inf, "fro"], ids=str)
def test_norm(ord):
    if ord == "fro":
        check(lambda x: anp.linalg.norm(x, "fro"), A)
    else:
        check(lambda x: anp.linalg.norm(x, ord), V)
    check(lambda x: anp.linalg.norm(x, axis=1), A)


def test_norm_gradient_at_zero_is_zero():
    from nondiff.autodiff import grad

    assert np.allclose(grad(anp.linalg.norm)(np.zeros(3)), 0.0)


def test_eigh():
    def f(x):
        w, v = anp.linalg.eigh(x + x.T)
        return anp.sum(w * anp.arange(3.0)) + anp.sum((v * v) @ anp.arange(3.0))
    check(f, np.diag([1.0, 2.0, 4.0]) + 0.1 * R.standard_normal((3, 3)))
