"""A process pool that survives its tasks: timeouts kill one worker, crashes lose one task.

``multiprocessing.Pool`` hangs forever when a worker dies, and ``ProcessPoolExecutor`` turns
one dead worker into ``BrokenProcessPool`` for every pending task and cannot stop a single hung
task. This pool keeps one pipe per worker and one task per worker at a time; the parent waits on
the pipes and the process sentinels with :func:`multiprocessing.connection.wait`, so it sees at
once which worker answered, which one died and which one is past its deadline. A worker past
its deadline is killed and replaced (``TIMEOUT``); one that dies on its own (segfault, SIGKILL,
``os._exit``) marks its task ``CRASHED`` and is replaced; the other tasks are unaffected.

Workers are started once (``spawn`` context, so nothing of the parent's state is inherited by
accident) and reused across batches. They ignore SIGINT (Ctrl-C is the parent's business) and
run with BLAS/OpenMP pinned to one thread: the variables are set in the environment the worker
starts with, because they must be in place before numpy is first imported. Workers are daemon
processes, so an objective cannot itself start a ``multiprocessing`` pool (subprocesses are
fine). A worker whose parent disappears sees its pipe close and exits.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections import deque
from multiprocessing.connection import wait

from nondiff.errors import NondiffError
from nondiff.outcome import Status, TaskResult

__all__ = ["WorkerPool", "WorkerStartError"]

PINNED_VARIABLES = _PIN = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
_START_TIMEOUT = 120.0  # seconds for a fresh worker to import and unpickle the objective
_POLL = 0.1  # longest wait without looking at the interrupt flag and the deadlines
_ENV_LOCK = threading.Lock()


class WorkerStartError(NondiffError, RuntimeError):
    """A worker could not start or could not load the objective."""


def _worker_main(conn, payload: bytes) -> None:
    """Worker loop: load the objective once, then run one task per message until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM -> SystemExit, so `finally` blocks run (a command objective kills its group)
    signal.signal(signal.SIGTERM, _exit_on_term)
    try:
        objective = pickle.loads(payload)
    except BaseException as exc:  # report anything, including SystemExit from the user's file
        conn.send(("fail", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        seq, args = msg
        conn.send(_run_task(objective, seq, args))


def _exit_on_term(signum, frame):
    raise SystemExit(128 + signum)


def _run_task(objective, seq, args):
    try:
        return ("done", seq, objective.run(args))
    except Exception as exc:  # on_error="raise": send the original exception back
        return ("raised", seq, _picklable_exception(exc))


def _picklable_exception(exc: Exception):
    from nondiff.outcome import error_text

    text = error_text(exc)
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__} in a worker (not picklable):\n{text}")
    exc.add_note(f"raised in worker process {os.getpid()}:\n{text}")
    exc.__traceback__ = None
    return exc


class _Worker:
    """One worker process, its pipe, and the task it is running."""

    def __init__(self, ctx, payload: bytes):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, payload), daemon=True,
                                name="nondiff-worker")
        with _ENV_LOCK, pinned_threads(), _sigint_ignored():
            self.proc.start()
        child.close()
        self.ready = False
        self.task = None  # (task index, deadline) while busy
        self.started = time.monotonic()

    def kill(self, graceful: bool) -> None:
        """Stop the process now (SIGTERM first when ``graceful``, to let it clean up)."""
        if self.proc.is_alive() and graceful:
            self.proc.terminate()
            self.proc.join(0.5)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def death_reason(self) -> str:
        self.proc.join(1)
        code = self.proc.exitcode
        if code is not None and code < 0:
            try:
                return f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exited with status {code}"


class pinned_threads:
    """Temporarily pin BLAS/OpenMP threads in os.environ, which a spawned child copies."""

    def __enter__(self):
        self.saved = {k: os.environ.get(k) for k in _PIN}
        os.environ.update(dict.fromkeys(_PIN, "1"))

    def __exit__(self, *exc):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _sigint_ignored:
    """Ignore SIGINT while starting a child: an ignored signal stays ignored across exec, so
    the worker never gets a KeyboardInterrupt, even before its own handler is installed."""

    def __enter__(self):
        self.saved = None
        if threading.current_thread() is threading.main_thread():
            self.saved = signal.signal(signal.SIGINT, signal.SIG_IGN)

    def __exit__(self, *exc):
        if self.saved is not None:
            signal.signal(signal.SIGINT, self.saved)


