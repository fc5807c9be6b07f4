"""Garbage-collector thresholds for crawl processes (``SHOPWATCH_GC_THRESHOLD``).

Why: a crawl allocates container objects by the million (requests, responses, Deferreds, asyncio
tasks, items), so with Python's default thresholds (700, 10, 10) the cyclic collector runs a
young-generation pass every ~700 net allocations and, every hundred of those, a full pass over
every live object — the detector's automata and tables, the spider's queues. Measured on
``bench/crawl.py``: 0.30 ms of each page's 2.2 ms in the plain spider and 0.42 of 2.9 ms in the
full pipeline. A larger first threshold makes each young pass rarer (most objects die by
reference counting before it); cycles are still collected, only later. The thresholds are
process-wide: set when the first crawler opens, put back when the last one closes.
"""
from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.errors import UserError

SETTING = "SHOPWATCH_GC_THRESHOLD"
#: Crawlers open in this process, and the thresholds to restore when the last one closes.
_OPEN: list[Any] = []
_SAVED: list[tuple[int, ...]] = []


def parse_threshold(value: Any) -> tuple[int, ...] | None:
    """``None``/empty = leave the collector alone; else 1-3 integers, the first >= 1 and the
    others >= 0 (``gc.set_threshold``'s meaning). Anything else is a UserError naming it."""
    if value in (None, "", [], ()):
        return None
    shown = value
    if isinstance(value, str):
        value = value.strip().strip("[]()").replace(",", " ").split()  # "-s KEY=10000,10,10"
    if not isinstance(value, Sequence) or not 1 <= len(value) <= 3:
        raise UserError(f"{SETTING} must be 1 to 3 integers (gen0, gen1, gen2 thresholds), got {shown!r}")
    try:
        out = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise UserError(f"{SETTING} must be integers, got {shown!r}") from None
    if out[0] < 1 or any(v < 0 for v in out):
        raise UserError(f"{SETTING}: the first threshold must be >= 1 and the others >= 0, got {shown!r}")
    return out


class GcThreshold:
    """Scrapy extension: ``gc.set_threshold(*SHOPWATCH_GC_THRESHOLD)`` while crawlers run."""

    def __init__(self, crawler: Any, threshold: tuple[int, ...]) -> None:
        self.crawler = crawler
        self.threshold = threshold

    @classmethod
    def check_settings(cls, settings: Any) -> None:
        """Called by ``crawler.runner`` before any crawl starts: a bad value stops it there."""
        parse_threshold(settings.get(SETTING))

    @classmethod
    def from_crawler(cls, crawler: Any) -> "GcThreshold":
        threshold = parse_threshold(crawler.settings.get(SETTING))
        if threshold is None:
            raise NotConfigured(f"{SETTING} is off")
        ext = cls(crawler, threshold)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any = None) -> None:
        if not _OPEN:
            _SAVED[:] = [gc.get_threshold()]
        _OPEN.append(self)
        gc.set_threshold(*self.threshold)

    def closed(self, spider: Any = None, reason: str = "finished") -> None:
        if self in _OPEN:
            _OPEN.remove(self)
        if not _OPEN and _SAVED:
            gc.set_threshold(*_SAVED.pop())
