"""Request fingerprints over the canonical URL, so tracking/session variants of a page dedupe.

Scrapy's default fingerprinter canonicalizes query order but keeps ``utm_*``, ``spm``,
``share_token``, ``;jsessionid=`` and friends, so one item linked five ways is fetched five times.
This one hashes ``crawler.urls.canonical_url`` instead (the same function the normalize pipeline
uses for the stored ``url``), plus the method and body. The miniapp signature parameters are also
ignored, so a request signed at download time keeps the fingerprint it was scheduled with.
Fingerprints are 20-byte SHA1 digests, like Scrapy's (scrapy-redis stores their hex form).
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from crawler.signing import SIGNATURE_PARAMS
from crawler.urls import TRACKING_PARAMS, canonical_url

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

#: Query parameters ignored by the fingerprint: tracking/session noise and per-request signatures.
IGNORED_PARAMS: frozenset[str] = TRACKING_PARAMS | SIGNATURE_PARAMS


def canonical_request_key(method: str, url: str, body: bytes = b"") -> bytes:
    """The bytes hashed for a request: method, canonical URL and body."""
    return b"\n".join((method.upper().encode("ascii"), canonical_url(url, IGNORED_PARAMS).encode("utf-8"), body))


class CanonicalRequestFingerprinter:
    """REQUEST_FINGERPRINTER_CLASS: SHA1 over method, canonical URL and body (cached per request)."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        cached = self._cache.get(request)
        if cached is None:
            cached = hashlib.sha1(canonical_request_key(request.method, request.url, request.body)).digest()
            self._cache[request] = cached
        return cached
