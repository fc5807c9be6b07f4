"""weishop spider: directory -> shop home -> item list pages -> item pages.

Emits a Merchant per shop home and a Listing per item page; delisted items (404, 410, or a
200 "该商品已下架" page) become Listing(status="delisted"). Navigation only: fields are read by
``spiders.pages.weishop``.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from spiders.base import MallsimSpider
from spiders.pages.weishop import (
    DELISTED_STATUSES, WeishopDirectoryPage, WeishopItemPage, WeishopListPage, WeishopShopPage,
)

#: Item requests only: let 404/410 through to the callback (they mean "delisted").
ITEM_META: dict[str, Any] = {"handle_httpstatus_list": list(DELISTED_STATUSES)}


class WeishopSpider(MallsimSpider):
    name = "weishop"

    def start_requests_list(self) -> list[scrapy.Request]:
        return [scrapy.Request(f"{self.base_url}/", callback=self.parse_directory)]

    def recheck_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_item, meta=dict(ITEM_META), cb_kwargs={"shop_id": None})

    def parse_directory(self, response: Response) -> Iterator[scrapy.Request]:
        page = WeishopDirectoryPage(response)
        for url in page.shop_links():
            if not self.take_shop():
                return
            yield scrapy.Request(url, callback=self.parse_shop)
        next_url = page.next_page()
        if next_url and not self.shops_full:
            yield scrapy.Request(next_url, callback=self.parse_directory)

    def parse_shop(self, response: Response) -> Iterator[Any]:
        page = WeishopShopPage(response)
        merchant = page.merchant()
        if merchant is not None:
            yield merchant
        items_url = page.items_url()
        if items_url:
            yield scrapy.Request(items_url, callback=self.parse_list, cb_kwargs={"shop_id": page.shop_id})

    def parse_list(self, response: Response, shop_id: str | None) -> Iterator[scrapy.Request]:
        page = WeishopListPage(response)
        shop_id = page.shop_id or shop_id
        for url, _item_id in page.item_links():
            yield scrapy.Request(url, callback=self.parse_item, meta=dict(ITEM_META), cb_kwargs={"shop_id": shop_id})
        next_url = page.next_page()
        if next_url:
            yield scrapy.Request(next_url, callback=self.parse_list, cb_kwargs={"shop_id": shop_id})

    def parse_item(self, response: Response, shop_id: str | None) -> Iterator[Any]:
        listing = WeishopItemPage(response).listing(shop_id=shop_id)
        if listing is not None:
            yield listing
