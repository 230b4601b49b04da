"""Checkpoints: a run saved atomically as plain data, and resumed exactly.

A checkpoint is one ``.npz`` file (a zip of arrays, read with ``allow_pickle=False``): the run's
settings, space and objective description as JSON, the history arrays, and the strategy's
``state_dict`` with its arrays stored beside a JSON skeleton. Loading never executes code, with
one exception kept under control: third-party state that can only be pickled (pycma's) is stored
as :class:`~nondiff.strategy.Pickled` bytes with an HMAC-SHA256 made from a per-user key
(``~/.config/nondiff/checkpoint.key``, or the file named by ``NONDIFF_KEY_FILE``); a file whose
HMAC does not match is refused unless the caller passes ``trust=True``.

Files are written to a temporary file in the same directory, fsync'ed and renamed over the
target, so a crash leaves either the old or the new checkpoint, never half of one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from nondiff.errors import CheckpointError, UsageError
from nondiff.minimize import _check_callbacks, _check_config
from nondiff.strategy import Pickled

__all__ = ["save", "load", "resume"]

FORMAT = "nondiff-checkpoint"
VERSION = 1


# --- writing --------------------------------------------------------------------------------
def save(path, run, anchor) -> None:
    """Write ``run`` (a :class:`~nondiff.minimize.Run`) to ``path`` atomically.

    ``anchor`` is the strategy state to resume from and the history length and generation
    count it belongs to; the history after it is replayed on resume.
    """
    arrays: dict[str, np.ndarray] = {}
    blobs: dict[str, str] = {}
    state = _flatten(anchor.state, arrays, blobs, "state")
    for name, col in run.history.arrays().items():
        arrays[f"history/{name}"] = col
    meta = {
        "format": FORMAT, "version": VERSION,
        "config": run.config.to_dict(),
        "space": run.space.to_dict(),
        "objective": _objective_spec(run.objective),
        "anchor": {"rows": anchor.rows, "nit": anchor.nit},
        "nit": run.nit, "elapsed": run.elapsed, "stop_reason": run.stop_reason,
        "errors": {str(k): v for k, v in run.history.errors.items()},
        "strategy_state": state,
        "hmac": {k: _mac(arrays[k].tobytes()) for k in blobs},
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    _atomic_write(Path(path), arrays)


def check_saveable(run) -> None:
    """Raise UsageError before any evaluation when ``run`` could not be checkpointed."""
    try:
        json.dumps(run.space.to_dict())
        _flatten(run.strategy.state_dict(), {}, {}, "state")
    except (TypeError, ValueError) as exc:
        raise UsageError(f"this run cannot be checkpointed: {exc}") from exc


def _atomic_write(path: Path, arrays: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _flatten(obj, arrays, blobs, prefix):
    """JSON skeleton of a state_dict; arrays and pickled blobs go to side tables."""
    if isinstance(obj, Pickled):
        key = f"{prefix}#{len(arrays)}"
        arrays[key] = np.frombuffer(obj.data, dtype=np.uint8)
        blobs[key] = key
        return {"__pickled__": key}
    if isinstance(obj, np.ndarray):
        key = f"{prefix}#{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj):
            raise TypeError(f"state_dict keys must be strings at {prefix!r}")
        return {k: _flatten(v, arrays, blobs, f"{prefix}/{k}") for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_flatten(v, arrays, blobs, f"{prefix}/{i}") for i, v in enumerate(obj)]
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"state_dict value at {prefix!r} is a {type(obj).__name__}, not plain data")


# --- reading --------------------------------------------------------------------------------
def load(path, *, trust: bool = False) -> dict:
    """Read a checkpoint into ``{"meta": ..., "history": ..., "state": ...}``.

    Raises :class:`CheckpointError` naming the file when it is missing, truncated, corrupted,
    not a nondiff checkpoint, or carries pickled state with a foreign HMAC (unless ``trust``).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {str(path)!r} does not exist")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise CheckpointError(
            f"checkpoint {str(path)!r} is truncated or corrupted ({exc})"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{str(path)!r} is not a nondiff checkpoint")
    if meta.get("version") != VERSION:
        raise CheckpointError(
            f"checkpoint {str(path)!r} has unsupported version {meta.get('version')!r}"
        )
    state = _unflatten(meta["strategy_state"], arrays, meta.get("hmac", {}), trust, path)
    history = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("history/")}
    return {"meta": meta, "history": history, "state": state}


