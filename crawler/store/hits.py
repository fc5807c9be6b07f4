"""Detection hits as every store keeps them: identity, fields, and the re-run rule.

Why one stable id: a campaign re-run, a re-crawl and the streaming pipeline all report the same
finding again; the id (a hash of campaign, rule, the record it was found in, field and offsets)
makes every report of it one hit whose ``last_seen`` moves and whose ``first_seen`` stays.
Evidence and case exports refer to hits by this id.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

#: What a stored hit holds. ``item_id`` is None for merchant hits (the licence family);
#: ``start``/``end`` are offsets in the ORIGINAL field text; ``url`` is the canonical URL of the
#: listing (or the merchant's shop page) where it was seen; ``detail`` says why a built-in
#: detector flagged it (e.g. the expected check character).
HIT_FIELDS: tuple[str, ...] = (
    "id", "campaign", "rule", "family", "severity", "field", "matched", "start", "end",
    "snippet", "detail", "platform", "item_id", "shop_id", "url", "first_seen", "last_seen",
    "job_id",
)
_REQUIRED = ("campaign", "rule", "family", "field", "platform", "start", "end")


def hit_id(hit: Mapping[str, Any]) -> str:
    """16 hex characters identifying one finding (same inputs, same id, on every back end)."""
    key = [hit.get("campaign"), hit.get("rule"), hit.get("platform"), hit.get("item_id"),
           hit.get("shop_id"), hit.get("field"), int(hit.get("start") or 0), int(hit.get("end") or 0)]
    raw = json.dumps(key, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:16]


def hit_record(incoming: Mapping[str, Any]) -> dict[str, Any]:
    """The stored shape of a reported hit (id computed; unknown keys dropped); raises ValueError
    naming the missing field, so a buggy detector cannot store half a finding."""
    for key in _REQUIRED:
        if incoming.get(key) in (None, ""):
            raise ValueError(f"hit lacks {key!r}: {dict(incoming)!r:.200}")
    if not incoming.get("item_id") and not incoming.get("shop_id"):
        raise ValueError(f"hit names neither item_id nor shop_id: {dict(incoming)!r:.200}")
    rec = {f: incoming.get(f) for f in HIT_FIELDS}
    rec["start"], rec["end"] = int(rec["start"]), int(rec["end"])
    rec["id"] = hit_id(rec)
    return rec


def plan_hit_upsert(existing: Mapping[str, Any] | None, record: Mapping[str, Any],
                    seen_at: str, job_id: str | None) -> tuple[dict[str, Any], bool]:
    """(record to write, is_new) for a ``hit_record``: a known hit keeps first_seen and only
    moves last_seen forward."""
    rec = dict(record)
    rec["job_id"] = job_id or rec.get("job_id")
    if existing is None:
        rec["first_seen"] = rec["last_seen"] = seen_at
        return rec, True
    rec["first_seen"] = existing.get("first_seen") or seen_at
    rec["last_seen"] = max(existing.get("last_seen") or seen_at, seen_at)
    return rec, False
