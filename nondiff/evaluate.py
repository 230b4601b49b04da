"""Evaluation of batches of candidates: in process, in a process pool, or on an executor.

An :class:`Evaluator` (one per run, a context manager) turns a list of candidates into a
:class:`~nondiff.outcome.BatchOutcome` aligned with them, whatever the order in which the
evaluations finish, so the same seed gives the same run at any number of workers. Where the
evaluations run:

- **in process** (``workers=1``, no executor): a tight loop around the objective, the cheapest
  path. A Python function cannot be stopped safely from inside its own process, so when the
  objective has a ``timeout`` (or ``isolate=True``) it runs in a one-worker process pool instead.
  Shell commands enforce their timeout themselves and stay in process.
- **a process pool** (``workers=N``): :class:`~nondiff.workers.WorkerPool`, which kills and
  replaces a worker past its timeout (``TIMEOUT``) or one that died (``CRASHED``), keeping the
  other evaluations. The objective must pickle; this is checked before any evaluation.
- **any** ``concurrent.futures.Executor``, or a Dask ``distributed.Client`` (its executor is
  used with ``pure=False``: Dask would otherwise merge repeated evaluations of the same point
  into one, which silently breaks noisy objectives). An executor cannot stop a running task, so
  a task past its timeout is recorded as ``TIMEOUT`` and abandoned (it may still occupy a slot).

Ctrl-C during :meth:`Evaluator.evaluate` does not raise: no new evaluation starts, running ones
get ``grace`` seconds to finish (a second Ctrl-C ends the wait), the rest are ``INTERRUPTED``
and the outcome comes back with ``interrupted=True``. In process, the evaluation that received
the KeyboardInterrupt is itself interrupted. A ``deadline`` (how the driver enforces
``max_time``) ends a batch the same way with no grace: in a process pool the whole batch is
queued at once and, when the deadline passes, nothing new starts and running evaluations are
killed; in process, evaluations run one at a time and none starts after the deadline (a
running call cannot be stopped). The outcome then comes back with ``deadline_passed=True``.
"""

from __future__ import annotations

import concurrent.futures as cf
import signal
import threading
import time
import weakref
from collections import deque

import numpy as np

from nondiff.errors import ObjectiveError
from nondiff.objective import as_objective
from nondiff.outcome import BatchOutcome, Status, TaskResult
from nondiff.workers import WorkerPool, _pickle_objective

__all__ = ["Evaluator", "BatchOutcome", "Status"]

_POLL = 0.1  # longest wait on futures without looking at the interrupt flag and deadlines


