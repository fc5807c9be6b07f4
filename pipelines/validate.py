"""Validate: drop items that cannot be stored or searched, each with a NAMED reason.

Why bounded: a hostile or broken page must not push megabytes into the store or the index, so
every field has a size limit (settings SHOPWATCH_MAX_*). Every drop is counted in the crawl
stats as ``shopwatch/dropped/<reason>`` and raised as DropItem("<reason>: detail").
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from crawler.normalize import ZERO_WIDTH, collapse_ws, to_decimal
from pipelines._common import ItemView, adapter, drop, item_kind

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_STATUSES = frozenset({"active", "delisted"})
_SHOWN_AS = frozenset({"text", "image", "missing"})
MAX_ID = 128
MAX_URL = 2048


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    head = value.lstrip()[:1]
    if head and head not in ZERO_WIDTH:  # fast path: a visible first character, not blank
        return False
    return not collapse_ws(value)


class ValidatePipeline:
    """Drop invalid listings and merchants; other items are dropped as ``unknown_item_type``."""

    def __init__(self, crawler: Any) -> None:
        s = crawler.settings
        self.stats = crawler.stats
        platforms = s.getlist("SHOPWATCH_PLATFORMS") if s.get("SHOPWATCH_PLATFORMS") else None
        self.platforms = frozenset(platforms) if platforms else None
        self.max_title = s.getint("SHOPWATCH_MAX_TITLE", 500)
        self.max_description = s.getint("SHOPWATCH_MAX_DESCRIPTION", 20_000)
        self.max_images = s.getint("SHOPWATCH_MAX_IMAGES", 50)
        self.max_field = s.getint("SHOPWATCH_MAX_FIELD", 2_000)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ValidatePipeline":
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        kind = item_kind(item)
        if kind is None:
            raise drop(self.stats, "unknown_item_type", type(item).__name__)
        a = adapter(item)
        reason = self.check_listing(a) if kind == "listing" else self.check_merchant(a)
        if reason:
            key = a.get("item_id") if kind == "listing" else a.get("shop_id")
            raise drop(self.stats, reason[0], f"{kind} {a.get('platform')!r}/{key!r}: {reason[1]}")
        return item

    # Each check returns (reason, detail) or None.
    def _common(self, a: ItemView, id_field: str) -> tuple[str, str] | None:
        platform = a.get("platform")
        if _missing(platform):
            return "missing_platform", "no platform"
        slug = platform.strip().lower() if isinstance(platform, str) else ""
        if not _SLUG.match(slug) or (self.platforms is not None and slug not in self.platforms):
            return "unknown_platform", f"platform {str(platform)[:80]!r}"
        ident = a.get(id_field)
        if _missing(ident):
            return f"missing_{id_field}", f"no {id_field}"
        if not isinstance(ident, (str, int)) or len(str(ident)) > MAX_ID:
            return f"bad_{id_field}", f"{id_field} {str(ident)[:80]!r}"
        url = a.get("url")
        if _missing(url):
            return "missing_url", "no url"
        if not isinstance(url, str) or len(url) > MAX_URL or not url.strip().lower().startswith(
                ("http://", "https://")):
            return "bad_url", f"url {str(url)[:120]!r}"
        return None

    def _bounded(self, a: ItemView, limits: dict[str, int]) -> tuple[str, str] | None:
        for name, limit in limits.items():
            value = a.get(name)
            if value is None:
                continue
            if not isinstance(value, str):
                return f"bad_{name}", f"{name} is {type(value).__name__}, not text"
            if len(value) > limit:
                return f"{name}_too_long", f"{name} has {len(value)} characters (limit {limit})"
        return None

    def check_listing(self, a: ItemView) -> tuple[str, str] | None:
        found = self._common(a, "item_id")
        if found:
            return found
        status = str(a.get("status") or "active").strip().lower()
        if status not in _STATUSES:
            return "bad_status", f"status {str(status)[:40]!r}"
        if status == "active" and _missing(a.get("title")):
            return "missing_title", "active listing without a title"
        found = self._bounded(a, {
            "title": self.max_title, "description": self.max_description,
            "shop_id": MAX_ID, "category": 200, "price_text": 200, "currency": 16,
        })
        if found:
            return found
        price = a.get("price")
        if price is not None and to_decimal(price) is None:
            return "bad_price", f"price {str(price)[:40]!r}"
        sales = a.get("sales")
        if sales is not None and (isinstance(sales, bool) or not isinstance(sales, int) or sales < 0):
            return "bad_sales", f"sales {str(sales)[:40]!r}"
        return self._check_images(a.get("images")) or self._check_extra(a.get("extra"))

    def _check_images(self, images: Any) -> tuple[str, str] | None:
        if images is None:
            return None
        if not isinstance(images, (list, tuple)):
            return "bad_images", f"images is {type(images).__name__}, not a list"
        if len(images) > self.max_images:
            return "too_many_images", f"{len(images)} images (limit {self.max_images})"
        for image in images:
            if not isinstance(image, dict) or not isinstance(image.get("url", ""), str):
                return "bad_images", f"image entry {str(image)[:80]!r}"
            if any(isinstance(v, str) and len(v) > MAX_URL for v in image.values()) or len(image) > 8:
                return "bad_images", "image entry too large"
        return None

    def _check_extra(self, extra: Any) -> tuple[str, str] | None:
        if not extra:
            return None
        try:
            size = len(json.dumps(extra, ensure_ascii=False, default=str))
        except (TypeError, ValueError):
            return "bad_extra", "extra is not JSON-serializable"
        if size > self.max_description:
            return "extra_too_long", f"extra is {size} characters of JSON (limit {self.max_description})"
        return None

    def check_merchant(self, a: ItemView) -> tuple[str, str] | None:
        found = self._common(a, "shop_id") or self._bounded(a, {
            "name": self.max_title, "licence_company": self.max_title,
            "licence_uscc": 64, "licence_address": self.max_field,
            "licence_scope": self.max_field, "handle": 200, "licence_shown_as": 16,
        })
        if found:
            return found
        shown = a.get("licence_shown_as")
        if shown is not None and str(shown).strip().lower() not in _SHOWN_AS:
            return "bad_licence_shown_as", f"licence_shown_as {shown!r}"
        followers = a.get("followers")
        if followers is not None and (isinstance(followers, bool) or not isinstance(followers, int)
                                      or followers < 0):
            return "bad_followers", f"followers {str(followers)[:40]!r}"
        rating = a.get("rating")
        if rating is not None and (isinstance(rating, bool) or not isinstance(rating, (int, float))
                                   or not math.isfinite(rating) or rating < 0):
            return "bad_rating", f"rating {str(rating)[:40]!r}"
        return None
