"""Middlewares: politeness, robustness and the miniapp signature.

Wired in ``crawler.settings`` DOWNLOADER_MIDDLEWARES / SPIDER_MIDDLEWARES (lower = closer to the engine):

* ``ErrorStatsMiddleware`` (10) — outermost, so it sees only *final* failures (after retries) and
  counts them as ``shopwatch/errors/<reason>`` for the "errors by reason" summary.
* ``TrapGuardMiddleware`` (spider middleware) — drops link-trap walks (endless calendars,
  runaway pagination) as the spider yields them; counts ``shopwatch/trap_dropped``.
* ``BackoffRetryMiddleware`` (550, replaces Scrapy's RetryMiddleware) — retries with exponential
  backoff and honours ``Retry-After`` on 429/503 by pausing the host, never blocking the reactor.
* ``MiniappSigningMiddleware`` (960) — signs miniapp API requests right before they are sent,
  so a request that waited in the queue (or is being retried) never carries a stale timestamp.
"""
from __future__ import annotations

import logging
import random
import re
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet import error as tx_error

from crawler.signing import sign_url

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: meta key: wall-clock time (time.time()) before which the request must not be sent
NOT_BEFORE = "shopwatch_not_before"
#: meta key: signer name for requests that must be signed at download time ("miniapp")
SIGN = "shopwatch_sign"
#: meta key: how many Retry-After delays this request has honoured (own budget, see settings)
RETRY_AFTER_TIMES = "shopwatch_retry_after_times"


async def sleep(seconds: float) -> None:
    """Reactor-friendly sleep (works with the asyncio and the default Twisted reactors)."""
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, max(0.0, seconds), lambda: None))


# --- final-failure statistics ------------------------------------------------------------------


def failure_reason(exc: BaseException) -> str:
    """A short stable reason for a download failure (``shopwatch/errors/<reason>``)."""
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots_forbidden"
        if "offsite" in text.lower():
            return "offsite"
        return "ignored"
    if isinstance(exc, (DownloadTimeoutError, tx_error.TimeoutError, TimeoutError)):
        return "timeout"
    if isinstance(exc, (CannotResolveHostError, tx_error.DNSLookupError)):
        return "dns"
    if isinstance(exc, DownloadCancelledError):
        return "too_large"  # the handler cancels downloads only for DOWNLOAD_MAXSIZE
    if isinstance(exc, (DownloadConnectionRefusedError, tx_error.ConnectError, tx_error.ConnectionDone,
                        tx_error.ConnectionLost, ConnectionError)):
        return "connection"
    if isinstance(exc, ResponseDataLossError):
        return "data_loss"
    if isinstance(exc, DownloadFailedError):
        return "download_failed"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


