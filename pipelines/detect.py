"""Detect: scan every listing and merchant as it is crawled with the enabled campaigns.

Why here (after the store, before the index): only valid, deduplicated records are scanned, and
the hits refer to what the store now holds. Detection is Aho-Corasick over folded text
(``detect.engine``), a few microseconds per listing; hits are written to the store in batches
(count- and time-bounded), counted as ``shopwatch/hits/<family>`` (new and re-seen alike).
The documents and hit records come from ``detect.runs``, shared with retroactive campaign runs,
so both engines report the same hits for the same data.
"""
from __future__ import annotations

import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.config import data_dir, shared_store
from crawler.signals import outputs_commit
from pipelines._common import as_dict, item_kind, job_id_for


class DetectPipeline:
    """Streaming campaign detection (``SHOPWATCH_DETECT``; campaigns from the registry)."""

    def __init__(self, crawler: Any) -> None:
        s = crawler.settings
        if not s.getbool("SHOPWATCH_DETECT", True):
            raise NotConfigured("SHOPWATCH_DETECT is off")
        from detect.engine import Detector

        campaigns = self.campaigns(s)
        if not campaigns:
            raise NotConfigured("no enabled campaigns")
        self.crawler = crawler
        self.stats = crawler.stats
        self.detector = Detector(campaigns)
        self.batch_size = s.getint("SHOPWATCH_HITS_BATCH", 200)
        self.batch_seconds = s.getfloat("SHOPWATCH_HITS_BATCH_SECONDS", 1.0)
        self.scan_batch = max(1, s.getint("SHOPWATCH_DETECT_BATCH", 256))
        self.listings: list[dict[str, Any]] = []
        self.listings_since = 0.0
        self.store: Any = None
        self.seen_at = s.get("SHOPWATCH_SEEN_AT") or None  # hits stamped like the listings (replays, tests)
        self.pending: list[dict[str, Any]] = []
        self.started = 0.0
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.commit, signal=outputs_commit)

    @staticmethod
    def campaigns(settings: Any) -> list[Any]:
        """The campaigns to run; a ``SHOPWATCH_CAMPAIGNS`` id that is unknown, disabled or out of
        its period is a ``UserError`` naming it (detection must not be silently off)."""
        from datetime import date

        from detect.registry import CampaignRegistry

        return CampaignRegistry(data_dir(settings)).select(settings.getlist("SHOPWATCH_CAMPAIGNS"), date.today())

    @classmethod
    def check_settings(cls, settings: Any) -> None:
        """Called by ``crawler.runner`` before any crawl starts: bad settings stop it there."""
        if settings.getbool("SHOPWATCH_DETECT", True):
            cls.campaigns(settings)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DetectPipeline":
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.store = shared_store(self.crawler.settings)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        from detect.runs import scan_merchant

        kind = item_kind(item)
        if kind is None or self.store is None:
            return item
        if kind == "listing":  # scanned in batches (``Detector.scan_listings``): the item goes on now
            if not self.listings:
                self.listings_since = time.monotonic()
            self.listings.append(as_dict(item))
            if len(self.listings) >= self.scan_batch or time.monotonic() - self.listings_since >= self.batch_seconds:
                self._scan()
        else:
            self._found(scan_merchant(self.detector, as_dict(item)))
        return item

    def _scan(self) -> None:
        from detect.runs import scan_listings

        records, self.listings = self.listings, []
        for hits in scan_listings(self.detector, records):
            self._found(hits)

    def _found(self, hits: list[dict[str, Any]]) -> None:
        if hits:
            if not self.pending:
                self.started = time.monotonic()
            self.pending.extend(hits)
            for hit in hits:
                self.stats.inc_value(f"shopwatch/hits/{hit['family']}")
        if self.pending and (len(self.pending) >= self.batch_size
                             or time.monotonic() - self.started >= self.batch_seconds):
            self._write()

    def _write(self) -> None:
        if self.pending and self.store is not None:
            hits, self.pending = self.pending, []
            counts = self.store.upsert_hits(hits, seen_at=self.seen_at, job_id=job_id_for(self.crawler))
            self.stats.inc_value("shopwatch/hits_new", counts["new"])

    def commit(self) -> None:
        """The waiting listings scanned, their hits written and committed (the store's open
        transaction included)."""
        self.spider_idle()
        if self.store is not None:
            self.store.flush()

    def spider_idle(self, spider: Any = None) -> None:
        self._scan()
        self._write()

    def close_spider(self, spider: Any = None) -> None:
        self._scan()
        self._write()
        self.store = None
