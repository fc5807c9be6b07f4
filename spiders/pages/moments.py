"""moments (朋友圈/微商-like) pages: seller directory and seller timelines (docs/mallsim.md).

A listing is a post: its title is the first line of the text, its price whatever the seller
wrote inside the text (``298一条``, ``¥88``, ``88r``, ``💰128`` ...), found by
``spiders.pages.base.price_in_text``.
"""
from __future__ import annotations

from parsel import Selector

from crawler.items import Listing, Merchant
from crawler.urls import canonical_url
from spiders.pages.base import (
    clean, images_from, licence_from_html, node_text, parse_int, price_in_text, title_from_text,
)
from spiders.pages.common import HtmlPage, id_from_url

PLATFORM = "moments"
SHOP_ID = r"/u/(\d+)"
POST_ID = r"/(?:p|go)/(\d+)"


class MomentsDirectoryPage(HtmlPage):
    """``/`` and ``/?page=N``: seller links and a next link."""

    def seller_links(self) -> list[str]:
        return self.links("a.seller")


class MomentsTimelinePage(HtmlPage):
    """``/u/{shop_id}[?page=N]``: seller header (first page) and 20 posts, newest first."""

    @property
    def shop_id(self) -> str | None:
        return self.response.css("div.profile::attr(data-shop-id)").get() or id_from_url(self.url, SHOP_ID)

    def merchant(self, platform: str = PLATFORM) -> Merchant | None:
        r = self.response
        shop_id = self.shop_id
        if not shop_id:
            return None
        lic = licence_from_html(r)
        return Merchant(
            platform=platform,
            shop_id=shop_id,
            url=canonical_url(r.urljoin(f"/u/{shop_id}")),
            name=node_text(r.css("div.profile h1.seller-name, h1.seller-name")),
            licence_company=lic["company"],
            licence_uscc=lic["uscc"],
            licence_address=lic["address"],
            licence_scope=lic["scope"],
            licence_shown_as=lic["shown_as"],
            followers=parse_int(r.css("div.profile span.followers::text").get()),
            handle=clean(r.css("div.profile span.handle::text").get()),
        )

    def listings(self, platform: str = PLATFORM) -> list[Listing]:
        shop_id = self.shop_id
        out = []
        for post in self.response.css("article.post"):
            listing = self._post(post, shop_id, platform)
            if listing is not None:
                out.append(listing)
        return out

    def _post(self, post: Selector, shop_id: str | None, platform: str) -> Listing | None:
        r = self.response
        permalink = post.css("a.permalink::attr(href)").get()
        item_id = post.attrib.get("data-post-id") or (id_from_url(r.urljoin(permalink), POST_ID) if permalink else None)
        if not item_id:
            return None
        text = _post_text(post)
        price, currency, price_text = price_in_text(text)
        author = post.css("a.author::attr(href)").get()
        return Listing(
            platform=platform,
            item_id=item_id,
            url=canonical_url(r.urljoin(f"/p/{item_id}")),
            shop_id=(id_from_url(r.urljoin(author), SHOP_ID) if author else None) or shop_id,
            title=title_from_text(text),
            description=text,
            price=price,
            currency=currency,
            price_text=price_text,
            images=images_from(post.css("div.pics"), r),
            extra={"posted_at": post.css("time::attr(datetime)").get()},
        )


def _post_text(post: Selector) -> str | None:
    """The post's text with its line breaks (the page shows it with ``white-space: pre-line``)."""
    raw = "".join(post.css("div.post-text").xpath(".//text()").getall())
    lines = [line.strip() for line in raw.splitlines()]
    text = "\n".join(line for line in lines if line)
    return text or None
