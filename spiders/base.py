"""What every simulator spider shares: arguments, start URL, shop budget, retries of bad payloads.

Spider arguments (``scrapy crawl NAME -a key=value``):

* ``port`` — simulator port (default: setting ``SHOPWATCH_MALLSIM_PORT``); start URLs are
  ``http://<platform>.mallsim.test:<port>/`` and ``SHOPWATCH_RESOLVE`` maps the host to loopback.
* ``max_shops`` — stop after this many shops (directory order); default: all.
* ``recheck`` — a file of listing URLs (one per line, or JSON lines with ``"url"``) to fetch
  directly instead of walking the directory: how a re-crawl finds delisted items.
* ``job_id`` — set by the shopwatch runner; pipelines read it.
"""
from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response

from spiders.pages.common import BadPayload

HOST_SUFFIX = "mallsim.test"


class MallsimSpider(scrapy.Spider):
    """Base of the per-platform spiders: ``name`` is the platform, which is also the host label."""

    platform: str = ""

    def __init__(self, *args: Any, port: str | int | None = None, max_shops: str | int | None = None,
                 recheck: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform = self.platform or self.name
        self._port_arg = port
        self.max_shops: int | None = int(max_shops) if max_shops not in (None, "", "0") else None
        self.recheck = recheck
        self.shops_scheduled = 0
        self.allowed_domains = [f"{self.platform}.{HOST_SUFFIX}"]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> MallsimSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        port = spider._port_arg or crawler.settings.getint("SHOPWATCH_MALLSIM_PORT", 8800)
        spider.port = int(port)
        spider.base_url = f"http://{spider.platform}.{HOST_SUFFIX}:{spider.port}"
        return spider

    # --- start ---------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Scrapy 2.19 calls ``start()`` (never ``start_requests()``)."""
        if self.recheck:
            for url in self.recheck_urls():
                yield self.recheck_request(self.rebase(url))
            return
        for request in self.start_requests_list():
            yield request

    def start_requests_list(self) -> list[scrapy.Request]:
        raise NotImplementedError

    def recheck_request(self, url: str) -> scrapy.Request:
        raise NotImplementedError

    def rebase(self, url: str) -> str:
        """``url`` on this crawl's simulator address: a stored URL keeps the port of the run that
        saw it, and the simulator may listen elsewhere now (the demo picks a free port)."""
        parts = urlsplit(url)
        if parts.hostname != f"{self.platform}.{HOST_SUFFIX}":
            return url
        return urlunsplit(urlsplit(self.base_url)[:2] + parts[2:])

    def recheck_urls(self) -> list[str]:
        urls = []
        for line in Path(str(self.recheck)).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line:
                continue
            if line.startswith("{"):
                record = json.loads(line)
                if record.get("platform", self.platform) != self.platform or not record.get("url"):
                    continue
                line = record["url"]
            urls.append(line)
        return urls

    # --- shop budget ---------------------------------------------------------------------------

    def take_shop(self) -> bool:
        """Count one more shop to crawl; False once ``max_shops`` is reached."""
        if self.max_shops is not None and self.shops_scheduled >= self.max_shops:
            return False
        self.shops_scheduled += 1
        return True

    @property
    def shops_full(self) -> bool:
        return self.max_shops is not None and self.shops_scheduled >= self.max_shops

    # --- bad payloads --------------------------------------------------------------------------

    def load(self, page_cls: Callable[[Response], Any], response: Response) -> tuple[Any, scrapy.Request | None]:
        """(page object, None) or (None, retry request or None) for a payload that did not parse.

        A truncated JSON answer is transient: it is retried like a 5xx (same RETRY_TIMES budget,
        with backoff). When retries are spent it is counted as ``shopwatch/errors/<reason>``.
        """
        try:
            return page_cls(response), None
        except BadPayload as exc:
            return None, self.retry(response, exc.reason)

    def retry(self, response: Response, reason: str) -> scrapy.Request | None:
        return retry_payload(self, response, reason)


def retry_payload(spider: scrapy.Spider, response: Response, reason: str) -> scrapy.Request | None:
    """A retry of ``response.request`` for a payload that did not parse (budget RETRY_TIMES,
    with the same backoff as download retries); None and ``shopwatch/errors/<reason>`` when spent."""
    from crawler.middlewares import NOT_BEFORE  # late: keeps spider modules light to import

    request = get_retry_request(response.request, spider=spider, reason=reason)
    if request is None:
        spider.crawler.stats.inc_value(f"shopwatch/errors/{reason}")
        spider.logger.warning("giving up on %s: %s", response.url, reason)
        return None
    for key in ("download_latency", "redirect_times", "redirect_ttl", "redirect_urls", "redirect_reasons"):
        request.meta.pop(key, None)  # per-response bookkeeping, not part of the retry
    attempt = request.meta.get("retry_times", 1)
    settings = spider.crawler.settings
    base = settings.getfloat("SHOPWATCH_RETRY_BACKOFF_BASE", 0.5)
    cap = settings.getfloat("SHOPWATCH_RETRY_BACKOFF_MAX", 8.0)
    request.meta[NOT_BEFORE] = time.time() + min(cap, base * 2 ** (attempt - 1))
    return request
