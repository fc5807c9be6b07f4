"""Index: send listings to the configured search index in batches (count- and time-bounded).

Why batches: one FTS5 transaction per 500 listings is ~50x faster than one per listing, and an
Elasticsearch bulk request will want the same shape. Counted as ``shopwatch/indexed``.
The index is the process-wide shared one (``crawler.config.shared_index``): flushed, not closed.
With ``SHOPWATCH_INDEX_THREAD`` each batch is written on the index's writer thread
(``crawler.writer``), beside the crawl; idle and close wait for it. Its default (None) follows the
index: on for Elasticsearch (a bulk request mostly waits on its socket, without the GIL), off for
the embedded FTS5 index, whose executemany takes the GIL back for every row — on 2 cores shared
with the simulator that thread cost 1.8x the index CPU per listing and no pages/s
(docs/performance.md).
"""
from __future__ import annotations

import time
from typing import Any

from scrapy import signals

from crawler.config import shared_index
from crawler.signals import outputs_commit
from crawler.writer import BackgroundWriter, writer_for
from pipelines._common import as_dict, item_kind


class IndexPipeline:
    """Index every listing that reaches it; merchants and other items pass through."""

    def __init__(self, crawler: Any) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.batch_size = s.getint("SHOPWATCH_INDEX_BATCH", 500)
        self.batch_seconds = s.getfloat("SHOPWATCH_INDEX_BATCH_SECONDS", 1.0)
        #: None: the index's own ``background_writes``
        self.threaded: bool | None = (None if s.get("SHOPWATCH_INDEX_THREAD") is None
                                      else s.getbool("SHOPWATCH_INDEX_THREAD"))
        self.index: Any = None
        self.writer: BackgroundWriter | None = None
        self.batch: list[dict[str, Any]] = []
        self.batch_started = 0.0
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_idle, signal=outputs_commit)  # the same: send and wait

    @classmethod
    def from_crawler(cls, crawler: Any) -> "IndexPipeline":
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.index = shared_index(self.crawler.settings)
        threaded = self.threaded if self.threaded is not None else getattr(self.index, "background_writes", False)
        if threaded:
            self.writer = writer_for(self.index, "shopwatch-index")

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if self.index is None or item_kind(item) != "listing":
            return item
        if not self.batch:
            self.batch_started = time.monotonic()
        self.batch.append(as_dict(item))
        if len(self.batch) >= self.batch_size or time.monotonic() - self.batch_started >= self.batch_seconds:
            self._send()
        return item

    def _send(self) -> None:
        if self.batch and self.index is not None:
            batch, self.batch = self.batch, []
            if self.writer is None:
                self._counted(self._write(self.index, batch))
            else:
                self.writer.submit(self._write, self.index, batch, on_done=self._counted)

    @staticmethod
    def _write(index: Any, batch: list[dict[str, Any]]) -> int:
        written = index.index_listings(batch)
        index.flush()
        return written

    def _counted(self, written: int) -> None:
        self.stats.inc_value("shopwatch/indexed", written)

    def _wait(self) -> None:
        if self.writer is not None:
            self.writer.drain()

    def spider_idle(self, spider: Any = None) -> None:
        self._send()
        self._wait()

    def close_spider(self, spider: Any = None) -> None:
        if self.index is not None:
            self._send()  # the shared index stays open for other crawlers (closed at exit)
            self._wait()
            self.index = None
