"""The store interface every back end implements, plus the upsert rules they all share.

Why the rules live here: "what counts as changed", "what a version holds" and "what delisting
keeps" must not differ between SQLite and MongoDB, so back ends only fetch and write records;
``plan_listing_upsert``/``plan_merchant_upsert`` decide. Records are plain dicts (item field
names); timestamps are canonical ISO-8601 UTC strings (``YYYY-MM-DDTHH:MM:SS.mmmZ``), so
string order is time order; prices are Decimal in and out (strings at rest).
"""
from __future__ import annotations

from crawler.backend import Backend, BackendError, ServerUnavailable  # noqa: F401  (re-exported)
import abc
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Iterable, Iterator, Literal, Mapping

from crawler.normalize import (
    LISTING_VERSIONED_FIELDS,
    MERCHANT_VERSIONED_FIELDS,
    content_hash,
    price_key,
    to_decimal,
)

#: ``deferred``: a server store was unreachable; the observation is buffered and merged (new/changed/
#: unchanged decided then) when the server answers again.
Outcome = Literal["new", "changed", "unchanged", "deferred"]

#: Listing fields a back end persists (item fields minus the derived ``search_text``).
LISTING_FIELDS: tuple[str, ...] = (
    "platform", "item_id", "url", "shop_id", "title", "description", "category", "price",
    "currency", "price_text", "sales", "images", "status", "content_hash", "first_seen",
    "last_seen", "version", "job_id", "extra",
)
MERCHANT_FIELDS: tuple[str, ...] = (
    "platform", "shop_id", "url", "name", "licence_company", "licence_uscc", "licence_address",
    "licence_scope", "licence_shown_as", "followers", "rating", "handle", "content_hash",
    "first_seen", "last_seen", "version", "job_id",
)
PAGE_FIELDS: tuple[str, ...] = (
    "url", "status", "fetched_at", "body_sha256", "size", "content_type", "platform", "job_id",
)
JOB_FIELDS: tuple[str, ...] = (
    "id", "spider", "profile", "args", "started_at", "finished_at", "state", "counts", "errors",
)
#: Fields a delisted observation may lack; the stored values are kept (delisting never erases).
_KEEP_WHEN_DELISTED = ("url", "shop_id", "title", "description", "category", "price", "currency",
                       "price_text", "sales", "images", "extra")
#: Fields never taken from the incoming item (the store owns them).
_STORE_OWNED = ("content_hash", "first_seen", "last_seen", "version", "job_id", "search_text")


@dataclass(frozen=True)
class UpsertResult:
    """What an upsert did: ``outcome`` new/changed/unchanged, the record's ``version`` now."""

    outcome: Outcome
    version: int
    record: dict[str, Any] = field(repr=False, default_factory=dict)


_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def iso_utc(value: str | datetime | None = None) -> str:
    """Canonical ISO-8601 UTC string (millisecond precision, ``Z``); ``None`` means now.

    Why the fast paths: the store pipeline stamps every item and page (two calls per item), and
    a value already in canonical form is returned as is instead of parsed and re-formatted.
    """
    if value is None:
        now = time.time()
        return time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}Z"
    if isinstance(value, str) and _CANONICAL_TIME.fullmatch(value):
        try:
            datetime.fromisoformat(value[:-1])  # in range (no 2026-02-30): then it is canonical
            return value
        except ValueError as exc:
            raise ValueError(f"not an ISO-8601 timestamp: {value!r}") from exc
    if isinstance(value, datetime):
        dt = value
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not an ISO-8601 timestamp: {value!r}") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    dt = dt.astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _require(record: Mapping[str, Any], *keys: str) -> None:
    for key in keys:
        if not record.get(key):
            raise ValueError(f"record lacks {key!r}: {dict(record)!r:.200}")


