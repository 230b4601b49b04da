"""The driver: ask -> evaluate -> tell until the budget, a target, a time limit or a stop.

:func:`minimize` wires an objective, a space and a strategy from the registry into a
:class:`Run`, which owns the loop, the history, checkpoints and the stopping rules. Runs are
deterministic given the seed, whatever the number of workers: candidates come from the
strategy in a fixed order and results are told back in that order.
"""

from __future__ import annotations

import copy
import functools
import secrets
import time
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from nondiff import registry
from nondiff.errors import CheckpointError, ObjectiveError, UsageError
from nondiff.history import History
from nondiff.result import STOP_STATUS, Result
from nondiff.strategy import candidate_ids, stack_vectors

__all__ = ["minimize", "Run", "RunConfig", "RunInfo"]

FAIL_FAST = 10  # a run whose first FAIL_FAST evaluations all fail is a bug, not a bad region


@dataclass
class RunConfig:
    """Settings of a run, fixed at its start and stored in its checkpoints (plain data)."""

    strategy: str
    strategy_options: dict = field(default_factory=dict)
    seed: int | None = None
    budget: int = 100
    max_time: float | None = None
    target: float | None = None
    workers: int = 1
    timeout: float | None = None
    checkpoint_every: int | None = None
    checkpoint_seconds: float = 60.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class RunInfo:
    """What callbacks see after each generation. Returning True from a callback stops the run."""

    nfev: int
    nit: int
    budget: int
    best_value: float
    elapsed: float
    run: Run

    @property
    def best_params(self) -> dict | None:
        return self.run.best_params()


