"""miniapp spider: signed JSON API — shops cursor -> shop detail -> items cursor.

Requests are built unsigned and marked ``meta["shopwatch_sign"] = "miniapp"``;
``crawler.middlewares.MiniappSigningMiddleware`` adds ``app_key``/``ts``/``nonce``/``sign`` as
each one leaves (a queued request never goes stale, a retry is re-signed). 429s are honoured
through ``Retry-After`` by ``BackoffRetryMiddleware``; truncated JSON is retried here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import Listing
from crawler.middlewares import SIGN
from spiders.base import MallsimSpider
from spiders.pages.miniapp import (
    MiniappItemPage, MiniappItemsPage, MiniappShopPage, MiniappShopsPage, api_url, item_url,
)

SHOPS_LIMIT = 50
ITEMS_LIMIT = 20


class MiniappSpider(MallsimSpider):
    name = "miniapp"

    def api(self, endpoint: str, callback: Callable[..., Any], cb_kwargs: dict[str, Any] | None = None,
            meta: dict[str, Any] | None = None, **params: Any) -> scrapy.Request:
        """An unsigned API request, marked for signing at download time."""
        return scrapy.Request(api_url(self.base_url, endpoint, **params), callback=callback,
                              cb_kwargs=cb_kwargs or {}, meta={SIGN: "miniapp", **(meta or {})})

    def start_requests_list(self) -> list[scrapy.Request]:
        return [self.api("shops", self.parse_shops, limit=SHOPS_LIMIT)]

    def recheck_request(self, url: str) -> scrapy.Request:
        item_id = (parse_qs(urlsplit(url).query).get("item_id") or [""])[0]
        return self.api("item", self.parse_item, meta={"handle_httpstatus_list": [404]}, item_id=item_id)

    def parse_shops(self, response: Response) -> Iterator[scrapy.Request]:
        page, retry = self.load(MiniappShopsPage, response)
        if page is None:
            yield from [retry] if retry else []
            return
        for shop_id in page.shop_ids():
            if not self.take_shop():
                return
            yield self.api("shop", self.parse_shop, shop_id=shop_id)
            yield self.api("items", self.parse_items, cb_kwargs={"shop_id": shop_id},
                           shop_id=shop_id, limit=ITEMS_LIMIT)
        if page.next_cursor and not self.shops_full:
            yield self.api("shops", self.parse_shops, cursor=page.next_cursor, limit=SHOPS_LIMIT)

    def parse_shop(self, response: Response) -> Iterator[Any]:
        page, retry = self.load(MiniappShopPage, response)
        if page is None:
            yield from [retry] if retry else []
            return
        merchant = page.merchant()
        if merchant is not None:
            yield merchant

    def parse_items(self, response: Response, shop_id: str) -> Iterator[Any]:
        page, retry = self.load(MiniappItemsPage, response)
        if page is None:
            yield from [retry] if retry else []
            return
        yield from page.listings(shop_id=shop_id)
        if page.next_cursor:
            yield self.api("items", self.parse_items, cb_kwargs={"shop_id": shop_id},
                           shop_id=shop_id, cursor=page.next_cursor, limit=ITEMS_LIMIT)

    def parse_item(self, response: Response) -> Iterator[Any]:
        """Item detail (recheck mode): 404 ``item delisted`` -> Listing(status="delisted")."""
        if response.status == 404:
            item_id = (parse_qs(urlsplit(response.url).query).get("item_id") or [""])[0]
            if item_id:
                # item ids embed the shop id (docs/mallsim.md: item_id = shop_id + 3 digits)
                yield Listing(platform=self.platform, item_id=item_id, url=item_url(self.base_url, item_id),
                              shop_id=item_id[:-3] or None, status="delisted")
            return
        page, retry = self.load(MiniappItemPage, response)
        if page is None:
            yield from [retry] if retry else []
            return
        listing = page.listing()
        if listing is not None:
            yield listing
