"""Objectives: what is optimized, how it is called, in which direction, and what failure means.

An :class:`Objective` wraps one of

- a Python callable taking keyword parameters, ``f(lr=..., depth=...)`` (``call="kwargs"``);
- a callable taking one float vector in natural units, ``f(x)`` (``call="vector"``; only for
  spaces of reals, integers and arrays; a space of a single Array passes it with its shape);
- a vectorized callable (``batch=True``) receiving a whole batch: keyword arrays with a leading
  population axis (:meth:`Space.to_columns`) or a 2-D ``X``, and returning ``n`` values;
- a ``"path/to/file.py:function"`` reference (:meth:`Objective.from_reference`), which imports
  that file only and pickles as the reference, so process workers re-import it;
- a shell command template (:meth:`Objective.from_command`, see :mod:`nondiff.command`).

:meth:`Objective.run` evaluates prepared arguments and converts the return values
(:mod:`nondiff.outcome`); it is the code that runs in process, in worker processes and in
executor tasks alike. Its per-call loop is kept to a ``try``/``except`` and one
``perf_counter`` per call, since for cheap objectives it *is* the driver's overhead.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import sys
from time import perf_counter

import numpy as np

from nondiff.command import Command
from nondiff.errors import UsageError
from nondiff.outcome import Raised, Status, TaskResult, convert_batch, convert_raw
from nondiff.strategy import Batch

__all__ = ["Objective", "as_objective"]

_DIRECTIONS = {"minimize": 1, "maximize": -1}
_CALLS = ("kwargs", "vector")
_ON_ERROR = ("penalize", "raise")
_VECTOR_KINDS = frozenset({"real", "integer", "array"})


class Objective:
    """A function to optimize, with its space, direction, calling convention and failure policy.

    Parameters
    ----------
    fn : callable
        The function. Its return value must be one real number (or ``n`` of them for a batch).
    space : Space, optional
        The search space; may also be given later to ``minimize`` or :meth:`with_space`.
    direction : {"minimize", "maximize"}
        ``sign`` is +1 or -1: strategies minimize ``sign * value``.
    batch : bool
        ``fn`` evaluates a whole batch at once (see the module docstring).
    call : {"kwargs", "vector"}, optional
        How ``fn`` receives the parameters; by default ``"vector"`` when the space is a single
        Array or there is no space yet, else ``"kwargs"``.
    timeout : float, optional
        Seconds per evaluation (per call for a batch objective). A Python function can only be
        stopped in a separate process, so with a timeout the evaluator runs it in a worker
        process even at ``workers=1``; shell commands enforce it themselves.
    on_error : {"penalize", "raise"}
        ``"penalize"`` records failures and ranks them worst; ``"raise"`` stops at the first
        failed evaluation, re-raising the objective's own exception (or ``ObjectiveError`` for a
        NaN, a wrong return type, a timeout or a crash).
    name : str, optional
        For messages and results; defaults to the function's name.

    Examples
    --------
    >>> from nondiff import Space, Real
    >>> obj = Objective(lambda x, y: x**2 + y**2, Space(x=Real(-1, 1), y=Real(-1, 1)))
    >>> obj.call, obj.sign
    ('kwargs', 1)
    """

    def __init__(self, fn, space=None, *, direction="minimize", batch=False, call=None,
                 timeout=None, on_error="penalize", name=None):
        if not callable(fn):
            raise TypeError(f"objective must be callable, not {type(fn).__name__}")
        self.sign = _choice("direction", direction, _DIRECTIONS)
        _choice("on_error", on_error, _ON_ERROR)
        if call is not None:
            _choice("call", call, _CALLS)
        if not isinstance(batch, bool):
            raise TypeError(f"batch must be True or False, not {batch!r}")
        self.timeout = _check_timeout(timeout)
        self.fn = fn.with_timeout(self.timeout) if isinstance(fn, Command) else fn
        self.direction, self.batch, self.on_error = direction, batch, on_error
        self.name = name if name is not None else _name_of(fn)
        self._call_given = call
        self._reference = None
        self.space = None
        self.call = call or "vector"
        if space is not None:
            self._bind(space)

    # --- construction -----------------------------------------------------------------------
    @classmethod
    def from_reference(cls, reference: str, space=None, **kw) -> Objective:
        """An objective from ``"path/to/file.py:function"``.

        Only that file is imported (``sys.path`` is not changed). The objective pickles as the
        reference, so worker processes import the file again rather than pickling the function.

        Raises
        ------
        UsageError
            (a ValueError) for a malformed reference, a missing or unimportable file, a missing
            function or one that is not callable.
        """
        path, func = _split_reference(reference)
        obj = cls(_load_function(path, func), space, **{"name": func, **kw})
        obj._reference = (path, func)
        return obj

    @classmethod
    def from_command(cls, template: str, *, field=None, space=None, timeout=None, cwd=None,
                     env=None, **kw) -> Objective:
        """An objective running a shell command per evaluation (see :mod:`nondiff.command`).

        Placeholders ``{name}`` must be parameters of ``space`` (ValueError naming the others).
        """
        if kw.get("batch"):
            raise ValueError("batch=True is not supported for command objectives")
        cmd = Command(template, field=field, timeout=timeout, cwd=cwd, env=env)
        kw.setdefault("name", template)
        return cls(cmd, space, call="kwargs", timeout=timeout, **kw)

    def replace(self, **changes) -> Objective:
        """A copy with some constructor arguments changed (``space``, ``direction``, ...)."""
        args = dict(space=self.space, direction=self.direction, batch=self.batch,
                    call=self._call_given, timeout=self.timeout, on_error=self.on_error,
                    name=self.name)
        unknown = set(changes) - set(args)
        if unknown:
            raise TypeError(f"unknown objective option(s): {', '.join(sorted(unknown))}")
        args.update(changes)
        new = Objective(self.fn, **args)
        new._reference = self._reference
        return new

    def with_space(self, space) -> Objective:
        """This objective over ``space`` (itself when it already has exactly that space)."""
        return self if space is self.space else self.replace(space=space)

    def _bind(self, space) -> None:
        if not all(hasattr(space, a) for a in ("names", "kinds", "to_columns")):
            raise TypeError(f"space must be a nondiff Space, not {type(space).__name__}")
        self.space = space
        self.call = self._call_given or _infer_call(space, self.fn)
        if self.call == "vector" and not space.kinds <= _VECTOR_KINDS:
            raise ValueError(f"call='vector' needs a space of reals, integers and arrays; this "
                             f"one has {', '.join(sorted(space.kinds - _VECTOR_KINDS))}: "
                             "use call='kwargs'")
        if isinstance(self.fn, Command):
            self.fn.check_space(space)
        else:
            _check_signature(self.fn, space, self.call, self.name)

    @property
    def enforces_timeout(self) -> bool:
        """True when the function stops itself at the timeout (shell commands)."""
        return isinstance(self.fn, Command)

    def __repr__(self) -> str:
        return (f"Objective({self.name!r}, direction={self.direction!r}, call={self.call!r}, "
                f"batch={self.batch})")

    # --- pickling: a file reference travels as (path, function) -----------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        if self._reference is not None:
            state["fn"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self._reference is not None:
            self.fn = _load_function(*self._reference)

    # --- evaluation -------------------------------------------------------------------------
    def arguments(self, candidates):
        """What :meth:`run` takes for ``candidates``: a list of dicts, or arrays.

        Per-call kwargs objectives get the candidates' params (decoded in one batch where a
        candidate carries only a vector); the others get the batch's genome as columns
        (``to_columns``) or as a natural-units matrix.
        """
        space = self.space
        if self.call == "kwargs" and not self.batch:
            return _params_of(space, candidates)
        genome = _genome_of(space, candidates)
        if self.call == "kwargs":
            return space.to_columns(genome)
        return _natural_matrix(space, genome)

    def run(self, args) -> TaskResult:
        """Evaluate prepared ``args`` (or a slice of them) and convert the return values.

        With ``on_error="raise"`` the objective's exception propagates. A KeyboardInterrupt
        ends the task: the evaluation it hit and the ones after it are marked interrupted.
        """
        if self.batch:
            return self._run_batch(args)
        fn = self.fn
        call = (lambda p: fn(**p)) if self.call == "kwargs" else fn
        raw, seconds, stop = _call_each(call, args, self.on_error == "raise")
        result = convert_raw(raw[:stop], seconds[:stop])
        return _pad_interrupted(result, len(raw)) if stop < len(raw) else result

    def _run_batch(self, args) -> TaskResult:
        n = len(args) if not isinstance(args, dict) else len(next(iter(args.values()), ()))
        t0 = perf_counter()
        try:
            ret = self.fn(**args) if self.call == "kwargs" else self.fn(args)
        except KeyboardInterrupt:
            return _pad_interrupted(convert_raw([], np.empty(0)), n)
        except Exception as exc:
            if self.on_error == "raise":
                raise
            ret = Raised(exc)
        return convert_batch(ret, n, perf_counter() - t0)


def as_objective(obj, space=None, **kw) -> Objective:
    """An :class:`Objective` from an Objective, a callable or a ``"file.py:func"`` string.

    ``space`` and the keyword options (``direction``, ``timeout``, ...) override those of an
    existing Objective.
    """
    if isinstance(obj, Objective):
        changes = dict(kw, **({"space": space} if space is not None else {}))
        if changes.get("space", obj.space) is obj.space:
            changes.pop("space", None)
        return obj.replace(**changes) if changes else obj
    if isinstance(obj, str):
        return Objective.from_reference(obj, space, **kw)
    if callable(obj):
        return Objective(obj, space, **kw)
    raise TypeError(f"objective must be a callable, an Objective or 'file.py:function', "
                    f"not {type(obj).__name__}")


# --- the evaluation loops: try/except + one perf_counter per call, nothing else -------------
def _call_each(call, args, raise_errors: bool):
    """``call(a)`` for each ``a`` of ``args``: the raw returns (exceptions as :class:`Raised`),
    the seconds of each, and how many ran before a KeyboardInterrupt (``len(args)`` if none)."""
    n = len(args)
    raw = [None] * n
    seconds = np.zeros(n)
    i = 0
    t0 = perf_counter()
    try:
        for i, a in enumerate(args):
            try:
                raw[i] = call(a)
            except Exception as exc:
                if raise_errors:
                    raise
                raw[i] = Raised(exc)
            t1 = perf_counter()
            seconds[i] = t1 - t0
            t0 = t1
    except KeyboardInterrupt:
        seconds[i] = perf_counter() - t0
        return raw, seconds, i
    return raw, seconds, n


def _pad_interrupted(result: TaskResult, n: int) -> TaskResult:
    """Extend a task's result to ``n`` rows, the missing ones interrupted."""
    k = len(result.values)
    values = np.concatenate([result.values, np.full(n - k, np.nan)])
    status = np.concatenate([result.status, np.full(n - k, Status.INTERRUPTED, np.int8)])
    seconds = np.concatenate([result.seconds, np.zeros(n - k)])
    return TaskResult(values, status, seconds, result.errors, interrupted=True)


