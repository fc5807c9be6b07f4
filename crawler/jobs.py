"""Crawl job records: who crawled what, when, with which outcome — persisted in the store so
`shopwatch jobs list` and the (later) console can show them after the process has gone."""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.outcomes import crawl_counts, errors_by_reason

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_job_id(name: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{name}-{secrets.token_hex(2)}"


def job_id_for(spider: Any) -> str:
    """The job id of this crawl: given by the CLI as spider argument ``job_id``, or made once
    (plain ``scrapy crawl``) and kept on the spider so pipelines and this extension agree."""
    job_id = getattr(spider, "job_id", None)
    if not job_id:
        job_id = new_job_id(spider.name)
        spider.job_id = job_id
    return str(job_id)


class JobRecorder:
    """Scrapy extension: a job row at open (state running) and its counts at close."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.job: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobRecorder:
        if not crawler.settings.getbool("SHOPWATCH_JOBS_ENABLED", True):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def _store(self) -> Any:
        from crawler.config import shared_store

        return shared_store(self.crawler.settings)

    def opened(self, spider: Any) -> None:
        args = {k: v for k, v in vars(spider).items() if k in getattr(spider, "job_args", ())}
        self.job = {
            "id": job_id_for(spider),
            "spider": spider.name,
            "profile": getattr(spider, "profile_path", None),
            "args": json.loads(json.dumps(args, default=str)),
            "started_at": utcnow(),
            "finished_at": None,
            "state": "running",
            "counts": {},
            "errors": {},
        }
        store = self._store()
        store.save_job(self.job)
        store.flush()

    def closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.job.update(
            finished_at=utcnow(),
            state=reason,
            counts=crawl_counts(stats),
            errors=errors_by_reason(stats),
        )
        store = self._store()
        store.save_job(self.job)
        store.flush()