class ErrorStatsMiddleware:
    """Counts final download failures by reason: ``shopwatch/errors/<reason>``.

    HTTP status failures are already counted by Scrapy's HttpErrorMiddleware
    (``httperror/response_ignored_status_count/<code>``, shown as ``http_<code>``), so they are
    not counted twice here.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats)

    def process_exception(self, request: Request, exception: Exception) -> None:
        self.stats.inc_value(f"shopwatch/errors/{failure_reason(exception)}")
        return None


# --- link-trap guard -----------------------------------------------------------------------------

# YYYY-MM, YYYY-MM-DD, YYYY/MM/DD, YYYY.MM: a calendar walk when it shows up in a query value or path
_SEPARATED_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])(?:[-/.](?:0?[1-9]|[12]\d|3[01]))?(?!\d)")
# bare YYYYMM / YYYYMMDD count only under a date-like key (ids are digits too)
_COMPACT_DATE = re.compile(r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])?$")
_DATE_KEYS = frozenset({"month", "date", "day", "year", "ym", "ymd", "week", "cal", "calendar", "start_date",
                        "end_date", "from", "to", "period"})
_DIGITS = re.compile(r"\d+")
#: meta key: how many same-template hops led to this request (pagination/calendar walk length)
TRAP_CHAIN = "shopwatch_trap_chain"


def url_template(url: str) -> tuple[str, bool]:
    """(template, looks_like_calendar) for the trap guard.

    The template is host + path (dates collapsed to ``{date}``, other digit runs to ``{n}``) +
    the sorted query *keys*: ``/shop/100001/items?page=2`` and ``?page=3`` share one, and so do
    ``/shop/1/events?month=2025-03`` and ``?month=2025-04`` (flagged as a calendar).
    """
    parts = urlsplit(url)
    path, dated = _SEPARATED_DATE.subn("{date}", parts.path)
    path = _DIGITS.sub("{n}", path)
    calendar = dated > 0
    keys = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        keys.append(key)
        if _SEPARATED_DATE.search(value) or (key.lower() in _DATE_KEYS and _COMPACT_DATE.match(value)):
            calendar = True
    template = f"{(parts.hostname or '').lower()}{path}?{'&'.join(sorted(set(keys)))}"
    return template, calendar


class TrapGuardMiddleware(BaseSpiderMiddleware):
    """Spider middleware: drops link-trap walks so they can never keep a crawl alive.

    A *walk* is a chain of pages where each links to the next page of the same URL template
    (pagination, prev/next month). Each request carries the length of the walk that led to it
    (``meta["shopwatch_trap_chain"]``: +1 when its template equals its parent page's, else 0).
    Walks over dates stop at ``SHOPWATCH_TRAP_CALENDAR_MAX`` hops (a calendar is infinite by
    construction); any other walk at ``SHOPWATCH_TRAP_MAX_CHAIN`` hops (runaway pagination).
    Counts ``shopwatch/trap_dropped`` and ``.../calendar`` or ``.../chain``.

    Why walks and not a per-domain count of each template: a big site legitimately has
    thousands of ``/item/{n}`` pages, shop pages, or ``/api/v1/shop?shop_id=`` calls (ids in the
    query), and per-shop pagination adds up across shops; only the length of one walk says trap.
    Memory: one integer in each request's meta, nothing global.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        s = crawler.settings
        self.max_chain = s.getint("SHOPWATCH_TRAP_MAX_CHAIN", 1000)
        self.calendar_max = s.getint("SHOPWATCH_TRAP_CALENDAR_MAX", 3)
        self.stats = crawler.stats

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if response is None:
            request.meta.setdefault(TRAP_CHAIN, 0)
            return request
        parent_chain = int(response.meta.get(TRAP_CHAIN, 0))
        if request.url == response.url or request.meta.get("retry_times"):
            request.meta[TRAP_CHAIN] = parent_chain  # a retry of the page itself is no step
            return request
        template, calendar = url_template(request.url)
        chain = parent_chain + 1 if template == url_template(response.url)[0] else 0
        request.meta[TRAP_CHAIN] = chain
        limit = self.calendar_max if calendar else self.max_chain
        if limit and chain >= limit:
            kind = "calendar" if calendar else "chain"
            assert self.stats is not None
            self.stats.inc_value("shopwatch/trap_dropped")
            self.stats.inc_value(f"shopwatch/trap_dropped/{kind}")
            logger.debug("trap guard dropped %s (%s walk of %d hops over %s)", request.url, kind, chain, template)
            return None
        return request


# --- retries: backoff and Retry-After ----------------------------------------------------------


def parse_retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware plus backoff between attempts and ``Retry-After`` support.

    * Ordinary retries (RETRY_HTTP_CODES, network errors) wait ``base * 2**(n-1)`` seconds
      (jittered, at most ``SHOPWATCH_RETRY_BACKOFF_MAX``) before attempt n+1.
    * A 429/503 with ``Retry-After`` pauses the whole host for that long (bounded by
      ``SHOPWATCH_RETRY_AFTER_MAX``) and retries the request after it, on its own budget
      (``SHOPWATCH_RETRY_AFTER_TIMES``) so a rate limit does not burn the error-retry budget.
      Counts ``shopwatch/retry_after``.

    Waiting happens in ``process_request`` as an awaited timer: the reactor keeps serving other
    hosts; requests to a paused host simply start later.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("SHOPWATCH_RETRY_BACKOFF_BASE", 0.5)
        self.backoff_max = settings.getfloat("SHOPWATCH_RETRY_BACKOFF_MAX", 10.0)
        self.retry_after_max = settings.getfloat("SHOPWATCH_RETRY_AFTER_MAX", 60.0)
        self.retry_after_times = settings.getint("SHOPWATCH_RETRY_AFTER_TIMES", 10)
        self.paused_until: dict[str, float] = {}  # host -> time.time() when it may be contacted again

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        o = cls(crawler.settings)
        o.crawler = crawler
        return o

    # waiting ------------------------------------------------------------------------------------

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).netloc
        wait = max(float(request.meta.get(NOT_BEFORE, 0.0)), self.paused_until.get(host, 0.0)) - time.time()
        if wait > 0:
            await sleep(wait)
        return None

    def pause_host(self, request: Request, seconds: float) -> None:
        host = urlparse_cached(request).netloc
        self.paused_until[host] = max(self.paused_until.get(host, 0.0), time.time() + seconds)

    def backoff_delay(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1-based): exponential, jittered, capped."""
        delay = min(self.backoff_max, self.backoff_base * (2 ** max(0, attempt - 1)))
        return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security

    # retrying -----------------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        if response.status in (429, 503):
            delay = parse_retry_after(response.headers.get(b"Retry-After"))
            if delay is not None:
                retried = self._retry_after(request, response, min(delay, self.retry_after_max))
                if retried is not None:
                    return retried
                return response  # Retry-After budget spent: give up (counted by HttpError)
        if response.status in self.retry_http_codes:
            return self._retry(request, response_status_message(response.status)) or response
        return response

    def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            return self._retry(request, exception)
        return None

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        retried = super()._retry(request, reason)
        if retried is not None:
            retried.meta[NOT_BEFORE] = time.time() + self.backoff_delay(retried.meta.get("retry_times", 1))
        return retried

    def _retry_after(self, request: Request, response: Response, delay: float) -> Request | None:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("shopwatch/retry_after")
        self.pause_host(request, delay)
        times = int(request.meta.get(RETRY_AFTER_TIMES, 0)) + 1
        if times > self.retry_after_times:
            stats.inc_value("shopwatch/retry_after/max_reached")
            logger.warning("gave up on %s after %d Retry-After waits", request.url, times - 1)
            return None
        retried = request.copy()
        retried.meta[RETRY_AFTER_TIMES] = times
        retried.meta[NOT_BEFORE] = time.time() + delay
        retried.dont_filter = True
        logger.debug("%s answered %d: retrying %s in %.1fs", urlparse_cached(request).netloc,
                     response.status, request.url, delay)
        return retried


# --- miniapp signature ----------------------------------------------------------------------


class MiniappSigningMiddleware:
    """Signs requests marked ``meta["shopwatch_sign"] = "miniapp"`` just before download.

    The signature carries a timestamp valid for five minutes, so it must be made when the
    request leaves, not when the spider queues it. The URL is replaced in place (Scrapy has no
    public setter; ``Request._set_url`` is what ``Request.__init__`` itself uses): the scheduler
    already fingerprinted the unsigned URL, and a retry goes through here again and gets a fresh
    ``ts``/``nonce``/``sign``.
    """

    def __init__(self, app_key: str, app_secret: str) -> None:
        self.app_key = app_key
        self.app_secret = app_secret

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        return cls(s.get("SHOPWATCH_MINIAPP_APP_KEY") or "", s.get("SHOPWATCH_MINIAPP_APP_SECRET") or "")

    def process_request(self, request: Request) -> None:
        if request.meta.get(SIGN) != "miniapp":
            return None
        request._set_url(sign_url(request.url, self.app_key, self.app_secret))  # noqa: SLF001
        return None