class WorkerPool:
    """``n`` worker processes running tasks of one objective.

    Parameters
    ----------
    n : int
        Number of worker processes.
    objective : Objective
        Pickled once here; a ``TypeError`` says what to do when it cannot be.
    context : str
        multiprocessing start method (``"spawn"`` or ``"forkserver"``).
    """

    def __init__(self, n: int, objective, *, context: str = "spawn"):
        self._payload = _pickle_objective(objective)
        self._graceful_kill = bool(getattr(objective, "enforces_timeout", False))
        self._ctx = multiprocessing.get_context(context)
        self._seq = 0
        self.workers = [_Worker(self._ctx, self._payload) for _ in range(n)]
        try:
            self._await_ready(self.workers)
        except BaseException:
            self.close()
            raise

    # --- lifecycle ---------------------------------------------------------------------------
    def _await_ready(self, workers) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        waiting = list(workers)
        while waiting:
            ready = wait([w.conn for w in waiting] + [w.proc.sentinel for w in waiting],
                         timeout=max(0.0, deadline - time.monotonic()))
            if not ready:
                raise WorkerStartError(f"workers did not start within {_START_TIMEOUT} s")
            for w in list(waiting):
                if w.conn in ready or w.proc.sentinel in ready:
                    self._handshake(w)
                    waiting.remove(w)

    def _handshake(self, w: _Worker) -> None:
        try:
            msg = w.conn.recv()
        except (EOFError, OSError):
            raise WorkerStartError(f"a worker process died while starting "
                                   f"({w.death_reason()})") from None
        if msg[0] == "fail":
            raise WorkerStartError(f"the objective could not be loaded in a worker process: "
                                   f"{msg[1]}. Define it at module level in a file and pass it, "
                                   "or 'path/to/file.py:function'")
        w.ready = True

    def close(self) -> None:
        """Ask every worker to stop, and kill those that do not within a second."""
        for w in self.workers:
            if not w.ready:  # a replacement still starting holds nothing: no need to wait
                w.kill(graceful=False)
                continue
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 1.0
        for w in self.workers:
            w.proc.join(max(0.0, deadline - time.monotonic()))
            w.kill(graceful=False)
        self.workers = []

    def _replace(self, w: _Worker) -> None:
        """Kill ``w`` (if still running) and start a fresh worker in its place."""
        w.kill(graceful=self._graceful_kill)
        self.workers[self.workers.index(w)] = _Worker(self._ctx, self._payload)

    # --- running tasks -----------------------------------------------------------------------
    def run(self, tasks: list, timeout: float | None, interrupt) -> tuple[list, bool]:
        """Run ``tasks`` (objective arguments); return ``(results, interrupted)``.

        ``results[i]`` is a :class:`TaskResult`, or ``(Status, text, seconds)`` for a task
        that timed out, crashed or was interrupted. ``interrupt`` is an object whose
        ``requested`` attribute says that no task may start any more (Ctrl-C arrived, or a
        time limit passed), ``deadline`` until when running tasks may finish (a
        ``time.monotonic()`` instant, woken up for even before ``requested``; inf for none)
        and ``reason`` what interrupted them, for their error text. An exception raised by the
        objective (``on_error="raise"``) is re-raised after the busy workers have been
        replaced, so no stale result is ever read later.
        """
        run = _Run(tasks, timeout)
        try:
            while run.pending or self._busy():
                if not interrupt.requested:
                    self._assign(run)
                elif self._interrupt_over(run, interrupt):
                    break
                self._collect(run, self._next_wait(timeout, interrupt))
                self._expire(run)
        except BaseException:
            for w in self._busy():
                self._replace(w)
            raise
        return run.results, bool(interrupt.requested)

    def _busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.task is not None]

    def _assign(self, run: _Run) -> None:
        for w in self.workers:
            if not run.pending:
                return
            if w.ready and w.task is None:
                i = run.pending.popleft()
                self._seq += 1
                try:
                    w.conn.send((self._seq, run.tasks[i]))
                except OSError:  # died while idle: start another, the task waits its turn
                    run.pending.appendleft(i)
                    self._replace(w)
                    continue
                now = time.monotonic()
                deadline = None if run.timeout is None else now + run.timeout
                w.task = (i, self._seq, deadline, now)

    def _next_wait(self, timeout, interrupt) -> float:
        now = time.monotonic()
        limits = [w.task[2] for w in self._busy() if w.task[2] is not None]
        limits.append(interrupt.deadline)  # a time limit is known before it is reached
        return max(0.0, min([now + _POLL, *limits]) - now)

    def _collect(self, run: _Run, timeout: float) -> None:
        watched = [w for w in self.workers if w.task is not None or not w.ready]
        if not watched:
            return
        ready = wait([w.conn for w in watched] + [w.proc.sentinel for w in watched], timeout)
        for w in watched:
            if w.conn in ready or w.proc.sentinel in ready:
                self._receive(w, run)

    def _receive(self, w: _Worker, run: _Run) -> None:
        try:
            msg = w.conn.recv() if w.conn.poll() else None
        except (EOFError, OSError):
            msg = None
        if msg is None:
            if w.proc.is_alive():
                return  # only the sentinel fired spuriously; keep waiting
            self._crashed(w, run)
        elif msg[0] == "ready":
            w.ready = True
        elif msg[0] == "fail":
            raise WorkerStartError(f"a replacement worker could not load the objective: {msg[1]}")
        elif w.task is not None and msg[1] == w.task[1]:
            i = w.task[0]
            w.task = None
            if msg[0] == "raised":
                raise msg[2]
            run.results[i] = msg[2]

    def _crashed(self, w: _Worker, run: _Run) -> None:
        reason = f"worker process {w.proc.pid} died ({w.death_reason()})"
        if w.task is None:
            if not w.ready:
                raise WorkerStartError(f"a replacement worker could not start: {reason}")
        else:
            run.results[w.task[0]] = (Status.CRASHED, reason, _elapsed(w))
            w.task = None
        self._replace(w)

    def _expire(self, run: _Run) -> None:
        now = time.monotonic()
        for w in self._busy():
            if w.task[2] is not None and now >= w.task[2]:
                text = f"timed out after {run.timeout:g} s (worker process killed and replaced)"
                run.results[w.task[0]] = (Status.TIMEOUT, text, _elapsed(w))
                w.task = None
                self._replace(w)

    def _interrupt_over(self, run: _Run, interrupt) -> bool:
        """After Ctrl-C: True when the grace period is over (the unfinished are interrupted)."""
        if self._busy() and time.monotonic() < interrupt.deadline:
            return False
        for w in self._busy():
            text = f"interrupted ({interrupt.reason}) while running"
            run.results[w.task[0]] = (Status.INTERRUPTED, text, _elapsed(w))
            w.task = None
            self._replace(w)
        for i in run.pending:
            run.results[i] = (Status.INTERRUPTED, None, 0.0)
        run.pending.clear()
        return True


class _Run:
    """The bookkeeping of one :meth:`WorkerPool.run` call."""

    def __init__(self, tasks, timeout):
        self.tasks = tasks
        self.timeout = timeout
        self.pending = deque(range(len(tasks)))
        self.results: list[TaskResult | tuple | None] = [None] * len(tasks)


def _elapsed(w: _Worker) -> float:
    return time.monotonic() - w.task[3]


def _pickle_objective(objective) -> bytes:
    try:
        return pickle.dumps(objective)
    except Exception as exc:
        name = getattr(objective, "name", type(objective).__name__)
        raise TypeError(
            f"objective {name!r} cannot be pickled for a process pool ({type(exc).__name__}: "
            f"{exc}). Define the function at module level in a file and pass it (or "
            f"'path/to/file.py:{name}'), or run in process with workers=1 and no timeout."
        ) from exc
