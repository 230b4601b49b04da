"""``nondiff bench``: run a benchmark campaign into a SQLite database, resumably.

Rerunning the same command skips the runs already stored, so a campaign stopped by Ctrl-C (the
running runs finish and are stored first) or killed outright continues where it was.
"""

from __future__ import annotations

import sys

import click

from cli._output import CONTEXT, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, CommandError, emit_json

_SUITES = ("classic", "bbob", "discrete", "programs")


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [p.strip() for p in text.split(",") if p.strip()]


def _plan(suite, dims, instances, strategies, budget, seeds, functions):
    from nondiff.bench import runner, suites

    reason = suites.unavailable(suite)
    if reason is not None:
        raise CommandError(f"suite {suite!r} is not available here: {reason}", EXIT_USAGE)
    try:
        return runner.plan(suite, dims, instances, _split(strategies), budget=budget,
                           seeds=seeds, functions=_split(functions))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


class _Bar:
    """Progress with an ETA on stderr: a click bar on a terminal, else a line every 10 s."""

    def __init__(self, length: int, enabled: bool):
        self.bar, self.enabled, self.seen, self.last = None, enabled and length > 0, 0, 0.0
        if self.enabled and _isatty(sys.stderr):
            self.bar = click.progressbar(length=length, label="runs", show_eta=True,
                                         show_pos=True, file=sys.stderr)
            self.bar.__enter__()

    def __call__(self, done, total, elapsed) -> None:
        if self.bar is not None:
            self.bar.update(done - self.seen)
        elif self.enabled and (elapsed - self.last >= 10.0 or done == total):
            eta = elapsed / done * (total - done) if done else float("nan")
            click.echo(f"{done}/{total} runs, {elapsed:.0f} s, ETA {eta:.0f} s", err=True)
            self.last = elapsed
        self.seen = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _executor(dask: str | None, workers: int):
    if dask is None:
        return None, None
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise CommandError("--dask needs distributed: pip install 'nondiff[dask]'",
                           EXIT_USAGE) from exc
    if dask == "local":
        client = Client(LocalCluster(n_workers=max(workers, 1), threads_per_worker=1,
                                     processes=True, dashboard_address=None))
    else:
        client = Client(dask)
    return client.get_executor(), client


@click.command("bench", context_settings=CONTEXT,
               short_help="Run strategies side by side on a benchmark suite.")
@click.option("--suite", type=click.Choice(_SUITES), default="classic", show_default=True)
@click.option("--dims", default="2,5", show_default=True, help="Dimensions, e.g. 2,5,10.")
@click.option("--instances", default="1-3", show_default=True, help="Instances, e.g. 1-5.")
@click.option("--functions", default=None, help="Only these functions, e.g. f1,f8 or sphere.")
@click.option("--strategies", default="cmaes,xnes,ga", show_default=True,
              help="Strategy and baseline names (scipy-de, scipy-da, scipy-nm, pycma).")
@click.option("--budget", default="200d", show_default=True,
              help="Evaluations per run: 200d = 200 x dimension, or a number.")
@click.option("--seeds", type=click.IntRange(1), default=1, show_default=True,
              help="Runs per strategy and problem.")
@click.option("--workers", type=click.IntRange(0), default=1, show_default=True,
              help="Worker processes (BLAS pinned to 1 thread each); 0 runs in process.")
@click.option("--db", "db", default="results.db", show_default=True, help="SQLite database.")
@click.option("--coco-dir", default=None,
              help="Log bbob runs with COCO's observer here (for cocopp).")
@click.option("--dask", default=None, metavar="ADDRESS",
              help="Run on a Dask scheduler at ADDRESS, or 'local' for a local cluster.")
@click.option("--progress/--no-progress", default=True, help="Progress bar with ETA on stderr.")
@click.option("--json", "json_mode", is_flag=True, help="Write one JSON document to stdout.")
def bench(suite, dims, instances, functions, strategies, budget, seeds, workers, db, coco_dir,
          dask, progress, json_mode):
    """Run STRATEGIES x problems x DIMS x INSTANCES x SEEDS and store every run in --db.

    \b
    Example:
      nondiff bench --suite bbob --dims 2,5 --instances 1-5 \\
          --strategies cmaes,xnes,ga --budget 200d --seeds 5 --workers 2 --db results.db
    Then: nondiff report results.db --out report/
    """
    from nondiff.bench import runner

    specs, notes = _plan(suite, dims, instances, strategies, budget, seeds, functions)
    for note in notes:
        click.echo(note, err=True)
    options = {"suite": suite, "dims": dims, "instances": instances, "functions": functions,
               "strategies": strategies, "budget": budget, "seeds": seeds, "workers": workers}
    executor, client = _executor(dask, workers)
    bar = _Bar(len(specs), progress and not json_mode)
    try:
        summary = runner.run_campaign(specs, db, workers=workers, executor=executor,
                                      coco_root=coco_dir, progress=bar, options=options)
    finally:
        bar.close()
        if client is not None:
            client.close()
    return _finish(summary, db, json_mode)


def _finish(summary, db, json_mode) -> int:
    doc = {"db": db, "total": summary.total, "already_stored": summary.already,
           "stored": summary.done, "failed": [m for _, m in summary.failed],
           "interrupted": summary.interrupted, "seconds": summary.seconds}
    if summary.interrupted:
        raise CommandError(f"interrupted after storing {summary.done} runs; rerun the same "
                           "command to resume", EXIT_INTERRUPTED, doc=doc)
    if summary.failed:
        raise CommandError(f"{len(summary.failed)} runs failed (not stored), first: "
                           f"{summary.failed[0][1]}", EXIT_FAILED, doc=doc)
    if json_mode:
        emit_json({**doc, "error": None, "exit_code": 0})
    else:
        click.echo(f"{summary.done} runs stored, {summary.already} already there, "
                   f"{summary.total} in the campaign ({summary.seconds:.1f} s): {db}")
    return 0
