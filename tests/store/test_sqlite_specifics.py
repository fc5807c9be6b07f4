"""SQLite-only behaviour the contract cannot express: WAL, schema version, processes, time bound."""
from __future__ import annotations

import subprocess
import sys
import time
from typing import Any
from pathlib import Path

import pytest

from crawler.store.base import BackendError
from crawler.store.sqlite import SQLiteStore, connect, sqlite_module
from search.fts5 import FTS5Index



def test_default_module_is_pysqlite3() -> None:
    module = sqlite_module()
    assert tuple(int(x) for x in module.sqlite_version.split(".")) >= (3, 45)


def test_a_version_1_file_gains_the_hits_table_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path) as store:
        store.upsert_listing({"platform": "weishop", "item_id": "i1", "title": "茶"}, job_id="j")
    conn = connect(path)  # make it look like a file written before hits existed
    conn.execute("DROP TABLE hits")
    conn.execute("UPDATE schema_version SET version = 1")
    conn.commit()
    conn.close()
    with SQLiteStore(path) as store:
        assert store.get_listing("weishop", "i1")["title"] == "茶"
        store.upsert_hits([{"campaign": "c", "rule": "r", "family": "tobacco", "field": "title",
                            "start": 0, "end": 1, "platform": "weishop", "item_id": "i1"}])
        assert store.count_hits() == 1
    conn = connect(path)
    assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == 2


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    SQLiteStore(path).close()
    conn = connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == 2
    conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    with pytest.raises(BackendError, match="schema version 99 is newer"):
        SQLiteStore(path)


def test_schema_creation_is_idempotent(tmp_path: Path) -> None:
    for _ in range(3):
        with SQLiteStore(tmp_path / "s.sqlite") as s:
            s.upsert_listing({"platform": "p", "item_id": "1", "url": "https://x/1", "title": "t"})
    with SQLiteStore(tmp_path / "s.sqlite") as s:
        assert s.count_listings() == 1


