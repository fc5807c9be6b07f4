"""Campaign runs over what is already stored and indexed, and the hit records both engines write.

Why this shape (issue #4, "two engines, one definition"): the streaming pipeline
(``pipelines.detect``) and a retroactive run must report the same hits for the same data. Both
build the same documents (``listing_doc``/``merchant_docs``), scan them with the same
``Detector`` and turn matches into hits with ``hit_from_match``. The retroactive run only adds a
prefilter: the index query generated from the rules' anchors (``Index.candidates``), which by
the anchors' contract may return more listings than the hits, never fewer. Rules without anchors
fall back to scanning every stored listing in scope.

Listing rules see a listing's title and description; shop-name rules and the licence family see
the merchant record (one hit per shop, not one per listing of it).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, Iterable, Iterator, Mapping

from crawler.store.base import Store, iso_utc
from crawler.store.hits import hit_id
from detect.engine import Detector
from search.base import Index

LISTING_FIELDS = frozenset({"title", "description"})


def listing_doc(record: Mapping[str, Any]) -> dict[str, Any]:
    """What listing rules are shown: title and description, with the scope keys."""
    return {"id": record.get("item_id"), "item_id": record.get("item_id"),
            "platform": record.get("platform"), "category": record.get("category"),
            "title": record.get("title") or "", "description": record.get("description") or ""}


def merchant_docs(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(shop-name document for listing rules, merchant document for the licence family)."""
    name_doc = {"id": record.get("shop_id"), "platform": record.get("platform"), "category": None,
                "shop_name": record.get("name") or ""}
    return name_doc, dict(record)


def hit_from_match(match: Any, record: Mapping[str, Any], merchant: bool) -> dict[str, Any]:
    """A hit (``crawler.store.hits`` shape) for ``match`` found in ``record``."""
    return {
        "campaign": match.campaign, "rule": match.rule, "family": match.family,
        "severity": match.severity, "field": match.field, "matched": match.matched,
        "start": match.start, "end": match.end, "snippet": match.snippet,
        "detail": getattr(match, "detail", "") or None,
        "platform": record.get("platform"), "item_id": None if merchant else record.get("item_id"),
        "shop_id": record.get("shop_id"), "url": record.get("url"),
    }


def _unique(hits: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One hit per id: two detector findings on the same span (e.g. two failed checks of one
    code) are one finding for the store; the first one's detail is kept."""
    out: dict[str, dict[str, Any]] = {}
    for hit in hits:
        out.setdefault(hit_id(hit), hit)
    return list(out.values())


def scan_listing(detector: Detector, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Hits in one active listing record (a delisted one is not reported)."""
    if (record.get("status") or "active") != "active":
        return []
    return _unique(hit_from_match(m, record, False) for m in detector.scan_listing(listing_doc(record)))


def scan_listings(detector: Detector, records: list[Mapping[str, Any]]) -> list[list[dict[str, Any]]]:
    """``scan_listing`` of each record, through the detector's batch path (``Detector.scan_listings``)."""
    active = [r for r in records if (r.get("status") or "active") == "active"]
    found = iter(detector.scan_listings([listing_doc(r) for r in active]))
    return [_unique(hit_from_match(m, r, False) for m in next(found)) if (r.get("status") or "active") == "active"
            else [] for r in records]


def scan_merchant(detector: Detector, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Hits in one merchant record: its shop name, and its licence disclosure."""
    name_doc, merchant_doc = merchant_docs(record)
    matches = list(detector.scan_listing(name_doc)) + list(detector.scan_merchant(merchant_doc))
    return _unique(hit_from_match(m, record, True) for m in matches)


def _rule_fields(rule: Any) -> frozenset[str]:
    return frozenset(getattr(rule, "fields", None) or ("title", "description"))


@dataclass
class RunResult:
    """What one campaign run did, for the CLI and the job record."""

    campaign: str
    job_id: str
    candidates: int = 0
    listings_scanned: int = 0
    merchants_scanned: int = 0
    full_scan: bool = False
    hits: dict[str, int] = field(default_factory=lambda: {"new": 0, "seen": 0})
    by_family: dict[str, int] = field(default_factory=dict)


def _since_ok(record: Mapping[str, Any], since: str | None) -> bool:
    return since is None or (record.get("last_seen") or "") >= since


def listing_candidates(campaign: Any, store: Store, index: Index,
                       since: str | None) -> tuple[Iterator[Mapping[str, Any]], int, bool]:
    """(stored listing records to scan, how many, whether the index could prefilter)."""
    rules = [r for r in campaign.rules if r.family != "license" and _rule_fields(r) & LISTING_FIELDS]
    if not rules:
        return iter(()), 0, False
    anchors: set[str] = set()
    for rule in rules:
        if rule.anchors is None:
            records = (r for r in store.iter_listings(status="active", since=since))
            return records, store.count_listings(status="active"), True
        anchors |= set(rule.anchors)
    keys = sorted(index.candidates(anchors, status="active"))

    def fetch() -> Iterator[Mapping[str, Any]]:
        for platform, item_id in keys:
            record = store.get_listing(platform, item_id)
            if record is not None and _since_ok(record, since):
                yield record

    return fetch(), len(keys), False


def run_campaign(campaign: Any, store: Store, index: Index, *, since: str | datetime | None = None,
                 job_id: str | None = None, batch: int = 500) -> RunResult:
    """Scan everything stored (and indexed) that ``campaign``'s rules can hit; record the hits.

    Re-running finds the same hits again: they keep first_seen and move last_seen.
    """
    since_iso = iso_utc(since) if since is not None else None
    job = job_id or f"campaign-{campaign.id}-{secrets.token_hex(4)}"
    result = RunResult(campaign=campaign.id, job_id=job)
    detector = Detector([campaign])
    pending: list[dict[str, Any]] = []

    def emit(hits: Iterable[dict[str, Any]]) -> None:
        for hit in hits:
            pending.append(hit)
            result.by_family[hit["family"]] = result.by_family.get(hit["family"], 0) + 1
        if len(pending) >= batch:
            _flush()

    def _flush() -> None:
        counts = store.upsert_hits(pending, job_id=job)
        for k, v in counts.items():
            result.hits[k] = result.hits.get(k, 0) + v
        pending.clear()

    started = iso_utc()
    store.save_job({"id": job, "spider": f"campaign:{campaign.id}", "started_at": started,
                    "state": "running", "args": {"since": since_iso}})
    records, result.candidates, result.full_scan = listing_candidates(campaign, store, index, since_iso)
    while chunk := list(islice(records, batch)):  # the detector's batch path
        result.listings_scanned += len(chunk)
        for hits in scan_listings(detector, chunk):
            emit(hits)
    if any(r.family == "license" or "shop_name" in _rule_fields(r) for r in campaign.rules):
        for record in store.iter_merchants():
            if _since_ok(record, since_iso):
                result.merchants_scanned += 1
                emit(scan_merchant(detector, record))
    if pending:
        _flush()
    store.save_job({"id": job, "spider": f"campaign:{campaign.id}", "started_at": started,
                    "finished_at": iso_utc(), "state": "finished", "args": {"since": since_iso},
                    "counts": {"listings_scanned": result.listings_scanned,
                               "merchants_scanned": result.merchants_scanned,
                               "candidates": result.candidates, "hits_new": result.hits["new"],
                               "hits_seen": result.hits["seen"]}})
    store.flush()
    return result