# --- arguments -----------------------------------------------------------------------------
def _params_of(space, candidates) -> list[dict]:
    """The candidates' params, decoding the missing ones in one vectorized call."""
    if isinstance(candidates, Batch):
        if candidates.params is None:
            candidates.params = space.to_params(space.decode(candidates.vectors))
        return candidates.params
    # Candidate decodes lazily one at a time; peeking at the cache lets us decode a whole batch
    missing = [c for c in candidates if getattr(c, "_params", None) is None]
    if missing:
        rows = space.to_params(space.decode(np.stack([c.vector for c in missing])))
        for c, p in zip(missing, rows):
            c._params = p
    return [c.params for c in candidates]


def _genome_of(space, candidates) -> dict:
    """The batch's genome: decoded from the vectors unless the strategy supplied params."""
    if isinstance(candidates, Batch):
        if candidates.params is not None:
            return space.from_params(candidates.params)
        return space.decode(candidates.vectors)
    if any(getattr(c, "_params", None) is not None for c in candidates):
        return space.from_params(_params_of(space, candidates))
    return space.decode(np.stack([c.vector for c in candidates]))


def _natural_matrix(space, genome) -> np.ndarray:
    """Values in natural units, one row per candidate (a single Array keeps its shape)."""
    names = space.names
    if len(names) == 1 and space.kinds == {"array"}:
        return np.asarray(genome[names[0]], dtype=np.float64)
    cols = [np.asarray(genome[name], dtype=np.float64) for name in names]
    n = len(cols[0])
    return np.concatenate([c.reshape(n, -1) for c in cols], axis=1)


