"""``nondiff analyze FILE.py:FUNC``: which parameters gradients reach, and why not.

Runs :func:`nondiff.hybrid.classify` on the function over the space given by ``--param`` /
``--space`` (or, when neither is given, a ``SPACE`` defined in the file) and prints each
parameter's status (differentiable, piecewise, black-box, no effect), the reason, the source
lines responsible, and the strategy the analysis recommends. ``--json`` writes it as one
JSON document.
"""

from __future__ import annotations

import click

from cli import params as p
from cli._output import CONTEXT, EXIT_USAGE, CommandError, emit_json, one_line
from cli.optimize import PARAM_HELP, build_space


@click.command("analyze", context_settings=CONTEXT,
               short_help="Classify a program's parameters for gradients.")
@click.argument("reference", type=p.REFERENCE, metavar="FILE.py:FUNC")
@click.option("--param", "params", multiple=True, type=p.PARAM_SPEC, help=PARAM_HELP)
@click.option("--space", "space", type=p.SPACE_FILE, help="A JSON space file.")
@click.option("--points", type=click.IntRange(min=1), default=3, show_default=True,
              help="Random points to trace and probe.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the probe points and directions.")
@click.option("--json", "json_mode", is_flag=True, help="Write one JSON document to stdout.")
def analyze(reference, params, space, points, seed, json_mode):
    """Say which parameters of FILE.py:FUNC gradients can reach (FUNC takes them by keyword)."""
    from nondiff.errors import UsageError
    from nondiff.hybrid import classify
    from nondiff.objective import Objective

    try:
        fn = Objective.from_reference(str(reference)).fn
    except UsageError as exc:
        raise CommandError(one_line(exc), EXIT_USAGE) from None
    space = build_space(space, params) or _space_in_file(fn)
    result = classify(fn, space, points=points, seed=seed)
    if json_mode:
        emit_json({"parameters": result.to_dict(), "strategy": result.strategy,
                   "nfev": result.nfev, "njev": result.njev})
        return
    click.echo(str(result))
    route = result.strategy or "a black-box strategy (no parameter has a usable gradient)"
    click.echo(f"recommended strategy: {route}")


def _space_in_file(fn):
    import sys

    from nondiff.space import Space

    found = getattr(sys.modules.get(getattr(fn, "__module__", ""), None), "SPACE", None)
    if not isinstance(found, Space):
        raise CommandError("no space: give --param NAME=SPEC or --space FILE (or define SPACE "
                           "in the file)", EXIT_USAGE)
    return found
