"""weishop (微店-like) pages: directory, shop home, item list, item page (docs/mallsim.md)."""
from __future__ import annotations

from scrapy.http import TextResponse

from crawler.items import Listing, Merchant
from crawler.urls import canonical_url
from spiders.pages.base import clean, images_from, licence_from_html, node_text, parse_float, parse_int, parse_price
from spiders.pages.common import HtmlPage, id_from_url
from spiders.pages.structured import product_data

PLATFORM = "weishop"
ITEM_ID = r"/(?:item|go)/(\d+)"
SHOP_ID = r"/shop/(\d+)"
#: Statuses an item page answers when the item is gone (the spider lets them through).
DELISTED_STATUSES = (404, 410)
DELISTED_MARKERS = ("已下架", "已删除", "已售罄下架")
#: The structured-data keys ``WeishopItemPage.listing`` reads.
PRODUCT_KEYS = frozenset({"title", "description", "category", "price", "currency"})


class WeishopDirectoryPage(HtmlPage):
    """``/`` and ``/?page=N``: 50 shop links and a next link."""

    def shop_links(self) -> list[str]:
        return self.links("a.shop-link")


class WeishopShopPage(HtmlPage):
    """``/shop/{shop_id}``: name, followers, rating, handle, licence; link to the item list."""

    @property
    def shop_id(self) -> str | None:
        return self.response.css("div.shop::attr(data-shop-id)").get() or id_from_url(self.url, SHOP_ID)

    def items_url(self) -> str | None:
        href = self.response.css("a.items-link::attr(href)").get()
        if href:
            return self.response.urljoin(href)
        return self.response.urljoin(f"/shop/{self.shop_id}/items?page=1") if self.shop_id else None

    def merchant(self, platform: str = PLATFORM) -> Merchant | None:
        shop_id = self.shop_id
        if not shop_id:
            return None
        r = self.response
        lic = licence_from_html(r)
        return Merchant(
            platform=platform,
            shop_id=shop_id,
            url=canonical_url(r.url),
            name=node_text(r.css("h1.shop-name")),
            licence_company=lic["company"],
            licence_uscc=lic["uscc"],
            licence_address=lic["address"],
            licence_scope=lic["scope"],
            licence_shown_as=lic["shown_as"],
            followers=parse_int(r.css("span.followers::text").get()),
            rating=parse_float(r.css("span.rating::text").get()),
            handle=clean(r.css("span.handle::text").get()),
        )


class WeishopListPage(HtmlPage):
    """``/shop/{shop_id}/items?page=N``: 20 item links (maybe decorated or via /go/) and a next link."""

    @property
    def shop_id(self) -> str | None:
        href = self.response.css("h1.shop-name a.shop-link::attr(href)").get()
        return id_from_url(href or self.url, SHOP_ID)

    def item_links(self) -> list[tuple[str, str | None]]:
        """(url as linked, item_id) per distinct item, in page order."""
        return [(url, id_from_url(url, ITEM_ID)) for url in self.links("a.item-link")]


class WeishopItemPage(HtmlPage):
    """``/item/{item_id}``: the listing; or a delisted page (404, 410, or 200 with 该商品已下架).

    Most of a crawl's pages are item pages: their ``tag.class`` fields come from the page's class
    index (``HtmlPage.by_class``), one walk over the tree instead of an XPath pass per field."""

    @property
    def item_id(self) -> str | None:
        return (self.class_attr("div", "item", "data-item-id")
                or id_from_url(self.canonical, ITEM_ID) or id_from_url(self.url, ITEM_ID))

    @property
    def is_delisted(self) -> bool:
        if self.response.status in DELISTED_STATUSES:
            return True
        marker = node_text(self.by_class("div", "delisted"))
        return bool(marker) and any(m in marker for m in DELISTED_MARKERS)

    def shop_id(self, fallback: str | None = None) -> str | None:
        href = self.class_attr("a", "shop-link", "href")  # the seller block's, or any shop link
        return id_from_url(href, SHOP_ID) if href else fallback

    def listing(self, platform: str = PLATFORM, shop_id: str | None = None) -> Listing | None:
        """The Listing the page shows; status="delisted" (no price) for a gone item."""
        r = self.response
        item_id = self.item_id
        if not item_id:
            return None
        if self.is_delisted:
            return Listing(platform=platform, item_id=item_id, url=canonical_url(r.urljoin(f"/item/{item_id}")),
                           shop_id=self.shop_id(shop_id), title=node_text(self.by_class("h1", "item-title")),
                           status="delisted")
        data = product_data(r, ("jsonld", "microdata"), needed=PRODUCT_KEYS)
        price_text = clean(self.by_class("span", "price").xpath("string()").get())
        # the shown price only fills what the structured data lacks: parsed only then
        if "price" in data and data.get("currency"):
            price, currency = data["price"], data["currency"]
        else:
            price, currency = parse_price(price_text, default_currency="CNY")
        return Listing(
            platform=platform,
            item_id=item_id,
            url=self.canonical,
            shop_id=self.shop_id(shop_id),
            title=node_text(self.by_class("h1", "item-title")) or data.get("title"),
            description=node_text(self.by_class("div", "item-desc"), "\n") or data.get("description"),
            # data-category is the platform's category id; JSON-LD carries only the display name
            category=self.class_attr("span", "category", "data-category") or data.get("category"),
            price=data.get("price", price),
            currency=data.get("currency") or currency,
            price_text=price_text,
            sales=parse_int(self.by_class("span", "sales").xpath("text()").get()),
            images=images_from(self.by_class("div", "gallery"), r),
            extra={"structured": sorted(k for k in ("jsonld", "microdata") if _has(r, k))},
        )


def _has(response: TextResponse, syntax: str) -> bool:
    body = response.body
    return (b"application/ld+json" in body) if syntax == "jsonld" else (b"itemscope" in body)
