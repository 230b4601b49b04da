"""Seeds become random generators here and nowhere else.

Every random draw in nondiff comes from a ``numpy.random.Generator`` derived from the run's
``seed``; nothing touches numpy's or Python's global RNG, so two runs with the same seed
interleaved in one process give identical results. Generator states are plain JSON data so that
checkpoints never need pickle.
"""

from __future__ import annotations

import numpy as np

from nondiff.plain import plain

__all__ = ["as_generator", "spawn", "generator_state", "set_generator_state", "from_state"]


def as_generator(seed=None) -> np.random.Generator:
    """Return a Generator for ``seed`` (None, int, SeedSequence or an existing Generator).

    An existing Generator is returned as is (shared, not copied), so a caller that passes its
    own generator keeps control of the stream.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (int, np.integer, np.random.SeedSequence)):
        return np.random.Generator(np.random.PCG64(seed))
    raise TypeError(f"seed must be None, an int or a numpy Generator, not {type(seed).__name__}")


def spawn(seed, n: int) -> list[np.random.Generator]:
    """Return ``n`` independent Generators derived deterministically from ``seed``."""
    if isinstance(seed, np.random.Generator):
        return list(seed.spawn(n))
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return [np.random.Generator(np.random.PCG64(s)) for s in ss.spawn(n)]


def generator_state(rng: np.random.Generator) -> dict:
    """The JSON-serializable state of ``rng`` (bit generator name and integers only)."""
    return plain(rng.bit_generator.state)


def set_generator_state(rng: np.random.Generator, state: dict) -> None:
    """Restore a state produced by :func:`generator_state` into ``rng`` in place."""
    name = type(rng.bit_generator).__name__
    if state.get("bit_generator") != name:
        raise ValueError(f"RNG state is for {state.get('bit_generator')!r}, not {name!r}")
    rng.bit_generator.state = state


def from_state(state: dict) -> np.random.Generator:
    """A new Generator restored from a state produced by :func:`generator_state`."""
    bitgen = getattr(np.random, state.get("bit_generator", ""), None)
    if bitgen is None:
        raise ValueError(f"unknown bit generator in RNG state: {state.get('bit_generator')!r}")
    rng = np.random.Generator(bitgen())
    rng.bit_generator.state = state
    return rng
