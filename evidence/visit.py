"""One evidence visit: the page rendered live in Chromium (Playwright), every response it loaded
kept for WARC, the matched text highlighted and a full-page screenshot per hit.

Chromium is the crawler's (crawler.browser: the same discovery, launch options and host mapping);
the page's JavaScript runs only inside the browser sandbox. Images are shown here (the crawl blocks
them for speed; a case officer's screenshot should show what a buyer saw). Every visit is bounded:
time, number and bytes of archived responses, screenshot height.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.browser import launch_options
from crawler.store.base import iso_utc
from evidence.warc import Exchange

#: Headers describing encodings the browser already undid (its body is decoded): kept renamed.
_DECODED = ("content-encoding", "content-length", "transfer-encoding")
_NO_IMAGES_ARG = "--blink-settings=imagesEnabled=false"

HIGHLIGHT_JS = """(needle) => {
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEXTAREA', 'TEMPLATE']);
  if (/json/.test(document.contentType) && !document.getElementById('shopwatch-evidence-json')) {
    try {  // an API answer: shown decoded and indented (escaped characters become text); the WARC keeps the bytes
      const pre = document.createElement('pre');
      pre.id = 'shopwatch-evidence-json'; pre.style.whiteSpace = 'pre-wrap'; pre.style.font = '15px monospace';
      pre.textContent = JSON.stringify(JSON.parse(document.body.innerText), null, 2);
      document.body.replaceChildren(pre);
    } catch (e) { /* not JSON after all: shown as served */ }
  }
  if (!document.getElementById('shopwatch-evidence-style')) {
    const st = document.createElement('style');
    st.id = 'shopwatch-evidence-style';
    st.textContent = 'mark.shopwatch-evidence{background:#ffeb3b!important;color:#000!important;' +
      'outline:3px solid #e53935!important}.shopwatch-evidence-attr{outline:4px solid #e53935!important}';
    (document.head || document.documentElement).appendChild(st);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: (n) =>
    n.parentElement && !SKIP.has(n.parentElement.tagName) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT});
  const nodes = []; let text = '';
  while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
  const ranges = []; let from = 0;
  while (needle && ranges.length < 50) {
    const i = text.indexOf(needle, from); if (i < 0) break;
    ranges.push([i, i + needle.length]); from = i + needle.length;
  }
  for (const [s, e] of ranges.reverse()) {           // from the end: earlier offsets stay valid
    for (let k = nodes.length - 1; k >= 0; k--) {
      const [node, off] = nodes[k]; const end = off + node.data.length;
      if (end <= s || off >= e) continue;
      const r = document.createRange();
      r.setStart(node, Math.max(s, off) - off); r.setEnd(node, Math.min(e, end) - off);
      const m = document.createElement('mark'); m.className = 'shopwatch-evidence'; r.surroundContents(m);
    }
  }
  let attrs = 0;
  for (const el of document.querySelectorAll('[alt],[title]')) {
    if (needle && ((el.getAttribute('alt') || '').includes(needle) || (el.getAttribute('title') || '').includes(needle))) {
      el.classList.add('shopwatch-evidence-attr'); attrs++;
    }
  }
  const first = document.querySelector('mark.shopwatch-evidence, .shopwatch-evidence-attr');
  return {marks: ranges.length, attributes: attrs, top: first ? first.getBoundingClientRect().top + scrollY : null};
}"""

UNHIGHLIGHT_JS = """() => {
  for (const m of document.querySelectorAll('mark.shopwatch-evidence')) {
    const p = m.parentNode; m.replaceWith(...m.childNodes); p.normalize();
  }
  for (const el of document.querySelectorAll('.shopwatch-evidence-attr')) el.classList.remove('shopwatch-evidence-attr');
}"""


@dataclass
class Shot:
    """One hit's screenshot on a visited page."""

    path: Path
    needle: str
    marks: int = 0
    attributes: int = 0
    cut_at: int | None = None


@dataclass
class Visit:
    url: str
    started_at: str = ""
    final_url: str = ""
    status: int | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    not_archived: int = 0
    shots: list[Shot] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class VisitLimits:
    timeout: float = 30.0
    max_resources: int = 200
    max_bytes: int = 16 * 1024 * 1024
    max_height: int = 20_000
    viewport: tuple[int, int] = (1280, 900)

    @classmethod
    def from_settings(cls, settings: Any) -> "VisitLimits":
        w, h = settings.getlist("SHOPWATCH_EVIDENCE_VIEWPORT") or (1280, 900)
        return cls(timeout=settings.getfloat("SHOPWATCH_EVIDENCE_PAGE_TIMEOUT"),
                   max_resources=settings.getint("SHOPWATCH_EVIDENCE_MAX_RESOURCES"),
                   max_bytes=settings.getint("SHOPWATCH_EVIDENCE_MAX_BYTES"),
                   max_height=settings.getint("SHOPWATCH_EVIDENCE_MAX_HEIGHT"), viewport=(int(w), int(h)))


def evidence_launch_options(settings: Any) -> dict[str, Any]:
    """The crawler's Chromium launch options, with images on (see the module docstring)."""
    options = launch_options(settings)
    options["args"] = [a for a in options.get("args", []) if a != _NO_IMAGES_ARG]
    return options