def test_time_bound_commits_without_flush(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SQLiteStore(path, batch_size=10_000, batch_seconds=0.05)
    reader = SQLiteStore(path)
    try:
        store.upsert_listing({"platform": "p", "item_id": "1", "url": "https://x/1", "title": "t"})
        assert reader.count_listings() == 0  # still in the open batch
        time.sleep(0.06)
        store.flush_if_due()
        assert reader.count_listings() == 1
        for i in range(3):  # a write after the deadline commits by itself
            store.upsert_listing({"platform": "p", "item_id": f"x{i}", "url": "https://x/", "title": "t"})
            time.sleep(0.06)
        assert reader.count_listings() >= 3
    finally:
        store.close()
        reader.close()


def test_count_bound_commits(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path, batch_size=10, batch_seconds=3600) as store, SQLiteStore(path) as reader:
        for i in range(25):
            store.upsert_listing({"platform": "p", "item_id": str(i), "url": "https://x/", "title": "t"})
        assert reader.count_listings() == 20


_WRITE = """
import sys
from crawler.store.sqlite import SQLiteStore
from search.fts5 import FTS5Index
with SQLiteStore(sys.argv[1]) as s, FTS5Index(sys.argv[2]) as ix:
    for i in range(300):
        item = {"platform": "weishop", "item_id": str(i), "url": "https://x/%d" % i, "title": "香烟 %d" % i}
        s.upsert_listing(item, "2024-05-01T00:00:00Z", "j1")
    ix.index_listings([{"platform": "weishop", "item_id": str(i), "title": "正品香菸 %d" % i} for i in range(300)])
"""
_READ = """
import sys
from crawler.store.sqlite import SQLiteStore
from search.fts5 import FTS5Index
with SQLiteStore(sys.argv[1]) as s, FTS5Index(sys.argv[2]) as ix:
    print(s.count_listings(), ix.search("香烟").total, ix.search("正品香烟").total)
"""


def test_two_processes_sequentially(tmp_path: Path) -> None:
    args = [str(tmp_path / "s.sqlite"), str(tmp_path / "i.sqlite")]
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", _WRITE, *args], check=True, cwd=root, timeout=120)
    out = subprocess.run([sys.executable, "-c", _READ, *args], check=True, cwd=root, timeout=120,
                         capture_output=True, text=True).stdout.split()
    assert out == ["300", "300", "300"]


def test_reader_process_sees_committed_data_while_writer_is_open(tmp_path: Path) -> None:
    args = [str(tmp_path / "s.sqlite"), str(tmp_path / "i.sqlite")]
    root = Path(__file__).resolve().parents[2]
    with SQLiteStore(args[0]) as s, FTS5Index(args[1]) as ix:
        s.upsert_listing({"platform": "p", "item_id": "1", "url": "https://x/1", "title": "t"})
        ix.index_listings([{"platform": "p", "item_id": "1", "title": "香烟"}])
        s.flush()
        ix.flush()
        s.upsert_listing({"platform": "p", "item_id": "2", "url": "https://x/2", "title": "t"})  # open batch
        out = subprocess.run([sys.executable, "-c", _READ, *args], check=True, cwd=root,
                             timeout=120, capture_output=True, text=True).stdout.split()
    assert out == ["1", "1", "0"]


def test_closed_store_refuses_writes(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "s.sqlite")
    s.close()
    with pytest.raises(BackendError, match="closed"):
        s.upsert_listing({"platform": "p", "item_id": "1"})


def test_index_schema_mismatch_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite"
    FTS5Index(path).close()
    conn = connect(path)
    conn.execute("UPDATE index_meta SET value = '1' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(BackendError, match="delete the file and crawl again"):
        FTS5Index(path)


def test_index_works_on_both_sqlite_versions_side_by_side(tmp_path: Path) -> None:
    """An index file written with SQLite 3.51 is readable with Debian's 3.40 and vice versa."""
    path = tmp_path / "i.sqlite"
    with FTS5Index(path, sqlite=sqlite_module("pysqlite3")) as ix:
        ix.index_listings([{"platform": "p", "item_id": "1", "title": "正品香菸"}])
    with FTS5Index(path, sqlite=sqlite_module("sqlite3")) as ix:
        assert ix.search("香烟").total == 1 and ix.search("烟").total == 1
        ix.index_listings([{"platform": "p", "item_id": "2", "title": "电子烟"}])
    with FTS5Index(path, sqlite=sqlite_module("pysqlite3")) as ix:
        assert ix.search("烟").total == 2


def _open_at_once(path: str, barrier: Any, results: Any) -> None:
    from crawler.config import open_index, open_store

    barrier.wait()
    try:
        open_store(None, path).close()
        open_index(None, path).close()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        results.put(f"{type(exc).__name__}: {exc}")


def test_processes_opening_a_new_data_dir_at_once_all_succeed(tmp_path) -> None:
    """Workers started together on a fresh data directory: switching it to WAL can fail with
    "database is locked" at once, bypassing the busy timeout; one worker then lost its job."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    failures = []
    for trial in range(40):
        barrier, results = ctx.Barrier(4), ctx.Queue()
        procs = [ctx.Process(target=_open_at_once, args=(str(tmp_path / f"d{trial}"), barrier, results))
                 for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        failures += [r for r in (results.get(timeout=10) for _ in procs) if r != "ok"]
    assert failures == []


@pytest.mark.parametrize("held", [0.005, 0.2])  # within the short retries, and past them (busy handler)
def test_a_write_transaction_waits_for_another_connections(tmp_path: Path, held: float) -> None:
    """Two workers share one file: the second's BEGIN IMMEDIATE waits for the first's commit
    (short retries first, then SQLite's busy handler) and its busy timeout is back afterwards."""
    import threading

    from crawler import sqlitedb

    path = tmp_path / "s.sqlite"
    first, second = connect(path), connect(path)
    first.execute("CREATE TABLE t (x)")
    sqlitedb.begin_immediate(first)
    first.execute("INSERT INTO t VALUES (1)")
    threading.Timer(held, lambda: first.execute("COMMIT")).start()
    sqlitedb.begin_immediate(second)  # blocks until the timer's commit
    assert second.execute("SELECT x FROM t").fetchall() == [(1,)]  # the first one's row is visible
    second.execute("INSERT INTO t VALUES (2)")
    second.execute("COMMIT")
    assert second.execute("PRAGMA busy_timeout").fetchone()[0] == int(sqlitedb.BUSY_TIMEOUT * 1000)
    with pytest.raises(second.OperationalError, match="within a transaction"):
        second.execute("BEGIN")
        sqlitedb.begin_immediate(second)  # not a lock: raised at once
    second.execute("ROLLBACK")
    assert second.execute("PRAGMA busy_timeout").fetchone()[0] == int(sqlitedb.BUSY_TIMEOUT * 1000)
    first.close()
    second.close()
