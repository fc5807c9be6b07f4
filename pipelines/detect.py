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
        from detect.registry import CampaignRegistry

        from datetime import date

        today = date.today()
        campaigns = [c for c in CampaignRegistry(data_dir(s)).enabled() if c.active_on(today)]
        wanted = s.getlist("SHOPWATCH_CAMPAIGNS")
        if wanted:
            known = {c.id for c in campaigns}
            missing = sorted(set(wanted) - known)
            if missing:
                raise NotConfigured(f"SHOPWATCH_CAMPAIGNS names unknown or disabled campaigns: {missing}")
            campaigns = [c for c in campaigns if c.id in wanted]
        if not campaigns:
            raise NotConfigured("no enabled campaigns")
        self.crawler = crawler
        self.stats = crawler.stats
        self.detector = Detector(campaigns)
        self.batch_size = s.getint("SHOPWATCH_HITS_BATCH", 200)
        self.batch_seconds = s.getfloat("SHOPWATCH_HITS_BATCH_SECONDS", 1.0)
        self.store: Any = None
        self.pending: list[dict[str, Any]] = []
        self.started = 0.0
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.commit, signal=outputs_commit)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DetectPipeline":
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.store = shared_store(self.crawler.settings)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        from detect.runs import scan_listing, scan_merchant

        kind = item_kind(item)
        if kind is None or self.store is None:
            return item
        record = as_dict(item)
        hits = scan_listing(self.detector, record) if kind == "listing" else scan_merchant(self.detector, record)
        if hits:
            if not self.pending:
                self.started = time.monotonic()
            self.pending.extend(hits)
            for hit in hits:
                self.stats.inc_value(f"shopwatch/hits/{hit['family']}")
        if self.pending and (len(self.pending) >= self.batch_size
                             or time.monotonic() - self.started >= self.batch_seconds):
            self._write()
        return item

    def _write(self) -> None:
        if self.pending and self.store is not None:
            hits, self.pending = self.pending, []
            counts = self.store.upsert_hits(hits, job_id=job_id_for(self.crawler))
            self.stats.inc_value("shopwatch/hits_new", counts["new"])

    def commit(self) -> None:
        """Hits written and committed (the store's open transaction included)."""
        self._write()
        if self.store is not None:
            self.store.flush()

    def spider_idle(self, spider: Any = None) -> None:
        self._write()

    def close_spider(self, spider: Any = None) -> None:
        self._write()
        self.store = None
