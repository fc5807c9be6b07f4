"""Completeness against the simulator's ground truth: which merchants and active listings the
crawl should have found, and which it missed — the demo's headline quality number."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Completeness:
    platform: str
    merchants_truth: int = 0
    merchants_found: int = 0
    listings_truth: int = 0
    listings_found: int = 0
    missed_merchants: list[str] = field(default_factory=list)
    missed_listings: list[str] = field(default_factory=list)
    extra_listings: list[str] = field(default_factory=list)  # stored as active, not active in truth

    @property
    def misses(self) -> int:
        return len(self.missed_merchants) + len(self.missed_listings)


def measure(truth: Iterable[dict[str, Any]], store: Any, platforms: Iterable[str]) -> dict[str, Completeness]:
    """Compare truth records (mallsim.truth.truth_records) with what the store holds."""
    wanted = set(platforms)
    result = {p: Completeness(p) for p in wanted}
    truth_merchants: dict[str, set[str]] = {p: set() for p in wanted}
    truth_listings: dict[str, set[str]] = {p: set() for p in wanted}
    for rec in truth:
        p = rec["platform"]
        if p not in wanted:
            continue
        if rec["kind"] == "merchant":
            truth_merchants[p].add(rec["shop_id"])
        elif rec["kind"] == "listing" and rec["status"] == "active":
            truth_listings[p].add(rec["item_id"])
    for p in wanted:
        stored_merchants = {m["shop_id"] for m in store.iter_merchants(platform=p)}
        stored_active = {l["item_id"] for l in store.iter_listings(platform=p, status="active")}
        c = result[p]
        c.merchants_truth, c.listings_truth = len(truth_merchants[p]), len(truth_listings[p])
        c.merchants_found = len(truth_merchants[p] & stored_merchants)
        c.listings_found = len(truth_listings[p] & stored_active)
        c.missed_merchants = sorted(truth_merchants[p] - stored_merchants)
        c.missed_listings = sorted(truth_listings[p] - stored_active)
        c.extra_listings = sorted(stored_active - truth_listings[p])
    return result
