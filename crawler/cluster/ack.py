"""Middlewares that tell the ledger when a leased request is finished (``ledger``).

* ``AckSpiderMiddleware`` (outermost spider middleware): a response's callback output has been
  fully consumed → the lease may be acknowledged once its items are stored; requests the callback
  yields lose the parent's lease id (they are new work, queued in Redis). A 5xx/429 that reached
  the spider after all retries, or a callback exception, dead-letters the request.
* ``AckDownloaderMiddleware`` (outermost downloader middleware): a final download failure
  dead-letters the request with the same reason the error counters use; a deliberate drop
  (robots.txt, offsite) counts as done.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals

from crawler.cluster.ledger import LEASE, link_for
from crawler.middlewares import failure_reason

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response

#: final-failure reasons that mean "deliberately not fetched", not "failed"
NOT_FAILURES = frozenset({"robots_forbidden", "offsite", "ignored"})


class _Ack:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    def ledger(self) -> Any:
        link = link_for(self.crawler)
        return link.ledger if link is not None else None


class AckSpiderMiddleware(_Ack):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.failing = set(crawler.settings.getlist("RETRY_HTTP_CODES"))
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_left, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Nothing: `jobs submit` queued the start requests once; a worker's own ``start()``
        would only offer them again (and again for every worker that joins)."""
        return
        yield  # an async generator that yields nothing

    def item_left(self, item: Any = None, response: Any = None, **kwargs: Any) -> None:
        lease = getattr(response, "meta", {}).get(LEASE) if response is not None else None
        ledger = self.ledger()
        if lease and ledger is not None:
            ledger.item_done(lease)

    def _start(self, response: Response) -> tuple[str | None, Any]:
        try:
            lease = response.meta.get(LEASE)
        except AttributeError:  # a response without a request
            lease = None
        return lease, self.ledger() if lease else None

    def _pass(self, out: Any, lease: str | None, ledger: Any) -> Any:
        if isinstance(out, Request):
            out.meta.pop(LEASE, None)  # new work: queued in Redis, not part of this lease
        elif ledger is not None:
            ledger.item_out(lease)
        return out

    def _finish(self, response: Response, lease: str | None, ledger: Any) -> None:
        if ledger is None:
            return
        if response.status in self.failing:
            ledger.fail(lease, f"http_{response.status}")
        else:
            ledger.output_done(lease)

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        lease, ledger = self._start(response)
        try:
            async for out in result:
                yield self._pass(out, lease, ledger)
        except Exception:
            if ledger is not None:
                ledger.fail(lease, "spider_error")
            raise
        self._finish(response, lease, ledger)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        lease, ledger = self._start(response)
        if ledger is not None:
            ledger.fail(lease, "spider_error")


class AckDownloaderMiddleware(_Ack):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        lease = request.meta.get(LEASE)
        ledger = self.ledger() if lease else None
        if ledger is None:
            return None
        reason = failure_reason(exception)
        if reason in NOT_FAILURES:
            ledger.output_done(lease)
        else:
            ledger.fail(lease, reason)
        return None
