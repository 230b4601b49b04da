"""``check_grads``: derivative rules checked against central finite differences.

Both modes are checked through inner products with random directions, as HIPS autograd does:
forward mode compares ``<J u, v>`` and reverse mode ``<u, J^T v>`` with the finite difference
``<(f(x + eps u) - f(x - eps u)) / 2 eps, v>``. Order 2 repeats the check on the JVP and VJP
functions themselves, which exercises the rules' own derivatives (what hessians use).
"""

from __future__ import annotations

from ..seeding import as_generator
from .api import jvp, vjp
from .tracer import getval
from .vspace import flatten, inner, randn_like, unflatten

__all__ = ["check_grads"]


def check_grads(fun, modes=("fwd", "rev"), order=2, eps=1e-6, rtol=1e-5, atol=1e-6, seed=0):
    """Return ``checker(*args)`` that raises AssertionError if ``fun``'s derivatives are wrong.

    Every argument is differentiated (wrap ``fun`` to fix non-float ones). Arguments and results
    may be floats, float arrays or containers of them.

    Examples
    --------
    >>> import numpy as np
    >>> import nondiff.autodiff.numpy as anp
    >>> check_grads(anp.sin, modes=("fwd", "rev"), order=2)(np.array([0.5, 1.0]))
    """
    unknown = set(modes) - {"fwd", "rev"}
    if unknown:
        raise ValueError(f"modes must be drawn from 'fwd', 'rev'; got {sorted(unknown)}")
    if order < 1:
        raise ValueError(f"order must be >= 1, got {order}")

    def checker(*args):
        _check(fun, args, tuple(modes), order, as_generator(seed), (eps, rtol, atol))

    return checker


def _check(fun, args, modes, order, rng, tol):
    args = tuple(args)
    u = tuple(_like(a, rng) for a in args)
    value = fun(*args)
    v = _like(value, rng)
    numeric = _directional(fun, args, u, tol[0])
    expected = inner(flatten(numeric)[0], flatten(v)[0])
    if "fwd" in modes:
        _, t = jvp(fun, args, u)
        _close(inner(flatten(t)[0], flatten(v)[0]), expected, "forward (JVP)", tol)
    if "rev" in modes:
        _, back = vjp(fun, *args, argnums=tuple(range(len(args))))
        _close(inner(flatten(back(v))[0], flatten(u)[0]), expected, "reverse (VJP)", tol)
    if order > 1:
        n = len(args)
        if "rev" in modes:
            def vjp_fun(*a):
                return vjp(fun, *a[:n], argnums=tuple(range(n)))[1](a[n])
            _check(vjp_fun, (*args, v), ("rev",), order - 1, rng, tol)
        if "fwd" in modes:
            def jvp_fun(*a):
                return jvp(fun, a[:n], a[n:])[1]
            _check(jvp_fun, (*args, *u), ("fwd",), order - 1, rng, tol)


def _like(tree, rng):
    leaves, treedef = flatten(tree)
    return unflatten(treedef, [randn_like(getval(x), rng) for x in leaves])


def _shift(args, u, c):
    out = []
    for a, d in zip(args, u):
        leaves, treedef = flatten(a)
        out.append(unflatten(treedef, [x + c * y for x, y in zip(leaves, flatten(d)[0])]))
    return out


def _directional(fun, args, u, eps):
    hi = flatten(fun(*_shift(args, u, eps)))
    lo = flatten(fun(*_shift(args, u, -eps)))
    return unflatten(hi[1], [(getval(a) - getval(b)) / (2 * eps) for a, b in zip(hi[0], lo[0])])


def _close(got, want, what, tol):
    _, rtol, atol = tol
    if not abs(got - want) <= atol + rtol * abs(want):
        raise AssertionError(f"{what} derivative check failed: got {got!r}, finite differences "
                             f"give {want!r}")
