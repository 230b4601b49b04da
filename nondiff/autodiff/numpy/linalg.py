"""Linear algebra: matmul, dot, einsum, tensordot, outer, solve, inv, det, slogdet, cholesky,
norm, eigh.

Matrix rules follow Giles, "Collected matrix derivative results for forward and reverse mode
algorithmic differentiation" (2008), sections 2.2-3.1 (inverse, determinant, solve), and Murray,
"Differentiation of the Cholesky decomposition" (2016), eq. 8-10 (Cholesky). ``eigh`` assumes
distinct eigenvalues (the standard rule; its derivative is undefined at degenerate ones).
``norm``'s gradient at 0 is 0 (PyTorch's convention; the point is a kink).
"""

from __future__ import annotations

import numpy as _np

from ..forward import defjvp
from ..reverse import defvjp
from ..tracer import Primitive, getval
from .elementwise import abs, multiply, power, where
from .reductions import _expand, max, sum
from .shape import expand_dims, reshape, squeeze, swapaxes, transpose, tril

__all__ = ["matmul", "dot", "einsum", "tensordot", "outer", "inner", "solve", "inv", "det",
           "slogdet", "cholesky", "norm", "eigh", "eigvalsh"]

matmul = Primitive(_np.matmul, "matmul")
tensordot = Primitive(lambda a, b, axes=2: _np.tensordot(a, b, axes), "tensordot")
einsum_args = Primitive(lambda subscripts, *ops: _np.einsum(subscripts, *ops), "einsum")
solve = Primitive(_np.linalg.solve, "solve")
inv = Primitive(_np.linalg.inv, "inv")
det = Primitive(_np.linalg.det, "det")
logabsdet = Primitive(lambda a: _np.linalg.slogdet(a)[1], "logabsdet")
cholesky = Primitive(_np.linalg.cholesky, "cholesky")
norm2 = Primitive(lambda x, axis=None, keepdims=False:
                  _np.sqrt(_np.sum(x * x, axis=axis, keepdims=keepdims)), "norm")
norm2.kink = "norm"
eigvalsh = Primitive(_np.linalg.eigvalsh, "eigvalsh")
eigh_vectors = Primitive(lambda a: _np.linalg.eigh(a)[1], "eigh_vectors")


def _nd(x):
    return _np.ndim(getval(x))


def _shape(x):
    return _np.shape(getval(x))


def _mT(x):
    return swapaxes(x, -1, -2)


def _sum_to(g, shape):
    from .elementwise import _unbroadcast

    return _unbroadcast(g, shape)


def _matmul_vjp_a(ans, a, b):
    sa, nb = _shape(a), _nd(b)
    if len(sa) == 1 and nb == 1:
        return lambda g: g * b
    if len(sa) == 1:  # a (n,) @ b (..., n, m): insert the vector's row axis
        return lambda g: _sum_to(squeeze(matmul(expand_dims(g, -2), _mT(b)), -2), sa)
    if nb == 1:
        return lambda g: _sum_to(multiply(expand_dims(g, -1), b), sa)
    return lambda g: _sum_to(matmul(g, _mT(b)), sa)


def _matmul_vjp_b(ans, a, b):
    sb, na = _shape(b), _nd(a)
    if len(sb) == 1:
        if na == 1:
            return lambda g: g * a
        return lambda g: _sum_to(squeeze(matmul(_mT(a), expand_dims(g, -1)), -1), sb)
    if na == 1:
        return lambda g: _sum_to(multiply(expand_dims(a, -1), expand_dims(g, -2)), sb)
    return lambda g: _sum_to(matmul(_mT(a), g), sb)


defvjp(matmul, _matmul_vjp_a, _matmul_vjp_b)
defjvp(matmul, lambda t, ans, a, b: matmul(t, b), lambda t, ans, a, b: matmul(a, t))


def _axes_lists(a, b, axes):
    na, nb = _nd(a), _nd(b)
    if isinstance(axes, int):
        ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_b = ([x] if isinstance(x, int) else list(x) for x in axes)
    return [x % na for x in ax_a], [x % nb for x in ax_b]


def _tensordot_vjp_a(ans, a, b, axes=2):
    ax_a, ax_b = _axes_lists(a, b, axes)
    free_a = [i for i in range(_nd(a)) if i not in ax_a]
    free_b = [i for i in range(_nd(b)) if i not in ax_b]
    rest_b = sorted(ax_b)
    pos = [free_a.index(j) if j in free_a else len(free_a) + rest_b.index(ax_b[ax_a.index(j)])
           for j in range(_nd(a))]
    g_axes = list(range(len(free_a), len(free_a) + len(free_b)))
    return lambda g: transpose(tensordot(g, b, axes=(g_axes, free_b)), tuple(pos))


