"""Items that flow from spiders through the pipelines into the store and the index.

Dataclasses (itemadapter understands them): fields are documented once here and in the README's
data-model table. Spiders fill what the page shows; pipelines fill the rest (normalized text,
canonical URL, content hash, first/last seen, version, job id).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class Merchant:
    platform: str  # e.g. "weishop"
    shop_id: str  # the platform's own shop id, stable across crawls
    url: str  # canonical shop URL
    name: str | None = None
    licence_company: str | None = None  # 营业执照 企业名称, as shown
    licence_uscc: str | None = None  # 统一社会信用代码, as shown (not validated here)
    licence_address: str | None = None
    licence_scope: str | None = None
    licence_shown_as: str | None = None  # "text", "image" (alt text only) or "missing"
    followers: int | None = None
    rating: float | None = None
    handle: str | None = None  # contact handle shown by the seller
    # filled by pipelines
    content_hash: str | None = None
    first_seen: str | None = None  # ISO-8601 UTC
    last_seen: str | None = None
    job_id: str | None = None


@dataclass
class Listing:
    platform: str
    item_id: str  # the platform's own item/post id, stable across crawls
    url: str  # canonical listing URL (tracking parameters and session ids removed)
    shop_id: str | None = None  # merchant reference (platform, shop_id)
    title: str | None = None
    description: str | None = None
    category: str | None = None
    price: Decimal | None = None  # parsed with price-parser
    currency: str | None = None  # ISO code, "CNY" for ¥/元
    price_text: str | None = None  # the price as shown
    sales: int | None = None
    images: list[dict[str, str]] = field(default_factory=list)  # [{"url", "alt"}]
    status: str = "active"  # "active" or "delisted"
    # filled by pipelines
    search_text: str | None = None  # NFKC + simplified-Chinese variant of title/description
    content_hash: str | None = None  # over title, description, price, status
    first_seen: str | None = None
    last_seen: str | None = None
    version: int | None = None
    job_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PageRecord:
    """One fetched response, kept for statistics and (later) evidence."""

    url: str
    status: int
    fetched_at: str  # ISO-8601 UTC
    body_sha256: str
    size: int
    content_type: str | None = None
    platform: str | None = None
    job_id: str | None = None
