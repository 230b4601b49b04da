"""``nondiff report``: tables (Markdown, CSV) and plots (PNG) from a benchmark database."""

from __future__ import annotations

import os

import click

from cli._output import CONTEXT, EXIT_USAGE, CommandError, emit_json


@click.command("report", context_settings=CONTEXT,
               short_help="Tables and plots from a 'nondiff bench' database.")
@click.argument("db", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", default="report", show_default=True, help="Output folder.")
@click.option("--plots/--no-plots", default=True, show_default=True,
              help="ECDF and convergence PNGs (needs matplotlib).")
@click.option("--json", "json_mode", is_flag=True, help="Write one JSON document to stdout.")
def report(db, out, plots, json_mode):
    """Write report.md, summary/ert/ecdf CSVs and PNG plots for the runs in DB.

    Per suite and dimension: the fraction of (run, target) pairs reached, the expected running
    time (ERT) per target, the ranks per problem, and COCO-style runtime ECDFs over the 51
    targets 1e2..1e-8.
    """
    from nondiff.bench.report import write_report

    notes = []
    try:
        paths = write_report(db, out, plots=plots, log=notes.append)
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from exc
    for note in notes:
        click.echo(note, err=True)
    if json_mode:
        emit_json({"out": out, "files": paths, "notes": notes, "error": None, "exit_code": 0})
    else:
        pngs = sum(p.endswith(".png") for p in paths)
        click.echo(f"{len(paths)} files ({pngs} plots) in {out}: "
                   f"{os.path.join(out, 'report.md')}")
    return 0
