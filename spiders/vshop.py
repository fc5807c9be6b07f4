"""vshop spider: a JavaScript single-page app, crawled in the browser (scrapy-playwright).

Every vshop route returns the same data-free HTML shell; app.js fetches JSON and renders the shop
directory and each shop's cards with infinite scroll (docs/mallsim.md, "vshop"). So both page types
are browser requests (``meta["playwright"] = True``; every other spider stays on plain HTTP):

    /            rendered, scrolled until ``#more[data-done="1"]`` -> shop links
    /shop/{id}   rendered, scrolled until exhausted -> Merchant + one Listing per card
    /item/{id}   (recheck mode only) rendered -> Listing, or delisted

How a page is rendered (:class:`Render`, run inside the download handler): ``goto`` returns at
``domcontentloaded`` (the shell), then the spider waits for what JavaScript renders (the ``#more``
sentinel or ``div.item-detail``), never for ``load``; then it scrolls ``#more`` into view until the
app marks it done, bounded by ``SHOPWATCH_BROWSER_MAX_SCROLLS`` steps and
``SHOPWATCH_BROWSER_PAGE_TIMEOUT`` seconds. Meanwhile it keeps the JSON answers the page's own script
fetched (``page.on("response")``): the cards show title/price/sales, and the description and
category that detection needs come from the feed answers the browser already received, instead of
one more browser page per listing. The spider never calls ``/api/...`` itself. The response body
is ``page.content()`` after scrolling; the page is closed by the handler on every path (success or
exception) because the spider does not take it (``playwright_include_page`` stays off), so no
callback or errback can leak a tab.

A page whose list did not finish (scroll budget, timeout, or app.js giving up on a failing API page,
which the captured answers reveal) is retried like a bad payload (``RETRY_TIMES``, with backoff);
when retries are spent what was rendered is kept and ``shopwatch/errors/incomplete_render`` counted.
Navigation failures (Playwright errors) are retried by the retry middleware (``RETRY_EXCEPTIONS``).
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.utils.misc import load_object

from crawler.browser import BrowserMissing, require_browser
from spiders.base import MallsimSpider, retry_payload
from spiders.pages.vshop import (
    ITEM_READY, LIST_READY, Capture, VshopDirectoryPage, VshopItemPage, VshopShopPage, Xhr,
)

RENDER = "shopwatch_render"  # meta key: the Render of a browser request
POLL: Any = 50

# One scroll step in the page: how many entries are rendered, is the list done; scroll #more into
# view (after a step without progress, from the top: a fresh intersection and scroll event make
# app.js retry a page it failed to load).
_STEP_JS = """([jiggle]) => {
  const more = document.getElementById('more');
  const n = document.querySelectorAll('div.cards > div.card, ul.shops > li').length;
  if (!more) { return {n: n, present: false, done: false}; }
  const done = more.getAttribute('data-done') === '1';
  if (!done) {
    if (jiggle) { window.scrollTo(0, 0); }
    more.scrollIntoView({block: 'end'});
  }
  return {n: n, present: true, done: done};
}"""
_PROGRESS_JS = """([n]) => {
  const more = document.getElementById('more');
  return (more !== null && more.getAttribute('data-done') === '1')
    || document.querySelectorAll('div.cards > div.card, ul.shops > li').length > n;
}"""


class Render:
    """The browser work for one request: capture the page's JSON answers, wait for the rendered
    content, scroll the infinite list until exhausted. Runs in the download handler (page init
    callback + one ``PageMethod``); the outcome is read back from ``response.meta[RENDER]``."""

    def __init__(self, kind: str, max_scrolls: int = 200, timeout: float = 60.0, enough: int | None = None,
                 step_timeout: float = 5.0) -> None:
        self.kind = kind  # "list" (directory, shop) or "item"
        self.max_scrolls = max_scrolls
        self.timeout = timeout
        self.enough = enough  # a list may stop once this many entries are rendered (max_shops)
        self.step_timeout = step_timeout
        self.reset()

    def reset(self) -> None:
        self.captures: list[Capture] = []
        self._pending: list[asyncio.Future[Any]] = []
        self.outcome = "not_run"  # done | enough | max_scrolls | timeout | error
        self.steps = 0
        self.error: str | None = None
        self.seconds = 0.0

    @property
    def finished(self) -> bool:
        return self.outcome in ("done", "enough")

    @property
    def xhr(self) -> Xhr:
        return Xhr(self.captures)

    # scrapy-playwright: meta["playwright_page_init_callback"], before goto
    async def attach(self, page: Any, request: Any) -> None:
        self.reset()
        page.on("response", self._on_response)

    def _on_response(self, response: Any) -> None:
        if "/api/" in response.url and response.request.resource_type in ("fetch", "xhr"):
            self._pending.append(asyncio.ensure_future(self._read(response)))

    async def _read(self, response: Any) -> None:
        try:
            text = await response.text()
        except Exception:  # body gone (page closing, aborted): the answer counts as unreadable
            text = None
        self.captures.append(Capture(response.url, response.status, text))

    # scrapy-playwright: PageMethod(render.run), after goto; page.content() is taken after it
    async def run(self, page: Any) -> None:
        started = time.monotonic()
        deadline = started + self.timeout
        try:
            if self.kind == "item":
                await page.wait_for_selector(ITEM_READY, timeout=self.timeout * 1000)
                self.outcome = "done"
            else:
                await page.wait_for_selector(LIST_READY, state="attached", timeout=self.timeout * 1000)
                await self._scroll(page, deadline)
        except Exception as exc:  # Playwright timeout or a closed page: the callback decides
            self.outcome = "timeout" if "Timeout" in type(exc).__name__ else "error"
            self.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        finally:
            await self._drain(max(1.0, deadline - time.monotonic()))
            self.seconds = time.monotonic() - started

    async def _scroll(self, page: Any, deadline: float) -> None:
        stalled = False
        while True:
            state = await page.evaluate(_STEP_JS, [stalled])
            if state["done"]:
                self.outcome = "done"
                return
            if self.enough is not None and state["n"] >= self.enough:
                self.outcome = "enough"
                return
            if self.steps >= self.max_scrolls:
                self.outcome = "max_scrolls"
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.outcome = "timeout"
                return
            self.steps += 1
            try:
                await page.wait_for_function(_PROGRESS_JS, arg=[state["n"]], polling=POLL,
                                             timeout=min(self.step_timeout, remaining) * 1000)
                stalled = False
            except Exception as exc:
                if "Timeout" not in type(exc).__name__:
                    raise
                stalled = True

    async def _drain(self, timeout: float) -> None:
        """Wait for the captured answers' bodies (read while the page is still open)."""
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=timeout)


