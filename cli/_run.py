"""Running the driver from a command: the progress bar, error translation and the result report.

``optimize`` and ``resume`` both end here. The driver's exceptions become exit codes through
one table (:data:`EXIT_BY_ERROR`); the result becomes either a short human summary or the one
JSON document on stdout.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time

import click

from cli._output import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NO_FINITE,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    emit_json,
    one_line,
)

# nondiff.errors class name -> exit code, checked in this order (a subclass listed first wins).
EXIT_BY_ERROR = (
    ("UsageError", EXIT_USAGE),
    ("CheckpointError", EXIT_USAGE),
    ("NoFiniteValue", EXIT_NO_FINITE),
    ("ObjectiveError", EXIT_FAILED),
)

# Redraw the bar at most this often: the driver calls back after every tell, which for a fast
# objective is far more often than a terminal can show.
_REDRAW_SECONDS = 0.1


def _show_best(best) -> str | None:
    return None if best is None else f"best {best:.6g}"


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """The driver callback drawing a click progress bar on stderr with the best value so far.

    The bar is created on the first call, when the run's budget is known (a resumed run's
    budget comes from its checkpoint). Disabled, it does nothing.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._bar = None
        self._shown = 0
        self._drawn_at = 0.0

    def __call__(self, info) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=info.budget, label="optimizing", file=sys.stderr,
                show_pos=True, item_show_func=_show_best,
            )
        now = time.monotonic()
        if now - self._drawn_at >= _REDRAW_SECONDS or info.nfev >= info.budget:
            self._bar.update(info.nfev - self._shown, info.best_value)
            self._shown, self._drawn_at = info.nfev, now

    def close(self) -> None:
        if self._bar is not None:
            self._bar.render_finish()


def _fileno(stream) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # in-memory streams (CliRunner, notebooks)
        return None


@contextlib.contextmanager
def stdout_to_stderr():
    """Send whatever the objective writes to stdout to stderr instead, until the block ends.

    With ``--json`` stdout must carry one JSON document only, but an objective may print.
    ``print`` goes through ``sys.stdout``; worker processes and C code write to file
    descriptor 1, which is pointed at stderr too when both streams have real descriptors.
    """
    out, err = _fileno(sys.stdout), _fileno(sys.stderr)
    sys.stdout.flush()
    saved = os.dup(out) if out is not None and err is not None else None
    try:
        if saved is not None:
            os.dup2(err, out)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        if saved is not None:
            os.dup2(saved, out)
            os.close(saved)


def exit_code_for_error(exc: BaseException) -> int | None:
    """The exit code for a driver exception, or None when it is not one of nondiff's errors."""
    from nondiff import errors

    for name, code in EXIT_BY_ERROR:
        if isinstance(exc, getattr(errors, name)):
            return code
    return None


def exit_code_for_result(result) -> int:
    """0 for a finished run, 130 when interrupted, 3 when no evaluation was finite."""
    if result.stop_reason == "interrupted":
        return EXIT_INTERRUPTED
    if result.value is None or not math.isfinite(result.value):
        return EXIT_NO_FINITE
    return EXIT_OK


def run_driver(fn, *args, json_mode: bool, **kwargs) -> int:
    """Call ``fn(*args, callbacks=(progress,), **kwargs)``, report its result, return the code.

    nondiff's own errors become :class:`CommandError` with their exit code: usage errors as one
    line, an objective failure with its full message (it carries the user's traceback).
    """
    progress = Progress(enabled=not json_mode and _isatty(sys.stderr))
    quiet = stdout_to_stderr() if json_mode else contextlib.nullcontext()
    try:
        with quiet:
            result = fn(*args, callbacks=(progress,), **kwargs)
    except KeyboardInterrupt:
        raise CommandError("interrupted", EXIT_INTERRUPTED) from None
    except Exception as exc:
        code = exit_code_for_error(exc)
        if code is None:
            raise
        message = one_line(exc) if code == EXIT_USAGE else str(exc)
        partial = getattr(exc, "result", None)
        doc = partial.to_json_dict() if partial is not None else None
        raise CommandError(message, code, doc=doc) from exc
    finally:
        progress.close()
    return report_result(result, json_mode=json_mode)


_ERROR_BY_EXIT = {EXIT_INTERRUPTED: "interrupted", EXIT_NO_FINITE: "no finite evaluation"}


def report_result(result, *, json_mode: bool) -> int:
    """Print ``result`` (JSON document or human summary) and return its exit code."""
    code = exit_code_for_result(result)
    error = _ERROR_BY_EXIT.get(code)
    if code == EXIT_NO_FINITE:
        error += _first_failure(result)
    if json_mode:
        emit_json({**result.to_json_dict(), "error": error, "exit_code": code})
    else:
        _print_summary(result)
        if error is not None:
            click.echo(f"Error: {error}", err=True)
    return code


def _first_failure(result) -> str:
    """``"; the first failure was: <last line of its error text>"``, or "" when none is kept."""
    errors = getattr(getattr(result, "history", None), "errors", None) or {}
    if not errors:
        return ""
    lines = [line for line in str(errors[min(errors)]).splitlines() if line.strip()]
    return f"; the first failure was: {lines[-1].strip()}" if lines else ""


def _format(value) -> str:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value) if isinstance(value, str) else str(value)


def _print_summary(result) -> None:
    found = result.value is not None and math.isfinite(result.value)
    click.echo(f"best value: {_format(result.value) if found else 'none'}")
    params = result.params or {}
    width = max((len(name) for name in params), default=0)
    for name, value in params.items():
        click.echo(f"  {name:<{width}} = {_format(value)}")
    counts = ", ".join(f"{k} {v}" for k, v in (result.counts or {}).items() if v)
    click.echo(f"evaluations: {result.nfev} ({counts or 'none'}); stop: {result.stop_reason}")