def _changed_fields(old: Mapping[str, Any], new: Mapping[str, Any], fields: tuple[str, ...]) -> list[str]:
    out = []
    for f in fields:
        a, b = old.get(f), new.get(f)
        if f == "price":
            a, b = price_key(a), price_key(b)
        if a != b:
            out.append(f)
    return out


def plan_listing_upsert(
    existing: Mapping[str, Any] | None, incoming: Mapping[str, Any], seen_at: str, job_id: str | None
) -> tuple[dict[str, Any], Outcome, dict[str, Any] | None]:
    """Merge one observation into the stored listing.

    Returns (record to write, outcome, version row or None). A version row is
    ``{platform, item_id, version, changed_at, job_id, content_hash, fields, previous}`` where
    ``fields`` holds the new values of the changed versioned fields (all of them for version 1)
    and ``previous`` the values they replaced.
    """
    _require(incoming, "platform", "item_id")
    rec: dict[str, Any] = {f: incoming.get(f) for f in LISTING_FIELDS if f not in _STORE_OWNED}
    rec["status"] = rec.get("status") or "active"
    rec["images"] = list(rec.get("images") or [])
    rec["extra"] = dict(rec.get("extra") or {})
    more = {k: v for k, v in incoming.items() if k not in LISTING_FIELDS and k not in _STORE_OWNED}
    if more:
        rec["more"] = more
    rec["price"] = to_decimal(rec["price"]) if rec.get("price") is not None else None
    if existing is not None and rec["status"] == "delisted":
        for f in _KEEP_WHEN_DELISTED:
            if rec.get(f) in (None, "", [], {}):
                rec[f] = existing.get(f)
    rec["content_hash"] = content_hash(rec, LISTING_VERSIONED_FIELDS)
    rec["last_seen"] = seen_at
    rec["job_id"] = job_id
    if existing is None:
        rec["first_seen"] = seen_at
        rec["version"] = 1
        fields = {f: rec.get(f) for f in LISTING_VERSIONED_FIELDS}
        row = _version_row(rec, seen_at, job_id, fields, {})
        return rec, "new", row
    rec["first_seen"] = existing.get("first_seen") or seen_at
    version = int(existing.get("version") or 1)
    if existing.get("content_hash") == rec["content_hash"]:
        # same content (maybe other whitespace or price format): the stored text stays, so it
        # keeps matching its version history; counters and other fields take the new values
        rec.update({f: existing.get(f) for f in LISTING_VERSIONED_FIELDS})
        rec["version"] = version
        return rec, "unchanged", None
    changed = _changed_fields(existing, rec, LISTING_VERSIONED_FIELDS)
    rec["version"] = version + 1
    row = _version_row(rec, seen_at, job_id, {f: rec.get(f) for f in changed},
                       {f: existing.get(f) for f in changed})
    return rec, "changed", row


