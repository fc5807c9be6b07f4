"""Store: upsert listings and merchants, and record every fetched page.

Why here and not in the spider: versioning (new/changed/unchanged) needs the stored state, and
every spider gets it for free. Outcomes are counted as ``shopwatch/listings/<outcome>`` and
``shopwatch/merchants/<outcome>``; pages as ``shopwatch/pages``. The item leaves with
first_seen, last_seen, version, content_hash and job_id filled (and, when delisted, the
stored fields the delisted page no longer shows). The job record itself belongs to the
``crawler.jobs.JobRecorder`` extension. The store is the process-wide shared one
(``crawler.config.shared_store``): this pipeline flushes it, never closes it.
"""
from __future__ import annotations

import hashlib
from typing import Any

from scrapy import signals

from crawler.config import shared_store
from crawler.signals import outputs_commit
from crawler.normalize import LISTING_VERSIONED_FIELDS
from crawler.store.base import Store, iso_utc
from pipelines._common import adapter, as_dict, item_kind, job_id_for, set_field

_FILLED = ("first_seen", "last_seen", "version", "content_hash", "job_id")
_DELISTED_FILL = LISTING_VERSIONED_FIELDS + ("url", "shop_id", "category", "price_text", "sales", "images")


class StorePipeline:
    """Write items to the configured store; flush when idle, on close, and every batch bound."""

    def __init__(self, crawler: Any) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.seen_at: str | None = iso_utc(s.get("SHOPWATCH_SEEN_AT")) if s.get("SHOPWATCH_SEEN_AT") else None
        self.record_pages = s.getbool("SHOPWATCH_RECORD_PAGES", True)
        self.page_buffer_size = s.getint("SHOPWATCH_PAGE_BUFFER", 500)
        self.store: Store | None = None
        self.job_id: str | None = None
        self.pages: list[dict[str, Any]] = []
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self._flush, signal=outputs_commit)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.store = shared_store(self.crawler.settings)
        self.job_id = job_id_for(self.crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        kind = item_kind(item)
        if kind is None or self.store is None:
            return item
        seen_at = self.seen_at or iso_utc()
        a = adapter(item)
        if kind == "listing":
            result = self.store.upsert_listing(as_dict(item), seen_at, self.job_id)
            if result.record.get("status") == "delisted":
                for f in _DELISTED_FILL:
                    if a.get(f) in (None, "", []):
                        set_field(a, f, result.record.get(f))
        else:
            result = self.store.upsert_merchant(as_dict(item), seen_at, self.job_id)
        self.stats.inc_value(f"shopwatch/{kind}s/{result.outcome}")
        for f in _FILLED:
            set_field(a, f, result.record.get(f))
        return item

    def response_received(self, response: Any, request: Any, spider: Any = None) -> None:
        """One PageRecord per response (buffered); also the time bound of the open batch."""
        if self.store is None:
            return
        if self.record_pages:
            body = response.body or b""
            ctype = response.headers.get(b"Content-Type")
            self.pages.append({
                "url": response.url, "status": response.status, "fetched_at": iso_utc(),
                "body_sha256": hashlib.sha256(body).hexdigest(), "size": len(body),
                "content_type": ctype.decode("latin-1") if ctype else None,
                "platform": request.meta.get("platform") or getattr(spider, "platform", None),
                "job_id": self.job_id,
            })
            self.stats.inc_value("shopwatch/pages")
            if len(self.pages) >= self.page_buffer_size:
                self._put_pages()
        self.store.flush_if_due()

    def _put_pages(self) -> None:
        if self.pages and self.store is not None:
            pages, self.pages = self.pages, []
            self.store.put_pages(pages)

    def _flush(self) -> None:
        if self.store is not None:
            self._put_pages()
            self.store.flush()

    def spider_idle(self, spider: Any = None) -> None:
        self._flush()

    def close_spider(self, spider: Any = None) -> None:
        self._flush()

    def spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        """Pages of the last responses; the shared store stays open for other crawlers."""
        self._flush()
        self.store = None
