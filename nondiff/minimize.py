"""The driver: ask -> evaluate -> tell until the budget, a target, a time limit or a stop.

:func:`minimize` wires an objective, a space and a strategy from the registry into a
:class:`Run`, which owns the loop, the history, checkpoints and the stopping rules. Runs are
deterministic given the seed, whatever the number of workers: candidates come from the
strategy in a fixed order and results are told back in that order.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from nondiff import registry
from nondiff.errors import NoFiniteValue, ObjectiveError, UsageError
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


def minimize(objective, space=None, strategy="random", budget=100, seed=None, *, workers=1,
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
        A registry name (see ``nondiff strategies``) or a strategy instance.
    budget : int
        Maximum number of evaluations.
    seed : int, optional
        Seeds every random draw of the run; None draws a fresh seed, recorded in the result.
    workers, executor, timeout
        Parallel evaluation: a process pool of ``workers`` processes, or any
        ``concurrent.futures.Executor`` / Dask ``Client``; ``timeout`` per evaluation, seconds.
    max_time, target
        Stop after ``max_time`` seconds, or once the best value reaches ``target``.
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


class Run:
    """One optimization run: its objective, strategy, history, counters and stopping rules."""

    def __init__(self, objective, space, strategy, config: RunConfig, *, executor=None,
                 callbacks=(), checkpoint=None, history=None, nit=0, elapsed=0.0):
        self.objective, self.space, self.strategy = objective, space, strategy
        self.config = config
        self.executor = executor
        self.callbacks = list(callbacks)
        self.checkpoint_path = checkpoint
        self.history = history if history is not None else History(space)
        self.nit = nit
        self.elapsed_before = elapsed
        self.stop_reason: str | None = None
        self._init_counters()

    # --- construction -------------------------------------------------------------------
    @classmethod
    def start(cls, objective, space, strategy, *, budget, seed, workers, executor, max_time,
              target, callbacks, checkpoint, checkpoint_every, checkpoint_seconds, direction,
              timeout, on_error, strategy_options) -> Run:
        from nondiff.objective import as_objective

        obj_kw = {k: v for k, v in (("direction", direction), ("on_error", on_error),
                                    ("timeout", timeout)) if v is not None}
        objective = as_objective(objective, space, **obj_kw)
        space = space if space is not None else objective.space
        if space is None:
            raise UsageError("no search space: pass space=... or give the objective one")
        budget = _check_int("budget", budget, 1)
        workers = _check_int("workers", workers, 1)
        if seed is None:
            seed = secrets.randbits(63)
        seed = _check_int("seed", seed, 0)
        options = dict(strategy_options or {})
        name = strategy if isinstance(strategy, str) else type(strategy).__name__
        strat = cls._make_strategy(strategy, space, seed, budget, options)
        config = RunConfig(name, options, seed, budget, max_time, target, workers, timeout,
                           checkpoint_every, checkpoint_seconds)
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
        """Loop until a stop rule fires; Ctrl-C returns the best so far."""
        from nondiff.evaluate import Evaluator

        self._t0 = time.perf_counter()
        self._last_ckpt_t, self._last_ckpt_n = self._t0, self.nfev
        with Evaluator(self.objective, self.space, workers=self.config.workers,
                       executor=self.executor, timeout=self.config.timeout) as evaluator:
            while self.stop_reason is None:
                self.stop_reason = self._stop_rule()
                if self.stop_reason is None:
                    self._generation(evaluator)
        self._save_checkpoint()
        return self.result()

    def _generation(self, evaluator) -> None:
        try:
            candidates = self.strategy.ask()
        except KeyboardInterrupt:
            self.stop_reason = "interrupted"
            return
        remaining = self.config.budget - self.nfev
        if not candidates:
            self.stop_reason = "exhausted"
            return
        candidates = candidates[:remaining]
        outcome = evaluator.evaluate(candidates)
        self._record(candidates, outcome)
        self._tell(candidates, outcome)
        self._fail_fast()
        if outcome.interrupted:
            self.stop_reason = "interrupted"
        self._after_generation()

    def _record(self, candidates, outcome) -> None:
        self.history.append(candidate_ids(candidates), stack_vectors(candidates),
                            outcome.values, outcome.status, outcome.seconds, self.nit,
                            outcome.errors)
        n = len(candidates)
        status = np.asarray(outcome.status)
        self.nfev += int((status != _interrupted_code()).sum())
        ok = status == 0
        self.n_ok += int(ok.sum())
        if ok.any():
            v = np.where(ok, self.objective.sign * outcome.values, np.inf)
            i = int(np.argmin(v))
            if self.best_row < 0 or v[i] < self.objective.sign * self.history.values[self.best_row]:
                self.best_row = len(self.history) - n + i

    def _tell(self, candidates, outcome) -> None:
        status = np.asarray(outcome.status)
        told = status != _interrupted_code()
        values = np.where(status == 0, self.objective.sign * outcome.values, np.inf)
        if told.all():
            self.strategy.tell(candidates, values)
        elif told.any():
            self.strategy.tell([c for c, t in zip(candidates, told) if t], values[told])
        self.nit += 1

    def _fail_fast(self) -> None:
        if self.n_ok == 0 and self.nfev >= FAIL_FAST:
            first = min(self.history.errors) if self.history.errors else None
            text = self.history.errors.get(first, "no error text") if first is not None else ""
            self.stop_reason = "objective_failed"
            self._save_checkpoint()
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
        if self.checkpoint_path is not None and self._checkpoint_due():
            self._save_checkpoint()

    def _stop_rule(self) -> str | None:
        c = self.config
        if self.nfev >= c.budget:
            return "budget"
        if c.target is not None and self.n_ok:
            if self.objective.sign * (self.best_value - c.target) <= 0:
                return "target"
        if c.max_time is not None and self.elapsed >= c.max_time:
            return "max_time"
        return self.strategy.stop()

    # --- checkpoints --------------------------------------------------------------------
    def _checkpoint_due(self) -> bool:
        every = self.config.checkpoint_every
        if every is not None and self.nfev - self._last_ckpt_n >= every:
            return True
        return time.perf_counter() - self._last_ckpt_t >= self.config.checkpoint_seconds

    def _save_checkpoint(self) -> None:
        if self.checkpoint_path is None:
            return
        from nondiff.checkpoint import save

        save(self.checkpoint_path, self)
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

    def result(self) -> Result:
        reason = self.stop_reason or "unknown"
        params = self.best_params()
        success = self.n_ok > 0 and reason in STOP_STATUS and reason != "interrupted"
        message = _message(reason, self.n_ok)
        return Result(
            x=_natural_x(self.objective, self.space, params), fun=self.best_value,
            params=params, value=self.best_value, nfev=self.nfev, nit=self.nit,
            success=success, status=STOP_STATUS.get(reason, 0 if self.n_ok else 3),
            message=message, stop_reason=reason, counts=self.counts(),
            history=self.history, elapsed=self.elapsed, strategy=self.config.strategy,
            seed=self.config.seed,
        )

    def result_or_raise(self) -> Result:
        """The result, or NoFiniteValue (carrying it) when nothing succeeded."""
        res = self.result()
        if self.n_ok == 0:
            raise NoFiniteValue(res.message, result=res)
        return res


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


def _interrupted_code() -> int:
    from nondiff.evaluate import Status

    return int(Status.INTERRUPTED)