def _unflatten(obj, arrays, macs, trust, path):
    if isinstance(obj, dict):
        if "__array__" in obj and len(obj) == 1:
            return arrays[obj["__array__"]]
        if "__pickled__" in obj and len(obj) == 1:
            return _unpickle(obj["__pickled__"], arrays, macs, trust, path)
        return {k: _unflatten(v, arrays, macs, trust, path) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unflatten(v, arrays, macs, trust, path) for v in obj]
    return obj


def _unpickle(key, arrays, macs, trust, path):
    data = arrays[key].tobytes()
    if not trust and not hmac.compare_digest(macs.get(key, ""), _mac(data)):
        raise CheckpointError(
            f"checkpoint {str(path)!r} holds pickled state signed by another key or modified "
            "since it was written; refusing to unpickle it. If you trust this file, resume "
            "with trust=True (CLI: --trust)."
        )
    return Pickled(data)


def _key() -> bytes:
    path = Path(os.environ.get("NONDIFF_KEY_FILE", Path.home() / ".config/nondiff/checkpoint.key"))
    if path.is_file():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


def _mac(data: bytes) -> str:
    return hmac.new(_key(), data, hashlib.sha256).hexdigest()


# --- the objective, described so that a resume can rebuild it ---------------------------------
def _objective_spec(objective) -> dict:
    """Plain data describing the objective: its options, and its source when it has one that
    :func:`_objective_from_spec` can rebuild (else None)."""
    from nondiff.command import Command

    options = {"direction": objective.direction, "batch": objective.batch,
               "call": objective._call_given, "timeout": objective.timeout,
               "on_error": objective.on_error, "name": objective.name}
    fn = objective.fn
    if objective._reference is not None:
        source = {"kind": "reference", "path": objective._reference[0],
                  "function": objective._reference[1]}
    elif isinstance(fn, Command):
        source = {"kind": "command", "template": fn.template, "field": fn.field,
                  "cwd": fn.cwd, "env": fn.env}
    elif _importable(fn):
        source = {"kind": "import", "module": fn.__module__, "qualname": fn.__qualname__}
    else:
        source = None  # the caller passes the objective again to resume()
    if not _is_json(source):
        source = None
    return {"source": source, "options": options if _is_json(options) else None}


def _importable(fn) -> bool:
    """True when ``module.qualname`` imports back to this very function."""
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", "")
    if not module or module == "__main__" or "<" in qualname:
        return False
    try:
        return _import_qualname(module, qualname) is fn
    except (ImportError, AttributeError):
        return False


def _import_qualname(module: str, qualname: str):
    import importlib

    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _objective_from_spec(spec: dict, space):
    from nondiff.objective import Objective

    source, options = spec["source"], dict(spec["options"])
    kind = source["kind"]
    if kind == "reference":
        return Objective.from_reference(f"{source['path']}:{source['function']}", space,
                                        **options)
    if kind == "command":
        for key in ("batch", "call"):
            options.pop(key)
        return Objective.from_command(source["template"], field=source["field"], space=space,
                                      cwd=source["cwd"], env=source["env"], **options)
    return Objective(_import_qualname(source["module"], source["qualname"]), space, **options)


def _is_json(obj) -> bool:
    try:
        json.dumps(obj)
    except (TypeError, ValueError):
        return False
    return True


