"""vshop (抖店-like SPA) pages as the browser rendered them (docs/mallsim.md, "vshop").

The HTML the server sends is a data-free shell; these page objects read the DOM *after* app.js ran
and the list was scrolled to its end (the spider renders it in Chromium), plus the JSON answers the
page's own script fetched while rendering (``/api/shops``, ``/api/feed``, ``/api/item``), captured
from the browser's network traffic. Nothing here talks to the API itself.

Why both: a rendered card shows title, price, sales and a picture, but detection also needs the
listing's description and category, which the SPA only shows on the item route (one more browser
page per listing). The feed answers the browser already received carry them, so a listing is built
from its card (what the shopper sees) and completed from the feed item with the same ``item_id``
(:class:`Xhr`). The captured answers also tell whether a list is really complete: app.js marks
``#more[data-done="1"]`` even when it gave up on a failing page, the answers do not lie.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scrapy.http import TextResponse

from crawler.items import Listing, Merchant
from spiders.pages.base import clean, images_from, licence_from_html, node_text, parse_float, parse_int, parse_price
from spiders.pages.common import HtmlPage, id_from_url, origin

PLATFORM = "vshop"
SHOP_ID = r"/shop/(\d+)"
ITEM_ID = r"/item/(\d+)"
DELISTED_MARKERS = ("已下架", "已删除")
#: CSS the browser waits for before scrolling: the infinite-scroll sentinel (lists), item detail.
LIST_READY = "#more"
ITEM_READY = "div.item-detail"


def shop_url(base: str, shop_id: str) -> str:
    """Canonical merchant URL: ``BASE(vshop)/shop/{shop_id}``."""
    return f"{base}/shop/{shop_id}"


def item_url(base: str, item_id: str) -> str:
    """Canonical listing URL: ``BASE(vshop)/item/{item_id}``."""
    return f"{base}/item/{item_id}"


# --- the JSON the page fetched ---------------------------------------------------------------------

@dataclass
class Capture:
    """One JSON answer the browser received: URL, HTTP status and body text (None if unreadable)."""

    url: str
    status: int
    text: str | None

    @property
    def endpoint(self) -> str:
        return urlsplit(self.url).path.rstrip("/").rsplit("/", 1)[-1]

    def param(self, name: str) -> str | None:
        return (parse_qs(urlsplit(self.url).query).get(name) or [None])[0]

    def data(self) -> dict[str, Any] | None:
        """The ``data`` object of a ``{"code": 0, ...}`` answer; None for errors and truncated bodies."""
        if self.text is None or self.status != 200:
            return None
        try:
            doc = json.loads(self.text)
        except ValueError:
            return None
        if not isinstance(doc, dict) or doc.get("code") != 0 or not isinstance(doc.get("data"), dict):
            return None
        return doc["data"]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Capture:
        return cls(url=str(d["url"]), status=int(d["status"]), text=d.get("text"))

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "text": self.text}


class Xhr:
    """The captured answers of one rendered page, by endpoint and page number (the last attempt
    of a page wins: app.js retries 5xx and truncated bodies itself)."""

    def __init__(self, captures: Iterable[Capture | Mapping[str, Any]] = ()) -> None:
        self.captures = [c if isinstance(c, Capture) else Capture.from_dict(c) for c in captures]

    def pages(self, endpoint: str) -> dict[int, Capture]:
        out: dict[int, Capture] = {}
        for capture in self.captures:
            if capture.endpoint == endpoint:
                try:
                    out[int(capture.param("page") or 1)] = capture
                except ValueError:
                    continue
        return out

    def list_complete(self, endpoint: str) -> bool:
        """Pages 1..N of ``endpoint`` all answered, the last with ``has_more`` false.

        A missing shop (``/api/feed`` 404 on page 1) is complete too: there is nothing to list."""
        pages = self.pages(endpoint)
        if not pages:
            return False
        if 1 in pages and pages[1].status == 404 and len(pages) == 1:
            return True
        last = max(pages)
        if sorted(pages) != list(range(1, last + 1)):
            return False
        datas = [pages[n].data() for n in range(1, last + 1)]
        if any(d is None for d in datas):
            return False
        return all(d.get("has_more") for d in datas[:-1]) and not datas[-1].get("has_more")

    def feed_items(self) -> dict[str, dict[str, Any]]:
        """Item objects of every ``/api/feed`` answer, by item_id."""
        items: dict[str, dict[str, Any]] = {}
        for _, capture in sorted(self.pages("feed").items()):
            data = capture.data() or {}
            for item in data.get("items") or []:
                if isinstance(item, dict) and item.get("item_id"):
                    items[str(item["item_id"])] = item
        return items

    def feed_shop(self) -> dict[str, Any]:
        data = (self.pages("feed").get(1) or Capture("", 0, None)).data() or {}
        shop = data.get("shop")
        return shop if isinstance(shop, dict) else {}


# --- rendered pages --------------------------------------------------------------------------------

class _RenderedPage(HtmlPage):
    def __init__(self, response: TextResponse, xhr: Xhr | Iterable[Any] = ()) -> None:
        super().__init__(response)
        self.xhr = xhr if isinstance(xhr, Xhr) else Xhr(xhr)
        self.base = origin(response.url)

    @property
    def scrolled_to_end(self) -> bool:
        """app.js set ``#more[data-done="1"]``: it fetched no further page."""
        return self.response.css('#more[data-done="1"]') != []


class VshopDirectoryPage(_RenderedPage):
    """``/`` rendered: ``ul.shops`` of ``a.shop-link`` (every page the scroll loaded)."""

    def shop_links(self) -> list[str]:
        return self.links("ul.shops a.shop-link")

    @property
    def complete(self) -> bool:
        return self.scrolled_to_end and self.xhr.list_complete("shops")


