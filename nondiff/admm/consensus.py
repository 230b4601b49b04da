"""Consensus ADMM: one shared variable, an objective split across data shards.

``minimize sum_i f_i(x) + g(x)`` is written as ``minimize sum_i f_i(x_i) + g(z)`` subject to
``x_i = z`` (Boyd et al. [1], Sec. 7.1): in the general form ``A = I`` on the stacked
``x = (x_1, ..., x_N)`` and ``B = -[I; ...; I]`` (a :class:`~nondiff.admm.linear.Stack`, with
``B^T B = N I``, so the z-step is ``g``'s prox at the average, [1] eq. (7.6)). The x-step is
separable: each shard solves its own sub-problem, and :class:`Separable` sends them to any
``concurrent.futures.Executor`` (a process pool, or a Dask cluster through
``client.get_executor()``), so the same code runs on one machine or many.

[1] S. Boyd et al., "Distributed optimization and statistical learning via the alternating
    direction method of multipliers", Found. Trends Mach. Learn. 3(1), 2011.
"""

from __future__ import annotations

import numpy as np

from nondiff.admm.linear import Identity, Stack
from nondiff.admm.prox import Zero
from nondiff.admm.result import ADMMResult
from nondiff.admm.solver import admm

__all__ = ["Separable", "consensus"]


def _solve_block(term, w, rho):
    """Top level (picklable) so process pools and Dask workers can run it."""
    return term.solve(w, rho, Identity(w.size))


class Separable:
    """``f(x) = sum_i f_i(x_i)`` over equal blocks of ``n`` entries; blocks solved in parallel.

    Parameters
    ----------
    terms : list of terms
        One per block; each needs ``solve(w, rho, M)`` and ``__call__``.
    n : int
        Size of each block.
    executor : concurrent.futures.Executor, optional
        Where the block sub-problems run; in this process when None. With a process pool or
        Dask each term is pickled on every iteration and the worker's copy (with the
        factorization it computed) is discarded, so each call factors the shard's small Gram
        matrix again: fine for shards with tens to hundreds of features, wasteful beyond.
    """

    def __init__(self, terms, n, executor=None):
        if not terms:
            raise ValueError("Separable needs at least one term")
        if executor is not None and not hasattr(executor, "submit"):
            raise TypeError("executor must be a concurrent.futures.Executor (with submit)")
        self.terms, self.n, self.executor = list(terms), int(n), executor
        self.dim = self.n * len(self.terms)

    def __call__(self, x):
        blocks = x.reshape(len(self.terms), self.n)
        return float(sum(t(b) for t, b in zip(self.terms, blocks)))

    def solve(self, w, rho, M):
        if not (isinstance(M, Identity) and M.scale == 1.0):
            raise ValueError("a Separable term needs A = I (the consensus form)")
        blocks = w.reshape(len(self.terms), self.n)
        if self.executor is None:
            out = [_solve_block(t, b, rho) for t, b in zip(self.terms, blocks)]
        else:
            futures = [self.executor.submit(_solve_block, t, b, rho)
                       for t, b in zip(self.terms, blocks)]
            out = [fut.result() for fut in futures]
        return np.concatenate(out)


def consensus(shards, g=None, *, n=None, executor=None, **options) -> ADMMResult:
    """Minimize ``sum_i shards[i](x) + g(x)`` by consensus ADMM ([1], Sec. 7.1).

    Parameters
    ----------
    shards : list of terms
        E.g. one :class:`~nondiff.admm.terms.LeastSquares` per data shard, or
        :class:`~nondiff.admm.inner.Smooth` terms around plain Python functions.
    g : term, optional
        A regularizer with a prox (:class:`~nondiff.admm.prox.Zero` when None).
    n : int, optional
        Size of ``x``; taken from the first shard's ``dim`` when not given.
    executor : concurrent.futures.Executor, optional
        Runs the shards' sub-problems in parallel.
    **options
        Passed to :func:`~nondiff.admm.solver.admm`.

    Returns
    -------
    ADMMResult
        ``x`` is the consensus value ``z``; ``x_shards`` the local copies, one row per shard.
    """
    n = n if n is not None else getattr(shards[0], "dim", None) if shards else None
    if n is None:
        raise ValueError("consensus needs n (the size of x) when shards have no dim")
    f = Separable(shards, n, executor)
    g = Zero() if g is None else g
    res = admm(f, g, A=Identity(f.dim), B=Stack(len(f.terms), n, -1.0), **options)
    res["x_shards"] = res.x.reshape(len(f.terms), n)
    res["x"] = res.z
    return res
