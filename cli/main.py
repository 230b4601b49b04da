"""The root ``nondiff`` command group and ``main()``, the console script.

:class:`Group` owns the exit-code policy: it runs click in non-standalone mode and turns every
way a command can end into one exit code and, for errors, one line on stderr (plus the JSON
document on stdout with ``--json``). Only click and the light ``cli`` modules are imported
here, which keeps ``nondiff --help`` fast.
"""

from __future__ import annotations

import sys
import traceback

import click

from cli._output import (
    CONTEXT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    one_line,
    report_error,
    wants_json,
)
from cli.analyze import analyze
from cli.bench import bench
from cli.optimize import optimize
from cli.report import report
from cli.resume import resume
from cli.strategies import strategies

__all__ = ["cli", "main"]


def _hint(ctx) -> str:
    return f" (see '{ctx.command_path} --help')" if ctx is not None else ""


def _run(call, args, **kwargs) -> int:
    """Run the click ``call`` on ``args`` and return the exit code (errors reported here)."""
    json_mode = wants_json(args)
    try:
        rv = call(args, standalone_mode=False, **kwargs)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()
        return EXIT_USAGE
    except click.UsageError as exc:
        msg = one_line(exc.format_message())
        return report_error(msg, EXIT_USAGE, json_mode=json_mode, hint=_hint(exc.ctx))
    except click.ClickException as exc:
        doc = getattr(exc, "doc", None)
        return report_error(exc.format_message(), exc.exit_code, json_mode=json_mode, doc=doc)
    except click.Abort:  # click's translation of KeyboardInterrupt outside the driver
        return report_error("interrupted", EXIT_INTERRUPTED, json_mode=json_mode)
    except Exception as exc:  # a bug in nondiff: keep the traceback for the bug report
        traceback.print_exc(file=sys.stderr)
        msg = f"internal error: {type(exc).__name__}: {one_line(exc)}"
        return report_error(msg, EXIT_FAILED, json_mode=json_mode)
    return rv if isinstance(rv, int) else 0


class Group(click.Group):
    """A click group whose ``main`` applies nondiff's exit codes and one-line errors."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **kwargs):
        args = sys.argv[1:] if args is None else list(args)
        code = _run(super().main, args, prog_name=prog_name, complete_var=complete_var, **kwargs)
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(
    cls=Group,
    context_settings=CONTEXT,
)
@click.version_option(package_name="nondiff", prog_name="nondiff")
def cli():
    """Optimize programs that gradients cannot reach.

    \b
    Exit codes: 0 done, 1 the objective or the run failed, 2 bad usage,
                3 no finite evaluation at all, 130 interrupted.
    With --json, stdout carries exactly one JSON document, also on failure.
    """


for _command in (optimize, resume, strategies, analyze, bench, report):
    cli.add_command(_command)


def main(args=None) -> int:
    """Console-script entry point: run ``nondiff`` on ``args`` (default ``sys.argv[1:]``)."""
    return cli.main(args=args, prog_name="nondiff")
