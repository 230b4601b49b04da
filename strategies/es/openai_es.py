"""OpenAI-ES: a fixed-shape Gaussian around a mean moved by a search-gradient estimate.

[1] T. Salimans, J. Ho, X. Chen, S. Sidor, I. Sutskever, "Evolution strategies as a scalable
    alternative to reinforcement learning", arXiv:1703.03864 (2017).
    Algorithm 1: ``g = 1/(n sigma) sum_i F_i eps_i``, ``theta <- theta + alpha g``;
    Sec. 2.2 / App. A: mirrored (antithetic) sampling ``eps, -eps``, centered-rank fitness
    shaping, L2 weight decay, and Adam on the estimate.
[2] D. P. Kingma, J. Ba, "Adam", arXiv:1412.6980 (see :mod:`strategies.es._optim`).

Here values are minimized, so ``F_i`` is the centered rank of ``f_i`` (best = -0.5) and the mean
takes a *descent* step. Weight decay pulls towards the centre of the unit cube (0.5), which is
the usual L2 penalty on the user's weights when their box is symmetric, e.g.
``Array(shape, -a, a)``. Optional geometric decay of sigma and of the learning rate (floors
``sigma_min``, ``lr_min``) lets the run converge to a precise optimum, which a fixed sigma never
does. With ``noise_table`` the perturbations are windows of one table of Gaussian noise drawn at
construction and read at random offsets, the device [1] used to share noise between workers
(Sec. 2.1); here it replaces ``n * dim`` fresh draws per generation by a gather, which is what
dominates a generation with a cheap objective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from strategies._common import centered_ranks
from strategies.es._base import GaussianES, check_option, discrete_mean_box, discrete_sigma_floor
from strategies.es._optim import OPTIMIZERS

__all__ = ["OpenAIES"]


@dataclass
class _Params:
    popsize: int
    lr: float
    lr_decay: float
    lr_min: float
    sigma_decay: float
    sigma_min: float
    weight_decay: float
    antithetic: bool
    optimizer: str
    optimizer_options: dict


@dataclass
class _State:
    mean: np.ndarray
    sigma: float
    lr: float
    m: np.ndarray  # optimizer moments (Adam's m and v, or the velocity)
    v: np.ndarray
    t: int = 0
    generation: int = 0


class OpenAIES(GaussianES):
    """OpenAI-ES (Salimans et al. 2017) with antithetic sampling, rank shaping and Adam.

    Parameters
    ----------
    space : nondiff.space.Space
        Searched through its unit-cube vector encoding.
    seed, budget
        As for every strategy.
    popsize : int, optional
        Samples per generation (even when ``antithetic``); default ``2 * (2 + 1.5 ln dim)``
        rounded up to an even number, at least 8.
    sigma0 : float
        Standard deviation of the perturbations, in unit-cube coordinates (default 0.05).
    lr : float
        Step size of the optimizer (default 0.01, as in [1]).
    optimizer : {"adam", "sgd", "clipup"}
        Step applied to the gradient estimate; ``optimizer_options`` go to it (e.g. ``beta1``).
    weight_decay : float
        L2 coefficient towards the centre of the cube (default 0; [1] used 0.005).
    sigma_decay, sigma_min, lr_decay, lr_min : float
        Per-generation factors and floors (defaults 1 and 0: fixed, as in [1]). On discrete
        dimensions (integers, categoricals, bits) the perturbation scale never drops below
        :func:`strategies.es._base.discrete_sigma_floor` and the mean stays in
        :func:`strategies.es._base.discrete_mean_box`, so the piecewise-constant objective
        keeps a nonzero gradient estimate.
    antithetic : bool
        Mirrored pairs ``mean +- sigma eps`` (default True).
    bounds : {"clip", "reflect"}
        How samples of the unbounded Gaussian enter the unit cube (see
        :mod:`strategies.es._base`; default "clip", with the mean clamped into the cube).
    x0 : array, optional
        Initial mean in the unit cube; default a uniform draw from the run's generator.
    dtype : {"float64", "float32"}
        Precision of the sampled perturbations; float32 halves their memory and the cost of
        the gradient product (numpy draws float32 normals only ~10% faster).
    noise_table : int
        Size of a shared noise table (e.g. ``2**22`` numbers, 16 MB in float32); 0 (default)
        draws fresh perturbations every generation. Rows of the table overlap, so use a table
        much longer than ``dim``.

    Examples
    --------
    >>> from nondiff.space import Space, Real
    >>> es = OpenAIES(Space(x=Real(-1, 1), y=Real(-1, 1)), seed=0, popsize=4)
    >>> len(es.ask())
    4
    """

    def __init__(self, space, *, seed=None, budget=None, popsize=None, sigma0=0.05, lr=0.01,
                 optimizer="adam", optimizer_options=None, weight_decay=0.0, sigma_decay=1.0,
                 sigma_min=0.0, lr_decay=1.0, lr_min=0.0, antithetic=True, bounds="clip", x0=None,
                 dtype="float64", noise_table=0):
        x0 = self._setup(space, seed=seed, budget=budget, x0=x0, dtype=dtype, bounds=bounds)
        noise_table = check_option("noise_table", noise_table, low=0, integer=True, inclusive=True)
        if noise_table:
            if noise_table < 2 * space.dim:
                raise ValueError(f"noise_table must hold at least 2 * dim = {2 * space.dim} "
                                 f"numbers, got {noise_table}")
            self._make_noise_table(noise_table)
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
        if popsize is None:
            popsize = max(8, 2 * math.ceil(2 + 1.5 * math.log(space.dim)))
        popsize = check_option("popsize", popsize, low=2, integer=True, inclusive=True)
        if antithetic and popsize % 2:
            raise ValueError(f"popsize must be even with antithetic sampling, got {popsize}")
        self._params = _Params(
            popsize=popsize,
            lr=check_option("lr", lr, low=0),
            lr_decay=check_option("lr_decay", lr_decay, low=0, high=1),
            lr_min=check_option("lr_min", lr_min, low=0, inclusive=True),
            sigma_decay=check_option("sigma_decay", sigma_decay, low=0, high=1),
            sigma_min=check_option("sigma_min", sigma_min, low=0, inclusive=True),
            weight_decay=check_option("weight_decay", weight_decay, low=0, inclusive=True),
            antithetic=bool(antithetic),
            optimizer=optimizer,
            optimizer_options=dict(optimizer_options or {}),
        )
        zeros = np.zeros(space.dim)
        sigma0 = check_option("sigma0", sigma0, low=0)
        self._state = _State(mean=x0, sigma=sigma0, lr=self._params.lr, m=zeros, v=zeros.copy())
        self._floor = discrete_sigma_floor(space)  # None for continuous spaces
        self._mean_box = discrete_mean_box(space)
        if self._mean_box is not None:
            self._state.mean = np.clip(self._state.mean, *self._mean_box)

    def _sigma(self):
        """The perturbation scale: ``sigma``, floored per discrete dimension (see _base)."""
        s = self._state.sigma
        return s if self._floor is None else np.maximum(s, self._floor)

    def _batch_size(self) -> int:
        return self._params.popsize

    def _sample(self, n):
        # eps_i ~ N(0, I), in mirrored pairs eps, -eps when antithetic [1, Sec. 2.2]
        eps = self._mirrored_normal(n) if self._params.antithetic else self._normal(n)
        s = self._state
        y = np.multiply(eps, self._sigma(), dtype=float)  # candidates are float64 in any case
        y += s.mean  # theta + sigma eps, without a second temporary
        return eps, y

    def _update(self, eps, y, values):
        p, s = self._params, self._state
        # --- fitness shaping: centered ranks, best = -0.5 (we minimize) [1, App. A] ---
        F = centered_ranks(values).astype(eps.dtype)
        # --- search-gradient estimate g = 1/(n sigma) sum F_i eps_i [1, Alg. 1] ---
        grad = (F @ eps).astype(float) / (len(values) * self._sigma())
        grad += p.weight_decay * (s.mean - 0.5)
        # --- optimizer step on the mean [2] ---
        s.t += 1
        step, (s.m, s.v) = OPTIMIZERS[p.optimizer](grad, s.lr, (s.m, s.v), s.t,
                                                   **p.optimizer_options)
        s.mean = s.mean + step
        # --- schedules ---
        s.sigma = max(p.sigma_min, s.sigma * p.sigma_decay)
        s.lr = max(p.lr_min, s.lr * p.lr_decay)

    def _stop(self):
        return "converged" if self._state.sigma < 1e-14 else None
