"""Elasticsearch 8.x index: exact literal-substring search with the FTS5 back end's semantics.

Why per-character tokens: the contract wants every term, 1 character or 200, found as a literal
substring of the normalized text (``crawler.normalize.search_key``). Each normalized character is
written as one whitespace-separated token (a space becomes ``\\x01``, which normalization never
produces), so a ``match_phrase`` of the term's characters (consecutive positions) matches exactly
the documents containing the term -- no tokenizer guesswork, no n-gram length limits, and only
core Elasticsearch features (the ``whitespace`` analyzer), so the same mapping runs on a full
distribution and on the Maven-Central-only test node (no analysis-common, no x-pack ``wildcard``).
Measured alternatives are in docs/backends.md.

Layout: an index template ``{alias}-template`` for ``{alias}-v*``, the index ``{alias}-v{N}`` and
the alias ``{alias}`` that readers and writers use. Writes are buffered (latest document per key),
sent with the bulk API, retried on 429/5xx and connection errors, and refreshed on ``flush()``;
a search flushes first, so a handle reads its own writes. While the cluster is away the buffer
is kept (bounded by ``max_buffered``, past it a BackendError names the count), periodic sends back
off (``crawler.backend.Outage``) and ``flush()`` retries for up to ``outage_wait`` seconds. Scores are BM25 (title 3x); ties break
by (platform, item_id); snippets come from ``search.text.snippet`` (identical to FTS5's).
"""
from __future__ import annotations

import json
import logging
import time
from decimal import Decimal
from importlib import resources
from typing import Any, Collection, Mapping
from urllib.parse import urlsplit

from crawler.backend import Outage, ServerUnavailable
from crawler.normalize import search_key
from crawler.store.base import BackendError
from search.base import Hit, Index, SearchResult, check_page
from search.text import listing_fold_keys, query_terms, snippet

try:
    from elastic_transport import ConnectionError as TransportConnectionError
    from elastic_transport import ConnectionTimeout
    from elasticsearch import ApiError, Elasticsearch, NotFoundError
except ImportError as exc:  # pragma: no cover - depends on the install
    raise BackendError("the Elasticsearch index needs elasticsearch>=8.14,<9: "
                       "pip install 'shopwatch[servers]'") from exc

log = logging.getLogger(__name__)

MAPPING_VERSION = 2  # 2: fold_chars, the detection-folded text campaign runs query
DEFAULT_ALIAS = "shopwatch-listings"
TITLE_WEIGHT = 3.0
SPACE_TOKEN = "\x01"
FIELD_BREAK = "\x02"
#: Anchors per candidate query, and documents per candidate page.
CANDIDATE_CHUNK = 400
CANDIDATE_PAGE = 5000
FACET_SIZE = 1000
_KEEP_WHEN_DELISTED = ("shop_id", "title", "description", "url", "price", "currency", "category")
_SOURCE = ["platform", "item_id", "shop_id", "title", "description", "url", "price", "currency",
           "category", "status"]
_RETRY_STATUS = {429, 502, 503, 504}
_TRANSIENT = (TransportConnectionError, ConnectionTimeout)


def _tokens(text: str) -> str:
    return " ".join(SPACE_TOKEN if c.isspace() else c for c in text)


def char_tokens(text: str | None) -> str:
    """Normalized ``text`` as one token per character (spaces as ``SPACE_TOKEN``)."""
    return _tokens(search_key(text))


def fold_tokens(listing: Mapping[str, Any]) -> str:
    """The folded title and description as per-character tokens, ``FIELD_BREAK`` between them
    (no anchor contains it, so no phrase matches across the two fields)."""
    title, description = listing_fold_keys(listing)
    return f"{_tokens(title)} {FIELD_BREAK} {_tokens(description)}"


def template_body(alias: str) -> dict[str, Any]:
    """The index template for ``{alias}-v*`` from ``es_mapping.json``."""
    body = json.loads(resources.files("search").joinpath("es_mapping.json").read_text("utf-8"))
    body = {k: v for k, v in body.items() if not k.startswith("_")}
    return {"index_patterns": [f"{alias}-v*"], "template": body,
            "_meta": {"shopwatch_mapping_version": MAPPING_VERSION}}


def _doc_id(platform: str, item_id: str) -> str:
    return json.dumps([platform, item_id], ensure_ascii=False, separators=(",", ":"))


def _one_line(exc: BaseException, limit: int = 240) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + "..."


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


