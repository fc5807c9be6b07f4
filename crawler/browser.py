"""The browser for JavaScript pages: find Chromium, build its launch options, and the download
handler that drives it (scrapy-playwright), used only by requests that opt in.

Opt-in per request: ``DOWNLOAD_HANDLERS`` (crawler.settings) names :class:`BrowserDownloadHandler`
for http/https. It is scrapy-playwright's handler, which sends a request to the browser only when
``request.meta["playwright"]`` is true and every other request through Scrapy's own HTTP/1.1
handler (same code path, same DNS resolver, same timeouts) -- so weishop, miniapp and moments
never touch a browser. On top of scrapy-playwright this handler:

* starts the Playwright driver and Chromium lazily, on the first browser request (scrapy-playwright
  starts its driver process when the engine starts, for every spider);
* finds the browser (:func:`find_browser`) and fills ``executable_path`` and Chromium's
  ``--host-resolver-rules`` (from ``SHOPWATCH_RESOLVE``, the same mapping Scrapy's resolver uses)
  into ``PLAYWRIGHT_LAUNCH_OPTIONS`` at that moment, so ``-s`` overrides are honoured;
* recycles the browser after ``SHOPWATCH_BROWSER_RECYCLE_PAGES`` pages: new pages wait until the
  open ones are closed, then contexts and the browser process are closed and the next page
  launches a fresh one (Chromium's memory otherwise grows over a long crawl).

A missing browser is a :class:`BrowserMissing` (a one-line message naming what to install); the
vshop spider checks for it when it starts, so the crawl stops at once with that message.
"""
from __future__ import annotations

import asyncio
import glob
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crawler.resolver import chromium_host_rules, parse_resolve_setting

#: Where Chromium is looked for after the setting and the environment, in order.
CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
#: Environment variable naming the browser executable (below the setting, above the defaults).
ENV_VAR = "SHOPWATCH_BROWSER_PATH"
#: Resource types the browser never downloads: pixels, fonts, audio/video carry no listing data.
ABORTED_RESOURCE_TYPES = frozenset({"image", "font", "media"})
INSTALL_HINT = "install Debian's chromium (apt-get install chromium) or set SHOPWATCH_BROWSER_PATH"


class BrowserMissing(RuntimeError):
    """No usable Chromium: the message is one line naming what to install."""


def _executable(path: str | os.PathLike[str] | None) -> str | None:
    if not path:
        return None
    path = str(path)
    if os.sep not in path:  # a bare command name: look it up on PATH
        return shutil.which(path)
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def playwright_bundled_chromium() -> str | None:
    """Chromium from ``playwright install`` (``~/.cache/ms-playwright`` or
    ``PLAYWRIGHT_BROWSERS_PATH``), if one is there; never downloaded by shopwatch."""
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache" / "ms-playwright")
    if root == "0":
        return None
    patterns = ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/chrome-linux*/headless_shell")
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(root, pattern)), reverse=True):
            if _executable(path):
                return path
    return None


