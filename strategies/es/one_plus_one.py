"""(1+1)-ES with the 1/5th success rule: one parent, one offspring, elitist selection.

[1] I. Rechenberg, "Evolutionsstrategie", Frommann-Holzboog (1973): the 1/5th success rule.
[2] S. Kern, S. D. Mueller, N. Hansen, D. Buche, J. Ocenasek, P. Koumoutsakos, "Learning
    probability distributions in continuous evolutionary algorithms - a comparative review",
    Natural Computing 3:77-112 (2004): the (1+1)-ES with the rule in exponential form,
    ``sigma <- sigma exp((1[success] - p_target) / (d (1 - p_target)))``, ``p_target = 1/5``.
[3] C. Igel, N. Hansen, S. Roth, "Covariance matrix adaptation for multi-objective
    optimization", Evolutionary Computation 15(1):1-28 (2007): the damping ``d = 1 + dim/2``
    of the success rule (here without its smoothing of the success rate).

The first generation evaluates the initial point; afterwards each ask is ``x + sigma z`` with
``z ~ N(0, I)``. An offspring replaces the parent when it is at least as good (``<=``);
a failed evaluation (``+inf``) is never a success. At the target rate the log step size is
stationary: ``1/5 (4/5) - 4/5 (1/5) = 0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from strategies.es._base import GaussianES, check_option

__all__ = ["OnePlusOneES"]


@dataclass
class _Params:
    damping: float
    p_target: float
    tol_sigma: float


@dataclass
class _State:
    mean: np.ndarray  # the parent, in unbounded coordinates
    sigma: float
    f_parent: float = math.inf
    evaluated: bool = False
    generation: int = 0


class OnePlusOneES(GaussianES):
    """(1+1)-ES with the 1/5th success rule (Rechenberg 1973; Kern et al. 2004).

    Parameters
    ----------
    space : nondiff.space.Space
        Searched through its unit-cube vector encoding.
    seed, budget
        As for every strategy.
    sigma0 : float
        Initial step size in unit-cube coordinates (default 0.2).
    damping : float, optional
        ``d`` of the step-size rule; default ``1 + dim / 2`` [3].
    p_target : float
        Target success probability (default 1/5).
    tol_sigma : float
        ``stop()`` says "converged" once ``sigma`` is below this (default 1e-12).
    bounds : {"clip", "reflect"}
        How samples of the unbounded Gaussian enter the unit cube (see
        :mod:`strategies.es._base`; default "clip", with the mean clamped into the cube).
    x0 : array, optional
        Initial parent in the unit cube; default a uniform draw from the run's generator.
    dtype : {"float64", "float32"}
        Precision of the sampled perturbation.

    Examples
    --------
    >>> from nondiff.space import Real, Space
    >>> es = OnePlusOneES(Space(x=Real(-1, 1)), seed=0)
    >>> for _ in range(200):
    ...     cands = es.ask()
    ...     es.tell(cands, [(c.params["x"] - 0.5) ** 2 for c in cands])
    >>> round(es.best[0].params["x"], 3)
    0.5
    """

    def __init__(self, space, *, seed=None, budget=None, sigma0=0.2, damping=None,
                 p_target=0.2, tol_sigma=1e-12, bounds="clip", x0=None, dtype="float64"):
        x0 = self._setup(space, seed=seed, budget=budget, x0=x0, dtype=dtype, bounds=bounds)
        self._params = _Params(
            damping=check_option("damping", 1 + space.dim / 2 if damping is None else damping,
                                 low=0),
            p_target=check_option("p_target", p_target, low=0),
            tol_sigma=check_option("tol_sigma", tol_sigma, low=0, inclusive=True),
        )
        if self._params.p_target >= 1:
            raise ValueError(f"p_target must be < 1, got {p_target!r}")
        self._state = _State(mean=x0, sigma=check_option("sigma0", sigma0, low=0))

    _skip_all_failed = False  # a failed offspring is an unsuccessful mutation (docstring)

    def _batch_size(self) -> int:
        return 1

    def _sample(self, n):
        st = self._state
        if not st.evaluated:
            z = np.zeros((n, self.space.dim))  # generation 0: evaluate the parent itself
        else:
            z = self._normal(n)  # z ~ N(0, I)
        return z, st.mean + st.sigma * z

    def _update(self, z, y, values):
        p, st = self._params, self._state
        f = float(values[0])
        if not st.evaluated:
            st.f_parent, st.evaluated = f, True
            return
        # --- elitist selection ---
        success = math.isfinite(f) and f <= st.f_parent
        if success:
            st.mean, st.f_parent = y[0].astype(float), f
        # --- 1/5th success rule [1, 2] ---
        st.sigma *= math.exp((float(success) - p.p_target) / (p.damping * (1 - p.p_target)))

    def _stop(self):
        return "converged" if self._state.sigma < self._params.tol_sigma else None
