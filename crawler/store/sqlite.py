"""SQLite store (the embedded default): one WAL-mode file, batched write transactions.

Why pysqlite3: Debian's SQLite 3.40 has the FTS5 trigram trap (design.md, "Known traps"); the
wheel ships 3.51. The store itself works on either; ``connect`` is shared with ``search.fts5``.
WAL lets a CLI search read while a crawl writes; a second writer waits (busy timeout) for the
current batch (at most ``batch_size`` writes or ``batch_seconds``) to commit.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable, Iterator, Mapping

from crawler.sqlitedb import Batch, SQLiteFile, connect, sqlite_module  # noqa: F401 (re-exported)
from crawler.store.hits import HIT_FIELDS, hit_record, plan_hit_upsert
from crawler.store.base import (
    BackendError,
    Store,
    UpsertResult,
    decimal_or_none,
    iso_utc,
    job_record,
    plan_listing_upsert,
    plan_merchant_upsert,
)

SCHEMA_VERSION = 2  # 2: detection hits

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (
    id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS merchants (
    platform TEXT NOT NULL, shop_id TEXT NOT NULL, url TEXT, name TEXT,
    licence_company TEXT, licence_uscc TEXT, licence_address TEXT, licence_scope TEXT,
    licence_shown_as TEXT, followers INTEGER, rating REAL, handle TEXT, content_hash TEXT,
    first_seen TEXT, last_seen TEXT, version INTEGER, job_id TEXT, more TEXT,
    UNIQUE (platform, shop_id));
CREATE TABLE IF NOT EXISTS listings (
    platform TEXT NOT NULL, item_id TEXT NOT NULL, url TEXT, shop_id TEXT, title TEXT,
    description TEXT, category TEXT, price TEXT, currency TEXT, price_text TEXT, sales INTEGER,
    images TEXT, status TEXT NOT NULL, content_hash TEXT, first_seen TEXT, last_seen TEXT,
    version INTEGER, job_id TEXT, extra TEXT, more TEXT,
    UNIQUE (platform, item_id));
CREATE INDEX IF NOT EXISTS listings_status ON listings (status, platform);
CREATE INDEX IF NOT EXISTS listings_last_seen ON listings (last_seen);
CREATE INDEX IF NOT EXISTS listings_shop ON listings (platform, shop_id);
CREATE TABLE IF NOT EXISTS listing_versions (
    platform TEXT NOT NULL, item_id TEXT NOT NULL, version INTEGER NOT NULL,
    changed_at TEXT NOT NULL, job_id TEXT, content_hash TEXT, fields TEXT, previous TEXT,
    PRIMARY KEY (platform, item_id, version));
CREATE TABLE IF NOT EXISTS pages (
    url TEXT NOT NULL, fetched_at TEXT NOT NULL, status INTEGER, body_sha256 TEXT, size INTEGER,
    content_type TEXT, platform TEXT, job_id TEXT, more TEXT,
    PRIMARY KEY (url, fetched_at));
CREATE INDEX IF NOT EXISTS pages_job ON pages (job_id);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, spider TEXT, profile TEXT, state TEXT, started_at TEXT,
    finished_at TEXT, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_started ON jobs (started_at);
CREATE TABLE IF NOT EXISTS hits (
    id TEXT PRIMARY KEY, campaign TEXT NOT NULL, rule TEXT NOT NULL, family TEXT NOT NULL,
    severity TEXT, field TEXT NOT NULL, matched TEXT, start INTEGER, "end" INTEGER, snippet TEXT,
    detail TEXT,
    platform TEXT NOT NULL, item_id TEXT, shop_id TEXT, url TEXT, first_seen TEXT,
    last_seen TEXT, job_id TEXT);
CREATE INDEX IF NOT EXISTS hits_campaign ON hits (campaign, family);
CREATE INDEX IF NOT EXISTS hits_family ON hits (family);
"""

_LISTING_COLS = ("platform", "item_id", "url", "shop_id", "title", "description", "category",
                 "price", "currency", "price_text", "sales", "images", "status", "content_hash",
                 "first_seen", "last_seen", "version", "job_id", "extra", "more")
