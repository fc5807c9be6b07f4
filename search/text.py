"""Query parsing and snippet highlighting shared by every index back end.

Why shared: "what a term is" and "what a snippet shows" must be identical for FTS5 and
Elasticsearch so the contract suite can hold both to it. Terms are searched in the normalized
text (``crawler.normalize.search_key``); snippets are cut from the ORIGINAL text by mapping the
match back through ``search_key_with_map``.
"""
from __future__ import annotations

from crawler.errors import UserError
import html
from typing import Any, Mapping

from crawler.normalize import search_key, search_key_with_map

MAX_TERMS = 32
MAX_TERM_CHARS = 200
SNIPPET_CHARS = 60
_LEAD = 20  # characters of context kept before the first match
_FLAT = {ord("\n"): " ", ord("\r"): " ", ord("\t"): " "}


class QueryError(UserError, ValueError):
    """The query cannot be run as given (too many or too long terms); the message says why."""


def query_terms(query: str | None) -> list[str]:
    """Whitespace-separated terms of the normalized query, deduplicated, in order.

    Every character is literal: quotes, ``*``, ``-``, parentheses and NEAR are just text.
    """
    terms: list[str] = []
    for term in search_key(query or "").split(" "):
        if term and term not in terms:
            terms.append(term)
    if len(terms) > MAX_TERMS:
        raise QueryError(f"query has {len(terms)} terms; at most {MAX_TERMS} are allowed")
    for term in terms:
        if len(term) > MAX_TERM_CHARS:
            raise QueryError(f"query term {term[:20]!r}... is longer than {MAX_TERM_CHARS} characters")
    return terms


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Sorted, merged [start, end) spans of ``text`` (original) whose normalized form is a term."""
    if not text or not terms:
        return []
    norm, offsets = search_key_with_map(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = norm.find(term)
        while start >= 0:
            end = start + len(term)
            spans.append((offsets[start], offsets[end - 1] + 1))
            start = norm.find(term, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:  # overlapping (adjacent terms stay separate)
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _plain(segment: str) -> str:
    """Escaped text with line breaks and tabs shown as spaces (snippets are one line)."""
    return html.escape(segment.translate(_FLAT), quote=False)


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, pos = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(_plain(text[pos:s]))
        out.append("<em>" + _plain(text[s:e]) + "</em>")
        pos = e
    out.append(_plain(text[pos:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix


def snippet(title: str | None, description: str | None, terms: list[str],
            size: int = SNIPPET_CHARS) -> str:
    """~``size`` characters of the original title or description around the first match.

    Matches are wrapped in ``<em>``…``</em>``; the rest is HTML-escaped (scraped text is
    untrusted and the console renders snippets as HTML). Without a match: the title's start.
    """
    for text in (title or "", description or ""):
        spans = match_spans(text, terms)
        if spans:
            first_s, first_e = spans[0]
            start = max(0, first_s - _LEAD)
            end = min(len(text), max(start + size, first_e))
            if end - start < size:
                start = max(0, end - size)
            return _render(text, spans, start, end)
    text = title or description or ""
    return _render(text, [], 0, min(len(text), size))


def listing_fold_keys(record: Mapping[str, Any]) -> tuple[str, str]:
    """(folded title, folded description): the text campaign rules' anchors are looked up in.

    Folded separately so no anchor can match across the two fields; the folding itself is the
    detectors' (``detect.text.fold``), so index prefilter and detector agree on every character.
    """
    from detect.text import fold

    return fold(record.get("title") or ""), fold(record.get("description") or "")
