"""The search-index interface (FTS5 now, Elasticsearch next) and its result types.

Query semantics every back end honours (the contract suite checks them):
whitespace-separated terms are ANDed; each term is a literal substring (any length >= 1) of the
normalized title or description (``crawler.normalize.search_key``: NFKC, lower case,
simplified Chinese); filters are exact; ``status`` defaults to "active" (None = any); results
are ordered by score (higher is better) then (platform, item_id); facets count the whole match
set after filters; snippets come from the original text (``search.text.snippet``).
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Collection, Mapping

from crawler.backend import Backend, BackendError  # noqa: F401  (re-exported)
from search.text import QueryError

__all__ = ["BackendError", "Hit", "Index", "QueryError", "SearchResult"]


@dataclass(frozen=True)
class Hit:
    platform: str
    item_id: str
    shop_id: str | None
    title: str | None
    url: str | None
    price: Decimal | None
    currency: str | None
    category: str | None
    score: float
    snippet: str  # HTML-escaped original text with <em>…</em> around matches
    status: str = "active"


@dataclass
class SearchResult:
    total: int
    hits: list[Hit] = field(default_factory=list)
    #: {"platform": {name: count}, "category": {name: count}} over the full match set
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class Index(Backend):
    """Full-text index of listings, keyed by (platform, item_id)."""

    #: Whether the index pipeline writes this index's batches on a writer thread by default
    #: (``SHOPWATCH_INDEX_THREAD = None``): worth it when a write mostly waits without the GIL.
    background_writes: bool = False

    @abc.abstractmethod
    def index_listings(self, listings: list[Mapping[str, Any]]) -> int:
        """Insert or replace listings (by platform + item_id); returns how many were written.

        A delisted listing lacking title/description keeps the indexed text (status changes).
        """

    @abc.abstractmethod
    def search(self, query: str, platform: str | None = None, category: str | None = None,
               status: str | None = "active", limit: int = 20, offset: int = 0) -> SearchResult:
        """Run ``query`` (see the module docstring); an empty query lists everything filtered."""

    @abc.abstractmethod
    def count(self) -> int:
        """Number of indexed listings (any status)."""

    @abc.abstractmethod
    def candidates(self, anchors: Collection[str], platforms: Collection[str] | None = None,
                   categories: Collection[str] | None = None,
                   status: str | None = None) -> set[tuple[str, str]]:
        """(platform, item_id) of every listing whose detection-folded title or description
        (``search.text.listing_fold_keys``) contains at least one of ``anchors`` (folded terms).

        Campaign runs use it as the prefilter generated from their rules; the detector then
        decides, so a candidate set may be larger than the hits but never miss one.
        """


#: Deepest result reachable by paging (Elasticsearch's default max_result_window).
MAX_WINDOW = 10_000


def check_page(limit: int, offset: int) -> None:
    """Reject paging values that would make a back end do unbounded work."""
    if not 0 <= int(limit) <= 1000:
        raise QueryError(f"limit must be between 0 and 1000, got {limit}")
    if int(offset) < 0 or int(offset) + int(limit) > MAX_WINDOW:
        raise QueryError(f"offset + limit must stay within {MAX_WINDOW}, got offset={offset}")
