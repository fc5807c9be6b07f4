"""One SQLite file with a batched write transaction: what the embedded store and the embedded
index share (pysqlite3's SQLite 3.51 when installed — see design.md's FTS5 trap on 3.40)."""
from __future__ import annotations

import time
from pathlib import Path
from types import ModuleType
from collections.abc import Iterable
from typing import Any

from crawler.backend import BackendError


def sqlite_module(name: str | None = None) -> ModuleType:
    """pysqlite3 (SQLite 3.51) when importable, else the standard library's sqlite3."""
    if name in (None, "pysqlite3"):
        try:
            from pysqlite3 import dbapi2  # type: ignore[import-not-found]

            return dbapi2
        except ImportError:
            if name == "pysqlite3":
                raise
    import sqlite3

    return sqlite3


#: Seconds a connection waits for another one's write lock (SQLite's busy handler), in ms below.
BUSY_TIMEOUT = 30.0
#: Before that handler, a write transaction is tried every BEGIN_RETRY_SLEEP seconds for up to
#: BEGIN_RETRY_SECONDS: the handler sleeps 1, 2, 5, 10 ... ms between its tries, while another
#: worker's commit holds the lock for ~0.1 ms -- two workers sharing one file lost ~2% of their
#: time in those sleeps (measured, bench/workers.py).
BEGIN_RETRY_SECONDS = 0.02
BEGIN_RETRY_SLEEP = 0.0001


def connect(path: str | Path, module: ModuleType | None = None) -> Any:
    """Open ``path`` in autocommit mode (transactions are explicit) with WAL and a busy timeout."""
    module = module or sqlite_module()
    target = str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        # check_same_thread off: a handle may be written by its writer thread (crawler.writer);
        # the callers serialize their use of one connection.
        conn = module.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT, check_same_thread=False)
        if target != ":memory:":
            _set_wal(conn, module)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        conn.execute("PRAGMA temp_store=MEMORY")
    except module.Error as exc:
        raise BackendError(f"cannot open SQLite database {target!r}: {exc}") from exc
    return conn


def _set_wal(conn: Any, module: ModuleType, wait: float = 30.0) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another process holds the file: switching the
    journal mode can fail with "database is locked" at once, without the busy handler (seen when
    two workers open a new data directory together — one of them silently lost its job)."""
    deadline = time.monotonic() + wait
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except module.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def begin_immediate(conn: Any) -> None:
    """``BEGIN IMMEDIATE``: while another connection holds the write lock, retried every
    BEGIN_RETRY_SLEEP for BEGIN_RETRY_SECONDS without the busy handler, then with it (up to
    BUSY_TIMEOUT). Raises what SQLite raises once the lock stays taken."""
    conn.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + BEGIN_RETRY_SECONDS
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except conn.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    break
            time.sleep(BEGIN_RETRY_SLEEP)
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
    conn.execute("BEGIN IMMEDIATE")  # still taken: SQLite's busy handler, up to BUSY_TIMEOUT


class Batch:
    """An open write transaction committed after ``max_writes`` writes or ``max_seconds``."""

    def __init__(self, conn: Any, max_writes: int = 500, max_seconds: float = 1.0) -> None:
        self.conn, self.max_writes, self.max_seconds = conn, max_writes, max_seconds
        self.open = False
        self.writes = 0
        self.started = 0.0

    def begin(self) -> None:
        if not self.open:
            begin_immediate(self.conn)
            self.open, self.writes, self.started = True, 0, time.monotonic()

    def wrote(self, n: int = 1) -> None:
        self.writes += n
        if self.writes >= self.max_writes or self.due():
            self.commit()

    def due(self) -> bool:
        return self.open and time.monotonic() - self.started >= self.max_seconds

    def commit(self) -> None:
        if self.open:
            self.conn.execute("COMMIT")
            self.open, self.writes = False, 0


class SQLiteFile:
    """Lifecycle of a back end living in one SQLite file; subclasses set ``kind`` and open
    ``self.conn`` / ``self._batch`` / ``self._db`` / ``self.path`` / ``self._closed``."""

    kind = "database"
    path: str
    conn: Any
    _batch: Batch
    _db: ModuleType
    _closed: bool

    # --- schema: subclasses say where their version lives and what a mismatch means ------------
    def _stored_version(self) -> int | None:
        raise NotImplementedError

    def _record_version(self) -> None:
        raise NotImplementedError

    def _check_version(self, found: int) -> None:
        """Raise BackendError when a file of another schema version cannot be used."""

    def _schema_error(self, exc: Exception) -> str:
        return f"{self.path}: cannot create the {self.kind} schema: {exc}"

    def _create_schema(self, statements: Iterable[str], current: int) -> None:
        """Create the schema in one write transaction, unless the file is already at ``current``
        (then opening takes no write lock, so readers can open while a crawl writes)."""
        try:
            if self._stored_version() == current:
                return
            begin_immediate(self.conn)
            for statement in statements:
                if statement.strip():
                    self.conn.execute(statement)
            found = self._stored_version()
            if found is not None:
                self._check_version(found)
            if found is None or found < current:
                self._record_version()  # older files: the IF NOT EXISTS statements upgraded them
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self.conn.close()
            if isinstance(exc, self._db.Error):
                raise BackendError(self._schema_error(exc)) from exc
            raise

    def _check_open(self) -> None:
        if self._closed:
            raise BackendError(f"{self.kind} {self.path} is closed")

    def flush(self) -> None:
        if not self._closed:
            self._batch.commit()

    def flush_if_due(self) -> None:
        if not self._closed and self._batch.due():
            self._batch.commit()

    def close(self) -> None:
        if self._closed:
            return
        self._batch.commit()
        self.conn.close()
        self._closed = True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r}, sqlite {self._db.sqlite_version})"