class Evaluator:
    """Evaluates batches of candidates for one run.

    Parameters
    ----------
    objective : Objective, callable or str
        What to evaluate (anything :func:`~nondiff.objective.as_objective` accepts).
    space : Space
        The search space of the candidates.
    workers : int
        Worker processes (``1``: in process, unless a timeout needs isolation). With an
        ``executor``: its parallelism (by default what it reports: its ``max_workers`` or the
        Dask cluster's threads), used to split batch objectives and to pace timed tasks.
    executor : concurrent.futures.Executor or distributed.Client, optional
        Run the evaluations there instead. Without a timeout the whole batch is submitted at
        once; with one, at most ``workers`` (or the executor's parallelism) at a time.
    timeout : float, optional
        Seconds per evaluation; overrides the objective's own ``timeout``.
    isolate : bool, optional
        Run a Python objective in a worker process even at ``workers=1`` (protects the run
        from crashes). Default: only when a timeout asks for it. ``isolate=False`` with a
        timeout on a Python function is refused, since it could not be enforced.
    grace : float
        Seconds running evaluations may take to finish after Ctrl-C.

    Examples
    --------
    >>> from nondiff import Space, Real
    >>> from nondiff.strategy import candidates_from_vectors
    >>> space = Space(x=Real(-1, 1))
    >>> with Evaluator(lambda x: x * x, space) as ev:
    ...     out = ev.evaluate(candidates_from_vectors(space, [[0.5], [1.0]], 0))
    >>> out.values.tolist(), out.status.tolist()
    ([0.0, 1.0], [0, 0])
    """

    def __init__(self, objective, space, *, workers=1, executor=None, timeout=None,
                 isolate=None, grace=2.0):
        objective = as_objective(objective, space)
        if timeout is not None:
            objective = objective.replace(timeout=timeout)
        if objective.space is None:
            raise ValueError("space is required: the objective has none")
        self.objective = objective
        self.space = objective.space
        self.workers = _check_workers(workers)
        self.grace = _check_grace(grace)
        self._backend = _make_backend(objective, self.workers, executor, isolate)
        self._finalizer = weakref.finalize(self, self._backend.close)

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes (a user's executor or Dask client is left running)."""
        self._finalizer()

    @property
    def mode(self) -> str:
        """Where evaluations run: ``"inline"``, ``"processes"`` or ``"executor"``."""
        return self._backend.mode

    def evaluate(self, candidates, deadline=None) -> BatchOutcome:
        """Evaluate ``candidates``; the outcome's rows follow their order.

        Parameters
        ----------
        candidates : sequence of Candidate
        deadline : float, optional
            A :func:`time.monotonic` instant after which no evaluation starts and (in a
            process pool) running ones are killed; those left unfinished are ``INTERRUPTED``
            and the outcome has ``deadline_passed=True``. Not enforced on a user's executor,
            which cannot stop a running task (check the clock between batches there).

        Raises
        ------
        Exception
            With ``on_error="raise"``: the objective's own exception, or
            :class:`~nondiff.errors.ObjectiveError` for any other failed evaluation.
        """
        if not self._finalizer.alive:
            raise RuntimeError("this Evaluator is closed")
        deadline = _check_deadline(deadline)
        n = len(candidates)
        if n == 0:
            return BatchOutcome.empty(0)
        args = self.objective.arguments(candidates)
        outcome = self._backend.run(self.objective, args, n, self.grace, deadline)
        if self.objective.on_error == "raise":
            _raise_first_failure(outcome)
        return outcome


# --- backends ----------------------------------------------------------------------------------
class _Inline:
    """In process: the objective's own loop, nothing around it."""

    mode = "inline"

    def run(self, objective, args, n, grace, deadline=None) -> BatchOutcome:
        if deadline is None:
            part = objective.run(args)
            return BatchOutcome(part.values, part.status, part.seconds, part.errors,
                                part.interrupted)
        out = BatchOutcome.empty(n)
        # one call per candidate (one for a batch objective), so none starts after the deadline
        for s in _task_slices(n, 1, objective.batch):
            if time.monotonic() >= deadline:
                out.deadline_passed = True
                break
            part = objective.run(_take(args, s))
            out.fill(s, part)
            if part.interrupted:
                out.interrupted = True
                break
        return out

    def close(self) -> None:
        pass


class _Processes:
    """A :class:`WorkerPool`: one candidate per task (one chunk per worker for batches)."""

    mode = "processes"

    def __init__(self, objective, workers: int):
        self.workers = workers
        self.pool = WorkerPool(workers, objective)
        # a command stops itself at the timeout; the pool only steps in if that fails
        self.slack = 2.0 if objective.enforces_timeout else 0.0

    def run(self, objective, args, n, grace, deadline=None) -> BatchOutcome:
        slices = _task_slices(n, self.workers, objective.batch)
        tasks = [_take(args, s) for s in slices]
        timeout = None if objective.timeout is None else objective.timeout + self.slack
        with _Interrupt(grace, deadline) as stop:
            results, _ = self.pool.run(tasks, timeout, stop)
        out = _assemble(n, slices, results, stop.ctrl_c)
        out.deadline_passed = stop.cut and bool((out.status == Status.INTERRUPTED).any())
        return out

    def close(self) -> None:
        self.pool.close()


class _Executor:
    """A ``concurrent.futures`` executor (Dask through its executor, with ``pure=False``)."""

    mode = "executor"

    def __init__(self, executor, workers: int):
        self.executor, self.submit_kw, window = _adapt_executor(executor)
        self.window = workers if workers > 1 else window
        self.parallel = workers if workers > 1 else (window or 1)

    def run(self, objective, args, n, grace, deadline=None) -> BatchOutcome:
        # no deadline: a task past it could only be abandoned, still holding a slot of the
        # user's executor into the next batches
        slices = _task_slices(n, self.parallel, objective.batch)
        tasks = [_take(args, s) for s in slices]
        with _Interrupt(grace) as ctrl_c:
            results, interrupted = _FutureRun(self, objective, tasks).run(ctrl_c)
        return _assemble(n, slices, results, interrupted)

    def close(self) -> None:
        pass


def _make_backend(objective, workers, executor, isolate):
    if executor is not None:
        if not callable(getattr(executor, "submit", None)):
            raise TypeError(f"executor must be a concurrent.futures.Executor or a Dask Client, "
                            f"not {type(executor).__name__}")
        if isinstance(executor, cf.ProcessPoolExecutor):
            _pickle_objective(objective)  # refuse before any evaluation, with advice
        return _Executor(executor, workers)
    if isolate is not None and not isinstance(isolate, bool):
        raise TypeError(f"isolate must be None, True or False, not {isolate!r}")
    python_timeout = objective.timeout is not None and not objective.enforces_timeout
    if isolate is False and python_timeout and workers == 1:
        raise ValueError("a timeout on a Python objective can only be enforced in a worker "
                         "process: drop isolate=False, or the timeout")
    if workers > 1 or isolate or python_timeout:
        return _Processes(objective, workers)
    return _Inline()


def _adapt_executor(executor):
    """``(executor, extra submit kwargs, parallelism or None)``; Dask gets ``pure=False``."""
    module = type(executor).__module__ or ""
    if module.startswith("distributed") and hasattr(executor, "get_executor"):
        threads = sum(executor.nthreads().values())
        return executor.get_executor(pure=False), {}, threads or None
    if module.startswith("distributed"):  # a ClientExecutor: submit kwargs reach Client.submit
        client = getattr(executor, "_client", None)
        threads = sum(client.nthreads().values()) if client is not None else 0
        return executor, {"pure": False}, threads or None
    return executor, {}, getattr(executor, "_max_workers", None)


class _FutureRun:
    """One batch on an executor.

    Without a timeout every task is submitted at once, so the executor's queue hides its
    scheduling latency. With one, at most ``window`` tasks (the executor's parallelism) are in
    flight, so that a task's deadline, counted from its submission, is close to its start.
    """

    def __init__(self, backend: _Executor, objective, tasks):
        self.backend, self.objective, self.tasks = backend, objective, tasks
        self.pending = deque(range(len(tasks)))
        self.running: dict = {}  # future -> (task index, deadline, submit time)
        self.results: list = [None] * len(tasks)

    def run(self, ctrl_c):
        try:
            while self.pending or self.running:
                if ctrl_c.requested:
                    if self._interrupt_over(ctrl_c):
                        break
                else:
                    self._submit()
                self._collect(ctrl_c)
                self._expire()
        except BaseException:
            for f in self.running:
                f.cancel()
            raise
        return self.results, bool(ctrl_c.requested)

    def _submit(self) -> None:
        b = self.backend
        timeout = self.objective.timeout
        window = (b.window if timeout is not None else None) or len(self.tasks)
        while self.pending and len(self.running) < window:
            i = self.pending.popleft()
            f = b.executor.submit(_execute, self.objective, self.tasks[i], **b.submit_kw)
            now = time.monotonic()
            self.running[f] = (i, None if timeout is None else now + timeout, now)

    def _collect(self, ctrl_c) -> None:
        if not self.running:
            return
        now = time.monotonic()
        limits = [d for _, d, _ in self.running.values() if d is not None]
        if ctrl_c.requested:
            limits.append(ctrl_c.deadline)
        wait = max(0.0, min([now + _POLL, *limits]) - now)
        done, _ = cf.wait(list(self.running), timeout=wait, return_when=cf.FIRST_COMPLETED)
        for f in done:
            i, _, t0 = self.running.pop(f)
            self.results[i] = self._result(f, t0)

    def _result(self, f, t0):
        if f.cancelled():
            return (Status.INTERRUPTED, "cancelled", 0.0)
        exc = f.exception()
        if exc is None:
            return f.result()
        if self.objective.on_error == "raise":
            raise exc
        # the objective catches its own errors, so this is the executor failing
        return (Status.CRASHED, f"executor failed: {type(exc).__name__}: {exc}",
                time.monotonic() - t0)

    def _expire(self) -> None:
        now = time.monotonic()
        for f, (i, deadline, t0) in list(self.running.items()):
            if deadline is not None and now >= deadline:
                f.cancel()
                del self.running[f]
                text = (f"timed out after {self.objective.timeout:g} s (an executor cannot "
                        "stop a running task; it was abandoned)")
                self.results[i] = (Status.TIMEOUT, text, now - t0)

    def _interrupt_over(self, ctrl_c) -> bool:
        for f in list(self.running):
            if f.cancel():  # not started yet: it will never run
                i, _, _ = self.running.pop(f)
                self.results[i] = (Status.INTERRUPTED, None, 0.0)
        if self.running and time.monotonic() < ctrl_c.deadline:
            return False
        for i, _, t0 in self.running.values():
            self.results[i] = (Status.INTERRUPTED, f"interrupted ({ctrl_c.reason}) while "
                               "running", time.monotonic() - t0)
        self.running.clear()
        for i in self.pending:
            self.results[i] = (Status.INTERRUPTED, None, 0.0)
        self.pending.clear()
        return True


def _execute(objective, args) -> TaskResult:
    """The task an executor runs (module level, so every executor can import it)."""
    return objective.run(args)


# --- helpers -----------------------------------------------------------------------------------
class _Interrupt:
    """What ends a batch early: Ctrl-C after a grace period, or a deadline with no grace.

    While active, SIGINT sets a flag instead of raising; a second one ends the grace period.
    Only the main thread can receive signals; elsewhere Ctrl-C is not caught. The pool and the
    executor loop read ``requested`` (stop starting evaluations), ``deadline`` (stop running
    ones from then on) and ``reason``; past ``cutoff`` both hold, as after Ctrl-C with the
    grace period over, so the deadline takes the same path as Ctrl-C.
    """

    def __init__(self, grace: float, cutoff: float | None = None):
        self.grace = grace
        self.ctrl_c = False
        self.cutoff = float("inf") if cutoff is None else cutoff
        self.cut = False  # the cutoff was seen passed (latched)
        self._grace_end = float("inf")
        self._saved = None

    @property
    def requested(self) -> bool:
        if not self.cut and time.monotonic() >= self.cutoff:
            self.cut = True
        return self.ctrl_c or self.cut

    @property
    def deadline(self) -> float:
        """The instant running evaluations are stopped (inf while nothing asks for it)."""
        return min(self._grace_end, self.cutoff)

    @property
    def reason(self) -> str:
        return "Ctrl-C" if self.ctrl_c else "time limit"

    def __enter__(self) -> _Interrupt:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if previous is not signal.SIG_IGN:
                self._saved = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._saved is not None:
            signal.signal(signal.SIGINT, self._saved)

    def _handle(self, signum, frame) -> None:
        now = time.monotonic()
        if self.ctrl_c:
            self._grace_end = now
        else:
            self.ctrl_c, self._grace_end = True, now + self.grace


def _task_slices(n: int, parallel: int, batch: bool) -> list[slice]:
    """One task per candidate, or for a batch objective one contiguous chunk per worker."""
    if not batch:
        return [slice(i, i + 1) for i in range(n)]
    bounds = np.linspace(0, n, min(parallel, n) + 1).round().astype(int)
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def _take(args, s: slice):
    if isinstance(args, dict):
        return {k: v[s] for k, v in args.items()}
    return args[s]


def _assemble(n, slices, results, interrupted) -> BatchOutcome:
    out = BatchOutcome.empty(n)
    out.interrupted = interrupted
    for s, res in zip(slices, results):
        if isinstance(res, TaskResult):
            out.fill(s, res)
            out.interrupted |= res.interrupted
        elif res is not None:
            status, text, seconds = res
            out.fail(s, status, text, seconds / max(s.stop - s.start, 1))
    return out


def _raise_first_failure(outcome: BatchOutcome) -> None:
    bad = np.flatnonzero((outcome.status != Status.OK) & (outcome.status != Status.INTERRUPTED))
    if bad.size:
        i = int(bad[0])
        status = Status(int(outcome.status[i])).label
        raise ObjectiveError(f"evaluation {i} of the batch failed ({status}) with "
                             f"on_error='raise': {outcome.errors.get(i, '')}")


def _check_workers(workers) -> int:
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)):
        raise TypeError(f"workers must be an int, not {type(workers).__name__}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    return int(workers)


def _check_deadline(deadline) -> float | None:
    if deadline is None:
        return None
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float, np.integer,
                                                              np.floating)):
        raise TypeError(f"deadline must be a time.monotonic() instant (a float) or None, "
                        f"not {type(deadline).__name__}")
    if np.isnan(deadline):
        raise ValueError("deadline must be a time.monotonic() instant, got nan")
    return float(deadline)


def _check_grace(grace) -> float:
    if isinstance(grace, bool) or not isinstance(grace, (int, float)) or not grace >= 0:
        raise ValueError(f"grace must be a number of seconds >= 0, got {grace!r}")
    return float(grace)