def _infer_call(space, fn=None) -> str:
    """``"vector"`` for a single Array, or for ``f(x)`` over reals/integers/arrays whose one
    parameter is not a name of the space; else ``"kwargs"``."""
    if space is None or (len(space.names) == 1 and space.kinds == {"array"}):
        return "vector"
    sig = _signature(fn)
    if sig is not None and space.kinds <= _VECTOR_KINDS and not _binds(sig, space.names):
        positional = [p for p in sig.parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(positional) == 1 and positional[0].name not in space.names:
            return "vector"
    return "kwargs"


def _signature(fn):
    if fn is None or isinstance(fn, Command):
        return None
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):  # builtins and C functions: nothing to check
        return None


def _binds(sig, names) -> bool:
    try:
        sig.bind(**dict.fromkeys(names))
    except TypeError:
        return False
    return True


def _check_signature(fn, space, call, name) -> None:
    """Refuse, before any evaluation, a function that cannot take the space's parameters."""
    sig = _signature(fn)
    if sig is None:
        return
    if call == "kwargs" and not _binds(sig, space.names):
        hint = (", or pass call='vector' for a function of one vector"
                if space.kinds <= _VECTOR_KINDS else "")
        raise UsageError(
            f"objective {name!r} cannot be called with the space's parameters "
            f"({', '.join(space.names)}) as keywords; its signature is {name}{sig}. Rename its "
            f"parameters{hint}")
    if call == "vector":
        try:
            sig.bind(None)
        except TypeError:
            raise UsageError(f"objective {name!r} was declared call='vector' but cannot take "
                             f"one argument; its signature is {name}{sig}") from None


