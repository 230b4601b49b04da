"""REINFORCE: a search distribution over the whole space, trained by score-function gradients.

Each parameter gets a distribution suited to its type [1]: a diagonal Gaussian over the
unit-cube coordinates of reals, arrays and wide integer ranges; a categorical over the values
of categoricals and small integer ranges; independent Bernoullis over bits; Plackett-Luce over
permutations. One generation samples ``popsize`` points, and ``tell`` follows [2]:

1. shape the costs (centered ranks by default, robust to outliers and to failed points, +inf);
2. subtract the leave-one-out baseline b_k = mean_{j != k} u_j (RLOO, [3]);
3. grad = 1/K sum_k (u_k - b_k) grad log p(x_k; theta), with the log-densities written in the
   autodiff numpy and differentiated by the engine;
4. an Adam step [4] descends the estimated gradient of E[cost].

Because the distribution is over typed values, the same code searches mixed spaces (bits,
permutations, categoricals and reals together) where CMA-ES needs a continuous relaxation.

[1] R. J. Williams, "Simple statistical gradient-following algorithms for connectionist
    reinforcement learning", Machine Learning 8 (1992).
[2] D. Wierstra et al., "Natural Evolution Strategies", JMLR 15 (2014), sec. 2 (search
    gradients with fitness shaping).
[3] W. Kool, H. van Hoof, M. Welling, "Buy 4 REINFORCE samples, get a baseline for free!",
    ICLR DeepRLStructPred workshop 2019.
[4] D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015 (Alg. 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nondiff import seeding
from nondiff.strategy import Candidate, candidate_ids, candidates_from_vectors
from strategies._common import (
    Ledger,
    centered_ranks,
    check_option,
    finite_or_worst,
    nes_utilities,
    ranks,
)
from strategies.reinforce_blocks import build_blocks

__all__ = ["Reinforce"]

_SHAPINGS = ("centered-ranks", "utilities", "standardize", "none")


@dataclass
class _Params:
    popsize: int
    lr: float
    shaping: str
    restarts: bool
    patience: int
    beta1: float = 0.9     # Adam's defaults, [4] Alg. 1
    beta2: float = 0.999
    eps: float = 1e-8
    tol: float = 1e-7      # collapse threshold for stop()


@dataclass
class _State:
    rng: np.random.Generator
    theta: dict
    m: dict
    v: dict
    t: int = 0
    restarts: int = 0
    best: float = np.inf   # best cost since the last restart
    stale: int = 0         # generations since it improved
    first_id: int = 0
    samples: dict = field(default_factory=dict)  # the pending ask's draws, per block


class Reinforce:
    """REINFORCE over typed distributions (Gaussian, categorical, Bernoulli, Plackett-Luce).

    Parameters
    ----------
    space : Space
    seed : int, optional
    budget : int, optional
        Unused.
    popsize : int
        Samples per generation (K); at least 2 for the leave-one-out baseline.
    lr : float
        Adam's step size on every distribution parameter.
    sigma0 : float
        Initial standard deviation of the Gaussian block, in unit-cube units.
    shaping : {"centered-ranks", "utilities", "standardize", "none"}
        How costs become weights: ranks mapped to [-0.5, 0.5], NES utilities (only the better
        half pulls, [2] eq. 12), standardized costs, or raw costs.
    max_categories : int
        Integers with at most this many values are searched as categoricals.
    restarts : bool
        When a generation's samples have all become identical (the distribution has collapsed)
        or the best cost has not improved for ``patience`` generations (stuck on a local
        optimum), start again from the initial distribution; the best point found is kept.
        Off: ``stop()`` reports ``"converged"`` on collapse.
    patience : int
        Generations without improvement before a restart.
    """

    supported_types = ("real", "integer", "categorical", "bits", "permutation", "array")

    def __init__(self, space, *, seed=None, budget=None, popsize=32, lr=0.05, sigma0=0.25,
                 shaping="centered-ranks", max_categories=16, restarts=True, patience=100):
        popsize = check_option("popsize", popsize, low=2, integer=True, inclusive=True)
        max_categories = check_option("max_categories", max_categories, low=2, integer=True,
                                      inclusive=True)
        patience = check_option("patience", patience, low=1, integer=True, inclusive=True)
        lr = check_option("lr", lr, low=0)
        sigma0 = check_option("sigma0", sigma0, low=0, high=1)
        if shaping not in _SHAPINGS:
            raise ValueError(f"shaping must be one of {', '.join(_SHAPINGS)}, got {shaping!r}")
        self.space = space
        self.params = _Params(int(popsize), float(lr), shaping, bool(restarts), int(patience))
        self.blocks = build_blocks(space, int(max_categories), float(sigma0))
        self._ledger = Ledger(space)
        self._state = _State(seeding.as_generator(seed), *self._initial())

    def _initial(self) -> tuple[dict, dict, dict]:
        """Initial distribution parameters and zeroed Adam moments."""
        theta = {b.key: b.init() for b in self.blocks}
        m = {k: {n: np.zeros_like(a) for n, a in d.items()} for k, d in theta.items()}
        v = {k: {n: np.zeros_like(a) for n, a in d.items()} for k, d in theta.items()}
        return theta, m, v

    # --- ask ------------------------------------------------------------------------------
    def ask(self) -> list[Candidate]:
        st, k = self._state, self.params.popsize
        X = np.empty((k, self.space.dim))
        st.samples = {}
        for b in self.blocks:
            draw = b.sample(st.theta[b.key], st.rng, k)   # x ~ p(x; theta)
            st.samples[b.key] = draw
            b.write(X, draw)
        st.first_id = self._ledger.issue(k)
        return candidates_from_vectors(self.space, X, st.first_id)

    # --- tell -----------------------------------------------------------------------------
    def tell(self, candidates, values) -> None:
        values = self._ledger.accept(candidates, values)
        rows = candidate_ids(candidates) - self._state.first_id
        if len(rows) < 2:
            return  # no baseline from a single sample: nothing to learn
        # --- shape and baseline (RLOO) ---
        u = self._shape(values)
        w = u - (u.sum() - u) / (len(u) - 1)
        # --- score-function gradient: grad of 1/K sum_k w_k log p(x_k; theta) ---
        grads = self._score_gradient(rows, w)
        # --- Adam step descending the gradient of E[cost] ---
        self._adam(grads)
        if self.params.restarts and (self._stagnant(values) or self._degenerate()):
            self._restart()

    def _stagnant(self, values) -> bool:
        st = self._state
        if values.min() < st.best:
            st.best, st.stale = float(values.min()), 0
        else:
            st.stale += 1
        return st.stale >= self.params.patience

    def _degenerate(self) -> bool:
        """All samples of the last generation equal: the distribution has collapsed."""
        st = self._state
        return all(b.degenerate(st.theta[b.key], st.samples[b.key]) for b in self.blocks)

    def _restart(self) -> None:
        st = self._state
        st.theta, st.m, st.v = self._initial()
        st.t, st.restarts, st.best, st.stale = 0, st.restarts + 1, np.inf, 0

    def _shape(self, values: np.ndarray) -> np.ndarray:
        if self.params.shaping == "centered-ranks":
            return centered_ranks(values)
        if self.params.shaping == "utilities":  # cost-like: the best sample gets the lowest
            return -nes_utilities(len(values))[ranks(values)]
        v = finite_or_worst(values)
        if self.params.shaping == "standardize":
            return (v - v.mean()) / (v.std() + 1e-12)
        return v

    def _score_gradient(self, rows, w) -> dict:
        from nondiff.autodiff import grad

        samples = {key: _take(draw, rows) for key, draw in self._state.samples.items()}

        def surrogate(theta):
            total = 0.0
            for b in self.blocks:
                total = total + (w * b.log_prob(theta[b.key], samples[b.key])).sum()
            return total / len(w)

        return grad(surrogate)(self._state.theta)

    def _adam(self, grads: dict) -> None:
        st, p = self._state, self.params
        st.t += 1
        for key, g_block in grads.items():
            for name, g in g_block.items():
                m = st.m[key][name] = p.beta1 * st.m[key][name] + (1 - p.beta1) * g
                v = st.v[key][name] = p.beta2 * st.v[key][name] + (1 - p.beta2) * g * g
                m_hat, v_hat = m / (1 - p.beta1 ** st.t), v / (1 - p.beta2 ** st.t)
                st.theta[key][name] = st.theta[key][name] - p.lr * m_hat / (np.sqrt(v_hat) + p.eps)
        for b in self.blocks:
            b.clamp(st.theta[b.key])

    # --- protocol -------------------------------------------------------------------------
    def stop(self) -> str | None:
        theta, tol = self._state.theta, self.params.tol
        if not self.params.restarts and all(b.collapsed(theta[b.key], tol) for b in self.blocks):
            return "converged"
        return None

    @property
    def best(self) -> tuple[Candidate, float] | None:
        return self._ledger.best

    def state_dict(self) -> dict:
        st = self._state
        return {"ledger": self._ledger.state_dict(), "rng": seeding.generator_state(st.rng),
                "theta": _copied(st.theta), "m": _copied(st.m), "v": _copied(st.v), "t": st.t,
                "restarts": st.restarts,
                "best": st.best, "stale": st.stale}

    def load_state_dict(self, state: dict) -> None:
        st = self._state
        self._ledger.load_state_dict(state["ledger"])
        seeding.set_generator_state(st.rng, state["rng"])
        for name in ("theta", "m", "v"):
            setattr(st, name, {k: {n: np.array(a, dtype=float) for n, a in d.items()}
                               for k, d in state[name].items()})
        st.t, st.restarts = int(state["t"]), int(state["restarts"])
        st.best, st.stale = float(state["best"]), int(state["stale"])
        st.samples = {}


def _copied(blocks: dict) -> dict:
    return {k: {n: a.copy() for n, a in d.items()} for k, d in blocks.items()}


def _take(draw, rows):
    return tuple(d[rows] for d in draw) if isinstance(draw, tuple) else draw[rows]