def _version_row(rec: Mapping[str, Any], when: str, job_id: str | None,
                 fields: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    return {
        "platform": rec["platform"], "item_id": rec["item_id"], "version": rec["version"],
        "changed_at": when, "job_id": job_id, "content_hash": rec["content_hash"],
        "fields": fields, "previous": previous,
    }


def plan_merchant_upsert(
    existing: Mapping[str, Any] | None, incoming: Mapping[str, Any], seen_at: str, job_id: str | None
) -> tuple[dict[str, Any], Outcome]:
    """Merge one merchant observation; counters (followers, rating) update without a version."""
    _require(incoming, "platform", "shop_id")
    rec: dict[str, Any] = {f: incoming.get(f) for f in MERCHANT_FIELDS if f not in _STORE_OWNED}
    more = {k: v for k, v in incoming.items() if k not in MERCHANT_FIELDS and k not in _STORE_OWNED}
    if more:
        rec["more"] = more
    rec["content_hash"] = content_hash(rec, MERCHANT_VERSIONED_FIELDS)
    rec["last_seen"] = seen_at
    rec["job_id"] = job_id
    if existing is None:
        rec.update(first_seen=seen_at, version=1)
        return rec, "new"
    rec["first_seen"] = existing.get("first_seen") or seen_at
    version = int(existing.get("version") or 1)
    if existing.get("content_hash") == rec["content_hash"]:
        rec["version"] = version
        return rec, "unchanged"
    rec["version"] = version + 1
    return rec, "changed"


def decimal_or_none(value: Any) -> Decimal | None:
    """Stored price string -> Decimal (None stays None)."""
    return None if value is None else Decimal(str(value))


def job_record(job: Mapping[str, Any]) -> dict[str, Any]:
    """A job as every back end saves it: an id is required, times are ISO-8601 UTC."""
    if not job.get("id"):
        raise ValueError(f"job lacks 'id': {dict(job)!r:.200}")
    doc = dict(job)
    for key in ("started_at", "finished_at"):
        if doc.get(key):
            doc[key] = iso_utc(doc[key])
    return doc


class Store(Backend):
    """Persistent records of merchants, listings (with versions), pages and jobs.

    Writes are buffered in batches (count- and time-bounded); ``flush()`` makes them durable and
    visible to other processes. A store is used from one thread.
    """

    @abc.abstractmethod
    def upsert_merchant(self, item: Mapping[str, Any], seen_at: str | datetime | None = None,
                        job_id: str | None = None) -> UpsertResult: ...

    @abc.abstractmethod
    def upsert_listing(self, item: Mapping[str, Any], seen_at: str | datetime | None = None,
                       job_id: str | None = None) -> UpsertResult: ...

    @abc.abstractmethod
    def get_listing(self, platform: str, item_id: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def get_merchant(self, platform: str, shop_id: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def listing_versions(self, platform: str, item_id: str) -> list[dict[str, Any]]:
        """Version rows, oldest first (version 1 holds the first observation)."""

    @abc.abstractmethod
    def iter_listings(self, platform: str | None = None, status: str | None = None,
                      since: str | datetime | None = None) -> Iterator[dict[str, Any]]:
        """Listings ordered by (platform, item_id); ``since`` filters last_seen >= since."""

    @abc.abstractmethod
    def iter_merchants(self, platform: str | None = None) -> Iterator[dict[str, Any]]: ...

    @abc.abstractmethod
    def count_listings(self, platform: str | None = None, status: str | None = None) -> int: ...

    @abc.abstractmethod
    def count_merchants(self, platform: str | None = None) -> int: ...

    @abc.abstractmethod
    def put_pages(self, pages: list[Mapping[str, Any]]) -> None:
        """Record fetched pages; (url, fetched_at) is the key, so replays do not duplicate."""

    @abc.abstractmethod
    def iter_pages(self, job_id: str | None = None) -> Iterator[dict[str, Any]]: ...

    @abc.abstractmethod
    def count_pages(self, job_id: str | None = None) -> int: ...

    @abc.abstractmethod
    def save_job(self, job: Mapping[str, Any]) -> None:
        """Insert or replace the job record ``job["id"]``."""

    @abc.abstractmethod
    def get_job(self, job_id: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def list_jobs(self, limit: int = 20) -> list[dict[str, Any]]:
        """Newest first (by started_at, then id)."""

    # --- detection hits (rules in crawler.store.hits) ------------------------------------------
    @abc.abstractmethod
    def upsert_hits(self, hits: Iterable[Mapping[str, Any]], seen_at: str | datetime | None = None,
                    job_id: str | None = None) -> dict[str, int]:
        """Record findings; a known one (same ``hit_id``) only moves last_seen.
        Returns ``{"new": n, "seen": m}``."""

    @abc.abstractmethod
    def get_hit(self, hit_id: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def iter_hits(self, campaign: str | None = None, family: str | None = None,
                  since: str | datetime | None = None) -> Iterator[dict[str, Any]]:
        """Hits ordered by id; ``since`` filters last_seen >= since."""

    @abc.abstractmethod
    def count_hits(self, campaign: str | None = None, family: str | None = None) -> int: ...
