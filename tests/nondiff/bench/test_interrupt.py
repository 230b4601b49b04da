"""Real signals on a real ``nondiff bench`` process: Ctrl-C stops cleanly, SIGKILL loses nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from nondiff.bench import runner
from nondiff.bench.store import Store

# the CLI with bench/report added (cli/main.py may not register them yet); the __main__ guard
# matters: spawned workers re-import the main module
LAUNCHER = """import sys

if __name__ == "__main__":
    from cli.main import cli, main
    from cli.bench import bench
    from cli.report import report
    for command in (bench, report):
        cli.commands.setdefault(command.name, command)
    sys.exit(main())
"""


def stored(db) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as con:
            return con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def command(tmp_path, db):
    launcher = tmp_path / "launch.py"
    launcher.write_text(LAUNCHER)
    return [sys.executable, str(launcher), "bench", "--suite", "classic", "--dims", "2,3",
            "--instances", "1-2", "--functions", "sphere,rastrigin", "--strategies",
            "one-plus-one,snes", "--budget", "300d", "--workers", "2", "--db", str(db),
            "--no-progress"]


def start_and_signal(cmd, db, sig, at: int):
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and stored(db) < at and time.monotonic() < deadline:
        time.sleep(0.05)
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, err


@pytest.mark.fault
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_signal_then_rerun_gives_the_unbroken_database(tmp_path, sig):
    cmd = command(tmp_path, tmp_path / "cut.db")
    code, err = start_and_signal(cmd, tmp_path / "cut.db", sig, at=3)
    at_stop = stored(tmp_path / "cut.db")
    if code == 0:
        pytest.skip("the campaign finished before the signal arrived")
    if sig == signal.SIGINT:
        assert code == 130 and "rerun the same command to resume" in err
    assert 3 <= at_stop < 16
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{at_stop} already there" in again.stdout
    specs, _ = runner.plan("classic", [2, 3], [1, 2], ["one-plus-one", "snes"],
                           budget="300d", functions=["sphere", "rastrigin"])
    runner.run_campaign(specs, tmp_path / "full.db", workers=0)
    with Store(tmp_path / "cut.db") as a, Store(tmp_path / "full.db") as b:
        assert len(a.runs()) == 16 and a.fingerprint() == b.fingerprint()
