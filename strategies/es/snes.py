"""SNES: separable natural evolution strategy (a diagonal Gaussian updated by natural gradient).

[1] T. Schaul, T. Glasmachers, J. Schmidhuber, "High dimensions and heavy tails for natural
    evolution strategies", GECCO 2011.
[2] D. Wierstra, T. Schaul, T. Glasmachers, Y. Sun, J. Peters, J. Schmidhuber, "Natural
    evolution strategies", JMLR 15:949-980 (2014), Sec. 3.5 (separable NES, the SNES
    algorithm), utilities of Sec. 3.1 and default rates of Table 1:
    ``lambda = 4 + floor(3 ln d)``, ``eta_mu = 1``, ``eta_sigma = (3 + ln d) / (5 sqrt d)``.

One generation, as in [2]: draw ``s_k ~ N(0, I)``, ``z_k = mu + sigma * s_k``; sort by fitness
and assign utilities ``u_k``; ``grad_mu = sum u_k s_k``, ``grad_sigma = sum u_k (s_k^2 - 1)``;
``mu <- mu + eta_mu sigma grad_mu``; ``sigma <- sigma exp(eta_sigma / 2 grad_sigma)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from strategies._common import ranks
from strategies.es._base import GaussianES, check_option, nes_utilities

__all__ = ["SNES"]


@dataclass
class _Params:
    popsize: int
    eta_mu: float
    eta_sigma: float
    tol_sigma: float
    sigma_max: float


@dataclass
class _State:
    mean: np.ndarray
    sigma: np.ndarray  # per-dimension standard deviations
    generation: int = 0


class SNES(GaussianES):
    """Separable NES (Schaul et al. 2011; Wierstra et al. 2014) with the paper's defaults.

    Parameters
    ----------
    space : nondiff.space.Space
        Searched through its unit-cube vector encoding.
    seed, budget
        As for every strategy.
    popsize : int, optional
        Default ``4 + floor(3 ln dim)`` [2, Table 1].
    sigma0 : float
        Initial standard deviation of every dimension, unit-cube coordinates (default 0.2).
    eta_mu, eta_sigma : float, optional
        Learning rates; defaults ``1`` and ``(3 + ln d) / (5 sqrt d)`` [2, Table 1].
    tol_sigma : float
        ``stop()`` says "converged" once every sigma is below this (default 1e-12).
    sigma_max : float
        Cap on every sigma (default 0.5, half the cube). A much wider Gaussian mapped into
        [0, 1] lands mostly on the faces (or, reflected, nearly uniformly), so the samples stop
        carrying information about that sigma and its logarithm random-walks upwards; the cap
        keeps every coordinate searchable. A larger ``sigma0`` is capped too.
    bounds : {"clip", "reflect"}
        How samples of the unbounded Gaussian enter the unit cube (see
        :mod:`strategies.es._base`; default "clip", with the mean clamped into the cube).
    x0 : array, optional
        Initial mean in the unit cube; default a uniform draw from the run's generator.
    dtype : {"float64", "float32"}
        Precision of the sampled perturbations.

    Examples
    --------
    >>> from nondiff.space import Real, Space
    >>> es = SNES(Space(x=Real(-1, 1)), seed=0)
    >>> for _ in range(100):
    ...     cands = es.ask()
    ...     es.tell(cands, [(c.params["x"] - 0.5) ** 2 for c in cands])
    >>> round(es.best[0].params["x"], 3)
    0.5
    """

    def __init__(self, space, *, seed=None, budget=None, popsize=None, sigma0=0.2,
                 eta_mu=1.0, eta_sigma=None, tol_sigma=1e-12, sigma_max=0.5, bounds="clip", x0=None,
                 dtype="float64"):
        x0 = self._setup(space, seed=seed, budget=budget, x0=x0, dtype=dtype, bounds=bounds)
        d = space.dim
        if popsize is None:
            popsize = 4 + int(3 * math.log(d))
        if eta_sigma is None:
            eta_sigma = (3 + math.log(d)) / (5 * math.sqrt(d))
        self._params = _Params(
            popsize=check_option("popsize", popsize, low=2, integer=True, inclusive=True),
            eta_mu=check_option("eta_mu", eta_mu, low=0),
            eta_sigma=check_option("eta_sigma", eta_sigma, low=0),
            tol_sigma=check_option("tol_sigma", tol_sigma, low=0, inclusive=True),
            sigma_max=check_option("sigma_max", sigma_max, low=0),
        )
        sigma0 = min(check_option("sigma0", sigma0, low=0), self._params.sigma_max)
        self._state = _State(mean=x0, sigma=np.full(d, sigma0))

    def _batch_size(self) -> int:
        return self._params.popsize

    def _sample(self, n):
        s = self._normal(n)  # s_k ~ N(0, I)
        st = self._state
        return s, st.mean + st.sigma * s  # z_k = mu + sigma * s_k

    def _update(self, s, z, values):
        p, st = self._params, self._state
        s = s.astype(float)
        # --- sort and assign utilities (best rank gets the largest u) ---
        u = nes_utilities(len(values))[ranks(values)]
        # --- natural gradients ---
        grad_mu = u @ s
        grad_sigma = u @ (s * s - 1.0)
        # --- update the mean, then the standard deviations multiplicatively ---
        st.mean = st.mean + p.eta_mu * st.sigma * grad_mu
        st.sigma = np.minimum(st.sigma * np.exp(0.5 * p.eta_sigma * grad_sigma), p.sigma_max)

    def _stop(self):
        return "converged" if float(self._state.sigma.max()) < self._params.tol_sigma else None