def _tensordot_vjp_b(ans, a, b, axes=2):
    ax_a, ax_b = _axes_lists(a, b, axes)
    free_a = [i for i in range(_nd(a)) if i not in ax_a]
    free_b = [i for i in range(_nd(b)) if i not in ax_b]
    rest_a = sorted(ax_a)
    pos = [len(rest_a) + free_b.index(j) if j in free_b else rest_a.index(ax_a[ax_b.index(j)])
           for j in range(_nd(b))]
    g_axes = list(range(len(free_a)))
    return lambda g: transpose(tensordot(a, g, axes=(free_a, g_axes)), tuple(pos))


defvjp(tensordot, _tensordot_vjp_a, _tensordot_vjp_b)
defjvp(tensordot, lambda t, ans, a, b, axes=2: tensordot(t, b, axes),
       lambda t, ans, a, b, axes=2: tensordot(a, t, axes))


def _parse_einsum(subscripts, n):
    if "." in subscripts:
        raise NotImplementedError("einsum: ellipsis ('...') is not supported by the gradient")
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        ins, out = subscripts.split("->")
    else:
        ins = subscripts
        letters = ins.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    ins = ins.split(",")
    if len(ins) != n:
        raise ValueError(f"einsum: subscripts name {len(ins)} operands, got {n}")
    return ins, out


def _einsum_part(i):
    def rule(ans, subscripts, *ops):
        ins, out = _parse_einsum(subscripts, len(ops))
        target = ins[i - 1]
        if len(set(target)) != len(target):
            raise NotImplementedError("einsum: repeated indices in one operand (diagonals)")
        others = [s for k, s in enumerate(ins) if k != i - 1]
        seen = set(out).union(*others) if others else set(out)
        kept = "".join(c for c in target if c in seen)
        spec = ",".join([out, *others]) + "->" + kept
        shape = _shape(ops[i - 1])
        rest = [o for k, o in enumerate(ops) if k != i - 1]
        return lambda g: _einsum_fill(einsum_args(spec, g, *rest), target, kept, shape)
    return rule


def _einsum_fill(x, target, kept, shape):
    """Broadcast back over indices summed away inside one operand only."""
    if kept == target:
        return x
    for k, c in enumerate(target):
        if c not in kept:
            x = expand_dims(x, k)
    from .shape import broadcast_to

    return broadcast_to(x, shape)


def _einsum_tangent(i):
    def rule(t, ans, subscripts, *ops):
        ops = list(ops)
        ops[i - 1] = t
        return einsum_args(subscripts, *ops)
    return rule


for _i in range(1, 32):
    defvjp(einsum_args, _einsum_part(_i), argnums=(_i,))
    defjvp(einsum_args, _einsum_tangent(_i), argnums=(_i,))


def einsum(subscripts, *operands):
    """numpy.einsum with string subscripts (no ellipsis in differentiated calls)."""
    return einsum_args(subscripts, *operands)


def dot(a, b):
    """numpy.dot: matmul for 1-D/2-D, tensordot over (last of a, second-to-last of b) above."""
    if _nd(a) == 0 or _nd(b) == 0:
        return multiply(a, b)
    if _nd(a) <= 2 and _nd(b) <= 2:
        return matmul(a, b)
    return tensordot(a, b, axes=([-1], [_nd(b) - 2 if _nd(b) >= 2 else 0]))


def outer(a, b):
    """numpy.outer of the flattened inputs."""
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


def inner(a, b):
    """numpy.inner: contraction over the last axes."""
    if _nd(a) == 0 or _nd(b) == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


# --- solve, inverse, determinants (Giles 2008, sec. 2.2-2.3) ---
def _solve_vjp_b(ans, a, b):
    return lambda g: solve(_mT(a), g)


def _solve_vjp_a(ans, a, b):
    if _nd(b) == 1:
        return lambda g: -multiply(expand_dims(solve(_mT(a), g), -1), expand_dims(ans, -2))
    return lambda g: -matmul(solve(_mT(a), g), _mT(ans))


def _solve_jvp_a(t, ans, a, b):
    if _nd(b) == 1:
        return -solve(a, squeeze(matmul(t, expand_dims(ans, -1)), -1))
    return -solve(a, matmul(t, ans))


defvjp(solve, _solve_vjp_a, _solve_vjp_b)
defjvp(solve, _solve_jvp_a, lambda t, ans, a, b: solve(a, t))
defvjp(inv, lambda ans, a: lambda g: -matmul(_mT(ans), matmul(g, _mT(ans))))
defjvp(inv, lambda t, ans, a: -matmul(ans, matmul(t, ans)))


