"""Shell-command objectives: a template run once per evaluation, its value read from stdout.

``"python sim.py --lr {lr} --depth {depth}"`` is split with :func:`shlex.split` *before* any
value is substituted, and each argv item is then formatted on its own, so a value is always
exactly one argument and never passes through a shell (no quoting problems, no injection).
Scalars are formatted with ``str`` (or the placeholder's format spec, ``{lr:.3g}``); arrays
(Bits, Permutation, Array parameters) as comma-separated elements, bools as 0/1.

The value is the last non-empty line of stdout: a number, or a JSON object from which ``field``
is taken. A non-zero exit, an unparsable line or a missing field raises :class:`CommandError`
carrying the tail of stderr. The command runs in its own session (process group), so a Ctrl-C
in the terminal does not reach it directly, and the whole group is killed when it exceeds the
timeout (:class:`~nondiff.outcome.EvaluationTimeout`), when the caller is interrupted, and after
it exits (so stray background children never outlive their evaluation).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import string
import subprocess
import threading

import numpy as np

from nondiff.outcome import EvaluationTimeout

__all__ = ["Command", "CommandError"]

_STDERR_TAIL = 1500  # characters of stderr kept in an error record


class CommandError(Exception):
    """The command failed (exit status, unparsable output); the message carries stderr's tail."""

    plain_text = True  # the message is the whole story; a Python traceback adds nothing


class _ArgFormatter(string.Formatter):
    """str.format for one argv item, with arrays written as comma-separated elements."""

    def format_field(self, value, format_spec):
        if isinstance(value, np.ndarray):
            items = value.astype(int) if value.dtype == bool else value
            return ",".join(format(v, format_spec) for v in items.ravel().tolist())
        if isinstance(value, np.generic):
            value = value.item()
        return format(value, format_spec)


_FORMATTER = _ArgFormatter()


def placeholders(argv: list[str]) -> list[str]:
    """The parameter names used in ``argv``'s ``{name}`` fields, in first-use order."""
    names = []
    for item in argv:
        for _, field_name, _, _ in _FORMATTER.parse(item):
            if field_name is None:
                continue
            root = re.split(r"[.\[]", field_name, maxsplit=1)[0]
            if root == "" or root.isdigit():
                raise ValueError(f"command template: positional placeholder {{{field_name}}} "
                                 "is not allowed; name the parameter, e.g. {lr}")
            if not root.isidentifier():
                raise ValueError(f"command template: {{{field_name}}} is not a parameter name; "
                                 "write literal braces as {{ and }}")
            if root not in names:
                names.append(root)
    return names


class Command:
    """A callable ``cmd(**params) -> float`` running one shell-command evaluation.

    Parameters
    ----------
    template : str
        The command line with ``{name}`` placeholders.
    field : str, optional
        Key of the value when the last stdout line is a JSON object.
    timeout : float, optional
        Seconds before the process group is killed.
    cwd : path, optional
        Working directory of the command.
    env : dict, optional
        Variables added to (overriding) the current environment.
    """

    def __init__(self, template: str, *, field=None, timeout=None, cwd=None, env=None):
        if not isinstance(template, str) or not template.strip():
            raise ValueError("command template must be a non-empty string")
        if field is not None and not isinstance(field, str):
            raise TypeError(f"field must be a string, not {type(field).__name__}")
        if env is not None and not all(isinstance(v, str) for v in dict(env).values()):
            raise TypeError("env values must be strings")
        self.template, self.field, self.timeout = template, field, timeout
        self.cwd = None if cwd is None else os.fspath(cwd)
        self.env = None if env is None else dict(env)
        self.argv = shlex.split(template)
        self.names = placeholders(self.argv)

    def __repr__(self) -> str:
        return f"Command({self.template!r})"

    def check_space(self, space) -> None:
        """Raise ValueError naming placeholders that are not parameters of ``space``."""
        missing = [n for n in self.names if n not in space.names]
        if missing:
            raise ValueError(f"command template placeholders not in the space: "
                             f"{', '.join(missing)} (space has: {', '.join(space.names)})")

    def with_timeout(self, timeout) -> Command:
        new = object.__new__(Command)
        new.__dict__.update(self.__dict__, timeout=timeout)
        return new

    def __call__(self, **params) -> float:
        argv = [_FORMATTER.vformat(item, (), params) for item in self.argv]
        out, err, code = self._run(argv)
        if code != 0:
            raise CommandError(f"command exited with status {code}: {shlex.join(argv)}"
                               f"{_stderr_tail(err)}")
        return self._parse(out, err)

    def _run(self, argv):
        env = None if self.env is None else {**os.environ, **self.env}
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=self.cwd, env=env,
                                start_new_session=True)
        # Pipes are drained by threads and the wait is on the process itself, so a background
        # child that inherited stdout cannot hold the evaluation open after the command exits.
        out, err = [], []
        readers = [threading.Thread(target=_drain, args=a, daemon=True)
                   for a in ((proc.stdout, out), (proc.stderr, err))]
        for r in readers:
            r.start()
        try:
            proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise EvaluationTimeout(f"command timed out after {self.timeout} s "
                                    f"(process group killed): {shlex.join(argv)}") from None
        finally:
            _kill_group(proc)  # also on KeyboardInterrupt/SystemExit: never leave it running
            for r in readers:
                r.join(timeout=2.0)
        return (b"".join(out).decode(errors="replace"), b"".join(err).decode(errors="replace"),
                proc.returncode)

    def _parse(self, out: str, err: str):
        lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
        if not lines:
            raise CommandError(f"command printed nothing on stdout{_stderr_tail(err)}")
        last = lines[-1]
        try:
            return float(last)
        except ValueError:
            pass
        try:
            obj = json.loads(last)
        except ValueError:
            raise CommandError(f"cannot read a value from the last stdout line {last[:200]!r}"
                               f"{_stderr_tail(err)}") from None
        return self._field_of(obj, last, err)

    def _field_of(self, obj, last: str, err: str):
        if not isinstance(obj, dict):
            return obj  # a JSON number (or null/list, which the value conversion rejects)
        if self.field is None:
            raise CommandError(f"the last stdout line is a JSON object; pass field=... to say "
                               f"which key holds the value (keys: {', '.join(map(str, obj))})")
        if self.field not in obj:
            raise CommandError(f"field {self.field!r} not in the JSON output {last[:200]!r}"
                               f"{_stderr_tail(err)}")
        return obj[self.field]


def _drain(stream, chunks: list) -> None:
    """Read ``stream`` to its end into ``chunks`` (a reader thread's loop)."""
    with stream:
        for block in iter(lambda: stream.read1(1 << 16), b""):
            chunks.append(block)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.returncode is None:
        try:  # wait, not communicate: the reader threads own the pipes
            proc.wait(timeout=5)
        except Exception:  # reaping is best effort; the group is already killed
            pass


def _stderr_tail(err: str) -> str:
    err = err.strip()
    if not err:
        return ""
    tail = err if len(err) <= _STDERR_TAIL else "..." + err[-_STDERR_TAIL:]
    return "\nstderr:\n" + tail
