"""Exit codes, one-line errors and the single JSON document every subcommand shares.

The rules live here so they hold in one place: results go to stdout, logs and progress to
stderr; with ``--json`` stdout carries exactly one JSON document, also on failure (with an
``"error"`` field); ``click.echo`` strips ANSI codes when a stream is not a terminal.
"""

from __future__ import annotations

import json
import math

import click

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_FINITE = 3
EXIT_INTERRUPTED = 130

# Every command carries these itself: click caches a command's help option on first use, so a
# command first invoked on its own (not through the group) would otherwise lose "-h".
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class CommandError(click.ClickException):
    """End a command with ``message`` and ``exit_code`` (reported by :func:`report_error`).

    ``doc`` is extra data for the JSON document, e.g. the partial result of a failed run.
    """

    def __init__(self, message: str, exit_code: int = EXIT_FAILED, *, doc: dict | None = None):
        super().__init__(message)
        self.exit_code = exit_code
        self.doc = doc


def one_line(text) -> str:
    """``text`` with every run of whitespace (newlines included) collapsed to one space."""
    return " ".join(str(text).split())


def wants_json(args) -> bool:
    """Whether ``--json`` is among the options of ``args`` (before a ``--`` separator).

    Parsing errors happen before click has read any option, and the JSON document must be
    written even then, so the flag is looked up in the raw arguments.
    """
    args = list(args)
    if "--" in args:
        args = args[: args.index("--")]
    return "--json" in args


def jsonable(value):
    """``value`` as plain JSON data: numpy scalars/arrays unwrapped, non-finite floats -> None.

    JSON has no NaN or infinity (``json.dumps`` would write invalid ``Infinity``), so they
    become ``null``.
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars, without importing numpy
        return jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def emit_json(doc: dict) -> None:
    """Write ``doc`` to stdout as one JSON document on one line."""
    click.echo(json.dumps(jsonable(doc), allow_nan=False))


def report_error(message: str, exit_code: int, *, json_mode: bool, hint: str = "",
                 doc: dict | None = None) -> int:
    """Print ``Error: message`` to stderr (and the JSON document to stdout); return the code.

    The JSON document is ``doc`` (if any) with ``error`` and ``exit_code`` set.
    """
    if json_mode:
        emit_json({**(doc or {}), "error": message, "exit_code": exit_code})
    click.echo(f"Error: {message}{hint}", err=True)
    return exit_code