_MERCHANT_COLS = ("platform", "shop_id", "url", "name", "licence_company", "licence_uscc",
                  "licence_address", "licence_scope", "licence_shown_as", "followers", "rating",
                  "handle", "content_hash", "first_seen", "last_seen", "version", "job_id", "more")
_PAGE_COLS = ("url", "fetched_at", "status", "body_sha256", "size", "content_type", "platform",
              "job_id", "more")
_UPSERT_HIT = (f"INSERT OR REPLACE INTO hits ({', '.join(chr(34) + f + chr(34) for f in HIT_FIELDS)}) "
               f"VALUES ({', '.join('?' * len(HIT_FIELDS))})")
_JSON_COLS = frozenset({"images", "extra", "more"})


def _upsert_sql(table: str, cols: tuple[str, ...], key: tuple[str, ...]) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in key)
    return (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}")


_UPSERT_LISTING = _upsert_sql("listings", _LISTING_COLS, ("platform", "item_id"))
_UPSERT_MERCHANT = _upsert_sql("merchants", _MERCHANT_COLS, ("platform", "shop_id"))


def _dumps(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _decode_fields(fields: dict[str, Any] | None) -> dict[str, Any]:
    fields = dict(fields or {})
    if fields.get("price") is not None:
        fields["price"] = decimal_or_none(fields["price"])
    return fields


class SQLiteStore(SQLiteFile, Store):
    """Store on one SQLite file (``:memory:`` works for throwaway use)."""

    kind = "store"

    def __init__(self, path: str | Path, *, batch_size: int = 500, batch_seconds: float = 1.0,
                 sqlite: ModuleType | None = None) -> None:
        self.path = str(path)
        self._db = sqlite or sqlite_module()
        self.conn = connect(self.path, self._db)
        self.conn.row_factory = self._db.Row
        self._batch = Batch(self.conn, batch_size, batch_seconds)
        self._closed = False
        self._create_schema(_SCHEMA.split(";"), SCHEMA_VERSION)

    # --- schema ------------------------------------------------------------------------------
    def _stored_version(self) -> int | None:
        try:
            row = self.conn.execute("SELECT version FROM schema_version WHERE id = 1").fetchone()
        except self._db.OperationalError:
            return None
        return None if row is None else int(row[0])

    def _record_version(self) -> None:
        self.conn.execute("INSERT OR REPLACE INTO schema_version VALUES (1, ?, ?)",
                          (SCHEMA_VERSION, iso_utc()))

    def _check_version(self, found: int) -> None:
        if found > SCHEMA_VERSION:
            raise BackendError(f"{self.path}: schema version {found} is newer than this shopwatch "
                               f"understands ({SCHEMA_VERSION}); upgrade shopwatch or use another file")

    # --- row conversion ----------------------------------------------------------------------
    @staticmethod
    def _listing_from_row(row: Any) -> dict[str, Any]:
        rec = {k: row[k] for k in row.keys()}
        rec["price"] = decimal_or_none(rec["price"])
        rec["images"] = _loads(rec["images"]) or []
        rec["extra"] = _loads(rec["extra"]) or {}
        more = _loads(rec.pop("more")) or {}
        rec.update({k: v for k, v in more.items() if k not in rec})
        return rec

    @staticmethod
    def _plain_from_row(row: Any) -> dict[str, Any]:
        rec = {k: row[k] for k in row.keys()}
        more = _loads(rec.pop("more")) or {}
        rec.update({k: v for k, v in more.items() if k not in rec})
        return rec

    @staticmethod
    def _values(rec: Mapping[str, Any], cols: tuple[str, ...]) -> list[Any]:
        out = []
        for c in cols:
            v = rec.get(c)
            if c in _JSON_COLS:
                v = _dumps(v) if v else None
            elif c == "price" and v is not None:
                v = str(v)
            out.append(v)
        return out


    # --- merchants and listings ----------------------------------------------------------------
    def upsert_merchant(self, item: Mapping[str, Any], seen_at: str | datetime | None = None,
                        job_id: str | None = None) -> UpsertResult:
        self._check_open()
        self._batch.begin()
        existing = self.get_merchant(item.get("platform"), item.get("shop_id"))
        rec, outcome = plan_merchant_upsert(existing, item, iso_utc(seen_at), job_id)
        self.conn.execute(_UPSERT_MERCHANT, self._values(rec, _MERCHANT_COLS))
        self._batch.wrote()
        return UpsertResult(outcome, rec["version"], rec)

    def upsert_listing(self, item: Mapping[str, Any], seen_at: str | datetime | None = None,
                       job_id: str | None = None) -> UpsertResult:
        self._check_open()
        self._batch.begin()
        existing = self.get_listing(item.get("platform"), item.get("item_id"))
        rec, outcome, version_row = plan_listing_upsert(existing, item, iso_utc(seen_at), job_id)
        self.conn.execute(_UPSERT_LISTING, self._values(rec, _LISTING_COLS))
        if version_row is not None:
            self.conn.execute(
                "INSERT OR REPLACE INTO listing_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (version_row["platform"], version_row["item_id"], version_row["version"],
                 version_row["changed_at"], version_row["job_id"], version_row["content_hash"],
                 _dumps(version_row["fields"]), _dumps(version_row["previous"])))
        self._batch.wrote()
        return UpsertResult(outcome, rec["version"], rec)

    def get_listing(self, platform: str, item_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM listings WHERE platform = ? AND item_id = ?",
                                (platform, item_id)).fetchone()
        return None if row is None else self._listing_from_row(row)

    def get_merchant(self, platform: str, shop_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM merchants WHERE platform = ? AND shop_id = ?",
                                (platform, shop_id)).fetchone()
        return None if row is None else self._plain_from_row(row)

    def listing_versions(self, platform: str, item_id: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM listing_versions WHERE platform = ? AND item_id = ? ORDER BY version",
            (platform, item_id)).fetchall()
        return [{"platform": r["platform"], "item_id": r["item_id"], "version": r["version"],
                 "changed_at": r["changed_at"], "job_id": r["job_id"],
                 "content_hash": r["content_hash"], "fields": _decode_fields(_loads(r["fields"])),
                 "previous": _decode_fields(_loads(r["previous"]))} for r in rows]

    @staticmethod
    def _where(**filters: Any) -> tuple[str, list[Any]]:
        clauses, params = [], []
        for col, value in filters.items():
            if value is None:
                continue
            if col == "since":
                clauses.append("last_seen >= ?")
                params.append(iso_utc(value))
            else:
                clauses.append(f"{col} = ?")
                params.append(value)
        return (" AND ".join(clauses) or "1"), params

    def _keyset(self, table: str, key: tuple[str, str], where: str, params: list[Any],
                page: int = 1000) -> Iterator[Any]:
        last: tuple[Any, Any] | None = None
        while True:
            cond, args = where, list(params)
            if last is not None:
                cond += f" AND ({key[0]}, {key[1]}) > (?, ?)"
                args += list(last)
            rows = self.conn.execute(
                f"SELECT * FROM {table} WHERE {cond} ORDER BY {key[0]}, {key[1]} LIMIT {page}",
                args).fetchall()
            yield from rows
            if len(rows) < page:
                return
            last = (rows[-1][key[0]], rows[-1][key[1]])

    def iter_listings(self, platform: str | None = None, status: str | None = None,
                      since: str | datetime | None = None) -> Iterator[dict[str, Any]]:
        where, params = self._where(platform=platform, status=status, since=since)
        for row in self._keyset("listings", ("platform", "item_id"), where, params):
            yield self._listing_from_row(row)

    def iter_merchants(self, platform: str | None = None) -> Iterator[dict[str, Any]]:
        where, params = self._where(platform=platform)
        for row in self._keyset("merchants", ("platform", "shop_id"), where, params):
            yield self._plain_from_row(row)

    def count_listings(self, platform: str | None = None, status: str | None = None) -> int:
        where, params = self._where(platform=platform, status=status)
        return self.conn.execute(f"SELECT count(*) FROM listings WHERE {where}", params).fetchone()[0]

    def count_merchants(self, platform: str | None = None) -> int:
        where, params = self._where(platform=platform)
        return self.conn.execute(f"SELECT count(*) FROM merchants WHERE {where}", params).fetchone()[0]

    # --- pages and jobs ------------------------------------------------------------------------
    def put_pages(self, pages: list[Mapping[str, Any]]) -> None:
        self._check_open()
        if not pages:
            return
        rows = []
        for page in pages:
            rec = dict(page)
            rec["fetched_at"] = iso_utc(rec.get("fetched_at"))
            more = {k: v for k, v in rec.items() if k not in _PAGE_COLS}
            rec["more"] = more or None
            rows.append(self._values(rec, _PAGE_COLS))
        self._batch.begin()
        self.conn.executemany(
            f"INSERT OR REPLACE INTO pages ({', '.join(_PAGE_COLS)}) "
            f"VALUES ({', '.join('?' * len(_PAGE_COLS))})", rows)
        self._batch.wrote(len(rows))

    def iter_pages(self, job_id: str | None = None) -> Iterator[dict[str, Any]]:
        where, params = self._where(job_id=job_id)
        for row in self._keyset("pages", ("url", "fetched_at"), where, params):
            yield self._plain_from_row(row)

    def count_pages(self, job_id: str | None = None) -> int:
        where, params = self._where(job_id=job_id)
        return self.conn.execute(f"SELECT count(*) FROM pages WHERE {where}", params).fetchone()[0]

    def save_job(self, job: Mapping[str, Any]) -> None:
        self._check_open()
        doc = job_record(job)
        self._batch.begin()
        self.conn.execute(
            "INSERT OR REPLACE INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc["id"], doc.get("spider"), doc.get("profile"), doc.get("state"),
             doc.get("started_at"), doc.get("finished_at"), _dumps(doc)))
        self._batch.wrote()

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT doc FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else _loads(row[0])

    def list_jobs(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT doc FROM jobs ORDER BY started_at DESC, id DESC LIMIT ?", (int(limit),))
        return [_loads(r[0]) for r in rows]

    # --- detection hits ------------------------------------------------------------------------
    def upsert_hits(self, hits: Iterable[Mapping[str, Any]], seen_at: str | datetime | None = None,
                    job_id: str | None = None) -> dict[str, int]:
        self._check_open()
        when, counts = iso_utc(seen_at), {"new": 0, "seen": 0}
        for hit in hits:
            self._batch.begin()
            rec = hit_record(hit)
            rec, new = plan_hit_upsert(self.get_hit(rec["id"]), rec, when, job_id)
            self.conn.execute(_UPSERT_HIT, [rec[f] for f in HIT_FIELDS])
            self._batch.wrote()
            counts["new" if new else "seen"] += 1
        return counts

    def get_hit(self, hit_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM hits WHERE id = ?", (hit_id,)).fetchone()
        return None if row is None else {k: row[k] for k in row.keys()}

    def iter_hits(self, campaign: str | None = None, family: str | None = None,
                  since: str | datetime | None = None) -> Iterator[dict[str, Any]]:
        where, params = self._where(campaign=campaign, family=family, since=since)
        last = ""
        while True:
            rows = self.conn.execute(f"SELECT * FROM hits WHERE {where} AND id > ? ORDER BY id LIMIT 1000",
                                     [*params, last]).fetchall()
            for row in rows:
                yield {k: row[k] for k in row.keys()}
            if len(rows) < 1000:
                return
            last = rows[-1]["id"]

    def count_hits(self, campaign: str | None = None, family: str | None = None) -> int:
        where, params = self._where(campaign=campaign, family=family)
        return self.conn.execute(f"SELECT count(*) FROM hits WHERE {where}", params).fetchone()[0]
