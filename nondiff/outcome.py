"""Evaluation outcomes: status codes, the per-batch record, and return-value conversion.

Every evaluation ends with a :class:`Status`. Only ``OK`` carries a value; anything else is a
failure that the driver ranks worst, so NaN never reaches a strategy's arithmetic. What an
objective may return:

- Python and numpy real scalars, 0-d arrays and 1-element arrays become a float;
- anything else (``None``, a string, a bool, a list, an array of several values, a complex) is
  an ``ERROR`` naming its type;
- a non-finite value is a failure with status ``NAN`` and a text saying which (``nan``, ``+inf``
  or ``-inf``). Infinities are refused in both senses: ``-inf`` in a minimization is almost
  always a bug, and ``+inf`` would be indistinguishable from the ``+inf`` strategies already
  receive for failures, so it is recorded as a failure rather than as a value.

This module is shared by the in-process loop, the worker processes and executor tasks.
"""

from __future__ import annotations

import enum
import numbers
import os
import traceback
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Status", "BatchOutcome", "EvaluationTimeout", "Raised", "TaskResult",
           "to_value", "convert_raw", "convert_batch", "error_text"]

_TEXT_LIMIT = 2000  # characters of traceback / stderr kept per failed evaluation
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class Status(enum.IntEnum):
    """Outcome of one evaluation; ``status.label`` is the lowercase name used in counts."""

    OK = 0
    ERROR = 1
    NAN = 2
    TIMEOUT = 3
    CRASHED = 4
    INTERRUPTED = 5

    @property
    def label(self) -> str:
        return self.name.lower()


class EvaluationTimeout(Exception):
    """Raised by objectives that enforce their own timeout (shell commands)."""


@dataclass
class BatchOutcome:
    """The record of one batch, aligned with the candidates passed to ``evaluate``.

    Attributes
    ----------
    values : ndarray of float64
        Raw values in the objective's own sense; NaN wherever ``status != OK``.
    status : ndarray of int8
        :class:`Status` codes.
    seconds : ndarray of float64
        Wall seconds per evaluation (a batch call's time is split evenly).
    errors : dict
        Index in the batch -> error text (traceback tail, stderr tail or reason).
    interrupted : bool
        True when Ctrl-C arrived during the batch; unfinished evaluations are ``INTERRUPTED``.
    deadline_passed : bool
        True when the ``deadline`` given to ``evaluate`` cut the batch: the evaluations not
        finished by then are ``INTERRUPTED`` (a time limit, not a user's Ctrl-C).
    """

    values: np.ndarray
    status: np.ndarray
    seconds: np.ndarray
    errors: dict = field(default_factory=dict)
    interrupted: bool = False
    deadline_passed: bool = False

    @classmethod
    def empty(cls, n: int, status: Status = Status.INTERRUPTED) -> BatchOutcome:
        """``n`` evaluations that all ended with ``status`` (and no value)."""
        return cls(np.full(n, np.nan), np.full(n, int(status), dtype=np.int8), np.zeros(n))

    def counts(self) -> dict[str, int]:
        """Evaluations by status label."""
        found = np.bincount(self.status.astype(np.int64), minlength=len(Status))
        return {s.label: int(found[s]) for s in Status}

    def fill(self, rows: slice, part: TaskResult) -> None:
        """Copy one task's result into the contiguous ``rows`` (a slice with a start)."""
        self.values[rows] = part.values
        self.status[rows] = part.status
        self.seconds[rows] = part.seconds
        for i, text in part.errors.items():
            self.errors[rows.start + int(i)] = text

    def fail(self, rows: slice, status: Status, text: str | None = None, seconds=0.0) -> None:
        """Mark ``rows`` (a slice with a start) as failed with ``status`` and one error text."""
        self.values[rows] = np.nan
        self.status[rows] = int(status)
        self.seconds[rows] = seconds
        if text is not None:
            for i in range(*rows.indices(len(self.values))):
                self.errors[i] = text


@dataclass
class TaskResult:
    """What one task (a slice of a batch) sends back: the BatchOutcome columns for its rows."""

    values: np.ndarray
    status: np.ndarray
    seconds: np.ndarray
    errors: dict
    interrupted: bool = False


class Raised:
    """Marks an exception caught around an objective call (never a legitimate return value)."""

    __slots__ = ("exc",)

    def __init__(self, exc: BaseException):
        self.exc = exc


