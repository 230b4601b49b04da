"""Strategies by name: the entry-point group ``nondiff.strategies`` plus runtime registrations.

Built-in strategies are declared in ``pyproject.toml`` exactly as a third-party package would
declare its own, so there is one mechanism. Names are listed without importing anything; a
strategy's module is imported only when that name is requested.
"""

from __future__ import annotations

import functools
from importlib.metadata import EntryPoint, entry_points

__all__ = ["register", "unregister", "names", "get", "create", "GROUP"]

GROUP = "nondiff.strategies"
_runtime: dict[str, object] = {}


@functools.cache
def _entry_points() -> dict[str, EntryPoint]:
    """The group's entry points, read once per process (a scan costs about 10 ms)."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        if ep.name in found and found[ep.name].value != ep.value:
            raise RuntimeError(
                f"strategy name {ep.name!r} is declared twice: "
                f"{found[ep.name].value} and {ep.value}"
            )
        found[ep.name] = ep
    return found


def register(name: str, factory) -> None:
    """Register ``factory`` (a Strategy class or callable) under ``name``; duplicates raise."""
    if not isinstance(name, str) or not name:
        raise ValueError("strategy name must be a non-empty string")
    if name in _runtime or name in _entry_points():
        raise ValueError(f"strategy {name!r} is already registered")
    _runtime[name] = factory


def unregister(name: str) -> None:
    """Remove a runtime registration (entry points cannot be removed)."""
    if name not in _runtime:
        raise KeyError(f"strategy {name!r} was not registered at runtime")
    del _runtime[name]


def names() -> list[str]:
    """All known strategy names, sorted, without importing any strategy module."""
    return sorted(set(_runtime) | set(_entry_points()))


def get(name: str):
    """The factory registered under ``name``; an unknown name lists the known ones."""
    if name in _runtime:
        return _runtime[name]
    eps = _entry_points()
    if name not in eps:
        known = ", ".join(names()) or "(none)"
        raise ValueError(f"unknown strategy {name!r}; known strategies: {known}")
    return eps[name].load()


def create(name_or_strategy, space, *, seed=None, budget=None, **options):
    """Build a strategy from a registry name (or pass an instance through unchanged)."""
    if not isinstance(name_or_strategy, str):
        if options:
            raise TypeError("strategy options need a strategy name, not an instance")
        return name_or_strategy
    factory = get(name_or_strategy)
    return factory(space, seed=seed, budget=budget, **options)
