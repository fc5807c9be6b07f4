"""Ground truth: one JSON line per merchant and listing, with canonical URLs (docs/mallsim.md)."""
from __future__ import annotations

import json
from collections import Counter
from typing import IO, Callable, Iterator

from mallsim.model import LABELS, PLATFORMS, Licence, Listing, Merchant
from mallsim.world import World

_MERCHANT_PATHS = {"weishop": "/shop/{id}", "miniapp": "/api/v1/shop?shop_id={id}",
                   "vshop": "/shop/{id}", "moments": "/u/{id}"}
_LISTING_PATHS = {"weishop": "/item/{id}", "miniapp": "/api/v1/item?item_id={id}",
                  "vshop": "/item/{id}", "moments": "/p/{id}"}


def canonical_url(platform: str, kind: str, id: str, base_url: Callable[[str], str]) -> str:
    """The one URL the crawler should report for a merchant or listing."""
    paths = _MERCHANT_PATHS if kind == "merchant" else _LISTING_PATHS if kind == "listing" else None
    if paths is None or platform not in paths:
        raise ValueError(f"unknown {kind!r} on {platform!r}")
    return base_url(platform).rstrip("/") + paths[platform].format(id=id)


def _licence(licence: Licence) -> dict:
    return {"shown_as": licence.shown_as, "company": licence.company, "uscc": licence.uscc,
            "address": licence.address, "scope": licence.scope}


def merchant_record(m: Merchant, base_url: Callable[[str], str]) -> dict:
    return {"kind": "merchant", "platform": m.platform, "shop_id": m.shop_id,
            "url": canonical_url(m.platform, "merchant", m.shop_id, base_url), "name": m.name,
            "labels": sorted(m.labels), "licence": _licence(m.licence), "notes": list(m.notes)}


def listing_record(item: Listing, base_url: Callable[[str], str]) -> dict:
    return {"kind": "listing", "platform": item.platform, "shop_id": item.shop_id, "item_id": item.item_id,
            "url": canonical_url(item.platform, "listing", item.item_id, base_url), "title": item.title,
            "category": item.category, "price": f"{item.price:.2f}", "status": item.status,
            "labels": sorted(item.labels), "hard_negative": item.hard_negative, "notes": list(item.notes),
            "first_day": item.first_day, "changed_day": item.changed_day}


def truth_records(world: World, base_url: Callable[[str], str]) -> Iterator[dict]:
    """Every merchant followed by its listings (delisted included), platform by platform."""
    for platform in PLATFORMS:
        for merchant in world.merchants(platform):
            yield merchant_record(merchant, base_url)
            for item in world.listings(merchant):
                yield listing_record(item, base_url)


def write_truth(world: World, out: IO[str], base_url: Callable[[str], str]) -> dict:
    """Write the truth as JSON lines; return counts for a summary line."""
    counts = {"merchants": 0, "listings": 0, "active": 0}
    by_label: Counter[str] = Counter({label: 0 for label in LABELS})
    for record in truth_records(world, base_url):
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
        if record["kind"] == "merchant":
            counts["merchants"] += 1
        else:
            counts["listings"] += 1
            counts["active"] += record["status"] == "active"
        by_label.update(record["labels"])
    return {**counts, "by_label": dict(by_label)}
