"""SQLite FTS5 index (the embedded default), in its own file, separate from the store.

Why three matching paths (design.md, "Known traps"): the trigram tokenizer answers MATCH only for
3+ characters, and on SQLite 3.40 ``LIKE '%香烟%'`` silently returns nothing. So:

* terms of 3+ characters are FTS5 phrases (quoted: every character is literal);
* a 1-2 character term is expanded through the index's own vocabulary (``fts5vocab``) into the
  OR of the trigrams that start with it: every occurrence of the term starts some trigram,
  because each normalized column ends with two sentinel characters (U+0001, which no
  normalized text or query contains). Exact, and as fast as a long term when the term has few
  continuations (香烟: 5 in the simulator's 4,000 listings);
* a short term with more than ``MAX_EXPANSION`` continuations falls back to ``instr()`` on the
  stored normalized text (a scan: correct on every SQLite version, linear in the corpus).

Ranking is bm25 (title weighted 3x) whenever the FTS table takes part, else term frequency
(title 3x); ties by (platform, item_id). Text is normalized before it reaches SQLite, so the
tokenizer is case-sensitive (no second folding that the vocabulary lookup would have to mirror).
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any, Collection, Mapping

from crawler.normalize import listing_search_keys
from crawler.store.base import BackendError
from crawler.sqlitedb import Batch, SQLiteFile, connect, sqlite_module
from search.base import Hit, Index, SearchResult, check_page
from search.text import listing_fold_keys, query_terms, snippet

SCHEMA_VERSION = 3  # 2: case-sensitive trigrams over sentinel-terminated normalized text;
#                    3: the detection-folded text (campaign runs query it)
TITLE_WEIGHT = 3.0
#: Appended to each normalized column so a 1-2 character term at the end still starts a trigram.
SENTINEL = "\x01\x01"
#: Most trigrams a short term may expand to before the scan is cheaper.
MAX_EXPANSION = 512
#: Phrases per candidate query (one campaign may have thousands of terms).
CANDIDATE_CHUNK = 400

_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS index_meta (key TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE IF NOT EXISTS docs (
        rowid INTEGER PRIMARY KEY, platform TEXT NOT NULL, item_id TEXT NOT NULL, shop_id TEXT,
        title TEXT, description TEXT, url TEXT, price TEXT, currency TEXT, category TEXT,
        status TEXT NOT NULL, norm_title TEXT NOT NULL, norm_desc TEXT NOT NULL,
        fold_text TEXT NOT NULL, UNIQUE (platform, item_id))""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
        norm_title, norm_desc, fold_text, content='docs', content_rowid='rowid',
        tokenize='trigram case_sensitive 1')""",
    """CREATE TRIGGER IF NOT EXISTS docs_ai AFTER INSERT ON docs BEGIN
        INSERT INTO docs_fts (rowid, norm_title, norm_desc, fold_text)
        VALUES (new.rowid, new.norm_title, new.norm_desc, new.fold_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS docs_ad AFTER DELETE ON docs BEGIN
        INSERT INTO docs_fts (docs_fts, rowid, norm_title, norm_desc, fold_text)
        VALUES ('delete', old.rowid, old.norm_title, old.norm_desc, old.fold_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS docs_au AFTER UPDATE OF norm_title, norm_desc, fold_text ON docs
    WHEN old.norm_title IS NOT new.norm_title OR old.norm_desc IS NOT new.norm_desc
      OR old.fold_text IS NOT new.fold_text BEGIN
        INSERT INTO docs_fts (docs_fts, rowid, norm_title, norm_desc, fold_text)
        VALUES ('delete', old.rowid, old.norm_title, old.norm_desc, old.fold_text);
        INSERT INTO docs_fts (rowid, norm_title, norm_desc, fold_text)
        VALUES (new.rowid, new.norm_title, new.norm_desc, new.fold_text);
    END""",
)

#: One query's match set (per connection): the match runs once, facets and the page read it.
_MATCHES = ("CREATE TEMP TABLE IF NOT EXISTS matches (rid INTEGER PRIMARY KEY, platform TEXT, "
            "category TEXT, item_id TEXT, score REAL)")
#: The trigram vocabulary, for expanding short terms (per connection, nothing stored).
_VOCAB = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.docs_vocab USING fts5vocab(main, 'docs_fts', 'row')"

_DOC_COLS = ("platform", "item_id", "shop_id", "title", "description", "url", "price",
             "currency", "category", "status", "norm_title", "norm_desc", "fold_text")
_UPSERT = (
    f"INSERT INTO docs ({', '.join(_DOC_COLS)}) VALUES ({', '.join('?' * len(_DOC_COLS))}) "
    "ON CONFLICT (platform, item_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _DOC_COLS[2:])
)
_KEEP_WHEN_DELISTED = ("shop_id", "title", "description", "url", "price", "currency", "category")