def _headers(pairs: list[dict[str, str]], decoded: bool) -> list[tuple[str, str]]:
    out = []
    for h in pairs:
        name, value = h["name"], h["value"]
        if decoded and name.lower() in _DECODED:
            name = "X-Archive-Orig-" + name
        out.append((name, value))
    return out


class Recorder:
    """Collects a page's responses as :class:`Exchange` objects, within the visit's bounds."""

    def __init__(self, limits: VisitLimits) -> None:
        self.limits = limits
        self.exchanges: list[Exchange] = []
        self.not_archived = 0
        self._bytes = 0
        self._tasks: list[asyncio.Task[None]] = []

    def on_response(self, response: Any) -> None:
        self._tasks.append(asyncio.ensure_future(self._record(response)))

    async def _record(self, response: Any) -> None:
        if len(self.exchanges) >= self.limits.max_resources:
            self.not_archived += 1
            return
        request = response.request
        try:
            body = await response.body()
        except Exception:  # redirects and aborted loads have no body
            body = b""
        if self._bytes + len(body) > self.limits.max_bytes:
            self.not_archived += 1
            return
        self._bytes += len(body)
        self.exchanges.append(Exchange(
            url=response.url, method=request.method,
            request_headers=_headers(await request.headers_array(), decoded=False),
            request_body=request.post_data_buffer or b"", status=response.status,
            response_headers=_headers(await response.headers_array(), decoded=True), body=body,
            warc_headers=(("WARC-Shopwatch-Capture", "browser-network"),)))

    async def settle(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


async def visit_page(browser: Any, url: str, shots: list[Shot], limits: VisitLimits,
                     load_url: str | None = None) -> Visit:
    """Load ``load_url`` (default ``url``; e.g. a freshly signed API URL), record its responses,
    then one highlighted full-page screenshot per shot."""
    visit = Visit(url=url, shots=shots)
    w, h = limits.viewport
    context = await browser.new_context(viewport={"width": w, "height": h}, service_workers="block",
                                        accept_downloads=False)
    try:
        page = await context.new_page()
        recorder = Recorder(limits)
        page.on("response", recorder.on_response)
        visit.started_at = iso_utc()
        try:
            response = await asyncio.wait_for(_load(page, load_url or url, limits), limits.timeout)
            visit.status = response.status if response is not None else None
            visit.final_url = page.url
            for shot in shots:
                await _shoot(page, shot, limits)
        except Exception as exc:  # a dead or hostile page: the visit says why, nothing is stored as valid
            visit.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
        await recorder.settle()
        visit.exchanges, visit.not_archived = recorder.exchanges, recorder.not_archived
    finally:
        await context.close()
    return visit


async def _load(page: Any, url: str, limits: VisitLimits) -> Any:
    response = await page.goto(url, wait_until="load", timeout=limits.timeout * 1000)
    try:  # JavaScript storefronts render after load: wait for their requests to finish
        await page.wait_for_load_state("networkidle", timeout=min(10.0, limits.timeout / 2) * 1000)
    except Exception:
        pass
    return response


async def _shoot(page: Any, shot: Shot, limits: VisitLimits) -> None:
    found = await page.evaluate(HIGHLIGHT_JS, shot.needle)
    shot.marks, shot.attributes = int(found["marks"]), int(found["attributes"])
    height = int(await page.evaluate("Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"))
    options: dict[str, Any] = {"path": str(shot.path), "full_page": True, "type": "png", "animations": "disabled"}
    if height > limits.max_height:
        shot.cut_at = limits.max_height
        options["clip"] = {"x": 0, "y": 0, "width": limits.viewport[0], "height": limits.max_height}
    await page.screenshot(**options)
    await page.evaluate(UNHIGHLIGHT_JS)


def load_url(url: str, settings: Any) -> str:
    """The URL a visit loads: the hit's URL, signed afresh where the platform's API demands it
    (``SHOPWATCH_EVIDENCE_SIGNED_HOSTS``; signatures expire, so never one stored at crawl time)."""
    from urllib.parse import urlsplit

    from crawler.signing import sign_url

    host = (urlsplit(url).hostname or "").lower()
    for suffix, signer in (settings.getdict("SHOPWATCH_EVIDENCE_SIGNED_HOSTS") or {}).items():
        if signer == "miniapp" and (host == suffix or host.endswith("." + suffix)):
            return sign_url(url, settings.get("SHOPWATCH_MINIAPP_APP_KEY") or "",
                            settings.get("SHOPWATCH_MINIAPP_APP_SECRET") or "")
    return url


async def visit_all(settings: Any, jobs: list[tuple[str, list[Shot]]], limits: VisitLimits,
                    concurrency: int) -> tuple[list[Visit], str]:
    """Visit every (url, shots) with at most ``concurrency`` pages at once; (visits, browser version)."""
    from playwright.async_api import async_playwright

    options = evidence_launch_options(settings)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**options)
        try:
            gate = asyncio.Semaphore(max(1, concurrency))

            async def one(url: str, shots: list[Shot]) -> Visit:
                async with gate:  # signed when the page is about to load, not when queued
                    return await visit_page(browser, url, shots, limits, load_url(url, settings))

            visits = await asyncio.gather(*(one(url, shots) for url, shots in jobs))
            return list(visits), f"Chromium {browser.version}"
        finally:
            await browser.close()
