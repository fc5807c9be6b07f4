"""MongoDB store (pymongo): same upsert rules as SQLite (``plan_*_upsert``), buffered bulk writes.

Why a write-behind buffer keyed by ``_id``: a crawl upserts the same records many times; the
buffer keeps the latest document per key (coalescing), is written with unordered bulk requests
when ``batch_size`` writes or ``batch_seconds`` pass, and survives a server outage: transient
errors (AutoReconnect, timeouts, no server) leave it intact for the next flush.
During an outage an upsert cannot read the stored record, so the observation itself is queued
(outcome ``deferred``) and merged by the shared rules, in arrival order, once the server answers;
while the server is down no call blocks the crawl (retries back off: 0.5 s doubling to 15 s,
probed with a short timeout), and an explicit ``flush()`` waits up to ``outage_wait`` seconds.
Queued observations plus buffered documents are bounded by ``max_buffered``: past it writes
fail loudly (BackendError naming the count) instead of eating memory — never a silent loss.
Every document has a deterministic ``_id`` (JSON of its key), so a replayed request is idempotent
and every lookup is an ``_id`` lookup (FerretDB's SQLite handler pushes only ``_id`` filters down).

FerretDB 1.24 (the test server) is not MongoDB: see docs/backends.md. Code paths used here work on
both; the one FerretDB-driven limit is ``ops_per_request`` (it stalls on ~100 replaces in one
request).
"""
from __future__ import annotations

import json
import logging
import time
from collections import deque
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Iterator, Mapping

from crawler.backend import Outage
from crawler.store.hits import hit_record, plan_hit_upsert
from crawler.store.base import (
    PAGE_FIELDS,
    BackendError,
    ServerUnavailable,
    Store,
    UpsertResult,
    decimal_or_none,
    iso_utc,
    job_record,
    plan_listing_upsert,
    plan_merchant_upsert,
)

try:
    import pymongo
    from pymongo import ASCENDING, DESCENDING, InsertOne, ReplaceOne
    from pymongo.errors import BulkWriteError, ConnectionFailure, OperationFailure, PyMongoError
except ImportError as exc:  # pragma: no cover - depends on the install
    raise BackendError("the MongoDB store needs pymongo: pip install 'shopwatch[servers]'") from exc

log = logging.getLogger(__name__)

#: Collection -> (key fields, secondary indexes). Unique key indexes guard against stray writers.
_COLLECTIONS: dict[str, tuple[tuple[str, ...], list[list[tuple[str, int]]]]] = {
    "merchants": (("platform", "shop_id"), []),
    "listings": (("platform", "item_id"), [[("status", 1), ("platform", 1)], [("last_seen", 1)],
                                           [("platform", 1), ("shop_id", 1)]]),
    "listing_versions": (("platform", "item_id", "version"), []),
    "pages": (("url", "fetched_at"), [[("job_id", 1)]]),
    "jobs": (("id",), [[("started_at", -1)]]),
    "hits": (("id",), [[("campaign", 1), ("family", 1)], [("family", 1)]]),
}
_DUPLICATE_KEY = 11000
_TRANSIENT = (ConnectionFailure,)  # AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError


def _key_id(*parts: Any) -> str:
    """Deterministic ``_id`` for a compound key (unambiguous: JSON array)."""
    return json.dumps(list(parts), ensure_ascii=False, separators=(",", ":"))


def _bson(value: Any) -> Any:
    """Plain BSON-encodable copy: Decimal -> str (prices are strings at rest), tuples -> lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _bson(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_bson(v) for v in value]
    return value


def _decimal_fields(fields: Mapping[str, Any] | None) -> dict[str, Any]:
    out = dict(fields or {})
    if out.get("price") is not None:
        out["price"] = decimal_or_none(out["price"])
    return out


def _unpack(doc: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Stored document -> record: no ``_id``, ``more`` fields merged in (as the SQLite store)."""
    if doc is None:
        return None
    rec = {k: v for k, v in doc.items() if k not in ("_id", "more")}
    rec.update({k: v for k, v in (doc.get("more") or {}).items() if k not in rec})
    return rec


