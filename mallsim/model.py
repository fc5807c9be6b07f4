"""The simulator's world model: the records every platform renders and the ground truth reports.

This module is the contract between the world generator (``mallsim.world``) and the web layer
(``mallsim.server`` and ``mallsim.platforms``): the server only renders these records, it never
invents content, so what is served and what the truth file says cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

#: Platform styles, each served on its own virtual host ``<platform>.mallsim.test``.
PLATFORMS: tuple[str, ...] = ("weishop", "miniapp", "vshop", "moments")

#: Violation families, shared with the detectors (issue: campaigns and detectors).
LABELS: tuple[str, ...] = ("tobacco", "fake_patent", "misleading_ad", "license")

#: Host suffix of every simulated platform; the crawler resolves it to the simulator's address.
HOST_SUFFIX = "mallsim.test"
#: Host of the admin endpoints (day clock, ground truth, health).
ADMIN_HOST = f"admin.{HOST_SUFFIX}"

#: Category ids and their Chinese display names. Medical-claim rules depend on the category
#: (food and cosmetics may not claim cures; registered drugs are not sold here at all).
CATEGORIES: dict[str, str] = {
    "food": "食品饮料",
    "health_food": "保健食品",
    "liquor": "酒水",
    "tea": "茶叶",
    "cosmetics": "美妆个护",
    "appliances": "家用电器",
    "digital": "数码配件",
    "apparel": "服饰鞋包",
    "baby": "母婴用品",
    "household": "日用百货",
    "toys": "玩具文具",
    "smoking_accessories": "烟具配件",
}

ShownAs = Literal["text", "image", "missing"]
Status = Literal["active", "delisted"]
DelistStyle = Literal["404", "410", "page"]


@dataclass(frozen=True)
class Licence:
    """Business-licence block as the shop shows it (电子商务法 art. 15)."""

    shown_as: ShownAs
    company: str | None = None
    uscc: str | None = None  # as shown, possibly with an invalid check character
    address: str | None = None
    scope: str | None = None


@dataclass(frozen=True)
class Merchant:
    platform: str
    shop_id: str  # stable across days; decodes to ``index`` (see mallsim.ids)
    index: int  # 0-based position among the platform's merchants
    name: str
    licence: Licence
    followers: int
    rating: float  # 0.0-5.0, one decimal
    handle: str  # contact handle (微信号 etc.) shown on the shop or in posts
    encoding: str  # "utf-8" or "gbk" (weishop serves some shops in GBK)
    markup: str  # "jsonld", "microdata" or "none": structured data on item pages (weishop)
    labels: frozenset[str] = field(default_factory=frozenset)  # merchant-level labels ("license")
    notes: tuple[str, ...] = ()  # truth hints, e.g. ("licence:bad_check",) (added by mallsim.world)


@dataclass(frozen=True)
class Image:
    src: str  # path on the platform host, e.g. /img/123.jpg
    alt: str


@dataclass(frozen=True)
class Listing:
    platform: str
    item_id: str  # stable across days; decodes to (merchant index, listing index)
    shop_id: str
    index: int  # 0-based position in the merchant's catalogue
    title: str
    description: str
    category: str  # a key of CATEGORIES
    price: Decimal  # CNY, two decimals
    currency: str  # "CNY"
    sales: int
    images: tuple[Image, ...]
    labels: frozenset[str]  # subset of LABELS; empty = clean (possibly a hard negative)
    status: Status  # on the world's day
    delist_style: DelistStyle  # how a delisted listing answers (only meaningful when delisted)
    first_day: int  # day the listing appeared
    changed_day: int  # last day its title/price/description changed (== first_day if never)
    hard_negative: bool = False  # resembles a violation but is clean (油烟机, 烟酰胺, ...)
    notes: tuple[str, ...] = ()  # free-form truth hints, e.g. ("patent:bad_check",)
