"""``nondiff resume``: continue a run from its checkpoint, possibly with a larger budget."""

from __future__ import annotations

import click

from cli._output import CONTEXT
from cli._run import run_driver


@click.command("resume", context_settings=CONTEXT,
               short_help="Continue a run from its checkpoint.")
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False))
@click.option("--budget", type=click.IntRange(min=1),
              help="New total budget (raise it to extend a finished run).")
@click.option("--trust", is_flag=True,
              help="Load pickled state whose signature does not verify (a checkpoint made by "
                   "another user or machine). Unpickling runs code: only for files you trust.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Parallel worker processes (default: as in the checkpointed run).")
@click.option("--json", "json_mode", is_flag=True,
              help="Write one JSON document to stdout (no progress bar).")
def resume(checkpoint, budget, trust, workers, json_mode):
    """Continue the run saved in CHECKPOINT (written by 'nondiff optimize --checkpoint')."""
    from nondiff.checkpoint import resume as resume_run

    return run_driver(resume_run, checkpoint, budget=budget, trust=trust, workers=workers,
                      json_mode=json_mode)