def _det_vjp(ans, a):
    return lambda g: expand_dims(expand_dims(g * ans, -1), -1) * _mT(inv(a))


def _trace_last(x):
    n = _shape(x)[-1]
    return sum(x * _np.eye(n), axis=(-2, -1))


defvjp(det, _det_vjp)
defjvp(det, lambda t, ans, a: ans * _trace_last(solve(a, t)))
defvjp(logabsdet, lambda ans, a: lambda g: expand_dims(expand_dims(g, -1), -1) * _mT(inv(a)))
defjvp(logabsdet, lambda t, ans, a: _trace_last(solve(a, t)))


def slogdet(a):
    """(sign, log|det a|) as a plain tuple; only the second part has a derivative."""
    return _np.sign(_np.linalg.det(getval(a))), logabsdet(a)


# --- Cholesky (Murray 2016, eq. 8-10): Phi takes the lower triangle and halves the diagonal ---
def _phi(x):
    n = _shape(x)[-1]
    return tril(x) * (1.0 - 0.5 * _np.eye(n))


def _cholesky_vjp(ans, a):
    def vjp(g):
        p = _phi(matmul(_mT(ans), g))
        s = solve(_mT(ans), _mT(solve(_mT(ans), _mT(p))))  # L^-T P L^-1
        return 0.5 * (s + _mT(s))
    return vjp


defvjp(cholesky, _cholesky_vjp)
defjvp(cholesky, lambda t, ans, a: matmul(ans, _phi(solve(ans, _mT(solve(ans, _mT(t)))))))


# --- norms ---
def _norm2_vjp(ans, x, axis=None, keepdims=False):
    shape = _shape(x)
    safe = where(getval(ans) == 0, 1.0, ans)
    scale = where(getval(ans) == 0, 0.0, 1.0 / safe)
    return lambda g: _expand(g * scale, shape, axis, keepdims) * x


def _norm2_jvp(t, ans, x, axis=None, keepdims=False):
    safe = where(getval(ans) == 0, 1.0, ans)
    scale = where(getval(ans) == 0, 0.0, 1.0 / safe)
    return sum(t * x, axis=axis, keepdims=keepdims) * scale


defvjp(norm2, _norm2_vjp)
defjvp(norm2, _norm2_jvp)


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector p-norms (any ``ord``, including inf) and the Frobenius norm of matrices."""
    if ord is None or ord == "fro" or (ord == 2 and (_nd(x) == 1 or isinstance(axis, int))):
        return norm2(x, axis=axis, keepdims=keepdims)
    if _nd(x) != 1 and not isinstance(axis, int):
        raise NotImplementedError(f"norm: ord={ord!r} for matrices (only 'fro' / None)")
    if ord == _np.inf:
        return max(abs(x), axis=axis, keepdims=keepdims)
    if ord == 1:
        return sum(abs(x), axis=axis, keepdims=keepdims)
    return power(sum(power(abs(x), ord), axis=axis, keepdims=keepdims), 1.0 / ord)


# --- symmetric eigendecomposition (distinct eigenvalues) ---
def _gaps(w):
    """F[i, j] = 1 / (w[j] - w[i]) off the diagonal, 0 on it."""
    d = expand_dims(w, -2) - expand_dims(w, -1)
    n = _shape(w)[-1]
    eye = _np.eye(n)
    return (1.0 - eye) / (d + eye)


def _eigvalsh_vjp(ans, a):
    v = eigh_vectors(a)
    return lambda g: matmul(v * expand_dims(g, -2), _mT(v))


def _eigh_vectors_vjp(ans, a):
    f = _gaps(eigvalsh(a))
    return lambda g: matmul(ans, matmul(f * matmul(_mT(ans), g), _mT(ans)))


defvjp(eigvalsh, _eigvalsh_vjp)
defjvp(eigvalsh, lambda t, ans, a: _diag_part(matmul(_mT(eigh_vectors(a)),
                                                     matmul(t, eigh_vectors(a)))))
defvjp(eigh_vectors, _eigh_vectors_vjp)
defjvp(eigh_vectors, lambda t, ans, a: matmul(ans, _gaps(eigvalsh(a))
                                              * matmul(_mT(ans), matmul(t, ans))))


def _diag_part(x):
    n = _shape(x)[-1]
    return sum(x * _np.eye(n), axis=-1)


def eigh(a):
    """(eigenvalues, eigenvectors) of a symmetric matrix, each with its own rule."""
    return eigvalsh(a), eigh_vectors(a)

