"""The user-facing transformations: grad, value_and_grad, vjp, jvp, jacobian, hessian, hvp."""

from __future__ import annotations

import functools

import numpy as np

from .forward import ForwardTrace
from .reverse import ReverseTrace, backward_pass
from .tracer import Box, NoGradPrimitive, Primitive, getval, new_trace, node_of, quiet_gc
from .vspace import check_float, flatten, unflatten, zeros_like

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp", "primitive",
           "nograd_primitive"]


def _select(args, argnums):
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    for i in nums:
        if not -len(args) <= i < len(args):
            raise ValueError(f"argnums={argnums!r} is out of range for {len(args)} arguments")
    return single, nums


def _leaves_of(args, nums):
    out = []
    for i in nums:
        leaves, tree = flatten(args[i])
        for k, leaf in enumerate(leaves):
            check_float(leaf, f"argument {i}" + (f" (leaf {k})" if tree is not None else ""))
        out.append((leaves, tree))
    return out


def _rebuild(args, nums, parts, boxed):
    args, k = list(args), 0
    for i, (leaves, tree) in zip(nums, parts):
        args[i] = unflatten(tree, boxed[k:k + len(leaves)])
        k += len(leaves)
    return args


def _outputs(trace, out):
    leaves, tree = flatten(out)
    values = [v._value if isinstance(v, Box) and v._trace is trace else v for v in leaves]
    return leaves, tree, unflatten(tree, values)


def _like_leaf(leaf, g):
    """The cotangent of ``leaf``: zero if nothing reached it, a float for a float."""
    if g is None:
        return zeros_like(getval(leaf))
    if type(leaf) is float and type(g) is np.float64:
        return float(g)
    return g


def _numpy_scalar(x):
    """Seeds as numpy scalars: rules then follow numpy's float semantics (1/0 = inf, not an
    exception) even where the values they combine are Python floats."""
    return np.float64(x) if type(x) in (float, int) else x


def vjp(fun, *args, argnums=0):
    """Evaluate ``fun(*args)`` and return ``(value, vjp_fn)``.

    ``vjp_fn(cotangent)`` (the cotangent shaped like the value, containers allowed) returns the
    cotangent of argument ``argnums`` (a tuple of them if ``argnums`` is a tuple), shaped like it.
    It may be called any number of times.

    Examples
    --------
    >>> import nondiff.autodiff.numpy as anp
    >>> value, back = vjp(anp.sin, 0.0)
    >>> float(back(2.0))
    2.0
    """
    return _vjp(fun, args, argnums, free=False)


def _vjp(fun, args, argnums, free):
    single, nums = _select(args, argnums)
    parts = _leaves_of(args, nums)
    flat = [leaf for leaves, _ in parts for leaf in leaves]
    with new_trace(ReverseTrace) as trace:
        boxes = [trace.leaf(v) for v in flat]
        out = fun(*_rebuild(args, nums, parts, boxes))
    outs, _, value = _outputs(trace, out)
    leaf_nodes = [b._node for b in boxes]

    def vjp_fn(cotangent):
        gs = [_numpy_scalar(g) for g in flatten(cotangent)[0]]
        seeds = [(node_of(o), g) for o, g in zip(outs, gs)
                 if isinstance(o, Box) and o._trace is trace and node_of(o) is not None]
        with quiet_gc():
            found = backward_pass(seeds, leaf_nodes, free) if seeds else [None] * len(flat)
        grads = [_like_leaf(v, g) for v, g in zip(flat, found)]
        result = _rebuild([None] * len(args), nums, parts, grads)
        return result[nums[0]] if single else tuple(result[i] for i in nums)

    return value, vjp_fn


def value_and_grad(fun, argnums=0):
    """Return a function computing ``(fun(*args), gradient)`` for a scalar-valued ``fun``.

    Examples
    --------
    >>> import nondiff.autodiff.numpy as anp
    >>> value_and_grad(lambda x: anp.sum(x ** 2))(anp.array([1.0, 2.0]))
    (np.float64(5.0), array([2., 4.]))
    """
    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        value, back = _vjp(lambda *a: fun(*a, **kwargs), args, argnums, free=True)
        if np.ndim(getval(value)) != 0:
            raise TypeError(f"grad needs a scalar output; got shape {np.shape(getval(value))} "
                            "(use vjp or jacobian)")
        return value, back(1.0)

    return wrapped


def grad(fun, argnums=0):
    """Return the gradient function of a scalar-valued ``fun`` with respect to ``argnums``.

    Arguments may be floats, float arrays or dicts/lists/tuples of them; the gradient has the
    same structure.

    Examples
    --------
    >>> import nondiff.autodiff.numpy as anp
    >>> grad(lambda p: p["w"] * p["b"])({"w": 3.0, "b": 2.0})
    {'w': 2.0, 'b': 3.0}
    """
    vg = value_and_grad(fun, argnums)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        return vg(*args, **kwargs)[1]

    return wrapped


