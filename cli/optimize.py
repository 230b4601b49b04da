"""``nondiff optimize``: optimize a Python function (``FILE.py:FUNC``) or a shell command.

The space comes from ``--param`` flags, a ``--space`` file, or both (names must not repeat).
Everything is checked before the first evaluation, so bad input costs no budget: it is a one-line
error with exit code 2.
"""

from __future__ import annotations

import os

import click

from cli import params as p
from cli._output import CONTEXT, EXIT_USAGE, CommandError, one_line
from cli._run import run_driver

PARAM_HELP = (
    "A search-space parameter, repeatable: NAME=real:LO:HI[:log], NAME=int:LO:HI, "
    "NAME=cat:A,B,C, NAME=bits:N, NAME=perm:N or NAME=array:SHAPE:LO:HI (SHAPE like 3x4)."
)


def _usage(message: str) -> CommandError:
    return CommandError(message, EXIT_USAGE)


def build_space(space, params):
    """The Space of ``--space`` (or None) extended by the ``(name, param)`` pairs of ``--param``."""
    if not params:
        return space
    from nondiff.space import Space

    merged = {name: space[name] for name in space.names} if space is not None else {}
    for name, param in params:
        if name in merged:
            raise _usage(f"parameter {name!r} is defined twice (--param / --space)")
        merged[name] = param
    try:
        return Space(merged)
    except (ValueError, TypeError) as exc:
        raise _usage(f"--param: {exc}") from None


def options_dict(options) -> dict:
    """``--option`` pairs as a dict; a key given twice is an error."""
    out = {}
    for key, value in options:
        if key in out:
            raise _usage(f"--option {key!r} given twice")
        out[key] = value
    return out


def warn_unused(objective, space) -> None:
    """Warn about parameters a command template never passes: searching them is wasted."""
    used = set(getattr(objective.fn, "names", space.names))
    unused = [n for n in space.names if n not in used]
    if unused:
        click.echo(f"Warning: --command never uses {', '.join(unused)}", err=True)


def check_checkpoint_path(path: str | None, every: int | None) -> None:
    if path is None:
        if every is not None:
            raise _usage("--checkpoint-every needs --checkpoint PATH")
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise _usage(f"--checkpoint: directory {directory!r} does not exist")
    if os.path.isdir(path):
        raise _usage(f"--checkpoint: {path!r} is a directory")


def make_objective(reference, command, field, space, timeout):
    """What the driver optimizes: a ``file.py:function`` string or a command Objective."""
    if (reference is None) == (command is None):
        raise _usage("give either FILE.py:FUNC or --command TEMPLATE (exactly one)")
    if field is not None and command is None:
        raise _usage("--field applies only to --command")
    if reference is not None:
        return str(reference)
    if space is None:
        raise _usage("--command needs a space: --param NAME=SPEC or --space FILE")
    from nondiff.objective import Objective

    try:
        objective = Objective.from_command(command, field=field, space=space, timeout=timeout)
    except (ValueError, TypeError) as exc:  # shlex and placeholder errors
        raise _usage(f"--command: {one_line(exc)}") from None
    warn_unused(objective, space)
    return objective


@click.command("optimize", context_settings=CONTEXT,
               short_help="Optimize a Python function or a shell command.")
@click.argument("reference", type=p.REFERENCE, required=False, metavar="[FILE.py:FUNC]")
@click.option("--command", metavar="TEMPLATE",
              help='Shell command template, e.g. "python sim.py --lr {lr}"; each value is '
                   "passed as one argv item, the value is read from the last stdout line.")
@click.option("--field", metavar="NAME",
              help="With --command: the JSON field holding the value when the last line "
                   "is a JSON object.")
@click.option("--param", "params", multiple=True, type=p.PARAM_SPEC, help=PARAM_HELP)
@click.option("--space", "space", type=p.SPACE_FILE,
              help="A JSON or TOML file with the space (as written by Space.to_dict).")
@click.option("--strategy", type=p.STRATEGY, default="auto", show_default=True,
              help="Strategy name (see 'nondiff strategies').")
@click.option("--option", "options", multiple=True, type=p.OPTION,
              help="A strategy option, repeatable; VALUE is parsed as JSON when it can be.")
@click.option("--budget", type=click.IntRange(min=1), default=100, show_default=True,
              help="Maximum number of evaluations.")
@click.option("--seed", type=click.IntRange(min=0), help="Seed (default: fresh, recorded).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Parallel worker processes.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
              help="Per-evaluation time limit in seconds (a timeout counts as a failure).")
@click.option("--max-time", type=click.FloatRange(min=0, min_open=True),
              help="Stop the run after this many seconds.")
@click.option("--target", type=float, help="Stop once the best value reaches this.")
@click.option("--checkpoint", metavar="PATH",
              help="Write checkpoints here; continue with 'nondiff resume PATH'.")
@click.option("--checkpoint-every", type=click.IntRange(min=1), metavar="N",
              help="With --checkpoint: also write one every N evaluations (default: every "
                   "60 s and at the end).")
@click.option("--maximize", is_flag=True, help="Maximize instead of minimize.")
@click.option("--json", "json_mode", is_flag=True,
              help="Write one JSON document to stdout (no progress bar).")
def optimize(reference, command, field, params, space, strategy, options, budget, seed,
             workers, timeout, max_time, target, checkpoint, checkpoint_every, maximize,
             json_mode):
    """Optimize FILE.py:FUNC or a --command over a space of --param flags or a --space file.

    \b
    Examples:
      nondiff optimize model.py:loss --param lr=real:1e-4:1:log --param depth=int:1:8
      nondiff optimize --command "python sim.py --x {x} --mode {mode}" \\
          --param x=real:-5:5 --param mode=cat:fast,slow --strategy cmaes --budget 200
    """
    space = build_space(space, params)
    objective = make_objective(reference, command, field, space, timeout)
    check_checkpoint_path(checkpoint, checkpoint_every)
    from nondiff.minimize import minimize

    return run_driver(
        minimize, objective, space, strategy=strategy, budget=budget, seed=seed,
        workers=workers, timeout=timeout, max_time=max_time, target=target,
        checkpoint=checkpoint, checkpoint_every=checkpoint_every,
        direction="maximize" if maximize else "minimize",
        strategy_options=options_dict(options), json_mode=json_mode,
    )
