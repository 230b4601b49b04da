"""xNES: exponential natural evolution strategy (a full Gaussian in exponential coordinates).

[1] T. Glasmachers, T. Schaul, Y. Sun, D. Wierstra, J. Schmidhuber, "Exponential natural
    evolution strategies", GECCO 2010.
[2] D. Wierstra, T. Schaul, T. Glasmachers, Y. Sun, J. Peters, J. Schmidhuber, "Natural
    evolution strategies", JMLR 15:949-980 (2014), Sec. 3.4 (the xNES algorithm), utilities of
    Sec. 3.1 and default rates of Table 1: ``lambda = 4 + floor(3 ln d)``, ``eta_mu = 1``,
    ``eta_sigma = eta_B = 3 (3 + ln d) / (5 d sqrt d)``.

The covariance is ``A A^T`` with ``A = sigma B`` and ``det B = 1``. One generation, as in [2]:
draw ``s_k ~ N(0, I)``, ``z_k = mu + sigma B s_k``; sort and assign utilities ``u_k``;
``G_delta = sum u_k s_k``, ``G_M = sum u_k (s_k s_k^T - I)``, ``G_sigma = tr(G_M) / d``,
``G_B = G_M - G_sigma I``; ``mu <- mu + eta_mu sigma B G_delta``,
``sigma <- sigma exp(eta_sigma / 2 G_sigma)``, ``B <- B expm(eta_B / 2 G_B)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from strategies._common import ranks
from strategies.es._base import GaussianES, check_option, nes_utilities

__all__ = ["XNES"]


@dataclass
class _Params:
    popsize: int
    eta_mu: float
    eta_sigma: float
    eta_B: float
    tol_sigma: float
    sigma_max: float


@dataclass
class _State:
    mean: np.ndarray
    sigma: float
    B: np.ndarray  # shape matrix, det B = 1
    generation: int = 0


def expm_symmetric(M: np.ndarray) -> np.ndarray:
    """Matrix exponential of a symmetric matrix through its eigendecomposition."""
    w, V = np.linalg.eigh(M)
    return (V * np.exp(w)) @ V.T


class XNES(GaussianES):
    """Exponential NES (Glasmachers et al. 2010; Wierstra et al. 2014) with the paper's defaults.

    Parameters
    ----------
    space : nondiff.space.Space
        Searched through its unit-cube vector encoding.
    seed, budget
        As for every strategy.
    popsize : int, optional
        Default ``4 + floor(3 ln dim)`` [2, Table 1].
    sigma0 : float
        Initial step size in unit-cube coordinates (default 0.2); ``B`` starts as the identity.
    eta_mu, eta_sigma, eta_B : float, optional
        Learning rates; defaults ``1`` and ``3 (3 + ln d) / (5 d sqrt d)`` [2, Table 1].
    tol_sigma : float
        ``stop()`` says "converged" once ``sigma`` is below this (default 1e-12).
    sigma_max : float
        Cap on ``sigma`` (default 0.5, half the cube; a larger ``sigma0`` is capped too): a
        wider Gaussian folded into [0, 1] is nearly uniform and no longer informs its own
        step size.
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
    >>> es = XNES(Space(x=Real(-1, 1)), seed=0)
    >>> for _ in range(100):
    ...     cands = es.ask()
    ...     es.tell(cands, [(c.params["x"] - 0.5) ** 2 for c in cands])
    >>> round(es.best[0].params["x"], 3)
    0.5
    """

    def __init__(self, space, *, seed=None, budget=None, popsize=None, sigma0=0.2,
                 eta_mu=1.0, eta_sigma=None, eta_B=None, tol_sigma=1e-12, sigma_max=0.5,
                 bounds="clip", x0=None, dtype="float64"):
        x0 = self._setup(space, seed=seed, budget=budget, x0=x0, dtype=dtype, bounds=bounds)
        d = space.dim
        default_eta = 3 * (3 + math.log(d)) / (5 * d * math.sqrt(d))
        self._params = _Params(
            popsize=check_option("popsize", 4 + int(3 * math.log(d)) if popsize is None
                                 else popsize, low=2, integer=True, inclusive=True),
            eta_mu=check_option("eta_mu", eta_mu, low=0),
            eta_sigma=check_option("eta_sigma", default_eta if eta_sigma is None else eta_sigma,
                                   low=0),
            eta_B=check_option("eta_B", default_eta if eta_B is None else eta_B, low=0),
            tol_sigma=check_option("tol_sigma", tol_sigma, low=0, inclusive=True),
            sigma_max=check_option("sigma_max", sigma_max, low=0),
        )
        sigma0 = min(check_option("sigma0", sigma0, low=0), self._params.sigma_max)
        self._state = _State(mean=x0, sigma=sigma0, B=np.eye(d))

    def _batch_size(self) -> int:
        return self._params.popsize

    def _sample(self, n):
        s = self._normal(n)  # s_k ~ N(0, I)
        st = self._state
        return s, st.mean + st.sigma * (s @ st.B.T)  # z_k = mu + sigma B s_k

    def _update(self, s, z, values):
        p, st = self._params, self._state
        s = s.astype(float)
        d = s.shape[1]
        # --- sort and assign utilities ---
        u = nes_utilities(len(values))[ranks(values)]
        # --- natural gradient in local coordinates ---
        G_delta = u @ s
        G_M = (s.T * u) @ s - u.sum() * np.eye(d)
        G_sigma = np.trace(G_M) / d
        G_B = G_M - G_sigma * np.eye(d)
        # --- update mean, step size and shape (B stays unimodular: tr G_B = 0) ---
        st.mean = st.mean + p.eta_mu * st.sigma * (st.B @ G_delta)
        st.sigma = min(float(st.sigma * math.exp(0.5 * p.eta_sigma * G_sigma)), p.sigma_max)
        st.B = st.B @ expm_symmetric(0.5 * p.eta_B * G_B)

    def _stop(self):
        return "converged" if self._state.sigma < self._params.tol_sigma else None