class VshopShopPage(_RenderedPage):
    """``/shop/{shop_id}`` rendered: the shop header (name, followers, rating, licence block as on
    weishop) and ``div.cards`` of every listing the scroll loaded."""

    @property
    def shop_id(self) -> str | None:
        return self.response.css("div.shop::attr(data-shop-id)").get() or id_from_url(self.url, SHOP_ID)

    @property
    def exists(self) -> bool:
        """False when the app rendered 店铺不存在 (the feed answered 404)."""
        return not self.response.css("div.shop h1.error")

    @property
    def complete(self) -> bool:
        return self.scrolled_to_end and self.xhr.list_complete("feed")

    def merchant(self, platform: str = PLATFORM) -> Merchant | None:
        shop_id = self.shop_id
        r = self.response
        name = node_text(r.css("div.shop h1.shop-name"))
        if not shop_id or not self.exists or name is None:
            return None
        lic = licence_from_html(r)
        return Merchant(
            platform=platform,
            shop_id=shop_id,
            url=shop_url(self.base, shop_id),
            name=name,
            licence_company=lic["company"],
            licence_uscc=lic["uscc"],
            licence_address=lic["address"],
            licence_scope=lic["scope"],
            licence_shown_as=lic["shown_as"],
            followers=parse_int(r.css("div.shop span.followers::text").get()),
            rating=parse_float(r.css("div.shop span.rating::text").get()),
        )

    def listings(self, platform: str = PLATFORM) -> list[Listing]:
        """One Listing per rendered card; description/category from the feed item the page fetched."""
        r = self.response
        shop_id = self.shop_id
        feed = self.xhr.feed_items()
        out: list[Listing] = []
        seen: set[str] = set()
        for card in r.css("div.cards div.card[data-item-id]"):
            item_id = card.attrib["data-item-id"].strip()
            if not item_id or item_id in seen:
                continue
            seen.add(item_id)
            price_text = clean(card.css("div.price").xpath("string()").get())
            price, currency = parse_price(price_text, default_currency="CNY")
            data = feed.get(item_id, {})
            if isinstance(data.get("price_fen"), int) and price is None:
                price, currency = (Decimal(data["price_fen"]) / 100).quantize(Decimal("0.01")), "CNY"
            desc = data.get("desc")
            out.append(Listing(
                platform=platform,
                item_id=item_id,
                url=item_url(self.base, item_id),
                shop_id=str(data.get("shop_id") or shop_id or "") or None,
                title=node_text(card.css("div.title")),
                description=(desc.strip() or None) if isinstance(desc, str) else None,
                category=clean(data.get("category")) if isinstance(data.get("category"), str) else None,
                price=price,
                currency=currency,
                price_text=price_text,
                sales=parse_int(card.css("div.sales::text").get()),
                images=images_from(card, r),
                extra={"rendered": True, "from_xhr": sorted(k for k in ("description", "category")
                                                             if data.get("desc" if k == "description" else k))},
            ))
        return out

    def missing_from_xhr(self) -> list[str]:
        """item_ids of rendered cards whose feed answer was not captured (should be none)."""
        feed = self.xhr.feed_items()
        return [i for i in self.response.css("div.cards div.card::attr(data-item-id)").getall() if i not in feed]


class VshopItemPage(_RenderedPage):
    """``/item/{item_id}`` rendered: ``div.item-detail`` with title, price, sales, category,
    description, images and the shop link; or ``div.delisted`` (该商品已下架 / 商品不存在)."""

    @property
    def item_id(self) -> str | None:
        return self.response.css("div.item-detail::attr(data-item-id)").get() or id_from_url(self.url, ITEM_ID)

    @property
    def rendered(self) -> bool:
        """The detail box is there and is not the app's reaction to a failed API call (5xx or a
        truncated body after app.js's own retries: it then shows 商品不存在 too)."""
        if not self.response.css("div.item-detail"):
            return False
        answers = self.xhr.pages("item")
        if not answers:
            return True  # nothing captured (saved page): trust the DOM
        last = answers[max(answers)]
        return last.data() is not None or last.status == 404

    @property
    def is_delisted(self) -> bool:
        marker = node_text(self.response.css("div.item-detail div.delisted"))
        return bool(marker) and any(m in marker for m in DELISTED_MARKERS)

    def listing(self, platform: str = PLATFORM, fallback_shop_id: str | None = None) -> Listing | None:
        r = self.response
        item_id = self.item_id
        if not item_id or not self.rendered:
            return None
        box = r.css("div.item-detail")
        href = box.css("a.shop-link::attr(href)").get()
        shop_id = id_from_url(href, SHOP_ID) if href else None
        if self.is_delisted:  # 该商品已下架, or 商品不存在 (unknown): gone from the shopper's view
            return Listing(platform=platform, item_id=item_id, url=item_url(self.base, item_id),
                           shop_id=shop_id or fallback_shop_id, status="delisted")
        price_text = clean(box.css("span.price").xpath("string()").get())
        price, currency = parse_price(price_text, default_currency="CNY")
        return Listing(
            platform=platform,
            item_id=item_id,
            url=item_url(self.base, item_id),
            shop_id=shop_id,
            title=node_text(box.css("h1.item-title")),
            description=node_text(box.css("div.item-desc"), "\n"),
            category=box.css("span.category::attr(data-category)").get(),
            price=price,
            currency=currency,
            price_text=price_text,
            sales=parse_int(box.css("span.sales::text").get()),
            images=images_from(box, r),
            extra={"rendered": True},
        )

