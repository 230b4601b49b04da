"""Inner solvers: ADMM steps for plain Python functions that have no known prox.

When a term is an arbitrary function, its ADMM step
``argmin_x f(x) + rho/2 ||M x - w||^2`` is itself solved numerically:

- :class:`Smooth`: L-BFGS-B through :func:`scipy.optimize.minimize` (Liu & Nocedal [1]) with
  the gradient of ``f`` from nondiff's autodiff engine (``nondiff.autodiff.value_and_grad``)
  or a gradient the user passes; the penalty's gradient ``rho M^T (M x - w)`` is added exactly.
  Each step starts from the previous step's solution (a warm start), so late ADMM iterations
  cost a few L-BFGS iterations.
- :class:`BlackBox`: any ask/tell strategy from the registry (CMA-ES, xNES, ...) over an
  ``Array`` space with the user's bounds, for functions that are not differentiable
  (piecewise constant, simulators). The strategy starts at the previous step's solution where
  it accepts an ``x0``, and a step never returns a point worse than that warm start on the
  step's own objective, so the x-step is a descent step even when the inner search is short.

[1] D. C. Liu, J. Nocedal, "On the limited memory BFGS method for large scale optimization",
    Math. Prog. 45, 1989.
"""

from __future__ import annotations

import inspect

import numpy as np
import scipy.optimize

from nondiff import seeding

__all__ = ["Smooth", "BlackBox"]


def _autodiff_value_and_grad(fun):
    try:
        from nondiff.autodiff import value_and_grad
    except ImportError as exc:  # the engine is optional at import time of this module
        raise ImportError(
            "Smooth(fun) without grad= needs nondiff.autodiff.value_and_grad; pass grad= "
            "explicitly or install a nondiff with the autodiff engine"
        ) from exc
    return value_and_grad(fun)


class Smooth:
    """A differentiable term ``f`` given only as a Python function.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float`` for a 1-d float array ``x``; written with
        ``nondiff.autodiff.numpy`` when ``grad`` is not given.
    grad : callable, optional
        ``grad(x) -> array``; by default the autodiff engine differentiates ``fun``.
    dim : int, optional
        Size of ``x`` (lets :func:`~nondiff.admm.solver.admm` infer the problem's shape).
    tol : float
        L-BFGS-B's gradient tolerance (``gtol``) for each step.
    max_iter : int
        L-BFGS-B iterations per ADMM step.
    """

    convex = True

    def __init__(self, fun, grad=None, *, dim=None, tol=1e-9, max_iter=500):
        if not callable(fun):
            raise TypeError("Smooth fun must be callable as fun(x)")
        if grad is not None and not callable(grad):
            raise TypeError("Smooth grad must be callable as grad(x)")
        self.fun, self.grad, self.dim = fun, grad, dim
        self.tol, self.max_iter = float(tol), int(max_iter)
        self._value_and_grad = None
        self._x = None
        self.nfev = 0

    def __call__(self, x):
        return float(self.fun(np.asarray(x, dtype=float)))

    def _fg(self, x):
        if self.grad is not None:
            return self.fun(x), self.grad(x)
        if self._value_and_grad is None:
            self._value_and_grad = _autodiff_value_and_grad(self.fun)
        return self._value_and_grad(x)

    def solve(self, w, rho, M):
        """``argmin_x f(x) + rho/2 ||M x - w||^2`` by L-BFGS-B from the last solution."""
        def objective(x):
            value, gradient = self._fg(x)
            res = M.apply(x) - w
            self.nfev += 1
            total = float(value) + 0.5 * rho * float(res @ res)
            return total, np.asarray(gradient, dtype=float) + rho * M.adjoint(res)

        x0 = self._x if self._x is not None else np.zeros(M.shape[1])
        out = scipy.optimize.minimize(objective, x0, jac=True, method="L-BFGS-B",
                                      options={"gtol": self.tol, "ftol": 0.0,
                                               "maxiter": self.max_iter})
        self._x = out.x
        return out.x


class BlackBox:
    """A term ``f`` that is not differentiable: each ADMM step runs a registry strategy.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float`` for a 1-d array ``x`` in ``[lo, hi]``.
    lo, hi : float or array
        Bounds of the search (the step is solved inside them).
    dim : int
        Size of ``x``.
    strategy : str
        A registry name (``"xnes"``, ``"snes"``, ``"cmaes"``, ...).
    budget : int
        Evaluations of ``fun`` per ADMM step.
    seed : int or Generator, optional
        Each step's strategy gets its own seed drawn from this stream.
    strategy_options : dict, optional
        Extra options for the strategy's constructor.
    """

    convex = False

    def __init__(self, fun, lo, hi, dim, *, strategy="xnes", budget=300, seed=None,
                 strategy_options=None):
        from nondiff.space import Array, Space

        if not callable(fun):
            raise TypeError("BlackBox fun must be callable as fun(x)")
        if isinstance(budget, bool) or int(budget) != budget or budget < 1:
            raise ValueError(f"BlackBox budget must be a positive integer, got {budget!r}")
        self.fun, self.dim, self.budget = fun, int(dim), int(budget)
        self.space = Space(x=Array((self.dim,), lo, hi))
        self.strategy, self.options = strategy, dict(strategy_options or {})
        self._rng = seeding.as_generator(seed)
        self._x, self._step = None, None
        self._width = float(np.max(np.broadcast_to(np.asarray(hi) - np.asarray(lo), (self.dim,))))
        self.nfev = 0

    def __call__(self, x):
        return float(self.fun(np.asarray(x, dtype=float)))

    def _strategy(self, x0):
        from nondiff import registry

        factory = registry.get(self.strategy)
        options = dict(self.options)
        accepted = inspect.signature(factory).parameters
        if x0 is not None and "x0" in accepted:
            options.setdefault("x0", self.space.encode([{"x": x0}])[0])
        if self._step is not None and "sigma0" in accepted:
            # shrink the search to the scale of the last ADMM move (in unit-cube units)
            options.setdefault("sigma0", float(np.clip(2.0 * self._step, 1e-3, 0.2)))
        seed = int(self._rng.integers(2**63))
        return factory(self.space, seed=seed, budget=self.budget, **options)

    def solve(self, w, rho, M):
        """Approximately ``argmin_x f(x) + rho/2 ||M x - w||^2`` with ``budget`` evaluations."""
        def step_objective(x):
            res = M.apply(x) - w
            return self(x) + 0.5 * rho * float(res @ res)

        strategy, used = self._strategy(self._x), 0
        best_x, best = self._x, np.inf if self._x is None else step_objective(self._x)
        while used < self.budget and strategy.stop() is None:
            cands = strategy.ask()[: self.budget - used]
            X = self.space.decode(np.stack([c.vector for c in cands]))["x"]
            values = np.array([step_objective(x) for x in X])
            values[~np.isfinite(values)] = np.inf
            strategy.tell(cands, values)
            used += len(cands)
            i = int(np.argmin(values))
            if values[i] < best:
                best_x, best = X[i].copy(), float(values[i])
        self.nfev += used
        if self._x is not None:
            self._step = float(np.abs(best_x - self._x).max() / self._width)
        self._x = best_x
        return best_x