def redact(url: str) -> str:
    """``url`` without a password."""
    head, sep, tail = url.partition("://")
    if "@" in tail.split("/", 1)[0]:
        cred, _, rest = tail.partition("@")
        tail = cred.split(":", 1)[0] + ":***@" + rest
    return head + sep + tail


def _one_line(exc: BaseException, limit: int = 240) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + "..."


class MongoStore(Store):
    """Store in one MongoDB (or FerretDB) database; ``url`` names it (default ``shopwatch``)."""

    def __init__(self, url: str, *, batch_size: int = 500, batch_seconds: float = 1.0,
                 max_buffered: int = 100_000, ops_per_request: int = 50, retries: int = 3,
                 timeout_ms: int = 5000, outage_wait: float = 60.0) -> None:
        self.url = redact(url)
        self.batch_size, self.batch_seconds = batch_size, batch_seconds
        self.max_buffered, self.ops_per_request, self.retries = max_buffered, ops_per_request, retries
        self.outage_wait = outage_wait
        self._pending: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {c: {} for c in _COLLECTIONS}
        self._first_pending = 0.0
        #: observations that arrived while the server was unreachable: (kind, item, seen_at, job_id)
        self._deferred: deque[tuple[str, dict[str, Any], str, str | None]] = deque()
        self._replaying = False
        self.outage = Outage(f"MongoDB at {self.url}", log)
        self._closed = False
        try:
            self.client: Any = pymongo.MongoClient(
                url, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms,
                socketTimeoutMS=max(30_000, timeout_ms), appname="shopwatch")
            # answers "is it back?" within half a second, so a probe never stalls the crawl long
            self._probe: Any = pymongo.MongoClient(
                url, serverSelectionTimeoutMS=500, connectTimeoutMS=500, socketTimeoutMS=2000,
                appname="shopwatch-probe")
            self.db = self.client.get_default_database("shopwatch")
            self.client.admin.command("ping")
            self._create_indexes()
        except (PyMongoError, ValueError) as exc:
            raise BackendError(f"MongoDB at {self.url} unreachable: {_one_line(exc)}") from exc

    def _create_indexes(self) -> None:
        """Idempotent: create_index is a no-op when the same index exists."""
        for name, (key, secondary) in _COLLECTIONS.items():
            coll = self.db[name]
            if key != ("id",):
                coll.create_index([(k, ASCENDING) for k in key], unique=True, name="key")
            for spec in secondary:
                coll.create_index(spec, name="_".join(f for f, _ in spec))

    # --- buffer ------------------------------------------------------------------------------
    def _buffered(self) -> int:
        return sum(len(p) for p in self._pending.values()) + len(self._deferred)

    # --- outages ------------------------------------------------------------------------------
    def _answers(self) -> bool:
        """A quick ping (short timeouts) before the real client is asked to do work again."""
        try:
            self._probe.admin.command("ping")
            return True
        except PyMongoError as exc:
            self.outage.failed(exc)
            return False

    def _check_bound(self) -> None:
        if self._buffered() >= self.max_buffered:
            raise BackendError(
                f"MongoDB at {self.url} unreachable for {self.outage.seconds():.0f} s: "
                f"{self._buffered()} writes are buffered, "
                f"the limit (max_buffered={self.max_buffered}); refusing more rather than dropping any — "
                f"bring the server back (or raise the limit) and crawl again")

    def _put(self, coll: str, _id: str, doc: dict[str, Any], new: bool) -> None:
        """Buffer the latest ``doc`` for ``_id``; a pending insert stays an insert."""
        pending = self._pending[coll]
        previous = pending.get(_id)
        kind = "insert" if new or (previous and previous[0] == "insert") else "replace"
        if not self._buffered():
            self._first_pending = time.monotonic()
        pending[_id] = (kind, _bson({**doc, "_id": _id}))
        if sum(len(p) for p in self._pending.values()) >= self.batch_size:
            self._flush_or_keep()

    def _current(self, coll: str, _id: str) -> dict[str, Any] | None:
        """The document as this handle sees it: buffered, else stored."""
        if _id in self._pending[coll]:
            return self._pending[coll][_id][1]
        try:
            return self.db[coll].find_one({"_id": _id})
        except _TRANSIENT as exc:
            raise ServerUnavailable(f"MongoDB at {self.url} unreachable: {_one_line(exc)}") from exc
        except PyMongoError as exc:
            raise BackendError(f"MongoDB at {self.url}: read from {coll} failed: {_one_line(exc)}") from exc

    def _flush_or_keep(self) -> None:
        """Write what is buffered; if the server is away, keep it (within ``max_buffered``)."""
        if self.outage.backing_off() or (self.outage.down and not self._answers()):
            self._check_bound()
            return
        try:
            self._flush_once()
            self.outage.answered()
        except ServerUnavailable as exc:
            self.outage.failed(exc)
            self._check_bound()

    def _write(self, coll: str, batch: list[tuple[str, tuple[str, dict[str, Any]]]]) -> None:
        """One bulk request with retries; duplicate-key inserts become replaces (idempotent)."""
        ops = [InsertOne(doc) if kind == "insert" else ReplaceOne({"_id": _id}, doc, upsert=True)
               for _id, (kind, doc) in batch]
        for attempt in range(self.retries + 1):
            try:
                self.db[coll].bulk_write(ops, ordered=False)
                return
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                fatal = [e for e in errors if e.get("code") != _DUPLICATE_KEY]
                if fatal:
                    first = fatal[0]
                    raise BackendError(
                        f"MongoDB at {self.url} rejected {len(fatal)} write(s) to {coll}, first "
                        f"_id {batch[first['index']][0]}: {first.get('errmsg')}") from exc
                ops = [ReplaceOne({"_id": batch[e["index"]][0]}, batch[e["index"]][1][1], upsert=True)
                       for e in errors]
                batch = [batch[e["index"]] for e in errors]
            except _TRANSIENT as exc:  # the callers back off (``flush``, ``_flush_or_keep``)
                raise ServerUnavailable(f"MongoDB at {self.url} unreachable: {_one_line(exc)} "
                                        f"({self._buffered()} writes kept buffered)") from exc
            except OperationFailure as exc:
                raise BackendError(f"MongoDB at {self.url}: write to {coll} failed: {_one_line(exc)}") from exc
            if not ops:
                return
        raise BackendError(f"MongoDB at {self.url}: {len(ops)} writes to {coll} kept conflicting")

    def flush(self) -> None:
        """Send every buffered write; what was sent leaves the buffer only once acknowledged.

        If the server is away, retry with backoff for up to ``outage_wait`` seconds, then raise
        ServerUnavailable (everything stays buffered for a later flush)."""
        if not self._closed:
            self.outage.retry(self._flush_once, self.outage_wait, lambda: f"{self._buffered()} writes")

    def _flush_once(self) -> None:
        """Merge queued observations (in arrival order), then send the buffered documents."""
        if not self._replaying:
            self._replaying = True
            try:
                while self._deferred:
                    kind, item, seen_at, job_id = self._deferred[0]
                    if kind == "listing":
                        self._upsert_listing_now(item, seen_at, job_id)
                    else:
                        self._upsert_merchant_now(item, seen_at, job_id)
                    self._deferred.popleft()
            finally:
                self._replaying = False
        self._send_pending()

    def _send_pending(self) -> None:
        for coll, pending in self._pending.items():
            items = list(pending.items())
            for start in range(0, len(items), self.ops_per_request):
                batch = items[start:start + self.ops_per_request]
                self._write(coll, batch)
                for _id, entry in batch:
                    if pending.get(_id) is entry:
                        del pending[_id]
        self._first_pending = time.monotonic()

    def flush_if_due(self) -> None:
        if not self._closed and self._buffered() and (
                self.outage.down or time.monotonic() - self._first_pending >= self.batch_seconds):
            self._flush_or_keep()

    def _reading(self) -> Any:
        """Flush before a read so the handle reads its own writes (as a SQLite transaction does)."""
        self._check_open()
        self.flush()
        return self.db

    # --- merchants and listings --------------------------------------------------------------
    def upsert_merchant(self, item: Mapping[str, Any], seen_at: str | datetime | None = None,
                        job_id: str | None = None) -> UpsertResult:
        return self._upsert("merchant", item, iso_utc(seen_at), job_id)

    def upsert_listing(self, item: Mapping[str, Any], seen_at: str | datetime | None = None,
                       job_id: str | None = None) -> UpsertResult:
        return self._upsert("listing", item, iso_utc(seen_at), job_id)

    def _upsert(self, kind: str, item: Mapping[str, Any], seen_at: str, job_id: str | None) -> UpsertResult:
        """Merge now, or queue the observation while the server is away (order is kept: once
        something is queued, later observations queue behind it until the queue is merged)."""
        self._check_open()
        now = self._upsert_listing_now if kind == "listing" else self._upsert_merchant_now
        if not self._deferred and not self.outage.down:
            try:
                return now(item, seen_at, job_id)
            except ServerUnavailable as exc:
                self.outage.failed(exc)
        self._check_bound()
        plan = plan_listing_upsert if kind == "listing" else plan_merchant_upsert
        rec = plan(None, item, seen_at, job_id)[0]  # validates the item now, not at merge time
        rec["version"] = None
        self._deferred.append((kind, dict(item), seen_at, job_id))
        self.flush_if_due()
        return UpsertResult("deferred", 0, rec)

    def _upsert_merchant_now(self, item: Mapping[str, Any], seen_at: str, job_id: str | None) -> UpsertResult:
        _id = _key_id(item.get("platform"), item.get("shop_id"))
        existing = _unpack(self._current("merchants", _id))
        rec, outcome = plan_merchant_upsert(existing, item, seen_at, job_id)
        self._put("merchants", _id, rec, existing is None)
        return UpsertResult(outcome, rec["version"], rec)

    def _upsert_listing_now(self, item: Mapping[str, Any], seen_at: str, job_id: str | None) -> UpsertResult:
        _id = _key_id(item.get("platform"), item.get("item_id"))
        existing = self._listing(self._current("listings", _id))
        rec, outcome, row = plan_listing_upsert(existing, item, seen_at, job_id)
        if row is not None:
            self._put("listing_versions", _key_id(row["platform"], row["item_id"], row["version"]),
                      row, True)
        self._put("listings", _id, rec, existing is None)
        return UpsertResult(outcome, rec["version"], rec)

    @staticmethod
    def _listing(doc: Mapping[str, Any] | None) -> dict[str, Any] | None:
        rec = _unpack(doc)
        if rec is not None:
            rec["price"] = decimal_or_none(rec.get("price"))
            rec["images"] = rec.get("images") or []
            rec["extra"] = rec.get("extra") or {}
        return rec

    def get_listing(self, platform: str, item_id: str) -> dict[str, Any] | None:
        self._check_open()
        return self._listing(self._current("listings", _key_id(platform, item_id)))

    def get_merchant(self, platform: str, shop_id: str) -> dict[str, Any] | None:
        self._check_open()
        return _unpack(self._current("merchants", _key_id(platform, shop_id)))

    def listing_versions(self, platform: str, item_id: str) -> list[dict[str, Any]]:
        docs = self._reading().listing_versions.find(
            {"platform": platform, "item_id": item_id}).sort("version", ASCENDING)
        out = []
        for doc in docs:
            row = _unpack(doc) or {}
            row["fields"], row["previous"] = _decimal_fields(row.get("fields")), _decimal_fields(row.get("previous"))
            out.append(row)
        return out

    @staticmethod
    def _filter(since: str | datetime | None = None, **equal: Any) -> dict[str, Any]:
        query = {k: v for k, v in equal.items() if v is not None}
        if since is not None:
            query["last_seen"] = {"$gte": iso_utc(since)}
        return query

    def _keyset(self, coll: str, query: dict[str, Any], key: tuple[str, str],
                page: int = 1000) -> Iterator[dict[str, Any]]:
        """Documents in key order, fetched in pages (no long-lived server cursor)."""
        last: dict[str, Any] | None = None
        while True:
            cond = dict(query)
            if last is not None:
                after = {"$or": [{key[0]: {"$gt": last[key[0]]}},
                                 {key[0]: last[key[0]], key[1]: {"$gt": last[key[1]]}}]}
                cond = {"$and": [query, after]} if query else after
            docs = list(self._reading()[coll].find(cond).sort([(key[0], ASCENDING), (key[1], ASCENDING)])
                        .limit(page))
            yield from docs
            if len(docs) < page:
                return
            last = docs[-1]

    def iter_listings(self, platform: str | None = None, status: str | None = None,
                      since: str | datetime | None = None) -> Iterator[dict[str, Any]]:
        for doc in self._keyset("listings", self._filter(since, platform=platform, status=status),
                                ("platform", "item_id")):
            yield self._listing(doc)  # type: ignore[misc]

    def iter_merchants(self, platform: str | None = None) -> Iterator[dict[str, Any]]:
        for doc in self._keyset("merchants", self._filter(platform=platform), ("platform", "shop_id")):
            yield _unpack(doc)  # type: ignore[misc]

    def count_listings(self, platform: str | None = None, status: str | None = None) -> int:
        return self._reading().listings.count_documents(self._filter(platform=platform, status=status))

    def count_merchants(self, platform: str | None = None) -> int:
        return self._reading().merchants.count_documents(self._filter(platform=platform))

    # --- pages and jobs ----------------------------------------------------------------------
    def put_pages(self, pages: list[Mapping[str, Any]]) -> None:
        self._check_open()
        for page in pages:
            rec = {f: None for f in PAGE_FIELDS}
            rec.update(page)
            rec["fetched_at"] = iso_utc(rec.get("fetched_at"))
            self._put("pages", _key_id(rec["url"], rec["fetched_at"]), rec, False)

    def iter_pages(self, job_id: str | None = None) -> Iterator[dict[str, Any]]:
        for doc in self._keyset("pages", self._filter(job_id=job_id), ("url", "fetched_at")):
            yield _unpack(doc)  # type: ignore[misc]

    def count_pages(self, job_id: str | None = None) -> int:
        return self._reading().pages.count_documents(self._filter(job_id=job_id))

    def save_job(self, job: Mapping[str, Any]) -> None:
        self._check_open()
        doc = job_record(job)
        self._put("jobs", str(doc["id"]), doc, False)

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        self._check_open()
        return _unpack(self._current("jobs", str(job_id)))

    def list_jobs(self, limit: int = 20) -> list[dict[str, Any]]:
        docs = self._reading().jobs.find().sort([("started_at", DESCENDING), ("_id", DESCENDING)]).limit(int(limit))
        return [_unpack(d) for d in docs]  # type: ignore[misc]

    # --- detection hits (the hit id is the _id) ------------------------------------------------
    def upsert_hits(self, hits: Iterable[Mapping[str, Any]], seen_at: str | datetime | None = None,
                    job_id: str | None = None) -> dict[str, int]:
        self._check_open()
        when, counts = iso_utc(seen_at), {"new": 0, "seen": 0}
        for hit in hits:
            rec = hit_record(hit)
            rec, new = plan_hit_upsert(self.get_hit(rec["id"]), rec, when, job_id)
            self._put("hits", rec["id"], rec, new)
            counts["new" if new else "seen"] += 1
        return counts

    def get_hit(self, hit_id: str) -> dict[str, Any] | None:
        self._check_open()
        return _unpack(self._current("hits", str(hit_id)))

    def iter_hits(self, campaign: str | None = None, family: str | None = None,
                  since: str | datetime | None = None) -> Iterator[dict[str, Any]]:
        query, last = self._filter(since, campaign=campaign, family=family), ""
        while True:
            cond = {"$and": [query, {"_id": {"$gt": last}}]} if query else {"_id": {"$gt": last}}
            docs = list(self._reading().hits.find(cond).sort("_id", ASCENDING).limit(1000))
            for doc in docs:
                yield _unpack(doc)  # type: ignore[misc]
            if len(docs) < 1000:
                return
            last = docs[-1]["_id"]

    def count_hits(self, campaign: str | None = None, family: str | None = None) -> int:
        return self._reading().hits.count_documents(self._filter(campaign=campaign, family=family))

    # --- lifecycle ---------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise BackendError(f"store {self.url} is closed")

    def close(self) -> None:
        """Flush (raises if the server stays unreachable: the writes are then still buffered)."""
        if self._closed:
            return
        self.flush()
        self.client.close()
        self._probe.close()
        self._closed = True

    def __repr__(self) -> str:
        return f"MongoStore({self.url!r}, {self._buffered()} buffered)"
