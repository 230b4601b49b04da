"""Stochastic programs: ordinary Python that draws random choices through :func:`sample`.

A program is a function of parameters ``theta`` that calls ``sample(dist, name=...)`` where it
needs a random choice and returns a cost. Outside an estimator (or :func:`run`) there is no
trace to draw from, and ``sample`` says so: randomness always comes from a seeded trace.

Inside a trace every draw is recorded as a :class:`Site`: its name, distribution, value and,
for draws that are not reparameterized, the log-probability of the value, a traced function of
theta from which the estimators build the score-function term.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

import numpy as np

from nondiff import seeding

__all__ = ["sample", "run", "Site", "SampleTrace"]

_current: contextvars.ContextVar[SampleTrace | None] = contextvars.ContextVar(
    "nondiff_sample_trace", default=None)


@dataclass
class Site:
    """One random draw of a program run."""

    name: str
    dist: object
    value: object
    log_prob: object  # None for pathwise (reparameterized) draws
    reparameterized: bool


@dataclass
class SampleTrace:
    """The draws of one program run; ``sample_shape`` is prepended to every draw."""

    rng: np.random.Generator
    sample_shape: tuple = ()
    reparam: bool = True
    sites: list[Site] = field(default_factory=list)

    def __enter__(self) -> SampleTrace:
        self._token = _current.set(self)
        return self

    def __exit__(self, *exc) -> None:
        _current.reset(self._token)

    def draw(self, dist, name: str):
        if self.reparam and getattr(dist, "reparameterizable", False):
            value = dist.rsample(self.rng, self.sample_shape)
            self.sites.append(Site(name, dist, value, None, True))
            return value
        value = dist.sample(self.rng, self.sample_shape)
        self.sites.append(Site(name, dist, value, dist.log_prob(value), False))
        return value


def sample(dist, name: str | None = None):
    """Draw from ``dist`` inside an estimator or :func:`run`, recording the draw.

    Reparameterizable distributions (Normal) are drawn pathwise, so gradients flow through the
    value; the others contribute a score-function term through their ``log_prob``.
    """
    trace = _current.get()
    if trace is None:
        raise RuntimeError(
            "nondiff.sample() was called outside a stochastic trace: run the program through "
            "nondiff.stochastic.run(program, theta, seed=...) or estimate_grad(...)"
        )
    return trace.draw(dist, name if name is not None else f"site{len(trace.sites)}")


def run(program, theta, *, seed=None, sample_shape=()):
    """Run ``program(theta)`` once with seeded draws; return ``(value, sites)``."""
    with SampleTrace(seeding.as_generator(seed), tuple(sample_shape)) as trace:
        value = program(theta)
    return value, trace.sites
