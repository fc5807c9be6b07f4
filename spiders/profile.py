"""The generic spider driven by a YAML site profile: ``scrapy crawl profile -a profile=FILE``.

Arguments: ``profile`` (required, a path), ``port`` (fills ``{port}`` in start URLs; default
setting ``SHOPWATCH_MALLSIM_PORT``), ``max_pages`` (overrides the profile's bound), ``job_id``.
The profile is validated when the crawler is built, so a bad file fails the job before any
request, with ``file:line: reason``. Its politeness (per-domain concurrency and delay) is
applied as this crawl's settings.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from crawler.middlewares import SIGN
from crawler.profiles import PageSpec, Profile, ProfileError, load_profile
from spiders.base import retry_payload
from spiders.pages.common import BadPayload
from spiders.pages.profiled import ProfiledPage


class ProfileSpider(scrapy.Spider):
    name = "profile"

    def __init__(self, *args: Any, profile: str | None = None, port: str | int | None = None,
                 max_pages: str | int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not profile:
            raise ProfileError("(no file)", None, "the profile spider needs -a profile=PATH")
        self.profile: Profile = load_profile(profile)
        self.platform = self.profile.platform
        self._port_arg = port
        self.max_pages = int(max_pages) if max_pages not in (None, "") else self.profile.max_pages
        self.pages_scheduled = 0
        if self.profile.allowed_domains:
            self.allowed_domains = list(self.profile.allowed_domains)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ProfileSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.port = int(spider._port_arg or crawler.settings.getint("SHOPWATCH_MALLSIM_PORT", 8800))
        polite = spider.profile.politeness
        # settings are still writable here (frozen after the spider is built)
        if polite.concurrency is not None:
            crawler.settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", polite.concurrency, priority="spider")
        if polite.delay is not None:
            crawler.settings.set("DOWNLOAD_DELAY", polite.delay, priority="spider")
        return spider

    # --- requests ------------------------------------------------------------------------------

    def request(self, url: str, page: str) -> scrapy.Request | None:
        """A request for a page of type ``page``; None once ``max_pages`` requests were made."""
        if self.max_pages is not None and self.pages_scheduled >= self.max_pages:
            self.crawler.stats.inc_value("shopwatch/profile/max_pages_reached")
            return None
        self.pages_scheduled += 1
        spec = self.profile.pages[page]
        meta: dict[str, Any] = {}
        if spec.accept_status:
            meta["handle_httpstatus_list"] = list(spec.accept_status)
        signer = spec.sign or self.profile.sign
        if signer:
            meta[SIGN] = signer
        return scrapy.Request(url, callback=self.parse_page, cb_kwargs={"page": page}, meta=meta)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.profile.start_urls_for(self.port):
            request = self.request(url, self.profile.start_page)
            if request is not None:
                yield request

    # --- responses -----------------------------------------------------------------------------

    def parse_page(self, response: Response, page: str) -> Iterator[Any]:
        spec: PageSpec = self.profile.pages[page]
        if not isinstance(response, TextResponse):
            self.logger.warning("%s is not text (%s): skipped", response.url, type(response).__name__)
            return
        try:
            view = ProfiledPage(self.profile, spec, response)
        except BadPayload as exc:
            retry = retry_payload(self, response, exc.reason)
            if retry is not None:
                yield retry
            return
        yield from view.merchants()
        yield from view.listings()
        if 200 <= response.status < 300:
            for url, target in view.links():
                request = self.request(url, target)
                if request is None:
                    return
                yield request
