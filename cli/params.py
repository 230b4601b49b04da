"""click parameter types: ``FILE.py:FUNC``, ``--param NAME=SPEC``, ``--space FILE``,
``--strategy NAME`` and ``--option KEY=VALUE``.

Each type turns one command-line string into plain data or a nondiff object, and reports bad
input through click, which the CLI prints as one line with exit code 2. nondiff is imported
inside ``convert``, never at module level, so ``nondiff --help`` does not load numpy.

``--param`` specs (the kinds of :mod:`nondiff.space`)::

    lr=real:1e-4:1:log    depth=int:1:8    act=cat:relu,tanh    mask=bits:16
    order=perm:10         w=array:3x4:-1:1
"""

from __future__ import annotations

import json
import os
from typing import NamedTuple

import click


class Reference(NamedTuple):
    """A ``FILE.py:FUNC`` objective reference, checked for shape and file existence."""

    path: str
    function: str

    def __str__(self) -> str:
        return f"{self.path}:{self.function}"


class ReferenceType(click.ParamType):
    """``FILE.py:FUNC``: an existing Python file and a function name (not imported here)."""

    name = "FILE.py:FUNC"

    def convert(self, value, param, ctx):
        if isinstance(value, Reference):
            return value
        # rpartition: a Windows drive letter ("C:\\x.py:f") has a colon of its own.
        path, sep, function = value.rpartition(":")
        if not sep or not path.endswith(".py") or not function.isidentifier():
            self.fail(f"{value!r} is not FILE.py:FUNC (e.g. model.py:loss)", param, ctx)
        if not os.path.isfile(path):
            self.fail(f"file {path!r} does not exist", param, ctx)
        return Reference(path, function)


def _number(text: str, kind: str, what: str):
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a valid {kind.__name__}") from None


def _count(text: str) -> int:
    return _number(text, int, "size")


def _scalar(text: str):
    """A categorical choice: an int or float when it reads as one, else the string itself."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _fields(rest: str, kind: str, n: tuple[int, ...], usage: str) -> list[str]:
    fields = rest.split(":") if rest else []
    if len(fields) not in n:
        raise ValueError(f"{kind} takes {usage}")
    return fields


def _real(rest, space):
    fields = _fields(rest, "real", (2, 3), "real:LO:HI or real:LO:HI:log")
    if len(fields) == 3 and fields[2] != "log":
        raise ValueError(f"the fourth field of real must be 'log', not {fields[2]!r}")
    lo, hi = (_number(f, float, "bound") for f in fields[:2])
    return space.Real(lo, hi, log=len(fields) == 3)


def _integer(rest, space):
    lo, hi = (_number(f, int, "bound") for f in _fields(rest, "int", (2,), "int:LO:HI"))
    return space.Integer(lo, hi)


def _categorical(rest, space):
    choices = [_scalar(c) for c in rest.split(",")] if rest else []
    if not choices or any(c == "" for c in choices):
        raise ValueError("cat takes cat:A,B,C (non-empty choices)")
    return space.Categorical(choices)


def _bits(rest, space):
    return space.Bits(_count(*_fields(rest, "bits", (1,), "bits:N")))


def _permutation(rest, space):
    return space.Permutation(_count(*_fields(rest, "perm", (1,), "perm:N")))


def _array(rest, space):
    shape, lo, hi = _fields(rest, "array", (3,), "array:SHAPE:LO:HI (SHAPE like 3 or 3x4)")
    dims = tuple(_count(d) for d in shape.split("x"))
    return space.Array(dims, _number(lo, float, "bound"), _number(hi, float, "bound"))


# Spec kind -> builder(rest of the spec, nondiff.space module) -> parameter object.
BUILDERS = {
    "real": _real,
    "int": _integer,
    "integer": _integer,
    "cat": _categorical,
    "bits": _bits,
    "perm": _permutation,
    "array": _array,
}


class ParamSpecType(click.ParamType):
    """``NAME=KIND:ARGS`` -> ``(name, parameter)`` with a parameter from :mod:`nondiff.space`."""

    name = "NAME=SPEC"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        name, sep, spec = value.partition("=")
        if not sep or not name.isidentifier():
            self.fail(f"{value!r} is not NAME=SPEC (e.g. lr=real:1e-4:1:log)", param, ctx)
        kind, _, rest = spec.partition(":")
        if kind not in BUILDERS:
            known = ", ".join(BUILDERS)
            self.fail(f"{value!r}: unknown kind {kind!r}; known kinds: {known}", param, ctx)
        from nondiff import space

        try:
            return name, BUILDERS[kind](rest, space)
        except (ValueError, TypeError) as exc:
            self.fail(f"{value!r}: {exc}", param, ctx)


def _load_mapping(path: str) -> dict:
    if path.endswith(".toml"):
        import tomllib

        with open(path, "rb") as f:
            return tomllib.load(f)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class SpaceFileType(click.ParamType):
    """A ``.json`` or ``.toml`` file holding :meth:`nondiff.space.Space.to_dict` data."""

    name = "FILE.json|FILE.toml"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        if not value.endswith((".json", ".toml")):
            self.fail(f"{value!r} must end in .json or .toml", param, ctx)
        if not os.path.isfile(value):
            self.fail(f"file {value!r} does not exist", param, ctx)
        from nondiff.space import Space

        try:
            return Space.from_dict(_load_mapping(value))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            # tomllib and json errors are ValueErrors; a wrong structure is any of the others.
            self.fail(f"{value}: {type(exc).__name__}: {exc}", param, ctx)


class StrategyType(click.ParamType):
    """A registered strategy name (listed from entry points without importing any strategy)."""

    name = "NAME"

    def convert(self, value, param, ctx):
        from nondiff import registry

        known = registry.names()
        if value not in known:
            self.fail(f"unknown strategy {value!r}; known: {', '.join(known)}", param, ctx)
        return value

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        from nondiff import registry

        return [CompletionItem(n) for n in registry.names() if n.startswith(incomplete)]


class OptionType(click.ParamType):
    """``KEY=VALUE`` -> ``(key, value)``; the value is parsed as JSON when it is valid JSON.

    So ``popsize=20`` gives an int, ``sigma0=0.3`` a float, ``restarts=true`` a bool and
    ``mode=fast`` the string ``"fast"``. Hyphens in the key become underscores.
    """

    name = "KEY=VALUE"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        key, sep, text = value.partition("=")
        key = key.replace("-", "_")
        if not sep or not key.isidentifier():
            self.fail(f"{value!r} is not KEY=VALUE (e.g. popsize=20)", param, ctx)
        try:
            return key, json.loads(text)
        except ValueError:
            return key, text


REFERENCE = ReferenceType()
PARAM_SPEC = ParamSpecType()
SPACE_FILE = SpaceFileType()
STRATEGY = StrategyType()
OPTION = OptionType()
