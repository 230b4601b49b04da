"""``hybrid.minimize``: the driver with the ``hybrid`` strategy, counting every evaluation.

The driver counts the evaluations it makes; the hybrid strategy makes more (gradient steps,
classification). This front-end builds the strategy with the program, runs
:func:`nondiff.minimize`, and reports in the Result ``nfev`` as *all* function evaluations,
``njev`` the gradient evaluations, ``nfev_outer`` the driver's and ``nfev_inner`` the
strategy's own, with ``classification`` (None when ``gradient=`` was given).
"""

from __future__ import annotations

__all__ = ["minimize"]


def minimize(program, space, *, budget, seed=None, callbacks=(), max_time=None, target=None,
             **options):
    """Minimize ``program(**params)`` over ``space`` with :class:`strategies.hybrid.Hybrid`.

    Parameters
    ----------
    program : callable
        Written with :mod:`nondiff.autodiff.numpy`; also the objective the driver evaluates.
    space : Space
    budget : int
        Function evaluations in total (the driver's and the strategy's).
    seed : int, optional
    callbacks, max_time, target
        As for :func:`nondiff.minimize` (callbacks see the strategy as ``info.run.strategy``,
        whose ``evaluations()`` include the inner evaluations).
    **options
        Options of the ``hybrid`` strategy (``search``, ``trainer``, ``steps``, ``mode``, ...).

    Returns
    -------
    Result
        With ``nfev`` (every function evaluation), ``njev``, ``nfev_outer``, ``nfev_inner``.

    Examples
    --------
    >>> from nondiff.space import Space, Real, Integer
    >>> res = minimize(lambda w, k: (w - 0.1 * k) ** 2 + 0.01 * k,
    ...                Space(w=Real(-2, 2), k=Integer(0, 10)), budget=300, seed=0)
    >>> res.nfev <= 300, res.njev > 0, res.params["k"]
    (True, True, 0)
    """
    from nondiff.minimize import minimize as drive
    from strategies.hybrid import Hybrid

    strategy = Hybrid(space, seed=seed, budget=budget, program=program, **options)
    res = drive(program, space, strategy, budget=budget, seed=seed, callbacks=callbacks,
                max_time=max_time, target=target)
    res.update(strategy.evaluations())
    res["classification"] = strategy.classification
    return res