def _phrase(term: str) -> str:
    """An FTS5 string literal: every character (quotes, *, -, NEAR, parentheses) is literal."""
    return '"' + term.replace('"', '""') + '"'


class FTS5Index(SQLiteFile, Index):
    """Listings index on one SQLite file with an FTS5 trigram table."""

    kind = "index"

    def __init__(self, path: str | Path, *, batch_size: int = 500, batch_seconds: float = 1.0,
                 sqlite: ModuleType | None = None) -> None:
        self.path = str(path)
        self._db = sqlite or sqlite_module()
        self.conn = connect(self.path, self._db)
        self._batch = Batch(self.conn, batch_size, batch_seconds)
        self._closed = False
        self._create_schema(_SCHEMA, SCHEMA_VERSION)
        # Reads scan norm text for short terms: map the file instead of copying pages.
        self.conn.execute("PRAGMA mmap_size = 1073741824")
        self.conn.execute("PRAGMA cache_size = -65536")
        self.conn.execute(_MATCHES)
        self.conn.execute(_VOCAB)

    def _stored_version(self) -> int | None:
        try:
            row = self.conn.execute("SELECT value FROM index_meta WHERE key = 'schema_version'").fetchone()
        except self._db.OperationalError:
            return None
        return None if row is None else int(row[0])

    def _record_version(self) -> None:
        self.conn.execute("INSERT INTO index_meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def _check_version(self, found: int) -> None:
        if found != SCHEMA_VERSION:
            raise BackendError(
                f"{self.path}: index schema {found} differs from this shopwatch's "
                f"({SCHEMA_VERSION}); the index is derived data: delete the file and crawl again")

    def _schema_error(self, exc: Exception) -> str:
        return (f"{self.path}: cannot create the FTS5 trigram index with SQLite "
                f"{self._db.sqlite_version} ({exc}); FTS5 trigram needs SQLite 3.34+ "
                f"(install pysqlite3-binary)")

    # --- writing -------------------------------------------------------------------------------
    def _existing(self, platform: str, item_id: str) -> dict[str, Any] | None:
        cur = self.conn.execute(
            f"SELECT {', '.join(_KEEP_WHEN_DELISTED)} FROM docs WHERE platform = ? AND item_id = ?",
            (platform, item_id))
        row = cur.fetchone()
        return None if row is None else dict(zip(_KEEP_WHEN_DELISTED, row))

    def _row(self, doc: Mapping[str, Any]) -> tuple[Any, ...]:
        if not doc.get("platform") or not doc.get("item_id"):
            raise ValueError(f"listing lacks platform/item_id: {dict(doc)!r:.200}")
        rec = dict(doc)
        rec["status"] = rec.get("status") or "active"
        if rec["status"] == "delisted":
            old = self._existing(rec["platform"], rec["item_id"])
            for key in _KEEP_WHEN_DELISTED:
                if old and rec.get(key) in (None, ""):
                    rec[key] = old[key]
        price = rec.get("price")
        rec["price"] = None if price is None else str(price)
        title_key, desc_key = listing_search_keys(rec)
        rec["norm_title"], rec["norm_desc"] = title_key + SENTINEL, desc_key + SENTINEL
        rec["fold_text"] = SENTINEL.join(listing_fold_keys(rec)) + SENTINEL
        return tuple(rec.get(c) for c in _DOC_COLS)

    def index_listings(self, listings: list[Mapping[str, Any]]) -> int:
        self._check_open()
        rows = [self._row(doc) for doc in listings]
        if not rows:
            return 0
        self._batch.begin()
        self.conn.executemany(_UPSERT, rows)
        self._batch.wrote(len(rows))
        return len(rows)

    # --- reading -------------------------------------------------------------------------------
    def search(self, query: str, platform: str | None = None, category: str | None = None,
               status: str | None = "active", limit: int = 20, offset: int = 0) -> SearchResult:
        self._check_open()
        check_page(limit, offset)
        terms = query_terms(query)
        phrases = [_phrase(t) for t in terms if len(t) >= 3]
        scan_terms: list[str] = []
        for term in (t for t in terms if len(t) < 3):
            trigrams = self._expand(term)
            if trigrams is None:
                scan_terms.append(term)
            elif not trigrams:  # no indexed text contains the term
                return SearchResult(total=0, hits=[], facets={"platform": {}, "category": {}})
            else:
                phrases.append("(" + " OR ".join(_phrase(t) for t in trigrams) + ")")
        params: dict[str, Any] = {}
        where: list[str] = []
        if phrases:
            # CROSS JOIN pins the FTS table as the outer loop: otherwise a filter on docs can make
            # SQLite re-run the full-text query for every filtered row (seconds instead of ms).
            source = "docs_fts CROSS JOIN docs d ON d.rowid = docs_fts.rowid"
            where.append("docs_fts MATCH :match")
            params["match"] = "{norm_title norm_desc} : (" + " AND ".join(phrases) + ")"
            score = f"-bm25(docs_fts, {TITLE_WEIGHT}, 1.0, 0.0)"
        else:
            source = "docs d"
            score = " + ".join(
                f"({TITLE_WEIGHT} * (length(d.norm_title) - length(replace(d.norm_title, :s{i}, '')))"
                f" + (length(d.norm_desc) - length(replace(d.norm_desc, :s{i}, '')))) / length(:s{i})"
                for i in range(len(scan_terms))) or "0.0"
        for i, term in enumerate(scan_terms):
            where.append(f"(instr(d.norm_title, :s{i}) > 0 OR instr(d.norm_desc, :s{i}) > 0)")
            params[f"s{i}"] = term
        for col, value in (("platform", platform), ("category", category), ("status", status)):
            if value is not None:
                where.append(f"d.{col} = :{col}")
                params[col] = value
        cond = " AND ".join(where) or "1"
        self.conn.execute("DELETE FROM temp.matches")
        self.conn.execute(
            f"INSERT INTO temp.matches (rid, platform, category, item_id, score) "
            f"SELECT d.rowid, d.platform, d.category, d.item_id, {score} FROM {source} WHERE {cond}",
            params)
        facets: dict[str, dict[str, int]] = {"platform": {}, "category": {}}
        total = 0
        for plat, cat, n in self.conn.execute(
                "SELECT platform, category, count(*) FROM temp.matches GROUP BY platform, category"):
            total += n
            facets["platform"][plat] = facets["platform"].get(plat, 0) + n
            if cat is not None:
                facets["category"][cat] = facets["category"].get(cat, 0) + n
        hits: list[Hit] = []
        if total and limit:
            rows = self.conn.execute(
                "SELECT d.platform, d.item_id, d.shop_id, d.title, d.url, d.price, d.currency, "
                "d.category, m.score, d.description, d.status FROM temp.matches m "
                "JOIN docs d ON d.rowid = m.rid "
                "ORDER BY m.score DESC, m.platform, m.item_id LIMIT :limit OFFSET :offset",
                {"limit": int(limit), "offset": int(offset)})
            for r in rows:
                hits.append(Hit(platform=r[0], item_id=r[1], shop_id=r[2], title=r[3], url=r[4],
                                price=None if r[5] is None else Decimal(r[5]), currency=r[6],
                                category=r[7], score=float(r[8] or 0.0),
                                snippet=snippet(r[3], r[9], terms), status=r[10]))
        self.conn.execute("DELETE FROM temp.matches")
        facets = {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in facets.items()}
        return SearchResult(total=total, hits=hits, facets=facets)

    def candidates(self, anchors: Collection[str], platforms: Collection[str] | None = None,
                   categories: Collection[str] | None = None,
                   status: str | None = None) -> set[tuple[str, str]]:
        self._check_open()
        terms = sorted({t for t in anchors if t})
        found: set[tuple[str, str]] = set()
        phrases: list[str] = []
        scans: list[str] = []
        for term in terms:
            if len(term) >= 3:
                phrases.append(_phrase(term))
                continue
            trigrams = self._expand(term)
            if trigrams is None:
                scans.append(term)
            else:
                phrases.extend(_phrase(t) for t in trigrams)
        filters, params = [], {}
        for col, values in (("platform", platforms), ("category", categories)):
            if values is not None:
                names = sorted(values)
                filters.append(f"d.{col} IN ({', '.join('?' * len(names))})")
                params[col] = names
        if status is not None:
            filters.append("d.status = ?")
            params["status"] = [status]
        extra = "".join(f" AND {f}" for f in filters)
        args = [v for values in params.values() for v in values]
        for start in range(0, len(phrases), CANDIDATE_CHUNK):
            match = "fold_text : (" + " OR ".join(phrases[start:start + CANDIDATE_CHUNK]) + ")"
            found.update(self.conn.execute(
                "SELECT d.platform, d.item_id FROM docs_fts CROSS JOIN docs d "
                f"ON d.rowid = docs_fts.rowid WHERE docs_fts MATCH ?{extra}", [match, *args]))
        for term in scans:
            found.update(self.conn.execute(
                f"SELECT d.platform, d.item_id FROM docs d WHERE instr(d.fold_text, ?) > 0{extra}",
                [term, *args]))
        return found

    def _expand(self, term: str) -> list[str] | None:
        """Indexed trigrams starting with ``term``; None when more than MAX_EXPANSION."""
        rows = self.conn.execute(
            "SELECT term FROM temp.docs_vocab WHERE term >= ? AND term < ? LIMIT ?",
            (term, term + "\U0010ffff" * 2, MAX_EXPANSION + 1)).fetchall()
        return None if len(rows) > MAX_EXPANSION else [r[0] for r in rows]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM docs").fetchone()[0]