class ElasticIndex(Index):
    """Listings index behind an alias on one Elasticsearch 8.x cluster.

    ``url`` is ``http(s)://host:port[/alias]`` (credentials in the URL work; alias default
    ``shopwatch-listings``).
    """

    background_writes = True  # a bulk request waits on its socket: the crawl goes on meanwhile

    def __init__(self, url: str, *, batch_size: int = 500, batch_seconds: float = 1.0,
                 max_buffered: int = 100_000, retries: int = 3, timeout: float = 30.0,
                 shards: int | None = None, outage_wait: float = 60.0) -> None:
        parts = urlsplit(url)
        self.url = _redact(url)
        self.alias = parts.path.strip("/") or DEFAULT_ALIAS
        self.index_name = f"{self.alias}-v{MAPPING_VERSION}"
        self.batch_size, self.batch_seconds = batch_size, batch_seconds
        self.max_buffered, self.retries, self.outage_wait = max_buffered, retries, outage_wait
        self.outage = Outage(f"Elasticsearch at {self.url}", log)
        self._pending: dict[str, dict[str, Any]] = {}
        self._first_pending = 0.0
        self._unrefreshed = False
        self._closed = False
        host = f"{parts.scheme}://{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 9200)}"
        auth = (parts.username, parts.password or "") if parts.username else None
        try:
            self.es = Elasticsearch(host, basic_auth=auth, request_timeout=timeout, max_retries=2,
                                    retry_on_timeout=True)
            self.es.cluster.health(timeout="5s")
            self._prepare(shards)
        except (ApiError, *_TRANSIENT) as exc:
            raise BackendError(f"Elasticsearch at {self.url} unreachable: {_one_line(exc)}") from exc

    def _prepare(self, shards: int | None) -> None:
        """Template, versioned index and alias, idempotently; a foreign or older layout is an error."""
        body = template_body(self.alias)
        if shards:
            body["template"]["settings"]["number_of_shards"] = shards
        self.es.indices.put_index_template(name=f"{self.alias}-template", **body)
        try:
            current = set(self.es.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            current = set()
        if not current:
            if self.es.indices.exists(index=self.alias):
                raise BackendError(f"Elasticsearch at {self.url}: {self.alias!r} is an index, not an "
                                   f"alias; choose another name in the URL (…/name)")
            if not self.es.indices.exists(index=self.index_name):
                self.es.indices.create(index=self.index_name)
            self.es.indices.put_alias(index=self.index_name, name=self.alias)
        elif current != {self.index_name}:
            raise BackendError(
                f"Elasticsearch at {self.url}: alias {self.alias!r} points at {sorted(current)}, this "
                f"shopwatch writes {self.index_name!r}; the index is derived data: delete the old "
                f"index (or use another alias) and crawl again")
        self.es.cluster.health(index=self.index_name, wait_for_status="yellow", timeout="30s")

    # --- writing -------------------------------------------------------------------------------
    def _merge_delisted(self, docs: list[dict[str, Any]]) -> None:
        """A delisted listing lacking text keeps the indexed text (as FTS5): fill from the index."""
        missing = [d for d in docs if d["status"] == "delisted"
                   and any(d.get(k) in (None, "") for k in _KEEP_WHEN_DELISTED)]
        lookup = [d["_id"] for d in missing if d["_id"] not in self._pending]
        stored: dict[str, dict[str, Any]] = {}
        if lookup:
            found = self._call(lambda: self.es.mget(index=self.alias, ids=lookup, source=_SOURCE))
            stored = {h["_id"]: h["_source"] for h in found["docs"] if h.get("found")}
        for doc in missing:
            old = self._pending.get(doc["_id"]) or stored.get(doc["_id"])
            for key in _KEEP_WHEN_DELISTED:
                if old and doc.get(key) in (None, ""):
                    doc[key] = old.get(key)

    def _document(self, listing: Mapping[str, Any]) -> dict[str, Any]:
        if not listing.get("platform") or not listing.get("item_id"):
            raise ValueError(f"listing lacks platform/item_id: {dict(listing)!r:.200}")
        doc = {k: listing.get(k) for k in _SOURCE}
        doc["status"] = doc.get("status") or "active"
        doc["price"] = None if doc["price"] is None else str(doc["price"])
        doc["_id"] = _doc_id(doc["platform"], doc["item_id"])
        return doc

    def index_listings(self, listings: list[Mapping[str, Any]]) -> int:
        self._check_open()
        docs = [self._document(d) for d in listings]
        self._merge_delisted(docs)
        if docs and not self._pending:
            self._first_pending = time.monotonic()
        for doc in docs:
            self._pending[doc["_id"]] = doc
        if len(self._pending) >= self.batch_size:
            self._send_or_keep()
        return len(docs)

    def _call(self, fn: Any) -> Any:
        """Run one request, retrying connection errors and 429/5xx with backoff."""
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except _TRANSIENT as exc:
                error: BaseException = exc
            except ApiError as exc:
                if exc.meta.status not in _RETRY_STATUS:
                    raise BackendError(f"Elasticsearch at {self.url}: {_one_line(exc)}") from exc
                error = exc
            if attempt < self.retries:
                time.sleep(min(0.25 * 2 ** attempt, 2.0))
        raise ServerUnavailable(f"Elasticsearch at {self.url} unreachable: {_one_line(error)} "
                                f"({len(self._pending)} listings kept buffered)") from error

    def _bulk(self, docs: list[dict[str, Any]]) -> None:
        """One bulk request; items rejected with 429/5xx are retried, other rejections raise."""
        for attempt in range(self.retries + 1):
            ops: list[dict[str, Any]] = []
            for doc in docs:
                body = {k: v for k, v in doc.items() if k != "_id"}
                body["title_chars"] = char_tokens(doc.get("title"))
                body["desc_chars"] = char_tokens(doc.get("description"))
                body["fold_chars"] = fold_tokens(doc)
                ops += [{"index": {"_index": self.alias, "_id": doc["_id"]}}, body]
            result = self._call(lambda: self.es.bulk(operations=ops))
            if not result["errors"]:
                return
            failed = [(doc, item["index"]) for doc, item in zip(docs, result["items"])
                      if item["index"].get("error")]
            fatal = [(d, i) for d, i in failed if i.get("status") not in _RETRY_STATUS]
            if fatal:
                doc, item = fatal[0]
                raise BackendError(f"Elasticsearch at {self.url} rejected {len(fatal)} listing(s), first "
                                   f"{doc['platform']}/{doc['item_id']}: {item['error'].get('reason')}")
            docs = [d for d, _ in failed]
            time.sleep(min(0.25 * 2 ** attempt, 2.0))
        raise BackendError(f"Elasticsearch at {self.url}: {len(docs)} listings still rejected (busy)")

    def _send(self) -> None:
        """Bulk-send the buffer in ``batch_size`` chunks; sent documents leave the buffer."""
        while self._pending:
            chunk = list(self._pending.values())[: self.batch_size]
            self._bulk(chunk)
            for doc in chunk:
                if self._pending.get(doc["_id"]) is doc:
                    del self._pending[doc["_id"]]
            self._unrefreshed = True
        self._first_pending = time.monotonic()

    def _send_or_keep(self) -> None:
        """Send what is buffered; while the cluster is away keep it (within ``max_buffered``)."""
        if not self.outage.backing_off():
            try:
                self._send()
                self.outage.answered()
            except ServerUnavailable as exc:
                self.outage.failed(exc)
        if len(self._pending) >= self.max_buffered:
            raise BackendError(
                f"Elasticsearch at {self.url} unreachable for {self.outage.seconds():.0f} s: "
                f"{len(self._pending)} listings are buffered, the limit (max_buffered={self.max_buffered}); "
                f"refusing more rather than dropping any — bring the cluster back and index again")

    def flush(self) -> None:
        """Send and refresh; if the cluster is away, retry with backoff up to ``outage_wait`` s."""
        if not self._closed:
            self.outage.retry(self._flush_once, self.outage_wait, lambda: f"{len(self._pending)} listings")

    def _flush_once(self) -> None:
        self._send()
        if self._unrefreshed:
            self._call(lambda: self.es.indices.refresh(index=self.alias))
            self._unrefreshed = False

    def flush_if_due(self) -> None:
        if not self._closed and self._pending and (
                time.monotonic() - self._first_pending >= self.batch_seconds):
            self._send_or_keep()

    # --- reading -------------------------------------------------------------------------------
    @staticmethod
    def _term_query(term: str) -> dict[str, Any]:
        """Title or description contains ``term`` (title weighted)."""
        tokens = " ".join(term)
        return {"bool": {"should": [
            {"match_phrase": {"title_chars": {"query": tokens, "analyzer": "whitespace",
                                              "boost": TITLE_WEIGHT}}},
            {"match_phrase": {"desc_chars": {"query": tokens, "analyzer": "whitespace"}}},
        ], "minimum_should_match": 1}}

    def search(self, query: str, platform: str | None = None, category: str | None = None,
               status: str | None = "active", limit: int = 20, offset: int = 0) -> SearchResult:
        self._check_open()
        check_page(limit, offset)
        terms = query_terms(query)
        self.flush()
        filters = [{"term": {k: v}} for k, v in
                   (("platform", platform), ("category", category), ("status", status)) if v is not None]
        must = [self._term_query(t) for t in terms] or [{"match_all": {}}]
        body = {
            "query": {"bool": {"must": must, "filter": filters}},
            "sort": [{"_score": "desc"}, {"platform": "asc"}, {"item_id": "asc"}],
            "track_total_hits": True, "track_scores": True, "from": int(offset), "size": int(limit),
            "_source": _SOURCE,
            "aggs": {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in ("platform", "category")},
        }
        res = self._call(lambda: self.es.search(index=self.alias, **body))
        facets = {f: dict(sorted(((b["key"], b["doc_count"]) for b in res["aggregations"][f]["buckets"]),
                                 key=lambda kv: (-kv[1], kv[0])))
                  for f in ("platform", "category")}
        hits = []
        for h in res["hits"]["hits"]:
            s = h["_source"]
            hits.append(Hit(platform=s["platform"], item_id=s["item_id"], shop_id=s.get("shop_id"),
                            title=s.get("title"), url=s.get("url"),
                            price=None if s.get("price") is None else Decimal(s["price"]),
                            currency=s.get("currency"), category=s.get("category"),
                            score=float(h.get("_score") or 0.0),
                            snippet=snippet(s.get("title"), s.get("description"), terms),
                            status=s.get("status") or "active"))
        return SearchResult(total=res["hits"]["total"]["value"], hits=hits, facets=facets)

    def count(self) -> int:
        self._check_open()
        self.flush()
        return int(self._call(lambda: self.es.count(index=self.alias))["count"])

    def candidates(self, anchors: Collection[str], platforms: Collection[str] | None = None,
                   categories: Collection[str] | None = None,
                   status: str | None = None) -> set[tuple[str, str]]:
        self._check_open()
        self.flush()
        self._call(lambda: self.es.indices.refresh(index=self.alias))
        terms = sorted({t for t in anchors if t})
        filters: list[dict[str, Any]] = []
        for field, values in (("platform", platforms), ("category", categories)):
            if values is not None:
                filters.append({"terms": {field: sorted(values)}})
        if status is not None:
            filters.append({"term": {"status": status}})
        found: set[tuple[str, str]] = set()
        for start in range(0, len(terms), CANDIDATE_CHUNK):
            should = [{"match_phrase": {"fold_chars": {"query": _tokens(t), "analyzer": "whitespace"}}}
                      for t in terms[start:start + CANDIDATE_CHUNK]]
            query = {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}}
            after: list[Any] | None = None
            while True:
                extra = {"search_after": after} if after else {}
                res = self._call(lambda: self.es.search(
                    index=self.alias, query=query, size=CANDIDATE_PAGE, _source=False,
                    sort=[{"platform": "asc"}, {"item_id": "asc"}], track_total_hits=False, **extra))
                page = res["hits"]["hits"]
                found.update((h["sort"][0], h["sort"][1]) for h in page)
                if len(page) < CANDIDATE_PAGE:
                    break
                after = page[-1]["sort"]
        return found

    # --- lifecycle -----------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise BackendError(f"index {self.url}/{self.alias} is closed")

    def drop(self) -> None:
        """Delete the alias's indices and the template (tests, re-creation)."""
        names = list(self.es.indices.get(index=f"{self.alias}-v*", allow_no_indices=True).body)
        if names:  # by name: wildcard deletes are refused (action.destructive_requires_name)
            self.es.indices.delete(index=",".join(names))
        self.es.indices.delete_index_template(name=f"{self.alias}-template")

    def close(self) -> None:
        """Flush (raises if the cluster stays unreachable: the listings are then still buffered)."""
        if self._closed:
            return
        self.flush()
        self.es.close()
        self._closed = True

    def __repr__(self) -> str:
        return f"ElasticIndex({self.url!r}, alias {self.alias!r}, {len(self._pending)} buffered)"
