"""Shared helpers for the CLI tests: a CliRunner call and objective files written to tmp_path."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from cli.main import cli


class Invocation:
    """The outcome of one CLI call: exit code, stdout, stderr, and stdout parsed as JSON."""

    def __init__(self, result):
        self.code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        self.exception = result.exception

    def json(self) -> dict:
        """stdout as exactly one JSON document (fails the test otherwise)."""
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected one JSON line on stdout, got {self.stdout!r}"
        return json.loads(lines[0])


@pytest.fixture
def run():
    """``run(*args)`` invokes ``nondiff`` in process and returns an :class:`Invocation`."""

    def invoke(*args) -> Invocation:
        result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="nondiff")
        return Invocation(result)

    return invoke


@pytest.fixture
def objective_file(tmp_path):
    """``objective_file(source)`` writes a module to tmp_path and returns its path."""

    def write(source: str, name: str = "objective.py"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return path

    return write


def _assert_usage_error(inv: Invocation, *fragments: str) -> None:
    assert inv.code == 2, (inv.code, inv.stdout, inv.stderr, inv.exception)
    lines = inv.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), inv.stderr
    assert "Traceback" not in inv.stderr + inv.stdout
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture
def usage_error():
    """``usage_error(inv, *fragments)``: exit 2, one ``Error:`` line on stderr naming them."""
    return _assert_usage_error
