"""A Scrapy crawler with shopwatch's pipelines, driven by hand (no network, no reactor)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import DropItem
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

import crawler.settings as project
from crawler.config import close_shared

#: shopwatch's own keys and the pipeline order, from the project settings module
PIPELINE_SETTINGS = {k: v for k, v in vars(project).items() if k.startswith("SHOPWATCH_")}
PIPELINE_SETTINGS["ITEM_PIPELINES"] = dict(project.ITEM_PIPELINES)
PIPELINE_SETTINGS["LOGSTATS_INTERVAL"] = 0  # its LoopingCall needs a running reactor


class DemoSpider(Spider):
    name = "demo"


class Chain:
    """The enabled pipelines in ITEM_PIPELINES order, called the way Scrapy 2.19 calls them."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        order = sorted((p for p in crawler.settings.getdict("ITEM_PIPELINES").items() if p[1] is not None),
                       key=lambda kv: kv[1])
        self.pipes = [load_object(path).from_crawler(crawler) for path, _ in order]
        self.dropped: list[str] = []

    @property
    def stats(self) -> dict[str, Any]:
        return self.crawler.stats.get_stats()

    def open(self) -> "Chain":
        for p in self.pipes:  # Scrapy opens the pipelines first, then sends spider_opened
            if hasattr(p, "open_spider"):
                p.open_spider()
        self.crawler.signals.send_catch_log(signals.spider_opened, spider=self.crawler.spider)
        return self

    def feed(self, item: Any) -> Any:
        try:
            for p in self.pipes:
                item = p.process_item(item)
        except DropItem as exc:
            self.dropped.append(str(exc))
            return None
        return item

    def feed_all(self, items: Iterable[Any]) -> list[Any]:
        return [self.feed(i) for i in items]

    def close(self, reason: str = "finished") -> None:
        for p in reversed(self.pipes):
            if hasattr(p, "close_spider"):
                p.close_spider()
        self.crawler.signals.send_catch_log(signals.spider_closed, spider=self.crawler.spider, reason=reason)


@pytest.fixture
def make_chain(tmp_path: Path, monkeypatch):
    """``make_chain(**settings)`` -> an opened Chain writing under tmp_path/data."""
    for key in ("SHOPWATCH_STORE", "SHOPWATCH_INDEX", "SHOPWATCH_DATA_DIR"):
        monkeypatch.delenv(key, raising=False)
    chains: list[Chain] = []

    def make(job_id: str = "job-test", **overrides: Any) -> Chain:
        settings = {**PIPELINE_SETTINGS, "SHOPWATCH_DATA_DIR": str(tmp_path / "data"), **overrides}
        crawler = get_crawler(DemoSpider, settings)
        crawler.spider = DemoSpider.from_crawler(crawler, job_id=job_id)
        crawler.stats.open_spider()
        chain = Chain(crawler).open()
        chains.append(chain)
        return chain

    yield make
    close_shared()
