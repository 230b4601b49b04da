"""PGPE: policy gradients with parameter-based exploration, with learned per-dimension sigma.

[1] F. Sehnke, C. Osendorfer, T. Rueckstiess, A. Graves, J. Peters, J. Schmidhuber,
    "Parameter-exploring policy gradients", Neural Networks 23(4):551-559 (2010).
    Symmetric sampling (Sec. 2.2): ``theta = mu +- eps``, ``eps ~ N(0, diag(sigma^2))``;
    mean gradient ``sum eps (r+ - r-) / 2``; sigma gradient
    ``sum ((r+ + r-)/2 - b) (eps^2 - sigma^2) / sigma`` with baseline ``b``.
[2] N. E. Toklu, P. Liskowski, R. K. Srivastava, "ClipUp", PPSN 2020, arXiv:2008.02387:
    the ClipUp optimizer for the mean, centered-rank utilities in place of [1]'s reward
    normalization, and a bound on the relative change of sigma per generation (0.2).

Over the told samples (pairs may be split when the budget cuts a generation) both gradients
are written per sample: ``g_mu = 1/n sum u_i eps_i`` and
``g_sigma = 1/n sum (u_i - mean(u)) (eps_i^2 - sigma^2) / sigma``, which equal [1]'s pair sums
when every pair is told. ``u_i`` is minus the centered rank (best = +0.5), so both steps ascend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from strategies._common import centered_ranks
from strategies.es._base import GaussianES, check_option, discrete_mean_box, discrete_sigma_floor
from strategies.es._optim import OPTIMIZERS

__all__ = ["PGPE"]


@dataclass
class _Params:
    popsize: int
    center_lr: float
    sigma_lr: float
    sigma_max_change: float
    sigma_min: float
    sigma_max: float
    optimizer: str
    optimizer_options: dict


@dataclass
class _State:
    mean: np.ndarray
    sigma: np.ndarray  # one standard deviation per dimension
    m: np.ndarray
    v: np.ndarray
    t: int = 0
    generation: int = 0


class PGPE(GaussianES):
    """PGPE (Sehnke et al. 2010) with symmetric sampling and ClipUp/Adam/SGD for the mean.

    Parameters
    ----------
    space : nondiff.space.Space
        Searched through its unit-cube vector encoding.
    seed, budget
        As for every strategy.
    popsize : int, optional
        Even number of samples per generation; default ``2 * (2 + 1.5 ln dim)`` rounded up to
        an even number, at least 8.
    sigma0 : float
        Initial standard deviation of every dimension (unit-cube coordinates, default 0.1).
    center_lr : float
        Step size of the mean's optimizer (default 0.2, [1]'s alpha_mu; for ClipUp it is the
        step ``alpha`` and ``max_speed`` defaults to twice it).
    sigma_lr : float
        Step size of the sigma update (default 0.1, [1]'s alpha_sigma).
    optimizer : {"sgd", "clipup", "adam"}
        Step for the mean (default "sgd", the plain update of [1]); ``optimizer_options`` are
        passed to it (``momentum``, ``max_speed``, ``beta1``, ...).
    sigma_max_change : float
        Bound on ``|sigma_new / sigma - 1|`` per generation (default 0.2, as in [2]).
    sigma_min, sigma_max : float
        Floor and cap on every sigma (defaults 1e-12 and 0.5, half the cube: a wider
        Gaussian mapped into [0, 1] lands mostly on the faces, or reflected nearly uniformly,
        and no longer informs its own width). On discrete dimensions (integers, categoricals,
        bits) the floor is at least :func:`strategies.es._base.discrete_sigma_floor` and the
        mean stays in :func:`strategies.es._base.discrete_mean_box`, so the
        piecewise-constant objective keeps a nonzero gradient estimate; ``stop()`` looks at
        continuous dimensions only.
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
    >>> es = PGPE(Space(x=Real(-1, 1)), seed=0)
    >>> for _ in range(100):
    ...     cands = es.ask()
    ...     es.tell(cands, [(c.params["x"] - 0.5) ** 2 for c in cands])
    >>> round(es.best[0].params["x"], 3)
    0.5
    """

    def __init__(self, space, *, seed=None, budget=None, popsize=None, sigma0=0.1,
                 center_lr=0.2, sigma_lr=0.1, optimizer="sgd", optimizer_options=None,
                 sigma_max_change=0.2, sigma_min=1e-12, sigma_max=0.5, bounds="clip", x0=None,
                 dtype="float64"):
        x0 = self._setup(space, seed=seed, budget=budget, x0=x0, dtype=dtype, bounds=bounds)
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
        if popsize is None:
            popsize = max(8, 2 * math.ceil(2 + 1.5 * math.log(space.dim)))
        popsize = check_option("popsize", popsize, low=2, integer=True, inclusive=True)
        if popsize % 2:
            raise ValueError(f"popsize must be even (symmetric sampling), got {popsize}")
        self._params = _Params(
            popsize=popsize,
            center_lr=check_option("center_lr", center_lr, low=0),
            sigma_lr=check_option("sigma_lr", sigma_lr, low=0, inclusive=True),
            sigma_max_change=check_option("sigma_max_change", sigma_max_change, low=0, high=1),
            sigma_min=check_option("sigma_min", sigma_min, low=0, inclusive=True),
            sigma_max=check_option("sigma_max", sigma_max, low=0),
            optimizer=optimizer,
            optimizer_options=dict(optimizer_options or {}),
        )
        sigma0 = min(check_option("sigma0", sigma0, low=0), self._params.sigma_max)
        zeros = np.zeros(space.dim)
        floor = discrete_sigma_floor(space)
        # sigma's lower bound per dimension: sigma_min, or pycma's floor on discrete dims
        self._sigma_low = np.full(space.dim, self._params.sigma_min) if floor is None else \
            np.maximum(self._params.sigma_min, np.minimum(floor, self._params.sigma_max))
        sigma = np.maximum(np.full(space.dim, sigma0), self._sigma_low)
        self._mean_box = discrete_mean_box(space)
        if self._mean_box is not None:
            x0 = np.clip(x0, *self._mean_box)
        self._state = _State(mean=x0, sigma=sigma, m=zeros, v=zeros.copy())

    def _batch_size(self) -> int:
        return self._params.popsize

    def _sample(self, n):
        z = self._mirrored_normal(n)  # symmetric pairs mu +- eps [1, Sec. 2.2]
        s = self._state
        eps = z * s.sigma.astype(z.dtype)  # eps ~ N(0, diag(sigma^2))
        return eps, s.mean.astype(z.dtype) + eps

    def _update(self, eps, y, values):
        p, s = self._params, self._state
        n = len(values)
        eps = eps.astype(float)
        # --- utilities: minus centered ranks, best = +0.5 [2] ---
        u = -centered_ranks(values)
        # --- gradients of the expected utility [1, Sec. 2.2], per sample ---
        g_mu = (u @ eps) / n
        g_sigma = ((u - u.mean()) @ (eps * eps - s.sigma**2)) / (n * s.sigma)
        # --- mean: optimizer step on -g_mu (the optimizers minimize) ---
        s.t += 1
        step, (s.m, s.v) = OPTIMIZERS[p.optimizer](-g_mu, p.center_lr, (s.m, s.v), s.t,
                                                   **p.optimizer_options)
        s.mean = s.mean + step
        # --- sigma: gradient ascent, relative change bounded [2], floored ---
        lo, hi = s.sigma * (1 - p.sigma_max_change), s.sigma * (1 + p.sigma_max_change)
        s.sigma = np.clip(np.clip(s.sigma + p.sigma_lr * g_sigma, lo, hi), self._sigma_low,
                          p.sigma_max)

    def _stop(self):
        # discrete dimensions sit at their floor for good; only continuous ones converge
        cont = self.space.vector_steps == 0
        if not cont.any():
            return None
        done = float(self._state.sigma[cont].max()) <= self._params.sigma_min
        return "converged" if done else None
