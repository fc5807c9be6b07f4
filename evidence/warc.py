"""WARC files (ISO 28500) through warcio: request/response record pairs with payload digests,
written to gzip-per-record files that rotate by size, one directory per crawl job.

Why gzip per record: each record is its own gzip member, so a record can be cut out of a crawl
file by (offset, length) and copied byte for byte into a hit's evidence file, and warcio/pywb
read the copy as a WARC of its own.
"""
from __future__ import annotations

import http
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from evidence import shopwatch_version

#: Response headers that describe a transfer encoding the HTTP client already undid: the stored
#: payload is the de-chunked body, so the header is kept under this prefix (pywb's convention).
_TRANSFER_HEADERS = ("transfer-encoding",)
_ORIG_PREFIX = "X-Archive-Orig-"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Exchange:
    """One HTTP exchange as a client saw it; the unit a WARC request/response pair records."""

    url: str
    method: str
    request_headers: Headers
    request_body: bytes
    status: int
    response_headers: Headers
    body: bytes
    protocol: str = "HTTP/1.1"
    #: extra WARC headers (e.g. ``WARC-Shopwatch-Capture`` for browser-rendered bodies)
    warc_headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class WrittenRecord:
    """Where a record landed: file, byte offset and length of its gzip member, and its id."""

    path: str
    offset: int
    length: int
    record_id: str
    record_type: str


def status_line(status: int, reason: str | None = None) -> str:
    if not reason:
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
    return f"{status} {reason}"


def response_headers(headers: Iterable[tuple[str, str]]) -> Headers:
    """Headers to store with a de-chunked body: transfer encodings renamed, the rest as sent."""
    out: Headers = []
    for name, value in headers:
        if name.lower() in _TRANSFER_HEADERS:
            out.append((_ORIG_PREFIX + name, value))
        else:
            out.append((name, value))
    return out


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _with_host(url: str, headers: Headers) -> Headers:
    if any(k.lower() == "host" for k, _ in headers):
        return list(headers)
    return [("Host", urlsplit(url).netloc), *headers]


class WarcFile:
    """One open WARC file: writes a warcinfo record first, then exchanges; knows its size."""

    def __init__(self, path: Path, info: dict[str, Any]) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: BinaryIO = open(path, "xb")  # never overwrite an existing WARC
        self._writer = WARCWriter(self._fh, gzip=True)
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, info))

    @property
    def size(self) -> int:
        return self._fh.tell()

    def write(self, ex: Exchange) -> list[WrittenRecord]:
        """Write the response record, then the request record pointing at it."""
        w = self._writer
        extra = dict(ex.warc_headers)
        resp_http = StatusAndHeaders(status_line(ex.status), response_headers(ex.response_headers),
                                     protocol=ex.protocol)
        response = w.create_warc_record(ex.url, "response", payload=io.BytesIO(ex.body),
                                        length=len(ex.body), http_headers=resp_http,
                                        warc_headers_dict=extra)
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        req_http = StatusAndHeaders(f"{ex.method} {request_target(ex.url)} {ex.protocol}",
                                    _with_host(ex.url, ex.request_headers), protocol=ex.protocol,
                                    is_http_request=True)
        request = w.create_warc_record(ex.url, "request", payload=io.BytesIO(ex.request_body),
                                       length=len(ex.request_body), http_headers=req_http,
                                       warc_headers_dict={"WARC-Concurrent-To": response_id})
        out = []
        for record in (response, request):
            start = self._fh.tell()
            w.write_record(record)
            out.append(WrittenRecord(str(self.path), start, self._fh.tell() - start,
                                     record.rec_headers.get_header("WARC-Record-ID"), record.rec_type))
        return out

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()


class RotatingWarcWriter:
    """WARC files for one job under ``directory``: ``<prefix>-<job>-<seq>.warc.gz``, a new file
    once the current one reaches ``max_file_bytes``; records over ``max_record_bytes`` and
    anything past ``max_total_bytes`` are refused (counted by the caller), so a hostile site
    cannot fill the disk."""

    def __init__(self, directory: Path, job_id: str, *, max_file_bytes: int, max_record_bytes: int,
                 max_total_bytes: int, prefix: str = "shopwatch", info: dict[str, Any] | None = None) -> None:
        self.directory = Path(directory)
        self.job = _SAFE_NAME.sub("_", job_id)[:100] or "job"
        self.prefix = prefix
        self.max_file_bytes = max_file_bytes
        self.max_record_bytes = max_record_bytes
        self.max_total_bytes = max_total_bytes
        self.info = {"software": f"shopwatch/{shopwatch_version()} (warcio)", "format": "WARC File Format 1.1",
                     "isPartOf": job_id, **(info or {})}
        self.files: list[Path] = []
        self._current: WarcFile | None = None
        self._closed_bytes = 0

    @property
    def total_bytes(self) -> int:
        return self._closed_bytes + (self._current.size if self._current else 0)

    def accepts(self, ex: Exchange) -> str | None:
        """None if the exchange may be written, else the reason it is refused."""
        if len(ex.body) + len(ex.request_body) > self.max_record_bytes:
            return "too_large"
        if self.total_bytes >= self.max_total_bytes:
            return "job_full"
        return None

    def write(self, ex: Exchange) -> list[WrittenRecord]:
        if self._current is not None and self._current.size >= self.max_file_bytes:
            self._rotate()
        if self._current is None:
            path = self.directory / f"{self.prefix}-{self.job}-{len(self.files):05d}.warc.gz"
            self._current = WarcFile(path, self.info)
            self.files.append(path)
        return self._current.write(ex)

    def _rotate(self) -> None:
        if self._current is not None:
            self._closed_bytes += self._current.size
            self._current.close()
            self._current = None

    def flush(self) -> None:
        if self._current is not None:
            self._current.flush()

    def close(self) -> None:
        self._rotate()
