"""Random programs mixing views, in-place writes and arithmetic.

Each program is written once against a namespace ``m`` (``nondiff.autodiff.numpy`` or
``torch``). Programs that never overwrite a saved value are checked against finite differences
(both modes, order 2): view replay and history rewriting must give exact derivatives whatever
the interleaving. Programs that may overwrite saved values are compared with PyTorch 2.13 CPU
(skipped visibly without it): same error, or same gradient.
"""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import InplaceError, check_grads, grad

KINDS = ["view", "iadd", "imul", "setitem", "base", "expsave"]


def _step(m, kind, a, views, y, combine):
    if kind == "view":
        views.append(a[1:] if len(views) % 2 else a[::2])
    elif kind == "iadd" and views:
        views[-1] += y[: views[-1].shape[0]] * 0.5
    elif kind == "imul" and views:
        views[-1] *= m.sin(y[: views[-1].shape[0]])
    elif kind == "setitem":
        a[len(views) % 4] = combine(m.exp(0.1 * y[0]), a[3])
    elif kind == "base":
        a *= 1.1
    elif kind == "expsave":
        views.append(m.exp(a[:3]))  # exp saves its output: later writes to it must be caught
    return a


def make_program(m, kinds, combine):
    def program(x, y):
        a = x * 1.0
        views = []
        for kind in kinds:
            a = _step(m, kind, a, views, y, combine)
        extra = sum((v * v).sum() for v in views) if views else 0.0
        return (a * a).sum() + extra
    return program


def _add(u, v):
    return u + v  # saves nothing: the program is always differentiable


def _mul(u, v):
    return u * v  # saves the element a[3], a view: later writes to `a` invalidate it


@pytest.mark.parametrize("seed", range(30))
def test_random_program_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    kinds = list(rng.choice(KINDS[:-1], size=8))
    program = make_program(anp, kinds, _add)
    check_grads(program, modes=("fwd", "rev"), order=2)(rng.uniform(0.5, 1.5, 5),
                                                        rng.uniform(0.5, 1.5, 5))


@pytest.mark.parametrize("seed", range(40))
def test_random_program_agrees_with_pytorch(seed):
    torch = pytest.importorskip("torch", reason="PyTorch oracle (pip install torch==2.13.0)")
    rng = np.random.default_rng(seed)
    kinds = list(rng.choice(KINDS, size=8))
    x0, y0 = rng.uniform(0.5, 1.5, 5), rng.uniform(0.5, 1.5, 5)
    try:
        ours = grad(make_program(anp, kinds, _mul), argnums=(0, 1))(x0, y0)
    except InplaceError:
        ours = None
    x = torch.tensor(x0, requires_grad=True)
    y = torch.tensor(y0, requires_grad=True)
    try:
        make_program(torch, kinds, _mul)(x, y).backward()
        theirs = tuple(np.zeros(5) if t.grad is None else t.grad.numpy() for t in (x, y))
    except RuntimeError:
        theirs = None
    assert (ours is None) == (theirs is None), (kinds, ours, theirs)
    if ours is not None:
        assert np.allclose(ours[0], theirs[0]) and np.allclose(ours[1], theirs[1])


KINDS_2D = ["view", "vview", "tview", "iadd", "imul", "setitem", "advset", "base", "expsave",
            "tanhview", "mulsave", "rowwrite"]


def _step_2d(m, kind, a, views, y):
    if kind == "view":
        views.append(a[1:])
    elif kind == "vview" and views and views[-1].ndim == 2:
        views.append(views[-1][:, 1:])
    elif kind == "tview":
        views.append(a.T)
    elif kind == "iadd" and views:
        views[-1] += 0.5 * y[: views[-1].shape[-1]]
    elif kind == "imul" and views:
        views[-1] *= m.sin(y[: views[-1].shape[-1]])
    elif kind == "setitem":
        a[1, 2] = m.exp(0.1 * y[0]) * a[0, 0]
    elif kind == "advset":
        a[[0, 2], [1, 1]] = y[:2] * 2.0
    elif kind == "base":
        a *= 1.1
    elif kind == "expsave":
        views.append(m.exp(a[1]))
    elif kind == "tanhview":
        views.append(m.tanh(a[:, 0]))
    elif kind == "mulsave":
        views.append(a[0] * y[:4])
    elif kind == "rowwrite":
        a[2] = a[1] + y[:4]
    return a


def make_program_2d(m, kinds):
    def program(x, y):
        a = x * 1.0
        views = []
        for kind in kinds:
            a = _step_2d(m, kind, a, views, y)
        extra = sum((v * v).sum() for v in views) if views else 0.0
        return (a * a).sum() + extra
    return program


@pytest.mark.parametrize("seed", range(60))
def test_random_2d_program_agrees_with_pytorch(seed):
    torch = pytest.importorskip("torch", reason="PyTorch oracle (pip install torch==2.13.0)")
    rng = np.random.default_rng(seed)
    kinds = [str(k) for k in rng.choice(KINDS_2D, size=7)]
    x0, y0 = rng.uniform(0.5, 1.5, (3, 4)), rng.uniform(0.5, 1.5, 5)
    try:
        ours = grad(make_program_2d(anp, kinds), argnums=(0, 1))(x0, y0)
    except InplaceError:
        ours = None
    x = torch.tensor(x0, requires_grad=True)
    y = torch.tensor(y0, requires_grad=True)
    try:
        make_program_2d(torch, kinds)(x, y).backward()
        theirs = tuple(np.zeros(t.shape) if t.grad is None else t.grad.numpy() for t in (x, y))
    except RuntimeError:
        theirs = None
    assert (ours is None) == (theirs is None), kinds
    if ours is not None:
        assert np.allclose(ours[0], theirs[0]) and np.allclose(ours[1], theirs[1])
