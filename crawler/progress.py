"""A live progress line for operators: pages, items, errors and rate over every crawler running
in this process (the demo runs one per platform), refreshed every SHOPWATCH_PROGRESS_INTERVAL s."""
from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.outcomes import errors_by_reason

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class _Board:
    """Process-wide: one line for all crawlers, so concurrent spiders don't fight over stderr."""

    def __init__(self) -> None:
        self.crawlers: dict[int, Crawler] = {}
        self.task: Any = None
        self.started = 0.0
        self.last: tuple[float, int] = (0.0, 0)
        self.tty = sys.stderr.isatty()

    def add(self, crawler: Crawler, interval: float) -> None:
        self.crawlers[id(crawler)] = crawler
        if self.task is None:
            self.started = time.monotonic()
            self.last = (self.started, 0)
            self.task = create_looping_call(self.render)
            self.task.start(interval, now=False)

    def remove(self, crawler: Crawler) -> None:
        self.crawlers.pop(id(crawler), None)
        if not self.crawlers and self.task is not None:
            if self.task.running:
                self.task.stop()
            self.task = None
            if self.tty:
                sys.stderr.write("\n")

    def totals(self) -> dict[str, int]:
        pages = items = errors = 0
        for crawler in self.crawlers.values():
            stats = crawler.stats.get_stats() if crawler.stats else {}
            pages += int(stats.get("response_received_count", 0))
            items += int(stats.get("item_scraped_count", 0))
            errors += sum(errors_by_reason(stats).values())
        return {"pages": pages, "items": items, "errors": errors}

    def render(self) -> None:
        t = self.totals()
        now = time.monotonic()
        then, pages_then = self.last
        rate = (t["pages"] - pages_then) / max(now - then, 1e-6)
        self.last = (now, t["pages"])
        line = (
            f"[{now - self.started:6.0f}s] spiders {len(self.crawlers)} | pages {t['pages']} | "
            f"items {t['items']} | errors {t['errors']} | {rate:.0f} pages/s"
        )
        if self.tty:
            sys.stderr.write("\r" + line.ljust(100))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


BOARD = _Board()


class Progress:
    """Scrapy extension; enable with SHOPWATCH_PROGRESS = True."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        if not crawler.settings.getbool("SHOPWATCH_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler, crawler.settings.getfloat("SHOPWATCH_PROGRESS_INTERVAL", 2.0))
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any) -> None:
        BOARD.add(self.crawler, self.interval)

    def closed(self, spider: Any, reason: str) -> None:
        BOARD.remove(self.crawler)