class VshopSpider(MallsimSpider):
    name = "vshop"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages_rendered = 0

    # --- start -------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.check_browser()
        async for request in super().start():
            yield request

    def check_browser(self) -> None:
        """Stop at once, with one line naming what to install, when no browser can run."""
        handler = self.settings.getdict("DOWNLOAD_HANDLERS").get("http")
        try:
            from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
            ok = handler is not None and issubclass(load_object(handler), ScrapyPlaywrightDownloadHandler)
        except (ImportError, TypeError, ValueError, NameError):
            ok = False
        if not ok:
            self.fail_start("vshop needs the browser download handler: set DOWNLOAD_HANDLERS http/https to "
                            "crawler.browser.BrowserDownloadHandler (crawler/settings.py) and install "
                            "scrapy-playwright", "no_browser_handler")
        try:
            path = require_browser(self.settings)
        except BrowserMissing as exc:
            self.fail_start(str(exc), "browser_missing")
        else:
            self.logger.info("vshop renders pages with %s", path)

    def fail_start(self, message: str, reason: str) -> None:
        self.logger.error("%s", message)
        self.crawler.stats.inc_value(f"shopwatch/errors/{reason}")
        raise CloseSpider(reason)

    def start_requests_list(self) -> list[scrapy.Request]:
        return [self.browse(f"{self.base_url}/", self.parse_directory, enough=self.max_shops)]

    def recheck_request(self, url: str) -> scrapy.Request:
        return self.browse(url, self.parse_item, kind="item")

    # --- browser requests --------------------------------------------------------------------------

    def browse(self, url: str, callback: Any, kind: str = "list", enough: int | None = None,
               cb_kwargs: dict[str, Any] | None = None) -> scrapy.Request:
        from scrapy_playwright.page import PageMethod

        s = self.settings
        render = Render(kind, max_scrolls=s.getint("SHOPWATCH_BROWSER_MAX_SCROLLS", 200),
                        timeout=s.getfloat("SHOPWATCH_BROWSER_PAGE_TIMEOUT", 60.0), enough=enough)
        return scrapy.Request(url, callback=callback, errback=self.browser_failed, cb_kwargs=cb_kwargs or {}, meta={
            "playwright": True,
            "playwright_page_init_callback": render.attach,
            "playwright_page_methods": [PageMethod(render.run)],
            # the shell only: what matters is rendered later and waited for in Render.run
            "playwright_page_goto_kwargs": {"wait_until": "domcontentloaded",
                                            "timeout": s.getfloat("DOWNLOAD_TIMEOUT", 10) * 1000},
            RENDER: render,
        })

    def rendered(self, response: Response) -> Render | None:
        """The request's Render, after checking the response really came from the browser."""
        render = response.meta.get(RENDER)
        if "playwright" not in (response.flags or []) or render is None:
            self.crawler.stats.inc_value("shopwatch/errors/not_rendered")
            self.logger.error("%s was not rendered by the browser (DOWNLOAD_HANDLERS?)", response.url)
            return None
        self.pages_rendered += 1
        stats = self.crawler.stats
        stats.inc_value("shopwatch/browser/pages")
        stats.inc_value(f"shopwatch/browser/outcome/{render.outcome}")
        stats.inc_value("shopwatch/browser/scroll_steps", render.steps)
        stats.max_value("shopwatch/browser/max_page_seconds", round(render.seconds, 3))
        return render

    def incomplete(self, response: Response, render: Render, complete: bool) -> scrapy.Request | None:
        """A retry of a page whose list did not finish; None (keep what rendered) when it did,
        or when retries are spent (then counted as ``shopwatch/errors/incomplete_render``)."""
        if complete:
            return None
        self.logger.info("incomplete render of %s: %s after %d steps %s", response.url, render.outcome,
                         render.steps, render.error or "")
        return retry_payload(self, response, "incomplete_render")

    def browser_failed(self, failure: Any) -> None:
        """Final failure of a browser request (after the retry middleware): counted by
        ErrorStatsMiddleware; the page was already closed by the handler."""
        self.logger.warning("browser request failed: %s: %s", failure.request.url, failure.value)

    # --- callbacks ---------------------------------------------------------------------------------

    def parse_directory(self, response: Response) -> Iterator[scrapy.Request]:
        render = self.rendered(response)
        if render is None:
            return
        page = VshopDirectoryPage(response, render.xhr)
        complete = render.outcome == "enough" or page.complete
        retry = self.incomplete(response, render, complete)
        if retry is not None:
            yield retry
            return
        for url in page.shop_links():
            if not self.take_shop():
                return
            yield self.browse(url, self.parse_shop)

    def parse_shop(self, response: Response) -> Iterator[Any]:
        render = self.rendered(response)
        if render is None:
            return
        page = VshopShopPage(response, render.xhr)
        retry = self.incomplete(response, render, page.complete)
        if retry is not None:
            yield retry
            return
        merchant = page.merchant()
        if merchant is not None:
            yield merchant
        missing = page.missing_from_xhr()
        if missing:  # a card whose feed answer was unreadable: listed without description/category
            self.crawler.stats.inc_value("shopwatch/browser/cards_without_xhr", len(missing))
        yield from page.listings()

    def parse_item(self, response: Response) -> Iterator[Any]:
        render = self.rendered(response)
        if render is None:
            return
        page = VshopItemPage(response, render.xhr)
        if not page.rendered:
            retry = retry_payload(self, response, "incomplete_render")
            if retry is not None:
                yield retry
            return
        listing = page.listing()
        if listing is not None:
            yield listing
