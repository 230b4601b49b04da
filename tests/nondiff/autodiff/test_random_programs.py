"""Random programs mixing views, in-place writes and arithmetic, checked against finite
differences (both modes, order 2): the view-replay and history-rewriting machinery must give
exact derivatives whatever the interleaving."""

import numpy as np
import pytest

import nondiff.autodiff.numpy as anp
from nondiff.autodiff import check_grads


def _step(kind, a, views, y):
    if kind == "view":
        views.append(a[1:] if len(views) % 2 else a[::2])
    elif kind == "iadd" and views:
        views[-1] += y[: views[-1].shape[0]] * 0.5
    elif kind == "imul" and views:
        views[-1] *= anp.sin(y[: views[-1].shape[0]])
    elif kind == "setitem":
        a[len(views) % 4] = anp.exp(0.1 * y[0]) * a[3]
    elif kind == "base":
        a *= 1.1
    return a


def make_program(rng):
    kinds = rng.choice(["view", "iadd", "imul", "setitem", "base"], size=8)

    def program(x, y):
        a = x * 1.0
        views = []
        for kind in kinds:
            a = _step(kind, a, views, y)
        extra = sum((v * v).sum() for v in views) if views else 0.0
        return anp.sum(a * a) + extra

    return program


@pytest.mark.parametrize("seed", range(30))
def test_random_inplace_program(seed):
    rng = np.random.default_rng(seed)
    program = make_program(rng)
    check_grads(program, modes=("fwd", "rev"), order=2)(rng.uniform(0.5, 1.5, 5),
                                                        rng.uniform(0.5, 1.5, 5))
