"""moments spider: seller directory -> seller timelines (paginated, newest first).

Emits a Merchant per seller (from the timeline header, first page) and a Listing per post,
read by ``spiders.pages.moments``: title = first line, description = the whole text, price
found in the free text when the seller wrote one. Permalinks are not fetched: the timeline
shows the whole post (``recheck`` fetches them to detect deleted posts).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import Listing
from crawler.urls import canonical_url
from spiders.base import MallsimSpider
from spiders.pages.common import id_from_url
from spiders.pages.moments import POST_ID, MomentsDirectoryPage, MomentsTimelinePage


class MomentsSpider(MallsimSpider):
    name = "moments"

    def start_requests_list(self) -> list[scrapy.Request]:
        return [scrapy.Request(f"{self.base_url}/", callback=self.parse_directory)]

    def recheck_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_permalink, meta={"handle_httpstatus_list": [404, 410]})

    def parse_directory(self, response: Response) -> Iterator[scrapy.Request]:
        page = MomentsDirectoryPage(response)
        for url in page.seller_links():
            if not self.take_shop():
                return
            yield scrapy.Request(url, callback=self.parse_timeline)
        next_url = page.next_page()
        if next_url and not self.shops_full:
            yield scrapy.Request(next_url, callback=self.parse_directory)

    def parse_timeline(self, response: Response) -> Iterator[Any]:
        page = MomentsTimelinePage(response)
        if (parse_qs(urlsplit(response.url).query).get("page") or ["1"])[0] == "1":
            merchant = page.merchant()
            if merchant is not None:
                yield merchant
        yield from page.listings()
        next_url = page.next_page()
        if next_url:
            yield scrapy.Request(next_url, callback=self.parse_timeline)

    def parse_permalink(self, response: Response) -> Iterator[Listing]:
        """Recheck mode: a 404 "内容已删除" means the post was deleted (Listing status="delisted")."""
        if response.status in (404, 410):
            item_id = id_from_url(response.url, POST_ID)
            if item_id:
                yield Listing(platform=self.platform, item_id=item_id,
                              url=canonical_url(response.urljoin(f"/p/{item_id}")), status="delisted")
            return
        yield from MomentsTimelinePage(response).listings()
