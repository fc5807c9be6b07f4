"""Canonical URLs: one address per listing, whatever tracking or session decoration it arrived with.

Used by the request fingerprinter (within-crawl dedupe) and by the normalize pipeline (the stored
``url``), so both agree on what "the same page" means.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

#: Query parameters that never change what a page shows: tracking, share tokens, session ids.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
        "spm", "scm", "share_token", "share_from", "shareid", "from", "ref", "source",
        "sid", "sessionid", "session_id", "jsessionid", "phpsessid", "aspsessionid",
        "_t", "timestamp", "fbclid", "gclid", "trace_id", "traceid",
    }
)
# ;jsessionid=... style path parameters (Java servlets and their imitators)
_PATH_SESSION = re.compile(r";(?:jsessionid|sid|phpsessid)=[^/?#]*", re.IGNORECASE)


#: canonical_url's memo: raw URL -> canonical URL, and canonical URL -> itself (the function is
#: idempotent), so the normalize step's call on an already-canonical URL is a hit too. Two
#: generations of at most MEMO_SIZE keys each (a cheap approximation of least-recently-used):
#: when the young one is full it becomes the old one and the old one is dropped.
MEMO_SIZE = 8192
_memo: list[dict[str, str]] = [{}, {}]  # [young, old]


def canonical_url(url: str, drop: frozenset[str] = TRACKING_PARAMS) -> str:
    """Return ``url`` without tracking/session parameters, fragment, default port or case noise.

    Memoized for the default parameter set (at most 2 x ``MEMO_SIZE`` keys of at most
    URLLENGTH_LIMIT characters): a page's links are canonicalized by its page object, again by the
    request fingerprinter, and an item's (already canonical) URL once more by the normalize step.
    """
    if drop is not TRACKING_PARAMS:
        return _canonical(url, drop)
    young, old = _memo
    found = young.get(url)
    if found is None:
        found = old.get(url) or _canonical(url, drop)
        if len(young) >= MEMO_SIZE:
            young = {}
            _memo[:] = [young, _memo[0]]
        young[url] = young[found] = found
    return found


def _canonical(url: str, drop: frozenset[str]) -> str:
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    netloc = parts.netloc.lower()
    if parts.scheme == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    elif parts.scheme == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    url = urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))
    kept = [k for k in _query_keys(parts.query) if k.lower() not in drop]
    if parts.query:
        url = url_query_cleaner(url, kept, remove=False, keep_fragments=False) if kept else url.split("?", 1)[0]
    return canonicalize_url(url)


def _query_keys(query: str) -> list[str]:
    keys = []
    for pair in query.split("&"):
        if pair:
            keys.append(pair.split("=", 1)[0])
    return keys