# --- resuming -------------------------------------------------------------------------------
def resume(path, *, objective=None, space=None, strategy=None, budget=None, max_time=None,
           target=None, trust=False, callbacks=(), executor=None, workers=None):
    """Continue the run saved at ``path`` and return its :class:`~nondiff.result.Result`.

    A run killed or interrupted at any point, even mid-generation, and resumed ends with exactly
    the result of the same run never interrupted (same seed, same settings): the strategy
    restarts from the checkpoint's anchor state and the generations after it are replayed from
    the recorded history without evaluating anything again. Evaluations that were interrupted
    are dropped from the history and run again.

    ``budget``, ``max_time`` and ``target`` may be changed to extend a finished run (``max_time``
    counts the time of the whole run, before and after the resume). Strategies that use their
    budget (``auto``'s phases, the GA's first population, the ES and CMA-ES capping their last
    ask) then continue with the new budget from where they were, which need not be the course
    a run given that budget from the start would have taken. Passing a different
    ``space`` or ``strategy`` than the checkpoint's is refused with the differences listed.
    ``objective`` is needed when the checkpoint could not describe it (a plain Python callable
    that is not importable by name); the saved direction, timeout and failure policy apply.
    The resumed run keeps writing checkpoints to ``path``.
    """
    data = load(path, trust=trust)
    run = _rebuild(data, path, objective, space, strategy, budget)
    for name, value in (("max_time", max_time), ("target", target), ("workers", workers)):
        if value is not None:
            setattr(run.config, name, value)
    _check_config(run.config)
    run.callbacks = _check_callbacks(callbacks)
    run.executor = executor
    run.checkpoint_path = path
    return run.run()


def _rebuild(data, path, objective, space, strategy, budget):
    from nondiff.history import History
    from nondiff.minimize import Run, RunConfig, _Anchor
    from nondiff.space import Space

    meta = data["meta"]
    saved_space = Space.from_dict(meta["space"])
    if space is not None and space != saved_space:
        diffs = "; ".join(saved_space.diff(space))
        raise UsageError(f"cannot resume {str(path)!r} with a changed space: {diffs}")
    config = RunConfig(**meta["config"])
    if strategy is not None and strategy != config.strategy:
        raise UsageError(
            f"cannot resume {str(path)!r}: it was run with strategy {config.strategy!r}, "
            f"not {strategy!r}"
        )
    if budget is not None:
        config.budget = budget
    _check_config(config)
    obj = _objective_from(meta, objective, saved_space, path)
    # Built with the budget the run now has, not the saved one: strategies cap their asks and
    # stop at the budget they are built with (auto's phases rely on that), so one rebuilt with
    # the old budget would stop a run resumed to extend it. The loaded state does the rest.
    strat = Run._make_strategy(config.strategy, saved_space, config.seed, config.budget,
                               dict(config.strategy_options))
    strat.load_state_dict(data["state"])
    arrays, errors, anchor_rows = _drop_interrupted(data["history"], meta)
    history = History.from_arrays(saved_space, arrays, errors)
    anchor = meta["anchor"]
    run = Run(obj, saved_space, strat, config, history=history, nit=anchor["nit"],
              elapsed=meta["elapsed"])
    run._anchor = _Anchor(data["state"], anchor_rows, anchor["nit"])
    run.replay = {int(i): r for r, i in enumerate(history.ids) if r >= anchor_rows}
    return run


def _drop_interrupted(arrays: dict, meta: dict):
    """History arrays without interrupted rows (they are evaluated again), the error texts
    re-indexed, and the anchor's row count in the kept rows."""
    from nondiff.evaluate import Status

    keep = np.asarray(arrays["status"]) != int(Status.INTERRUPTED)
    new_index = np.cumsum(keep) - 1
    errors = {int(new_index[int(k)]): v for k, v in meta["errors"].items() if keep[int(k)]}
    anchor_rows = int(keep[: meta["anchor"]["rows"]].sum())
    return {k: np.asarray(v)[keep] for k, v in arrays.items()}, errors, anchor_rows


def _objective_from(meta, objective, space, path):
    from nondiff.objective import Objective, as_objective

    spec = meta["objective"]
    options = dict(spec["options"] or {})
    if isinstance(objective, Objective):
        if objective.direction != options.get("direction", objective.direction):
            raise UsageError(
                f"cannot resume {str(path)!r}: the run was to {options['direction']}, the "
                f"objective given is to {objective.direction}")
        return as_objective(objective, space)
    if objective is not None:
        return as_objective(objective, space, **options)
    if spec["source"] is None:
        raise UsageError(
            f"checkpoint {str(path)!r} cannot rebuild its objective (a Python callable that is "
            "not importable by name); pass objective=... to resume()"
        )
    return _objective_from_spec(spec, space)