# --- file references -------------------------------------------------------------------------
def _split_reference(reference) -> tuple[str, str]:
    if not isinstance(reference, str) or ":" not in reference:
        raise UsageError(f"objective reference must look like 'path/to/file.py:function', "
                         f"got {reference!r}")
    path, func = reference.rsplit(":", 1)
    if not path or not func.isidentifier():
        raise UsageError(f"objective reference must look like 'path/to/file.py:function', "
                         f"got {reference!r}")
    return os.path.abspath(path), func


def _load_function(path: str, func: str):
    module = _load_file(path)
    if not hasattr(module, func):
        found = sorted(n for n, v in vars(module).items()
                       if callable(v) and not n.startswith("_"))
        raise UsageError(f"{path} has no function {func!r} (callables found: "
                         f"{', '.join(found) or 'none'})")
    fn = getattr(module, func)
    if not callable(fn):
        raise UsageError(f"{path}:{func} is a {type(fn).__name__}, not a function")
    return fn


def _load_file(path: str):
    """Import one file as a module (cached by absolute path), without touching sys.path."""
    if not os.path.isfile(path):
        raise UsageError(f"objective file not found: {path}")
    stem = "".join(ch if ch.isalnum() else "_" for ch in os.path.basename(path)[:-3])
    digest = hashlib.sha1(path.encode()).hexdigest()[:10]
    name = f"_nondiff_objective_{stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise UsageError(f"importing {path} failed: {type(exc).__name__}: {exc}") from exc
    return module


# --- validation helpers ----------------------------------------------------------------------
def _choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return allowed[value] if isinstance(allowed, dict) else value


def _check_timeout(timeout):
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
    if not timeout > 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
    return float(timeout)


def _name_of(fn) -> str:
    return getattr(fn, "__name__", None) or type(fn).__name__
