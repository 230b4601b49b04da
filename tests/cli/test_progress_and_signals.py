"""The progress bar (only on a terminal, with the best value so far) and Ctrl-C -> exit 130."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

import pytest

from cli._run import Progress


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def info(nfev, best, budget=100):
    return SimpleNamespace(nfev=nfev, budget=budget, best_value=best)


def test_progress_bar_shows_position_and_best_value(monkeypatch):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    bar = Progress(enabled=True)
    bar(info(10, 2.0))
    bar(info(20, 1.0))  # within the redraw interval: not drawn
    bar(info(100, 0.5))  # the last one is always drawn
    bar.close()
    out = tty.getvalue()
    assert "optimizing" in out and "10/100" in out and "best 2" in out
    assert "20/100" not in out
    assert "100/100" in out and "best 0.5" in out


def test_disabled_progress_writes_nothing(monkeypatch):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    bar = Progress(enabled=False)
    bar(info(10, 2.0))
    bar.close()
    assert tty.getvalue() == ""


SLOW = """
    import time

    def f(x):
        time.sleep(0.01)
        return (x - 0.5) ** 2
"""


@pytest.mark.fault
def test_sigint_mid_run_exits_130_with_the_best_so_far(tmp_path):
    obj = tmp_path / "slow.py"
    obj.write_text(textwrap.dedent(SLOW))
    code = ("import sys; from cli.main import main; "
            f"main(['optimize', '{obj}:f', '--param', 'x=real:0:1', '--budget', '100000', "
            "'--seed', '0', '--json'])")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)  # imports, then a few dozen evaluations
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=8)
    assert proc.returncode == 130, err
    doc = json.loads(out)
    assert doc["exit_code"] == 130 and doc["error"] == "interrupted"
    assert doc["stop_reason"] == "interrupted" and 0 < doc["nfev"] < 100000
    assert doc["value"] == pytest.approx((doc["params"]["x"] - 0.5) ** 2)
