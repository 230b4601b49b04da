"""Unbiased gradients of E[f] for stochastic programs, by the surrogate loss of [1].

For K runs of the program with costs f_k, the surrogate is

    L(theta) = 1/K sum_k [ f_k + stop_gradient(f_k - b_k) * sum_s log p_s(z_sk; theta) ]

where the inner sum runs over the draws that are not reparameterized. Its gradient is the
pathwise gradient of f (through reparameterized Normals and every differentiable operation)
plus the score-function terms of the discrete draws ([1], Theorem 1), and b_k is a baseline
that does not depend on sample k, so the estimate stays unbiased. The autodiff engine
differentiates L in one backward pass.

A *vectorized* program draws all K samples at once (``sample`` returns arrays with a leading
axis of length K) and returns K costs; any further axes of the cost are summed, so tiling theta
along a replicate axis gives independent replicate estimates in one call.

[1] J. Schulman, N. Heess, T. Weber, P. Abbeel, "Gradient Estimation Using Stochastic
    Computation Graphs", NeurIPS 2015.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import nondiff.autodiff.numpy as anp
from nondiff import seeding
from nondiff.autodiff import value_and_grad
from nondiff.autodiff.tracer import getval
from nondiff.stochastic.baselines import as_baseline
from nondiff.stochastic.program import SampleTrace

__all__ = ["Estimate", "Estimator", "estimate_grad"]


@dataclass
class Estimate:
    """A gradient estimate (same structure as theta) with the costs it came from."""

    grad: object
    value: float        # mean cost over the samples
    values: np.ndarray  # the costs, sample axis first


class Estimator:
    """A reusable estimator: fixed program, sample count, baseline state and random stream.

    Parameters
    ----------
    program : callable
        ``program(theta) -> cost``, drawing with :func:`nondiff.sample`.
    n_samples : int
        K, the program runs per estimate.
    baseline : {"rloo", "none", "moving-average"}, baseline object or callable of theta
    seed : int, optional
    vectorized : bool
        The program draws and returns all K samples at once (see the module docstring).
    reparam : bool
        Draw reparameterizable distributions pathwise (default) or by score function.
    """

    def __init__(self, program, n_samples=16, *, baseline="rloo", seed=None, vectorized=False,
                 reparam=True):
        if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) \
                or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
        self.program, self.n_samples = program, int(n_samples)
        self.baseline = as_baseline(baseline)
        self.rng = seeding.as_generator(seed)
        self.vectorized, self.reparam = bool(vectorized), bool(reparam)

    def __call__(self, theta) -> Estimate:
        seen = {}

        def surrogate(th):
            f, logp = self._costs_and_scores(th)
            fv = np.asarray(getval(f), dtype=float)
            weight = fv - self.baseline.compute(fv, theta)
            seen["f"] = fv
            return anp.sum(f + weight * logp) / self.n_samples

        _, grad = value_and_grad(surrogate)(theta)
        self.baseline.update(seen["f"])
        return Estimate(grad, float(seen["f"].mean()), seen["f"])

    def _costs_and_scores(self, theta):
        if self.vectorized:
            return self._run(theta, (self.n_samples,))
        runs = [self._run(theta, ()) for _ in range(self.n_samples)]
        return anp.stack([f for f, _ in runs]), anp.stack([lp for _, lp in runs])

    def _run(self, theta, shape):
        with SampleTrace(self.rng, shape, self.reparam) as trace:
            f = program_output(self.program(theta))
        ndim = len(np.shape(getval(f)))
        logp = 0.0 * f
        for site in trace.sites:
            if site.log_prob is not None:
                logp = logp + _match_ndim(site.log_prob, ndim)
        return f, logp


def program_output(f):
    """The program's cost as an array (traced or plain)."""
    return f if hasattr(f, "shape") and not isinstance(f, np.ndarray) else anp.asarray(f)


def _match_ndim(lp, ndim):
    """Sum a site's log-probabilities over event axes, or broadcast them over cost axes."""
    while len(np.shape(getval(lp))) > ndim:
        lp = anp.sum(lp, axis=-1)
    while len(np.shape(getval(lp))) < ndim:
        lp = lp[..., None]
    return lp


def estimate_grad(program, theta, n_samples=16, *, baseline="rloo", seed=None,
                  vectorized=False, reparam=True) -> Estimate:
    """One unbiased estimate of d/dtheta E[program(theta)] (see :class:`Estimator`).

    Examples
    --------
    >>> import numpy as np, nondiff.autodiff.numpy as anp
    >>> from nondiff.stochastic import Bernoulli, sample, estimate_grad
    >>> def program(theta):
    ...     z = sample(Bernoulli(theta), name="z")
    ...     return anp.sum((z - 0.45) ** 2, axis=-1)
    >>> est = estimate_grad(program, np.zeros(3), n_samples=1000, seed=0, vectorized=True)
    >>> bool(np.allclose(est.grad, 0.1 * 0.25, atol=0.01))  # exact: 0.1 p (1 - p)
    True
    """
    return Estimator(program, n_samples, baseline=baseline, seed=seed, vectorized=vectorized,
                     reparam=reparam)(theta)
