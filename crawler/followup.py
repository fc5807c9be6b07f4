"""Follow-up checks: after a full crawl has walked every list, re-fetch the listings the store
knows as active that this crawl did not see. List pages only link what is on sale, so this is how
a delisted item (404, 410, "已下架") is noticed and marked — and how a listing missed by a transient
failure gets a second chance before the job closes.

Runs once per crawl, when the spider first goes idle, for spiders that can build a re-check
request (``recheck_request(url)``). Off for partial crawls (``max_shops``, page limits) where
"not seen" does not mean "gone", and when the store pipeline is off.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from crawler.jobs import job_id_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler



class FollowUp:
    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self.done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FollowUp:
        settings = crawler.settings
        if not settings.getbool("SHOPWATCH_FOLLOWUP"):
            raise NotConfigured
        pipelines = settings.getdict("ITEM_PIPELINES")
        if not any(path.endswith("StorePipeline") and order is not None for path, order in pipelines.items()):
            raise NotConfigured  # nothing stored, nothing to follow up
        if settings.getint("CLOSESPIDER_PAGECOUNT") or settings.getint("CLOSESPIDER_ITEMCOUNT"):
            raise NotConfigured  # a capped crawl does not see everything
        ext = cls(crawler, settings.getint("SHOPWATCH_FOLLOWUP_MAX", 1_000_000))
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        return ext

    def idle(self, spider: Any) -> None:
        if self.done:
            return
        self.done = True
        make = getattr(spider, "recheck_request", None)
        if make is None or getattr(spider, "recheck", None) or getattr(spider, "max_shops", None):
            return
        from crawler.config import shared_store

        store = shared_store(self.crawler.settings)
        store.flush()  # this crawl's sightings must be visible before we ask what was not seen
        job_id = job_id_for(spider)
        platform = getattr(spider, "platform", spider.name)
        unseen = [row["url"] for row in store.iter_listings(platform=platform, status="active")
                  if row.get("job_id") != job_id and row.get("url")]
        stats = self.crawler.stats
        if len(unseen) > self.limit:
            stats.set_value("shopwatch/followup/skipped_over_limit", len(unseen) - self.limit)
            unseen = unseen[: self.limit]
        if not unseen:
            return
        stats.set_value("shopwatch/followup/scheduled", len(unseen))
        spider.logger.info("follow-up: re-checking %d listings not seen in this crawl", len(unseen))
        rebase = getattr(spider, "rebase", None) or (lambda url: url)
        for url in unseen:
            self.crawler.engine.crawl(make(rebase(url)))
        raise DontCloseSpider
