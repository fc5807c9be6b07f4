"""Page-object base classes shared by the platforms: HTML pages with links and pagination,
and JSON API payloads with their error envelope."""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from crawler.urls import canonical_url


class BadPayload(ValueError):
    """A JSON API answer that is not the documented envelope (truncated body, error code)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class HtmlPage:
    """An HTML page: the response plus the helpers every page type needs."""

    def __init__(self, response: TextResponse) -> None:
        self.response = response

    @property
    def url(self) -> str:
        return self.response.url

    @property
    def canonical(self) -> str:
        """The page's canonical URL: ``<link rel=canonical>`` if present, else ours."""
        href = self.response.css('link[rel="canonical"]::attr(href)').get()
        return canonical_url(self.response.urljoin(href) if href else self.response.url)

    def links(self, css: str) -> list[str]:
        """Absolute hrefs of the elements matched by ``css`` (an ``a`` selector), de-duplicated
        by canonical form in page order (tracking variants of one item count once)."""
        seen: set[str] = set()
        out: list[str] = []
        for href in self.response.css(f"{css}::attr(href)").getall():
            url = self.response.urljoin(href.strip())
            key = canonical_url(url)
            if key not in seen:
                seen.add(key)
                out.append(url)
        return out

    def next_page(self) -> str | None:
        """The ``rel="next"`` pagination link, absolute."""
        href = self.response.css('a[rel~="next"]::attr(href)').get()
        return self.response.urljoin(href) if href else None


def id_from_url(url: str, pattern: str) -> str | None:
    """First group of ``pattern`` searched in the URL's path (``r"/item/(\\d+)"``)."""
    match = re.search(pattern, urlsplit(url).path)
    return match[1] if match else None


def origin(url: str) -> str:
    """scheme://host[:port] of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def json_payload(response: TextResponse) -> dict[str, Any]:
    """The ``data`` object of a ``{"code": 0, "data": {...}}`` answer, or BadPayload."""
    try:
        doc = json.loads(response.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadPayload("bad_json", f"{response.url}: {exc}") from None
    if not isinstance(doc, dict):
        raise BadPayload("bad_json", f"{response.url}: not an object")
    if doc.get("code") != 0:
        raise BadPayload(f"api_{doc.get('code')}", str(doc.get("error", "")))
    data = doc.get("data")
    if not isinstance(data, dict):
        raise BadPayload("bad_json", f"{response.url}: no data object")
    return data
