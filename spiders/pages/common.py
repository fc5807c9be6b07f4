"""Page-object base classes shared by the platforms: HTML pages with links and pagination,
and JSON API payloads with their error envelope."""
from __future__ import annotations

import json
import re
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector, SelectorList
from scrapy.http import TextResponse

from crawler.urls import canonical_url


class BadPayload(ValueError):
    """A JSON API answer that is not the documented envelope (truncated body, error code)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


#: How CSS (cssselect's ``normalize-space(@class)``) splits a class attribute: XML whitespace only.
_CLASS_SEP = re.compile(r"[ \t\r\n]+")


class HtmlPage:
    """An HTML page: the response plus the helpers every page type needs."""

    def __init__(self, response: TextResponse) -> None:
        self.response = response

    @cached_property
    def _classes(self) -> dict[tuple[str, str], list[Any]]:
        """(tag, class) -> elements in document order, from one walk over the parsed tree.

        Why: each ``response.css("tag.class")`` is a separate XPath evaluation over the whole
        document (~10-20 µs even on a 30-element page: libxml2's per-evaluation set-up), and an
        item page reads about ten such fields.
        """
        index: dict[tuple[str, str], list[Any]] = {}
        for el in self.response.selector.root.iter():
            cls = el.get("class") if isinstance(el.tag, str) else None
            if cls:
                for token in dict.fromkeys(_CLASS_SEP.split(cls.strip(" \t\r\n"))):
                    index.setdefault((el.tag, token), []).append(el)
        return index

    def by_class(self, tag: str, cls: str) -> SelectorList[Selector]:
        """What ``response.css(f"{tag}.{cls}")`` selects (same elements, same order), from the
        page's class index."""
        return SelectorList(Selector(root=el, type="html") for el in self._classes.get((tag, cls), ()))

    def class_attr(self, tag: str, cls: str, name: str) -> str | None:
        """``response.css(f"{tag}.{cls}::attr({name})").get()``: the first such element's value."""
        for el in self._classes.get((tag, cls), ()):
            value = el.get(name)
            if value is not None:
                return value
        return None

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
