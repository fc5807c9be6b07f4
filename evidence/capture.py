"""Fix the evidence of hits: ``<data_dir>/evidence/<hit_id>/`` with

* ``page.warc.gz`` — every response of a live browser visit made at capture time (request and
  response records; the document, its scripts and the JSON a JavaScript storefront fetched);
* ``crawl.warc.gz`` — the crawl's own records of the page, copied byte for byte from the crawl
  WARC (when the crawl archived it: ``SHOPWATCH_WARC``);
* ``screenshot.png`` — that visit, full page, the matched text highlighted;
* ``manifest.json`` — hit, URL, capture time (UTC), job ids, shopwatch and browser version, and
  the SHA-256 of every file above.

Evidence is fixed once: a hit that has a manifest is skipped, and a directory appears only when
complete (built beside it, then renamed). Each batch appends a ``captured`` entry, with every
manifest's SHA-256, to the custody log. Why a live visit: docs/evidence.md.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.browser import require_browser
from evidence import custody, evidence_root, is_hit_id, shopwatch_version, warc_root
from evidence.locate import PageRecords, copy_records, find_pages, warc_files
from evidence.manifest import MANIFEST_NAME, dumps, file_entries, sha256_file
from evidence.visit import Shot, Visit, VisitLimits, visit_all
from evidence.warc import WarcFile

FORMAT = "shopwatch-evidence/1"


@dataclass
class CaptureReport:
    captured: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already had evidence
    failed: dict[str, str] = field(default_factory=dict)  # hit id → why
    seconds: float = 0.0


def has_evidence(data_dir: str | Path, hit_id: str) -> bool:
    return (evidence_root(data_dir) / hit_id / MANIFEST_NAME).is_file()


def _settings(settings: Any) -> Any:
    if settings is None:
        from crawler.runner import project_settings

        return project_settings()
    return settings


def _run(coro: Any) -> Any:
    """Run a coroutine on a private event loop in a worker thread (callers may be inside one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def crawl_records(data_dir: Path, hits: list[Mapping[str, Any]]) -> dict[str, PageRecords]:
    """The crawl's records for the hits' URLs: the hits' own jobs first, then every other job."""
    root = warc_root(data_dir)
    urls = {h["url"] for h in hits if h.get("url")}
    own = warc_files(root, {str(h.get("job_id")) for h in hits if h.get("job_id")})
    found = find_pages(own, urls)
    missing = {u for u in urls if u not in found}
    if missing:
        own_files = set(own)  # job directories sort by start time: the newest capture is read last and wins
        others = [f for f in warc_files(root) if f not in own_files]
        found.update(find_pages(others, missing))
    return found


def fix_evidence(store: Any, hits: Iterable[Mapping[str, Any]], data_dir: str | Path, *,
                 settings: Any = None, limit: int | None = None,
                 progress: Callable[[str], None] | None = None) -> CaptureReport:
    """Fix evidence for ``hits`` (hit records as the store returns them) that have none yet.

    ``store`` is accepted so a caller holding hit ids only can pass ``store.get_hit`` results;
    nothing in it is changed. Needs Chromium (crawler.browser.find_browser)."""
    import time

    started = time.monotonic()
    data_dir = Path(data_dir)
    settings = _settings(settings)
    report = CaptureReport()
    todo: list[dict[str, Any]] = []
    for hit in hits:
        hid = str(hit.get("id") or "")
        if not is_hit_id(hid) or not hit.get("url"):
            report.failed[hid or "?"] = "not a stored hit (no 16-hex id or no url)"
        elif urlsplit(str(hit["url"])).scheme not in ("http", "https"):  # never file:, data:, chrome:
            report.failed[hid] = f"not an http(s) URL: {str(hit['url'])[:100]!r}"
        elif has_evidence(data_dir, hid):
            report.skipped.append(hid)
        elif limit is None or len(todo) < limit:
            todo.append(dict(hit))
    if not todo:
        report.seconds = time.monotonic() - started
        return report
    require_browser(settings)  # BrowserMissing (one line naming what to install) before any work
    root = evidence_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    records = crawl_records(data_dir, todo)
    with tempfile.TemporaryDirectory(prefix=".capture-", dir=root) as tmp:
        staging = Path(tmp)
        by_url: dict[str, list[tuple[dict[str, Any], Shot]]] = {}
        for hit in todo:
            (staging / hit["id"]).mkdir()
            shot = Shot(staging / hit["id"] / "screenshot.png", str(hit.get("matched") or ""))
            by_url.setdefault(hit["url"], []).append((hit, shot))
        limits = VisitLimits.from_settings(settings)
        concurrency = settings.getint("SHOPWATCH_EVIDENCE_CONCURRENCY", 2)
        if progress:
            progress(f"evidence: visiting {len(by_url)} page(s) for {len(todo)} hit(s)")
        visits, browser_version = _run(visit_all(
            settings, [(url, [s for _h, s in pairs]) for url, pairs in by_url.items()], limits, concurrency))
        manifests: dict[str, str] = {}
        for visit in visits:
            for hit, shot in by_url[visit.url]:
                problem = _assemble(staging / hit["id"], hit, visit, shot, records.get(visit.url),
                                    browser_version, data_dir, limits)
                if problem:
                    report.failed[hit["id"]] = problem
                    continue
                final = root / hit["id"]
                if final.exists():  # captured meanwhile by another command: keep the first
                    report.skipped.append(hit["id"])
                    continue
                (staging / hit["id"]).rename(final)
                manifests[hit["id"]] = sha256_file(final / MANIFEST_NAME)[0]
                report.captured.append(hit["id"])
    if manifests:
        custody.append(data_dir, "captured", list(manifests), manifests=manifests)
    report.seconds = time.monotonic() - started
    return report


def _assemble(directory: Path, hit: Mapping[str, Any], visit: Visit, shot: Shot, crawl: PageRecords | None,
              browser_version: str, data_dir: Path, limits: VisitLimits) -> str | None:
    """Write the WARC files and manifest beside the screenshot; a reason if there is no evidence."""
    if visit.error or not shot.path.is_file():
        return f"visit of {visit.url} failed: {visit.error or 'no screenshot'}"
    if not visit.exchanges:
        return f"visit of {visit.url} loaded no response"
    names = ["screenshot.png", "page.warc.gz"]
    live = WarcFile(directory / "page.warc.gz", {"software": f"shopwatch/{shopwatch_version()} (warcio)",
                                                 "format": "WARC File Format 1.1", "isPartOf": f"evidence {hit['id']}",
                                                 "description": f"evidence visit of {visit.url} at {visit.started_at}"})
    try:
        for ex in visit.exchanges:
            live.write(ex)
    finally:
        live.close()
    crawl_ref = None
    if crawl is not None:
        refs = [crawl.response] + ([crawl.request] if crawl.request else [])
        with open(directory / "crawl.warc.gz", "wb") as out:
            copy_records(refs, out)
        names.append("crawl.warc.gz")
        r = crawl.response
        crawl_ref = {"job_id": r.path.parent.name, "warc_file": str(r.path.relative_to(warc_root(data_dir))),
                     "offset": r.offset, "length": r.length, "record_id": r.record_id, "warc_date": r.date,
                     "http_status": r.status}
    problems = []
    if not shot.marks and not shot.attributes:
        problems.append("the matched text was not found on the page at capture time")
    if shot.cut_at:
        problems.append(f"page taller than {shot.cut_at} px: screenshot cut there")
    if visit.not_archived:
        problems.append(f"{visit.not_archived} response(s) over the visit's bounds not archived")
    manifest = {
        "format": FORMAT, "hit": dict(hit), "url": hit["url"], "visited_url": visit.final_url,
        "captured_at": visit.started_at, "job_id": hit.get("job_id"), "crawl": crawl_ref,
        "shopwatch_version": shopwatch_version(), "browser": browser_version, "http_status": visit.status,
        "highlight": {"text": shot.needle, "marks": shot.marks, "attributes": shot.attributes},
        "screenshot": {"full_page": True, "cut_at": shot.cut_at, "viewport": list(limits.viewport)},
        "responses_archived": len(visit.exchanges), "notes": problems,
        "files": file_entries(directory, names),
    }
    (directory / MANIFEST_NAME).write_bytes(dumps(manifest))
    return None

