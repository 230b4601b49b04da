"""A lean CMA-ES with BIPOP restarts on the unit cube: ``auto``'s global phase, a few numpy
calls per generation so that ``auto`` stays cheap per evaluation.

The update is the one of [1] (tutorial, Table 1, default parameters), written for a whole
generation at once:

- sample ``x_k = m + sigma B D z_k``, ``z_k ~ N(0, I)`` (eq. 38-40);
- evaluate the reflection of ``x_k`` into the cube (a mirror at each face, so the search
  distribution may leave the box while every evaluated point is inside);
- recombine the ``mu`` best (eq. 41), cumulate ``p_sigma`` and ``p_c`` (eqs. 43, 45) with the
  ``h_sigma`` stall of ``p_c``, rank-one plus rank-mu covariance update with the negative
  ("active") weights of the worst half (eqs. 46-53, as pycma's default), cumulative
  step-size adaptation (eq. 44); ``B, D`` from an eigendecomposition every
  ``lambda / (c1 + c_mu) / n / 10`` generations (the lazy update of [1], section B.2);
- a flat generation (best equal to the ``ceil(lambda/4)``-th) enlarges ``sigma`` by
  ``exp(0.2 + c_sigma / d_sigma)`` as pycma does.

A run ends on pycma's default criteria (``tolfun = tolx = 1e-11``, condition number 1e14,
no effect of an axis or a coordinate on the mean, stagnation over ``120 + 30 n / lambda``
generations, ``maxiter``, twice-flat fitness) and is followed by a BIPOP restart [2]: a large
run doubles the population of the previous large one; a small run has population
``lambda0 (lambda_large / lambda0)^(U^2)`` and step ``sigma0 10^(-2 U)``, ``U`` uniform, and is
chosen while the small runs have used fewer evaluations than the large ones. Every run starts
from a uniform point of the cube.

[1] N. Hansen, "The CMA evolution strategy: a tutorial", arXiv:1604.00772 (2016).
[2] N. Hansen, "Benchmarking a BI-population CMA-ES on the BBOB-2009 function testbed",
    GECCO 2009 workshop.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from nondiff import seeding
from nondiff.strategy import candidate_ids, candidates_from_vectors
from strategies._common import Ledger

__all__ = ["LeanCMAES"]

_TOL = 1e-11


@dataclass
class _Coeffs:
    """Fixed coefficients of one run ([1] Table 1), from the dimension and the population."""

    lam: int
    mu: int
    weights: np.ndarray  # the mu positive recombination weights (sum 1)
    active: np.ndarray  # all lambda weights of the covariance update, negative ones last
    mueff: float
    cc: float
    cs: float
    c1: float
    cmu: float
    damps: float
    chin: float
    eigen_every: float

    @classmethod
    def make(cls, n: int, lam: int) -> _Coeffs:
        mu = lam // 2
        raw = math.log((lam + 1) / 2) - np.log(np.arange(1, lam + 1))  # [1] eq. 49
        w = raw[:mu] / raw[:mu].sum()
        mueff = 1.0 / float(w @ w)
        cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n)
        cs = (mueff + 2) / (n + mueff + 5)
        c1 = 2 / ((n + 1.3) ** 2 + mueff)
        cmu = min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) ** 2 + mueff))
        damps = 1 + 2 * max(0.0, math.sqrt((mueff - 1) / (n + 1)) - 1) + cs
        chin = math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))
        neg = raw[raw < 0]
        mueff_neg = float(neg.sum() ** 2 / (neg @ neg)) if neg.size else 0.0
        scale = min(1 + c1 / cmu, 1 + 2 * mueff_neg / (mueff + 2),
                    (1 - c1 - cmu) / (n * cmu))  # [1] eqs. 50-53
        active = np.concatenate([w, raw[mu:]])
        if neg.size:
            active[raw < 0] = scale * neg / np.abs(neg).sum()
        return cls(lam, mu, w, active, mueff, cc, cs, c1, cmu, damps, chin,
                   lam / (c1 + cmu) / n / 10)


@dataclass
class _Run:
    """The state of one CMA-ES run."""

    mean: np.ndarray
    sigma: float
    lam: int
    maxiter: float
    C: np.ndarray
    B: np.ndarray
    D: np.ndarray
    pc: np.ndarray
    ps: np.ndarray
    gen: int = 0
    eigen_gen: int = 0
    evals: int = 0
    flat: int = 0
    best_hist: list = field(default_factory=list)  # best value of each generation

    @classmethod
    def start(cls, mean, sigma, lam, maxiter) -> _Run:
        n = len(mean)
        return cls(mean=mean, sigma=float(sigma), lam=int(lam), maxiter=float(maxiter),
                   C=np.eye(n), B=np.eye(n), D=np.ones(n), pc=np.zeros(n), ps=np.zeros(n))


@dataclass
class _Restarts:
    """BIPOP bookkeeping across runs [2]."""

    irun: int = 0
    large_runs: int = 0
    small_evals: int = 0
    large_evals: int = 0
    regime: str = "small"  # the first run counts as small, as in pycma's fmin2
    last_stop: str = ""


class LeanCMAES:
    """CMA-ES with BIPOP restarts on the unit-cube encoding, vectorized per generation.

    Parameters
    ----------
    space : nondiff.space.Space
    seed, budget
        As for every strategy.
    sigma0 : float
        Initial step size as a fraction of the cube's side (default 0.25).
    popsize : int, optional
        ``4 + floor(3 ln n)`` when None.

    Examples
    --------
    >>> from nondiff.space import Space, Real
    >>> es = LeanCMAES(Space(x=Real(-1, 1), y=Real(-1, 1)), seed=0)
    >>> len(es.ask())
    6
    """

    supported_types = ("real", "array")

    def __init__(self, space, *, seed=None, budget=None, sigma0=0.25, popsize=None,
                 bounds="reflect"):
        n = space.dim
        if bounds not in _BOUNDS:
            raise ValueError(f"bounds must be one of {sorted(_BOUNDS)}, got {bounds!r}")
        self._bounds = bounds
        if not (isinstance(sigma0, (int, float)) and 0 < sigma0 <= 1):
            raise ValueError(f"sigma0 must be a number in (0, 1], got {sigma0!r}")
        if popsize is not None and (not isinstance(popsize, int) or popsize < 4):
            raise ValueError(f"popsize must be an integer >= 4, got {popsize!r}")
        if budget is not None and budget < 1:
            raise ValueError(f"budget must be >= 1, got {budget!r}")
        self.space, self.budget, self.sigma0 = space, budget, float(sigma0)
        self.popsize0 = popsize or 4 + int(3 * math.log(n))
        self._rng = seeding.as_generator(seed)
        self._ledger = Ledger(space)
        self._restarts = _Restarts()
        self._coeffs: dict[int, _Coeffs] = {}
        self._run = self._new_run(self.sigma0, self.popsize0, self._maxiter(self.popsize0))
        self._asked = None

    # --- runs ----------------------------------------------------------------------------
    def _maxiter(self, lam: int) -> float:
        n = self.space.dim
        return 100 + 150 * (n + 3) ** 2 / math.sqrt(lam)  # pycma's default maxiter

    def _new_run(self, sigma, lam, maxiter) -> _Run:
        return _Run.start(self._rng.uniform(0.0, 1.0, self.space.dim), sigma, lam, maxiter)

    def _c(self, lam: int) -> _Coeffs:
        if lam not in self._coeffs:
            self._coeffs[lam] = _Coeffs.make(self.space.dim, lam)
        return self._coeffs[lam]

    def _restart(self, reason: str) -> None:
        """End the run and start the next one by the BIPOP rules [2]."""
        rs, run = self._restarts, self._run
        rs.last_stop = reason
        if rs.regime == "small":
            rs.small_evals += run.evals
        else:
            rs.large_evals += run.evals
        rs.irun += 1
        small = rs.small_evals < max(1, rs.large_evals)
        mult = 2.0 ** rs.large_runs
        if small:
            u_sigma, u_pop = self._rng.uniform(size=2)
            lam = max(4, int(self.popsize0 * mult ** (u_pop**2)))
            maxiter = min(self._maxiter(self.popsize0), 0.5 * rs.large_evals / lam)
            sigma = self.sigma0 * 0.01**u_sigma
        else:
            rs.large_runs += 1
            lam, maxiter, sigma = int(self.popsize0 * 2.0 * mult), self._maxiter(
                self.popsize0), self.sigma0
        rs.regime = "small" if small else "large"
        self._run = self._new_run(sigma, lam, max(maxiter, 1.0))

    # --- the protocol --------------------------------------------------------------------
    def ask(self):
        run = self._run
        n = run.lam
        if self.budget is not None:
            n = max(0, min(n, self.budget - self._ledger.next_id))
        Z = self._rng.standard_normal((run.lam, self.space.dim))
        X = run.mean + run.sigma * (Z * run.D) @ run.B.T  # [1] eqs. 38-40
        inside = _BOUNDS[self._bounds](X)
        if self._bounds == "clip":
            X = inside  # the repaired points take part in the update (Lamarckian repair)
        self._asked = (X, self._ledger.issue(n))
        return candidates_from_vectors(self.space, inside[:n], self._asked[1])

    def tell(self, candidates, values) -> None:
        values = self._ledger.accept(candidates, values)
        X, first = self._asked
        self._asked = None
        if len(candidates) < len(X):
            return  # the budget cut the generation short: nothing to learn from a part
        f = np.full(len(X), np.inf)
        f[candidate_ids(candidates) - first] = values
        self._run.evals += len(X)
        reason = self._update(X, f)
        if reason is not None:
            self._restart(reason)

    def _update(self, X, f):
        """One generation of [1] Table 1; returns why the run ends, or None."""
        run, c = self._run, self._c(self._run.lam)
        order = np.argsort(f, kind="stable")
        f_sorted = f[order]
        # --- recombination (eq. 41) ---
        Y = (X[order] - run.mean) / run.sigma
        y_w = c.weights @ Y[: c.mu]
        run.mean = run.mean + run.sigma * y_w
        # --- cumulation (eqs. 43, 45) ---
        inv_sqrt_C_y = run.B @ ((run.B.T @ y_w) / run.D)
        run.ps = (1 - c.cs) * run.ps + math.sqrt(c.cs * (2 - c.cs) * c.mueff) * inv_sqrt_C_y
        norm_ps = float(np.linalg.norm(run.ps))
        h_sig = norm_ps / math.sqrt(1 - (1 - c.cs) ** (2 * (run.gen + 1))) / c.chin < (
            1.4 + 2 / (len(y_w) + 1))
        run.pc = (1 - c.cc) * run.pc + h_sig * math.sqrt(c.cc * (2 - c.cc) * c.mueff) * y_w
        # --- covariance with active negative weights (eqs. 46-47) and step size (eq. 44) ---
        w = c.active.copy()
        neg = w < 0
        if neg.any():  # w_i * n / |C^-1/2 y_i|^2 for the negative weights (eq. 46)
            Zn = (Y[neg] @ run.B) / run.D
            w[neg] *= len(y_w) / np.maximum((Zn * Zn).sum(axis=1), 1e-300)
        c1a = c.c1 * (1 - (1 - h_sig) * c.cc * (2 - c.cc))
        run.C = ((1 - c1a - c.cmu * c.active.sum()) * run.C
                 + c.c1 * np.outer(run.pc, run.pc) + c.cmu * (Y.T * w) @ Y)
        run.sigma *= math.exp(min(1.0, (c.cs / c.damps) * (norm_ps / c.chin - 1)))
        run.gen += 1
        if run.gen - run.eigen_gen > c.eigen_every:
            self._eigen()
        return self._termination(f_sorted, c)

    def _eigen(self) -> None:
        run = self._run
        run.C = np.triu(run.C) + np.triu(run.C, 1).T  # keep it exactly symmetric
        d2, run.B = np.linalg.eigh(run.C)
        if d2.min() <= 1e-20 * d2.max():  # negative weights overshot: restore definiteness
            d2 = np.maximum(d2, 1e-20 * d2.max())
            run.C = (run.B * d2) @ run.B.T
        run.D = np.sqrt(d2)
        run.eigen_gen = run.gen

    def _termination(self, f_sorted, c) -> str | None:
        """pycma's default termination criteria, in the order it checks them."""
        run, n = self._run, self.space.dim
        finite = f_sorted[np.isfinite(f_sorted)]
        run.best_hist.append(float(f_sorted[0]))
        if finite.size > math.ceil(0.1 + run.lam / 4) and (
                f_sorted[0] == f_sorted[math.ceil(0.1 + run.lam / 4)]):
            run.sigma *= math.exp(0.2 + c.cs / c.damps)  # flat fitness: widen the search
            run.flat += 1
        else:
            run.flat = 0
        hist_len = 10 + int(30 * n / run.lam)
        recent = run.best_hist[-hist_len:] + [float(v) for v in finite]
        if run.gen >= 2 and finite.size and max(recent) - min(recent) < _TOL:
            return "tolfun"
        diag = np.sqrt(np.maximum(np.diag(run.C), 0.0))
        if run.sigma * max(np.max(np.abs(run.pc)), np.max(diag)) < _TOL:
            return "tolx"
        if run.D.max() > 1e7 * run.D.min():
            return "conditioncov"
        i = run.gen % n
        if np.all(run.mean == run.mean + 0.1 * run.sigma * run.D[i] * run.B[:, i]):
            return "noeffectaxis"
        if np.any(run.mean == run.mean + 0.2 * run.sigma * diag):
            return "noeffectcoord"
        if run.flat > 1:
            return "tolflatfitness"
        if run.gen >= run.maxiter:
            return "maxiter"
        return self._stagnation(n)

    def _stagnation(self, n) -> str | None:
        run = self._run
        window = int(120 + 30 * n / run.lam)
        h = run.best_hist
        if len(h) > window and np.median(h[-20:]) >= np.median(h[-window:-window + 20]):
            return "tolstagnation"
        if len(h) > 2 * window:
            del h[: len(h) - 2 * window]  # bounded memory on long runs
        return None

    def stop(self) -> str | None:
        if self.budget is not None and self._ledger.next_id >= self.budget:
            return "budget"
        return None  # restarts until the budget is spent

    @property
    def best(self):
        return self._ledger.best

    # --- state ---------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {"run": asdict(self._run), "restarts": asdict(self._restarts),
                "rng": seeding.generator_state(self._rng), "ledger": self._ledger.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        r = dict(state["run"])
        for k in ("mean", "C", "B", "D", "pc", "ps"):
            r[k] = np.array(r[k], dtype=float)
        for k in ("gen", "eigen_gen", "evals", "flat", "lam"):
            r[k] = int(r[k])
        r["best_hist"] = [float(v) for v in r["best_hist"]]
        self._run = _Run(**r)
        rs = state["restarts"]
        self._restarts = _Restarts(**{k: (str(v) if k in ("regime", "last_stop") else int(v))
                                      for k, v in rs.items()})
        seeding.set_generator_state(self._rng, state["rng"])
        self._ledger.load_state_dict(state["ledger"])
        self._asked = None


def _clip(X: np.ndarray) -> np.ndarray:
    return np.clip(X, 0.0, 1.0)


def _reflect(X: np.ndarray) -> np.ndarray:
    """Mirror every coordinate into [0, 1] (period 2: 1.2 -> 0.8, -0.3 -> 0.3)."""
    if X.size and X.min() >= 0.0 and X.max() <= 1.0:
        return X
    P = np.mod(X, 2.0)
    return np.where(P > 1.0, 2.0 - P, P)


_BOUNDS = {"reflect": _reflect, "clip": _clip}
