"""miniapp (小程序-like) signed JSON API payloads: shop list, shop detail, item list/detail.

Each class wraps one answer of ``/api/v1/...`` (docs/mallsim.md, "miniapp"); a truncated body or
an error envelope raises ``BadPayload`` so the spider can retry it.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from scrapy.http import TextResponse

from crawler.items import Listing, Merchant
from spiders.pages.base import clean, parse_price
from spiders.pages.common import json_payload, origin

PLATFORM = "miniapp"


def api_url(base: str, endpoint: str, **params: Any) -> str:
    """``{base}/api/v1/{endpoint}?...`` without the signature (added at download time)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}/api/v1/{endpoint}" + (f"?{query}" if query else "")


def shop_url(base: str, shop_id: str) -> str:
    """The canonical merchant URL (also the shop-detail endpoint)."""
    return api_url(base, "shop", shop_id=shop_id)


def item_url(base: str, item_id: str) -> str:
    """The canonical listing URL (also the item-detail endpoint)."""
    return api_url(base, "item", item_id=item_id)


class _ApiPage:
    def __init__(self, response: TextResponse) -> None:
        self.response = response
        self.base = origin(response.url)
        self.data = json_payload(response)

    @property
    def next_cursor(self) -> str | None:
        cursor = self.data.get("next_cursor")
        return str(cursor) if cursor else None


class MiniappShopsPage(_ApiPage):
    """``/api/v1/shops``: ``{"shops": [{"shop_id", "name"}], "next_cursor"}``."""

    def shop_ids(self) -> list[str]:
        return [str(s["shop_id"]) for s in self.data.get("shops") or [] if isinstance(s, dict) and s.get("shop_id")]


class MiniappShopPage(_ApiPage):
    """``/api/v1/shop``: the merchant with its licence (null when the shop shows none)."""

    def merchant(self, platform: str = PLATFORM) -> Merchant | None:
        d = self.data
        if not d.get("shop_id"):
            return None
        lic = d.get("licence") if isinstance(d.get("licence"), dict) else {}
        rating = d.get("rating")
        return Merchant(
            platform=platform,
            shop_id=str(d["shop_id"]),
            url=shop_url(self.base, str(d["shop_id"])),
            name=clean(d.get("name")),
            licence_company=clean(lic.get("company")),
            licence_uscc=clean(lic.get("uscc")),
            licence_address=clean(lic.get("address")),
            licence_scope=clean(lic.get("scope")),
            licence_shown_as=lic.get("shown_as") or "missing",
            followers=_int(d.get("followers")),
            rating=float(rating) if isinstance(rating, (int, float)) else None,
        )


def listing_from_json(item: dict[str, Any], base: str, platform: str = PLATFORM,
                      shop_id: str | None = None) -> Listing | None:
    """One item object of the items/item endpoints as a Listing (price from ``price_fen``)."""
    if not isinstance(item, dict) or not item.get("item_id"):
        return None
    item_id = str(item["item_id"])
    price_text = clean(item.get("price_text"))
    price, currency = parse_price(price_text, default_currency="CNY")
    fen = item.get("price_fen")
    if isinstance(fen, int):
        price = (Decimal(fen) / 100).quantize(Decimal("0.01"))
        currency = currency or "CNY"
    images = [{"url": base + img["url"] if str(img.get("url", "")).startswith("/") else str(img.get("url", "")),
               "alt": clean(img.get("alt")) or ""}
              for img in item.get("images") or [] if isinstance(img, dict) and img.get("url")]
    return Listing(
        platform=platform,
        item_id=item_id,
        url=item_url(base, item_id),
        shop_id=str(item.get("shop_id") or shop_id or "") or None,
        title=clean(item.get("title")),
        description=(item.get("desc") or "").strip() or None,
        category=clean(item.get("category")),
        price=price,
        currency=currency,
        price_text=price_text,
        sales=_int(item.get("sales")),
        images=images,
    )


class MiniappItemsPage(_ApiPage):
    """``/api/v1/items``: active listings of one shop, 20 per page, ``next_cursor``."""

    def listings(self, shop_id: str | None = None, platform: str = PLATFORM) -> list[Listing]:
        out = []
        for item in self.data.get("items") or []:
            listing = listing_from_json(item, self.base, platform, shop_id)
            if listing is not None:
                out.append(listing)
        return out


class MiniappItemPage(_ApiPage):
    """``/api/v1/item``: one listing (a delisted item answers 404 ``item delisted``)."""

    def listing(self, platform: str = PLATFORM) -> Listing | None:
        return listing_from_json(self.data, self.base, platform)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
