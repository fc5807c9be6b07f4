"""Normalize: canonical ids/URL/price/currency, search text and content hash; originals kept.

Why keep the original: title and description are evidence ("as shown"), so they are stored
untouched; the normalized form (NFKC, simplified Chinese, whitespace collapsed) goes into
``search_text``, which is what matching uses. ``content_hash`` covers the versioned fields.
"""
from __future__ import annotations

from typing import Any

from crawler.normalize import (
    MERCHANT_VERSIONED_FIELDS,
    clean_text,
    content_hash,
    currency_code,
    listing_search_text,
    parse_price,
    to_decimal,
)
from crawler.urls import canonical_url
from pipelines._common import ItemView, adapter, item_kind, set_field


class NormalizePipeline:
    """Fill the normalized fields of listings and merchants in place."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats
        self.default_currency = crawler.settings.get("SHOPWATCH_DEFAULT_CURRENCY", "CNY") or None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "NormalizePipeline":
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        kind = item_kind(item)
        if kind == "listing":
            self.listing(adapter(item))
        elif kind == "merchant":
            self.merchant(adapter(item))
        return item

    @staticmethod
    def _ids(a: ItemView, *fields: str) -> None:
        a["platform"] = str(a["platform"]).strip().lower()
        for f in fields:
            if a.get(f) is not None:
                a[f] = clean_text(str(a[f]))
        a["url"] = canonical_url(str(a["url"]).strip())

    def listing(self, a: ItemView) -> None:
        self._ids(a, "item_id", "shop_id")
        a["status"] = (a.get("status") or "active").strip().lower()
        a["category"] = clean_text(a.get("category"))
        currency = currency_code(a.get("currency")) if a.get("currency") else None
        price = to_decimal(a.get("price")) if a.get("price") is not None else None
        if price is None and a.get("price_text"):
            price, shown_currency = parse_price(a["price_text"])
            currency = currency or shown_currency
            if price is None:
                self.stats.inc_value("shopwatch/price_unparsed")
        if price is not None and currency is None:
            currency = self.default_currency
        a["price"], a["currency"] = price, currency
        set_field(a, "search_text", listing_search_text(a.get("title"), a.get("description")))
        set_field(a, "content_hash", content_hash(a))

    def merchant(self, a: ItemView) -> None:
        self._ids(a, "shop_id")
        if a.get("licence_shown_as"):
            a["licence_shown_as"] = str(a["licence_shown_as"]).strip().lower()
        set_field(a, "content_hash", content_hash(a, MERCHANT_VERSIONED_FIELDS))
