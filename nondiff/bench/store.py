"""Benchmark results in SQLite: one row per finished run plus its best-so-far trace.

The database is the campaign's memory. A run is written with its trace in one transaction, so a
campaign killed at any moment holds only whole runs; rerunning it skips every key already there
(:meth:`Store.done_keys`) and never repeats or loses a finished run. WAL mode and
``BEGIN IMMEDIATE`` transactions with a busy timeout let several processes append to one file.
Each campaign start records the software versions, the machine, the BLAS thread settings and
the options, and every run points to the campaign that produced it.

Columns that depend on the machine's speed or the clock (``seconds``, ``finished_at``,
``campaign``) are kept apart from the rest by :data:`VOLATILE`, and :meth:`Store.fingerprint`
hashes everything else: two campaigns with the same plan give the same fingerprint.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import json
import os
import pathlib
import platform
import sqlite3
from importlib import metadata

__all__ = ["Store", "versions", "machine", "source_digest", "VOLATILE"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT, options TEXT, versions TEXT,
    machine TEXT, threads TEXT);
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY, suite TEXT, function TEXT, dim INTEGER, instance INTEGER,
    strategy TEXT, seed_index INTEGER, seed INTEGER, budget INTEGER, options TEXT,
    fopt REAL, exact INTEGER, nfev INTEGER, best REAL, precision REAL, stop_reason TEXT,
    hits TEXT, campaign INTEGER, seconds REAL, finished_at TEXT);
CREATE TABLE IF NOT EXISTS traces (
    key TEXT, evals INTEGER, best REAL, PRIMARY KEY (key, evals));
"""
RUN_COLUMNS = ("key", "suite", "function", "dim", "instance", "strategy", "seed_index", "seed",
               "budget", "options", "fopt", "exact", "nfev", "best", "precision",
               "stop_reason", "hits", "campaign", "seconds", "finished_at")
VOLATILE = frozenset({"campaign", "seconds", "finished_at"})
_PACKAGES = ("nondiff", "numpy", "scipy", "cma", "coco-experiment", "matplotlib")
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def versions() -> dict[str, str | None]:
    """Python, the versions of the packages a result depends on (None if absent) and a digest
    of nondiff's own source (an editable install keeps one version number across edits)."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    out["nondiff_source"] = source_digest()
    return out


def source_digest(packages=("nondiff", "strategies")) -> str:
    """SHA-256 (16 hex digits) of the ``.py`` files of ``packages``, by relative path."""
    h = hashlib.sha256()
    for pkg in packages:
        spec = importlib.util.find_spec(pkg)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = list(spec.submodule_search_locations)[0]
        for path in sorted(pathlib.Path(root).rglob("*.py")):
            h.update(f"{pkg}/{path.relative_to(root)}".encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def machine() -> dict:
    """Host name, platform, processor and CPU count."""
    return {"node": platform.node(), "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count()}


def thread_settings(env=None) -> dict:
    """The BLAS/OpenMP thread-count variables as set in ``env`` (default ``os.environ``)."""
    env = os.environ if env is None else env
    return {k: env.get(k) for k in _THREAD_VARS}


class Store:
    """A results database (created if missing).

    Parameters
    ----------
    path : str or Path
        The SQLite file.
    timeout : float
        Seconds to wait for another writer's lock before giving up.
    """

    def __init__(self, path, timeout: float = 60.0):
        self.path = str(path)
        # autocommit mode: transactions are opened explicitly by _transaction()
        self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _transaction(self):
        return _Transaction(self.db)

    # --- writing -----------------------------------------------------------------------------
    def start_campaign(self, options: dict, threads: dict | None = None) -> int:
        """Record a campaign start (versions, machine, thread settings, options); its id."""
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        row = (now, _dumps(options), _dumps(versions()), _dumps(machine()),
               _dumps(threads if threads is not None else thread_settings()))
        with self._transaction():
            cur = self.db.execute("INSERT INTO campaigns (started_at, options, versions, "
                                  "machine, threads) VALUES (?, ?, ?, ?, ?)", row)
        return int(cur.lastrowid)

    def add_run(self, run: dict, trace) -> bool:
        """Insert one finished run and its trace ``[(evals, best), ...]`` atomically.

        Returns False (and writes nothing) when the key is already stored.
        """
        row = dict(run)
        row.setdefault("finished_at", datetime.datetime.now(datetime.UTC).isoformat())
        row["hits"] = _dumps(row.get("hits"))
        row["options"] = _dumps(row.get("options") or {})
        values = [row.get(c) for c in RUN_COLUMNS]
        marks = ", ".join("?" * len(RUN_COLUMNS))
        with self._transaction():
            cur = self.db.execute(f"INSERT OR IGNORE INTO runs ({', '.join(RUN_COLUMNS)}) "
                                  f"VALUES ({marks})", values)
            if cur.rowcount == 0:
                return False
            self.db.executemany("INSERT INTO traces (key, evals, best) VALUES (?, ?, ?)",
                                [(run["key"], int(e), float(b)) for e, b in trace])
        return True

    # --- reading -----------------------------------------------------------------------------
    def done_keys(self) -> set[str]:
        """Keys of every stored run."""
        return {k for (k,) in self.db.execute("SELECT key FROM runs")}

    def runs(self, **where) -> list[dict]:
        """Stored runs as dicts (``hits`` and ``options`` decoded), filtered by column values."""
        sql, args = "SELECT * FROM runs", []
        if where:
            sql += " WHERE " + " AND ".join(f"{_column(c)} = ?" for c in where)
            args = list(where.values())
        cur = self.db.execute(sql + " ORDER BY key", args)
        names = [d[0] for d in cur.description]
        return [_decode(dict(zip(names, r))) for r in cur]

    def traces(self) -> dict[str, list[tuple[int, float]]]:
        """Every trace, by run key, as ``[(evals, best), ...]`` in evaluation order."""
        out: dict[str, list] = {}
        for key, e, b in self.db.execute("SELECT key, evals, best FROM traces "
                                         "ORDER BY key, evals"):
            out.setdefault(key, []).append((e, b))
        return out

    def campaigns(self) -> list[dict]:
        cur = self.db.execute("SELECT * FROM campaigns ORDER BY id")
        names = [d[0] for d in cur.description]
        return [{n: (json.loads(v) if n in ("options", "versions", "machine", "threads")
                     else v) for n, v in zip(names, r)} for r in cur]

    def fingerprint(self) -> str:
        """SHA-256 of every run's machine-independent columns and of every trace, by key."""
        h = hashlib.sha256()
        cols = [c for c in RUN_COLUMNS if c not in VOLATILE]
        for row in self.db.execute(f"SELECT {', '.join(cols)} FROM runs ORDER BY key"):
            h.update(repr(row).encode())
        for row in self.db.execute("SELECT key, evals, best FROM traces ORDER BY key, evals"):
            h.update(repr(row).encode())
        return h.hexdigest()


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (including KeyboardInterrupt)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")  # take the write lock now, not at the first write

    def __exit__(self, exc_type, *exc):
        self.db.execute("ROLLBACK" if exc_type is not None else "COMMIT")


def _dumps(obj) -> str:
    return json.dumps(obj, sort_keys=True)


def _column(name: str) -> str:
    if name not in RUN_COLUMNS:
        raise ValueError(f"unknown run column {name!r}; known: {', '.join(RUN_COLUMNS)}")
    return name


def _decode(row: dict) -> dict:
    row["hits"] = json.loads(row["hits"]) if row["hits"] else None
    row["options"] = json.loads(row["options"]) if row["options"] else {}
    return row