def error_text(exc: BaseException) -> str:
    """The tail of ``exc``'s traceback, starting at the first frame outside nondiff itself."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and _is_own(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    return _tail(text)


def _is_own(filename: str) -> bool:
    return os.path.dirname(os.path.abspath(filename)) == _PACKAGE_DIR


def _tail(text: str) -> str:
    return text if len(text) <= _TEXT_LIMIT else "..." + text[-_TEXT_LIMIT:]


# types whose values convert exactly with np.asarray(list, float); everything else is checked
_PLAIN = frozenset({float, int, np.float64, np.float32, np.float16, np.int64, np.int32,
                    np.int16, np.int8, np.uint64, np.uint32, np.uint16, np.uint8})


def to_value(raw) -> tuple[float, Status, str | None]:
    """Convert one return value: ``(value, status, error text or None)``."""
    if isinstance(raw, Raised):
        status = Status.TIMEOUT if isinstance(raw.exc, EvaluationTimeout) else Status.ERROR
        return np.nan, status, _exception_text(raw.exc)
    value = _real(raw)
    if value is None:
        return np.nan, Status.ERROR, _type_error(raw)
    if not np.isfinite(value):
        return np.nan, Status.NAN, f"objective returned a non-finite value: {_inf_name(value)}"
    return value, Status.OK, None


def _exception_text(exc: BaseException) -> str:
    if isinstance(exc, EvaluationTimeout):
        return str(exc)
    # CommandError carries stderr, not a traceback: the traceback would only show nondiff
    if getattr(exc, "plain_text", False):
        return _tail(f"{type(exc).__name__}: {exc}")
    return error_text(exc)


def _real(raw) -> float | None:
    """``raw`` as a float when it is one real number, else None."""
    if isinstance(raw, (bool, np.bool_)):
        return None  # a truth value is almost always `return a < b` by mistake
    if isinstance(raw, (numbers.Real, np.integer, np.floating)):
        return float(raw)
    if isinstance(raw, np.ndarray) or hasattr(raw, "__array__"):
        try:
            arr = np.asarray(raw)
        except Exception:
            return None
        if arr.size == 1 and arr.dtype.kind in "fiu":
            return float(arr.reshape(()))
    return None


def _type_error(raw) -> str:
    kind = type(raw).__name__
    if isinstance(raw, np.ndarray) or hasattr(raw, "shape"):
        kind += f" of shape {tuple(getattr(raw, 'shape', ()))}"
    elif isinstance(raw, str):
        kind += f" {raw[:50]!r}"
    return f"objective returned {kind}; it must return one real number (float, int, numpy scalar)"


def _inf_name(value: float) -> str:
    if np.isnan(value):
        return "nan"
    return "+inf" if value > 0 else "-inf"


def convert_raw(raw: list, seconds: np.ndarray) -> TaskResult:
    """Convert the return values of per-call evaluations (one numpy call when all are plain)."""
    if set(map(type, raw)) <= _PLAIN:
        return _from_array(np.array(raw, dtype=np.float64).reshape(len(raw)), seconds)
    values, status, errors = _convert_each(raw)
    _mark_nonfinite(values, status, errors)
    return TaskResult(values, status, seconds, errors)


def _from_array(values: np.ndarray, seconds: np.ndarray) -> TaskResult:
    status = np.zeros(len(values), dtype=np.int8)
    errors = {}
    _mark_nonfinite(values, status, errors)
    return TaskResult(values, status, seconds, errors)


def _convert_each(raw: list):
    n = len(raw)
    values = np.empty(n)
    status = np.zeros(n, dtype=np.int8)
    errors = {}
    for i, r in enumerate(raw):
        values[i], status[i], text = to_value(r)
        if text is not None:
            errors[i] = text
    return values, status, errors


def _mark_nonfinite(values: np.ndarray, status: np.ndarray, errors: dict) -> None:
    finite = np.isfinite(values)
    if finite.all():  # the usual case, checked in one call
        return
    bad = np.flatnonzero((status == int(Status.OK)) & ~finite)
    for i in bad:
        errors[int(i)] = f"objective returned a non-finite value: {_inf_name(values[i])}"
    values[bad] = np.nan
    status[bad] = Status.NAN


def convert_batch(ret, n: int, seconds: float) -> TaskResult:
    """Convert what a batch objective returned for ``n`` candidates in ``seconds`` in total."""
    secs = np.full(n, seconds / max(n, 1))
    if isinstance(ret, Raised):
        value, status, text = to_value(ret)
        return _all_failed(n, secs, status, text)
    try:
        arr = np.asarray(ret)
    except Exception:
        arr = np.asarray(None)
    if arr.dtype.kind in "fiu" and arr.size == n and arr.ndim <= 2 and arr.shape[:1] in ((n,), ()):
        return _from_array(arr.reshape(n).astype(np.float64), secs)
    if arr.dtype == object and arr.shape == (n,):
        return convert_raw(list(arr), secs)
    text = (f"batch objective returned {type(ret).__name__} of shape {arr.shape} for {n} "
            f"candidates; it must return {n} real numbers")
    return _all_failed(n, secs, Status.ERROR, text)


def _all_failed(n, secs, status, text) -> TaskResult:
    return TaskResult(np.full(n, np.nan), np.full(n, int(status), dtype=np.int8), secs,
                      dict.fromkeys(range(n), text))