def jvp(fun, primals, tangents):
    """Forward mode: ``(fun(*primals), J @ tangents)`` for tuples of arguments and tangents.

    Examples
    --------
    >>> import nondiff.autodiff.numpy as anp
    >>> value, tangent = jvp(anp.exp, (0.0,), (3.0,))
    >>> float(tangent)
    3.0
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError("jvp: primals and tangents must have the same length")
    nums = tuple(range(len(primals)))
    parts = _leaves_of(primals, nums)
    flat = [leaf for leaves, _ in parts for leaf in leaves]
    tflat = [_numpy_scalar(t) for tan in tangents for t in flatten(tan)[0]]
    with new_trace(ForwardTrace) as trace:
        boxes = [trace.leaf(v, t) for v, t in zip(flat, tflat)]
        out = fun(*_rebuild(primals, nums, parts, boxes))
    outs, tree, value = _outputs(trace, out)
    touts = [node_of(o) if isinstance(o, Box) and o._trace is trace and node_of(o) is not None
             else zeros_like(getval(o)) for o in outs]
    return value, unflatten(tree, touts)


def jacobian(fun, argnum=0, mode="rev"):
    """The Jacobian of ``fun`` in argument ``argnum`` (a float or array), shaped out + in.

    ``mode="rev"`` does one backward pass per output element, ``"fwd"`` one forward pass per
    input element: choose the smaller side.
    """
    if mode not in ("rev", "fwd"):
        raise ValueError(f"mode must be 'rev' or 'fwd', not {mode!r}")

    @functools.wraps(fun)
    def wrapped(*args):
        x = args[argnum]
        if isinstance(x, (dict, list, tuple)):
            raise TypeError(f"jacobian: argument {argnum} must be a float or an array, not a "
                            f"{type(x).__name__} (flatten containers first, or use vjp/jvp)")
        if mode == "rev":
            return _jacobian_rev(fun, args, argnum, x)
        return _jacobian_fwd(fun, args, argnum, x)

    return wrapped


def _jacobian_rev(fun, args, argnum, x):
    value, back = vjp(fun, *args, argnums=argnum)
    out_shape, in_shape = np.shape(getval(value)), np.shape(getval(x))
    rows = []
    for k in range(int(np.prod(out_shape))):
        e = np.zeros(out_shape)
        e[np.unravel_index(k, out_shape)] = 1.0
        rows.append(back(e))
    return _stack(rows, out_shape + in_shape)


def _jacobian_fwd(fun, args, argnum, x):
    in_shape = np.shape(getval(x))
    cols, out_shape = [], None
    for k in range(int(np.prod(in_shape))):
        e = np.zeros(in_shape)
        e[np.unravel_index(k, in_shape)] = 1.0
        value, t = jvp(lambda v: fun(*args[:argnum], v, *args[argnum + 1:]), (x,), (e,))
        out_shape = np.shape(getval(value))
        cols.append(t)
    jac = _stack(cols, in_shape + out_shape)
    n_in = len(in_shape)
    from .numpy import transpose

    perm = tuple(range(n_in, n_in + len(out_shape))) + tuple(range(n_in))
    return transpose(jac, perm)


def _stack(parts, shape):
    from .numpy import reshape, stack

    return reshape(stack([reshape(p, (-1,)) for p in parts]), shape)


def hessian(fun, argnum=0):
    """The Hessian of a scalar ``fun`` in argument ``argnum`` (forward over reverse)."""
    return jacobian(grad(fun, argnum), argnum, mode="fwd")


def hvp(fun, argnum=0):
    """Return ``h(*args, v) = H(args) @ v``, one forward-over-reverse pass (no Hessian is formed).

    Examples
    --------
    >>> import nondiff.autodiff.numpy as anp
    >>> h = hvp(lambda x: anp.sum(x ** 3))
    >>> h(anp.array([1.0, 2.0]), anp.array([1.0, 0.0]))
    array([6., 0.])
    """
    g = grad(fun, argnum)

    def product(*args):
        *args, v = args
        return jvp(lambda x: g(*args[:argnum], x, *args[argnum + 1:]), (args[argnum],), (v,))[1]

    return product


def primitive(fun=None, *, name=None):
    """Make ``fun`` a primitive; attach rules with :func:`defvjp` / :func:`defjvp`.

    Examples
    --------
    >>> import numpy as np
    >>> from nondiff.autodiff import defvjp, defjvp
    >>> @primitive
    ... def cube(x):
    ...     return x ** 3
    >>> defvjp(cube, lambda ans, x: lambda g: 3 * g * x ** 2)
    >>> defjvp(cube, lambda t, ans, x: 3 * t * x ** 2)
    >>> float(grad(cube)(2.0))
    12.0
    """
    if fun is None:
        return lambda f: Primitive(f, name)
    return Primitive(fun, name)


def nograd_primitive(fun=None, *, name=None, category="round"):
    """Make ``fun`` a primitive without derivative (see :mod:`~nondiff.autodiff.numpy.nograd`)."""
    if fun is None:
        return lambda f: NoGradPrimitive(f, name, category)
    return NoGradPrimitive(fun, name, category)
