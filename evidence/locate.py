"""Find a page's records in the crawl's WARC files and copy them out byte for byte.

Crawl records are keyed by the canonical URL (crawler.urls.canonical_url, the key hits carry),
so a page fetched as ``/item/1?utm_source=x`` is found for the hit's ``/item/1``. One pass over
the files answers every wanted URL; the latest capture wins.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

from crawler.urls import canonical_url


@dataclass(frozen=True)
class RecordRef:
    path: Path
    offset: int
    length: int
    record_id: str
    record_type: str
    date: str
    status: str | None = None


@dataclass
class PageRecords:
    """The latest response for a URL and the request record concurrent to it."""

    response: RecordRef
    request: RecordRef | None = None


def _canonical(url: str) -> str:
    try:
        return canonical_url(url)
    except Exception:  # a hostile target URI is simply not a match
        return url


def warc_files(root: Path, job_ids: Iterable[str] | None = None) -> list[Path]:
    """WARC files under ``root`` (``<root>/<job>/*.warc.gz``), only those jobs when given."""
    if not root.is_dir():
        return []
    jobs = [root / j for j in job_ids if j and (root / j).is_dir() and (root / j).parent == root] \
        if job_ids is not None else [p for p in root.iterdir() if p.is_dir()]
    return sorted(f for d in jobs for f in d.glob("*.warc.gz"))


def find_pages(files: Iterable[Path], urls: Iterable[str]) -> dict[str, PageRecords]:
    """Canonical URL → its latest 200-class (else latest) response and concurrent request."""
    wanted = {_canonical(u) for u in urls}
    found: dict[str, PageRecords] = {}
    requests: dict[str, RecordRef] = {}  # WARC-Concurrent-To (response id) → request ref
    for path in files:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                if record.rec_type not in ("response", "request"):
                    continue
                key = _canonical(record.rec_headers.get_header("WARC-Target-URI") or "")
                if key not in wanted:
                    continue
                status = record.http_headers.get_statuscode() if record.rec_type == "response" and record.http_headers else None
                ref = RecordRef(path, it.get_record_offset(), it.get_record_length(),
                                record.rec_headers.get_header("WARC-Record-ID"), record.rec_type,
                                record.rec_headers.get_header("WARC-Date") or "", status)
                if record.rec_type == "request":
                    to = record.rec_headers.get_header("WARC-Concurrent-To")
                    if to:
                        requests[to] = ref
                    continue
                best = found.get(key)
                ok = (status or "").startswith("2")
                if best is None or ok or not (best.response.status or "").startswith("2"):
                    found[key] = PageRecords(ref)
    for page in found.values():
        page.request = requests.get(page.response.record_id)
    return found


def copy_records(refs: Iterable[RecordRef], out: BinaryIO) -> int:
    """Append the records' gzip members to ``out`` unchanged; returns bytes written."""
    written = 0
    for ref in refs:
        with open(ref.path, "rb") as fh:
            fh.seek(ref.offset)
            data = fh.read(ref.length)
        out.write(data)
        written += len(data)
    return written
