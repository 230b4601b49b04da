"""Exceptions nondiff raises on purpose, each meaning one thing to a caller (and an exit code).

- :class:`UsageError`: the input is wrong (a bad parameter, file, flag or space). CLI exit 2.
- :class:`ObjectiveError`: the objective is broken (e.g. its first evaluations all failed).
  CLI exit 1. Carries the partial :class:`~nondiff.result.Result` so nothing computed is lost.
- :class:`NoFiniteValue`: the run finished without one successful evaluation. CLI exit 3.
- :class:`CheckpointError`: a checkpoint is unreadable, corrupted, foreign or incompatible.
"""

from __future__ import annotations

__all__ = ["NondiffError", "UsageError", "ObjectiveError", "NoFiniteValue", "CheckpointError"]


class NondiffError(Exception):
    """Base class of nondiff's own errors."""


class UsageError(NondiffError, ValueError):
    """Bad input from the user: names the bad parameter, flag or file."""


class ObjectiveError(NondiffError):
    """The objective failed in a way that is a bug in the user's program, not a bad point."""

    def __init__(self, message: str, result=None):
        super().__init__(message)
        self.result = result


class NoFiniteValue(NondiffError):
    """No evaluation of the run returned a finite value."""

    def __init__(self, message: str, result=None):
        super().__init__(message)
        self.result = result


class CheckpointError(NondiffError, ValueError):
    """A checkpoint file cannot be used; the message names the file and the reason."""
