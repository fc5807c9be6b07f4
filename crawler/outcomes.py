"""Errors and drops by reason, read from a crawl's stats so every surface (progress line, job
record, demo summary) counts them the same way."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: stats-key prefix -> reason prefix shown to operators
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("shopwatch/errors/", ""),
    ("shopwatch/dropped/", "dropped:"),
    ("httperror/response_ignored_status_count/", "http_"),
)


def errors_by_reason(stats: Mapping[str, Any]) -> dict[str, int]:
    """Final failures only: retried-then-recovered requests are not errors."""
    out: dict[str, int] = {}
    for key, value in stats.items():
        for prefix, label in _PREFIXES:
            if key.startswith(prefix) and isinstance(value, int):
                reason = label + key[len(prefix):].rsplit(".", 1)[-1]
                out[reason] = out.get(reason, 0) + value
    return dict(sorted(out.items()))


def crawl_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """The headline numbers of one crawl."""
    pick = {
        "pages": "response_received_count",
        "requests": "downloader/request_count",
        "items": "item_scraped_count",
        "retries": "retry/count",
        "listings_new": "shopwatch/listings/new",
        "listings_changed": "shopwatch/listings/changed",
        "listings_unchanged": "shopwatch/listings/unchanged",
        "merchants_new": "shopwatch/merchants/new",
        "merchants_changed": "shopwatch/merchants/changed",
        "merchants_unchanged": "shopwatch/merchants/unchanged",
        "duplicates": "shopwatch/duplicates",
    }
    counts = {name: int(stats.get(key, 0) or 0) for name, key in pick.items()}
    # invalid items only; a within-crawl duplicate is also a DropItem but not an error
    counts["dropped"] = sum(int(v) for k, v in stats.items()
                            if k.startswith("shopwatch/dropped/") and isinstance(v, int))
    counts["seconds"] = int(stats.get("elapsed_time_seconds", 0) or 0)
    return counts