def find_browser(settings: Any = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The Chromium executable to use, or None.

    Order: setting ``SHOPWATCH_BROWSER_PATH``; environment ``SHOPWATCH_BROWSER_PATH``;
    ``/usr/bin/chromium``; ``/usr/bin/chromium-browser``; Playwright's own download if present.
    A path that is set explicitly but does not exist is not silently replaced: None.
    """
    environ = os.environ if environ is None else environ
    explicit = (settings.get("SHOPWATCH_BROWSER_PATH") if settings is not None else None) or environ.get(ENV_VAR)
    if explicit:
        return _executable(explicit)
    for path in CANDIDATES:
        if _executable(path):
            return path
    return playwright_bundled_chromium()


def require_browser(settings: Any = None, environ: Mapping[str, str] | None = None) -> str:
    """:func:`find_browser` or :class:`BrowserMissing` with a one-line message."""
    path = find_browser(settings, environ)
    if path:
        return path
    environ = os.environ if environ is None else environ
    explicit = (settings.get("SHOPWATCH_BROWSER_PATH") if settings is not None else None) or environ.get(ENV_VAR)
    if explicit:
        raise BrowserMissing(f"browser not found: SHOPWATCH_BROWSER_PATH={explicit} is not an executable file; "
                             "point it at Chromium, or unset it and install Debian's chromium "
                             "(apt-get install chromium)")
    raise BrowserMissing(f"no Chromium found (looked in {', '.join(CANDIDATES)}); {INSTALL_HINT}")


def launch_options(settings: Any, executable_path: str | None = None) -> dict[str, Any]:
    """``PLAYWRIGHT_LAUNCH_OPTIONS`` completed for this machine: the discovered executable and
    ``--host-resolver-rules`` built from ``SHOPWATCH_RESOLVE`` (Chromium then reaches
    ``*.mallsim.test`` exactly as Scrapy's resolver does, without /etc/hosts)."""
    options = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") or {})
    args = [a for a in options.get("args") or [] if not str(a).startswith("--host-resolver-rules=")]
    rules = chromium_host_rules(parse_resolve_setting(settings.get("SHOPWATCH_RESOLVE")))
    if rules:
        args.append(f"--host-resolver-rules={rules}")
    options["args"] = args
    options.setdefault("headless", True)
    if not options.get("executable_path"):
        options["executable_path"] = executable_path or require_browser(settings)
    return options


def abort_request(request: Any) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: drop images, fonts and media (the DOM keeps src/alt)."""
    return request.resource_type in ABORTED_RESOURCE_TYPES


def browser_processes(root_pid: int | None = None) -> list[Any]:
    """psutil processes of the browser (and the Playwright driver) under ``root_pid``
    (default: this process), for memory measurements."""
    import psutil

    root = psutil.Process(root_pid or os.getpid())
    return [p for p in root.children(recursive=True)]


def browser_rss(root_pid: int | None = None) -> int:
    """Total resident memory (bytes) of the Chromium processes under ``root_pid``."""
    import psutil

    total = 0
    for proc in browser_processes(root_pid):
        try:
            name = proc.name()
            if "chrom" in name or "headless_shell" in name:
                total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total


# --- the download handler -------------------------------------------------------------------------

try:  # the handler needs scrapy-playwright; discovery above does not
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler as _PlaywrightHandler
except ImportError:  # pragma: no cover - a dependency of shopwatch; kept importable without it
    _PlaywrightHandler = None  # type: ignore[assignment,misc]


if _PlaywrightHandler is not None:

    class BrowserDownloadHandler(_PlaywrightHandler):  # type: ignore[misc,valid-type]
        """scrapy-playwright's handler with a lazy start, browser discovery and recycling."""

        def __init__(self, crawler: Any) -> None:
            super().__init__(crawler)
            self._crawler_settings = crawler.settings
            self._start_lock = asyncio.Lock()
            self._gate = asyncio.Lock()
            self._started = False
            self.recycle_pages = crawler.settings.getint("SHOPWATCH_BROWSER_RECYCLE_PAGES", 0)
            self._pages_since_launch = 0
            self._leases = 0  # pages admitted through the gate and not yet closed

        # scrapy-playwright starts the Playwright driver when the engine starts; wait for a page.
        def _engine_started(self) -> Any:  # Scrapy < 2.14
            return None

        async def _maybe_launch_in_thread(self) -> None:  # Scrapy >= 2.14
            return None

        async def _ensure_started(self) -> None:
            async with self._start_lock:
                if self._started:
                    return
                self.config.launch_options = launch_options(self._crawler_settings)
                await self._maybe_future_from_coro(self._launch())
                self._started = True

        async def _create_page(self, request: Any, spider: Any) -> Any:
            await self._ensure_started()
            async with self._gate:
                if self.recycle_pages and self._pages_since_launch >= self.recycle_pages:
                    await self._recycle()
                self._pages_since_launch += 1
                self._leases += 1
            try:
                page = await super()._create_page(request, spider)
            except BaseException:
                self._leases -= 1
                raise
            page.once("close", lambda _page: self._release())
            return page

        def _release(self) -> None:
            self._leases -= 1

        async def _recycle(self) -> None:
            """Wait for open pages to close, then close contexts and the browser process;
            the next page launches a fresh browser (scrapy-playwright does so lazily)."""
            while self._leases > 0:
                await asyncio.sleep(0.02)
            browser = getattr(self, "browser", None)
            contexts = [w.context for w in list(self.context_wrappers.values()) if not w.persistent]
            for context in contexts:
                try:
                    await context.close()
                except Exception:  # already gone with a crashed browser
                    pass
            if browser is not None:
                browser.remove_listener("disconnected", self._browser_disconnected_callback)
                del self.browser
                try:
                    await browser.close()
                except Exception:
                    pass
            self.stats.inc_value("shopwatch/browser/recycled")
            self._pages_since_launch = 0

else:  # pragma: no cover
    BrowserDownloadHandler = None  # type: ignore[assignment,misc]