def minimize(objective, space=None, strategy="auto", budget=100, seed=None, *, workers=1,
             executor=None, max_time=None, target=None, callbacks=(), checkpoint=None,
             checkpoint_every=None, checkpoint_seconds=60.0, direction=None, timeout=None,
             on_error=None, strategy_options=None) -> Result:
    """Optimize ``objective`` over ``space`` with a strategy from the registry.

    Parameters
    ----------
    objective : callable, str or Objective
        A Python callable (keyword parameters or one vector), a ``"file.py:function"``
        reference, or an :class:`~nondiff.objective.Objective` (batch or command objectives).
    space : Space, optional
        The search space; taken from the objective when it has one.
    strategy : str or Strategy
        A registry name (see ``nondiff strategies``) or a strategy instance. The default,
        ``"auto"``, picks a plan from the space, the budget and the objective and says which
        in ``Result.strategy_info``.
    budget : int
        Maximum number of evaluations.
    seed : int, optional
        Seeds every random draw of the run; None draws a fresh seed, recorded in the result.
    workers, executor, timeout
        Parallel evaluation: a process pool of ``workers`` processes, or any
        ``concurrent.futures.Executor`` / Dask ``Client``; ``timeout`` per evaluation, seconds.
    max_time, target
        Stop after ``max_time`` seconds, or once the best value reaches ``target``. The time
        limit holds within a generation: no evaluation starts after it and, with ``workers``,
        running ones are killed (with a user ``executor``: checked between generations only;
        in process, a running call is allowed to finish). A generation cut short is not told.
    callbacks : sequence of callables
        Called as ``cb(RunInfo)`` after each generation; a True return stops the run.
    checkpoint : path, optional
        Where to write checkpoints (atomically), every ``checkpoint_every`` evaluations or
        ``checkpoint_seconds`` seconds and at the end; resume with :func:`nondiff.resume`.
    direction, on_error
        ``"minimize"``/``"maximize"`` and ``"penalize"``/``"raise"`` for a plain callable.
    strategy_options : dict, optional
        Keyword options for the strategy's constructor.

    Returns
    -------
    Result

    Raises
    ------
    UsageError
        For bad arguments (unknown strategy, missing space, bad budget, ...).
    ObjectiveError
        When the first 10 evaluations all fail (with the first traceback and the partial result).

    Examples
    --------
    >>> from nondiff import minimize, Space, Real
    >>> res = minimize(lambda x, y: (x - 1) ** 2 + y ** 2, Space(x=Real(-2, 2), y=Real(-2, 2)),
    ...                strategy="random", budget=200, seed=0)
    >>> res.nfev, res.fun < 0.1
    (200, True)
    """
    run = Run.start(objective, space, strategy, budget=budget, seed=seed, workers=workers,
                    executor=executor, max_time=max_time, target=target, callbacks=callbacks,
                    checkpoint=checkpoint, checkpoint_every=checkpoint_every,
                    checkpoint_seconds=checkpoint_seconds, direction=direction,
                    timeout=timeout, on_error=on_error, strategy_options=strategy_options)
    return run.run()


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise UsageError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_number(name, value, *, positive=False):
    """None, or a finite real number (> 0 when ``positive``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or (positive and value <= 0):
        kind = "a positive number" if positive else "a finite number"
        raise UsageError(f"{name} must be {kind}, got {value!r}")
    return float(value)


def _check_callbacks(callbacks) -> list:
    if callable(callbacks):
        raise UsageError("callbacks must be a sequence of callables; wrap one in a list")
    callbacks = list(callbacks or ())
    bad = [cb for cb in callbacks if not callable(cb)]
    if bad:
        raise UsageError(f"callbacks must be callables, got {bad[0]!r}")
    return callbacks


def _check_config(config: RunConfig) -> None:
    config.budget = _check_int("budget", config.budget, 1)
    config.workers = _check_int("workers", config.workers, 1)
    config.seed = _check_int("seed", config.seed, 0)
    config.max_time = _check_number("max_time", config.max_time, positive=True)
    config.target = _check_number("target", config.target)
    config.timeout = _check_number("timeout", config.timeout, positive=True)
    config.checkpoint_seconds = _check_number("checkpoint_seconds", config.checkpoint_seconds,
                                              positive=True)
    if config.checkpoint_every is not None:
        config.checkpoint_every = _check_int("checkpoint_every", config.checkpoint_every, 1)
    if not isinstance(config.strategy_options, dict):
        raise UsageError(f"strategy_options must be a dict, got {config.strategy_options!r}")


@dataclass
class _Anchor:
    """A strategy state taken between a tell and the next ask, and where the run was then.

    Checkpoints store the latest anchor with the whole history; a resumed run loads the anchor
    and replays the generations after it from the history (the strategy asks the same
    candidates again, their recorded outcomes are told without evaluating them), so a run
    broken anywhere, even mid-generation, resumes to the result of the unbroken run.
    """

    state: dict
    rows: int  # history length at the anchor
    nit: int


class Run:
    """One optimization run: its objective, strategy, history, counters and stopping rules."""

    def __init__(self, objective, space, strategy, config: RunConfig, *, executor=None,
                 callbacks=(), checkpoint=None, history=None, nit=0, elapsed=0.0):
        self.objective, self.space, self.strategy = objective, space, strategy
        self.config = config
        self.executor = executor
        self.callbacks = _check_callbacks(callbacks)
        self.checkpoint_path = checkpoint
        self.history = history if history is not None else History(space)
        self.nit = nit
        self.elapsed_before = elapsed
        self.stop_reason: str | None = None
        self.replay: dict[int, int] = {}  # candidate id -> history row, told without evaluating
        self._anchor: _Anchor | None = None
        self._at_boundary = True          # no generation is half evaluated
        self._last_size = 0
        self._init_counters()

    # --- construction -------------------------------------------------------------------
    @classmethod
    def start(cls, objective, space, strategy, *, budget, seed, workers, executor, max_time,
              target, callbacks, checkpoint, checkpoint_every, checkpoint_seconds, direction,
              timeout, on_error, strategy_options) -> Run:
        from nondiff.objective import as_objective

        obj_kw = {k: v for k, v in (("direction", direction), ("on_error", on_error),
                                    ("timeout", timeout)) if v is not None}
        try:
            objective = as_objective(objective, space, **obj_kw)
        except (TypeError, ValueError) as exc:
            raise UsageError(str(exc)) from exc
        space = space if space is not None else objective.space
        if space is None:
            raise UsageError("no search space: pass space=... or give the objective one")
        if seed is None:
            seed = secrets.randbits(63)
        if checkpoint is not None and not isinstance(strategy, str):
            raise UsageError("checkpoint=... needs the strategy by registry name (a resumed run "
                             "rebuilds it), not a strategy instance")
        name = strategy if isinstance(strategy, str) else type(strategy).__name__
        config = RunConfig(name, strategy_options if strategy_options is not None else {},
                           seed, budget, max_time, target, workers, timeout, checkpoint_every,
                           checkpoint_seconds)
        _check_config(config)
        strat = cls._make_strategy(strategy, space, config.seed, config.budget,
                                   dict(config.strategy_options))
        return cls(objective, space, strat, config, executor=executor, callbacks=callbacks,
                   checkpoint=checkpoint)

    @staticmethod
    def _make_strategy(strategy, space, seed, budget, options):
        try:
            return registry.create(strategy, space, seed=seed, budget=budget, **options)
        except (ValueError, TypeError) as exc:
            raise UsageError(f"strategy {strategy!r}: {exc}") from exc

    def _init_counters(self) -> None:
        h = self.history
        done = h.status != _interrupted_code()
        self.nfev = int(done.sum())
        ok = h.status == 0
        self.n_ok = int(ok.sum())
        self.best_row = -1
        if self.n_ok:
            v = np.where(ok, self.objective.sign * h.values, np.inf)
            self.best_row = int(np.argmin(v))

    # --- the loop -----------------------------------------------------------------------
    def run(self) -> Result:
        """Loop until a stop rule fires; Ctrl-C anywhere returns the best so far."""
        from nondiff.evaluate import Evaluator

        self._t0 = time.perf_counter()
        self._last_ckpt_t, self._last_ckpt_n = self._t0, self.nfev
        if self.checkpoint_path is not None and self._anchor is None:
            self._take_anchor()  # also checks up front that the run can be checkpointed
        try:
            evaluator = Evaluator(self.objective, self.space, workers=self.config.workers,
                                  executor=self.executor, timeout=self.config.timeout)
        except TypeError as exc:  # e.g. an objective a process pool cannot pickle
            raise UsageError(str(exc)) from exc
        with evaluator:
            while self.stop_reason is None:
                try:
                    self.stop_reason = self._stop_rule()
                    if self.stop_reason is None:
                        self._generation(evaluator)
                except KeyboardInterrupt:
                    self._at_boundary = False  # a tell may have been cut: trust the anchor
                    self.stop_reason = "interrupted"
        self._save_checkpoint(final=True)
        return self.result()

    def _generation(self, evaluator) -> None:
        remaining = self.config.budget - self.nfev
        if self.checkpoint_path is not None and remaining < self._last_size and not self.replay:
            self._take_anchor()  # this generation will be cut by the budget
        self._at_boundary = False
        candidates = self.strategy.ask()
        if not len(candidates):
            self._at_boundary = True
            self.stop_reason = "exhausted"
            return
        self._last_size = len(candidates)
        if not self.replay and len(candidates) <= remaining:
            outcome = self._evaluate(evaluator, candidates)  # a whole fresh generation
            done = len(outcome.values)
            self._record(candidates if done == len(candidates) else candidates[:done], outcome)
            values, status = _padded(outcome, len(candidates))
            interrupted = outcome.interrupted
        else:
            values, status, interrupted = self._replay_or_evaluate(evaluator, candidates,
                                                                   remaining)
        if not interrupted and np.all(status != _interrupted_code()) and np.all(status >= 0):
            self._tell(candidates, values, status)
        self._fail_fast()
        if interrupted:
            self.stop_reason = "interrupted"
        self._after_generation()

    def _replay_or_evaluate(self, evaluator, candidates, remaining):
        """Outcomes of a generation from the history where recorded, else evaluated (at most
        ``remaining``); status -1 marks candidates left unevaluated by the budget."""
        n = len(candidates)
        values, status = np.full(n, np.nan), np.full(n, -1, dtype=np.int64)
        todo = []
        for i, c in enumerate(candidates):
            row = self.replay.pop(c.id, None)
            if row is None:
                todo.append(i)
                continue
            if not np.array_equal(self.history.vectors[row], c.vector):
                raise CheckpointError(
                    f"strategy {self.config.strategy!r} did not ask again what it asked before "
                    f"the checkpoint (candidate {c.id}); it cannot be resumed exactly")
            values[i], status[i] = self.history.values[row], self.history.status[row]
        todo = todo[:remaining]
        interrupted = False
        if todo:
            outcome = self._evaluate(evaluator, [candidates[i] for i in todo])
            done = todo[:len(outcome.values)]
            self._record([candidates[i] for i in done], outcome)
            values[done], status[done] = outcome.values, outcome.status
            interrupted = outcome.interrupted
        return values, status, interrupted

    def _evaluate(self, evaluator, candidates):
        """Evaluate ``candidates``; under ``max_time`` the evaluator stops at the time limit,
        so a large generation of a slow objective cannot overrun it: what was not finished by
        then is ``INTERRUPTED`` (so the generation is not told) and the run stops with
        ``max_time``. A user's executor cannot stop a task: it is checked between generations."""
        limit = self.config.max_time
        if limit is None or evaluator.mode == "executor":
            return evaluator.evaluate(candidates)
        # the driver's clock is perf_counter, the evaluator's monotonic: pass the time left
        deadline = time.monotonic() + (limit - self.elapsed)
        outcome = evaluator.evaluate(candidates, deadline=deadline)
        if outcome.deadline_passed and self.stop_reason is None:
            self.stop_reason = "max_time"
        return outcome

    def _record(self, candidates, outcome) -> None:
        self.history.append(candidate_ids(candidates), stack_vectors(candidates),
                            outcome.values, outcome.status, outcome.seconds, self.nit,
                            outcome.errors)
        n = len(candidates)
        status = np.asarray(outcome.status)
        sign = self.objective.sign
        if not status.any():  # every evaluation ok, the usual case: no masks
            self.nfev, self.n_ok = self.nfev + n, self.n_ok + n
            v = sign * outcome.values
        else:
            ok = status == 0
            self.nfev += int((status != _interrupted_code()).sum())
            self.n_ok += int(ok.sum())
            v = np.where(ok, sign * outcome.values, np.inf)
        if n and np.isfinite(v).any():
            i = int(np.argmin(v))
            if self.best_row < 0 or v[i] < sign * self.history.values[self.best_row]:
                self.best_row = len(self.history) - n + i

    def _tell(self, candidates, values, status) -> None:
        """Tell a whole generation (failures as +inf) and mark the run at a boundary."""
        self.strategy.tell(candidates, np.where(status == 0, self.objective.sign * values,
                                                np.inf))
        self.nit += 1
        self._at_boundary = True

    def _fail_fast(self) -> None:
        if self.n_ok == 0 and self.nfev >= FAIL_FAST:
            first = min(self.history.errors) if self.history.errors else None
            text = self.history.errors.get(first, "no error text") if first is not None else ""
            self.stop_reason = "objective_failed"
            self._save_checkpoint(final=True)
            raise ObjectiveError(
                f"the first {self.nfev} evaluations all failed; the first failure was:\n{text}",
                result=self.result(),
            )

    def _after_generation(self) -> None:
        info = RunInfo(self.nfev, self.nit, self.config.budget, self.best_value,
                       self.elapsed, self)
        for cb in self.callbacks:
            if cb(info) is True and self.stop_reason is None:
                self.stop_reason = "callback"
        if self.checkpoint_path is not None and self._at_boundary and self._checkpoint_due():
            self._save_checkpoint()

    def _stop_rule(self) -> str | None:
        if self.replay:  # recorded generations not told yet: the unbroken run went on
            return None
        c = self.config
        if self.nfev >= c.budget:
            return "budget"
        if c.target is not None and self.n_ok:
            if self.objective.sign * (self.best_value - c.target) <= 0:
                return "target"
        if c.max_time is not None and self.elapsed >= c.max_time:
            return "max_time"
        return self.strategy.stop() if self._at_boundary else None

    # --- checkpoints --------------------------------------------------------------------
    def _checkpoint_due(self) -> bool:
        every = self.config.checkpoint_every
        if every is not None and self.nfev - self._last_ckpt_n >= every:
            return True
        return time.perf_counter() - self._last_ckpt_t >= self.config.checkpoint_seconds

    def _take_anchor(self) -> None:
        """Remember the strategy's state now (between a tell and the next ask)."""
        # a copy: a strategy's state_dict may share arrays it later changes in place
        state = copy.deepcopy(self.strategy.state_dict())
        self._anchor = _Anchor(state, len(self.history), self.nit)
        if self.stop_reason is None and self.checkpoint_path is not None and not self.nfev:
            from nondiff.checkpoint import check_saveable

            check_saveable(self)

    def _save_checkpoint(self, final: bool = False) -> None:
        """Write a checkpoint: anchored now at a boundary, else on the last anchor."""
        if self.checkpoint_path is None:
            return
        from nondiff.checkpoint import save

        if self._at_boundary and not self.replay:
            self._take_anchor()
        try:
            save(self.checkpoint_path, self, self._anchor)
        except (OSError, TypeError, ValueError) as exc:
            if not final:
                raise
            warnings.warn(f"could not write the final checkpoint {self.checkpoint_path}: {exc}",
                          RuntimeWarning, stacklevel=3)
        self._last_ckpt_t, self._last_ckpt_n = time.perf_counter(), self.nfev

    # --- results ------------------------------------------------------------------------
    @property
    def elapsed(self) -> float:
        t0 = getattr(self, "_t0", None)
        return self.elapsed_before + (time.perf_counter() - t0 if t0 is not None else 0.0)

    @property
    def best_value(self) -> float:
        return float(self.history.values[self.best_row]) if self.best_row >= 0 else float("nan")

    def best_params(self) -> dict | None:
        return self.history.params(self.best_row) if self.best_row >= 0 else None

    def counts(self) -> dict[str, int]:
        from nondiff.evaluate import Status

        found = np.bincount(self.history.status.astype(np.int64), minlength=len(Status))
        return {s.name.lower(): int(found[s.value]) for s in Status}

    def _constrained_best_row(self) -> None:
        """With a constrained strategy, the best row is the strategy's best feasible point."""
        best = self.strategy.best if getattr(self.strategy, "constrained", False) else None
        if best is None:
            return
        rows = np.flatnonzero(self.history.ids == best[0].id)
        self.best_row = int(rows[-1]) if rows.size else -1

    def result(self) -> Result:
        reason = self.stop_reason or "unknown"
        self._constrained_best_row()
        params = self.best_params()
        success = self.n_ok > 0 and reason not in ("interrupted", "objective_failed")
        res = Result(
            x=_natural_x(self.objective, self.space, params), fun=self.best_value,
            params=params, value=self.best_value, nfev=self.nfev, nit=self.nit,
            success=success, status=STOP_STATUS.get(reason, 0 if self.n_ok else 3),
            message=_message(reason, self.n_ok), stop_reason=reason, counts=self.counts(),
            history=self.history, elapsed=self.elapsed, strategy=self.config.strategy,
            seed=self.config.seed,
        )
        describe = getattr(self.strategy, "describe", None)
        res.strategy_info = describe() if callable(describe) else None  # what auto picked
        own = getattr(self.strategy, "evaluations", None)
        if callable(own):  # strategies that call the program themselves (hybrid) add theirs
            counts = own()
            res.update(nfev_total=counts["nfev"], njev=counts["njev"],
                       nfev_inner=counts["nfev_inner"])
        return res


def _padded(outcome, n):
    """Values and status for ``n`` candidates; those not evaluated get status -1."""
    k = len(outcome.values)
    if k == n:
        return outcome.values, np.asarray(outcome.status)
    values, status = np.full(n, np.nan), np.full(n, -1, dtype=np.int64)
    values[:k], status[:k] = outcome.values, outcome.status
    return values, status


def _message(reason: str, n_ok: int) -> str:
    if n_ok == 0:
        return f"stopped ({reason}) without a single successful evaluation"
    return {
        "budget": "evaluation budget used up",
        "target": "target value reached",
        "max_time": "time limit reached",
        "callback": "stopped by a callback",
        "interrupted": "interrupted; best so far returned",
    }.get(reason, f"stopped by the strategy: {reason}")


def _natural_x(objective, space, params):
    """``x`` as scipy users expect: the flat vector for vector objectives, else the params."""
    if params is None:
        return None
    if getattr(objective, "call", None) == "vector":
        return np.concatenate([np.ravel(np.asarray(params[n], dtype=float)) for n in space.names])
    return params


@functools.cache
def _interrupted_code() -> int:
    from nondiff.evaluate import Status

    return int(Status.INTERRUPTED)
