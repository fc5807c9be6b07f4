"""WarcMiddleware: every response a crawl receives, written to WARC (switch: ``SHOPWATCH_WARC``).

A downloader middleware next to the network (order 990, after request signing): it sees the
request exactly as sent and the response before decompression, so the stored payload and its
``Content-Encoding`` agree and retried attempts are archived too. Responses rendered by the
browser (scrapy-playwright) carry the rendered DOM as body: their records are marked with
``WARC-Shopwatch-Capture: browser-dom``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.config import data_dir as settings_data_dir
from evidence import warc_root
from evidence.warc import Exchange, RotatingWarcWriter


def _pairs(headers: Any) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` (bytes, multi-valued) as (name, value) text pairs, order kept."""
    out = []
    for name, values in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values:
            out.append((key, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return out


def exchange_from_scrapy(request: Any, response: Any) -> Exchange:
    rendered = "playwright" in (response.flags or [])
    return Exchange(
        url=response.url if rendered else request.url, method=request.method,
        request_headers=_pairs(request.headers), request_body=request.body or b"",
        status=response.status, response_headers=_pairs(response.headers), body=response.body or b"",
        protocol=response.protocol.upper() if getattr(response, "protocol", None) else "HTTP/1.1",
        warc_headers=(("WARC-Shopwatch-Capture", "browser-dom"),) if rendered else (),
    )


class WarcMiddleware:
    """Writes a request + response record per downloaded response, per job, rotating by size."""

    def __init__(self, settings: Any, stats: Any) -> None:
        if not settings.getbool("SHOPWATCH_WARC"):
            raise NotConfigured("SHOPWATCH_WARC is off")
        self.settings = settings
        self.stats = stats
        self.writer: RotatingWarcWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "WarcMiddleware":
        mw = cls(crawler.settings, crawler.stats)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _writer(self, spider: Any) -> RotatingWarcWriter:
        if self.writer is None:
            s = self.settings
            root = Path(s.get("SHOPWATCH_WARC_DIR") or warc_root(settings_data_dir(s)))
            job_id = str(getattr(spider, "job_id", None) or f"{spider.name}-unrecorded")
            self.writer = RotatingWarcWriter(
                root / job_id, job_id, prefix=spider.name,
                max_file_bytes=s.getint("SHOPWATCH_WARC_MAX_FILE_BYTES"),
                max_record_bytes=s.getint("SHOPWATCH_WARC_MAX_RECORD_BYTES"),
                max_total_bytes=s.getint("SHOPWATCH_WARC_MAX_JOB_BYTES"),
                info={"operator": s.get("BOT_NAME"), "robots": "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore",
                      "http-header-user-agent": s.get("USER_AGENT")})
        return self.writer

    def process_response(self, request: Any, response: Any, spider: Any) -> Any:
        writer = self._writer(spider)
        ex = exchange_from_scrapy(request, response)
        refused = writer.accepts(ex)
        if refused:
            self.stats.inc_value(f"shopwatch/warc/skipped/{refused}")
            return response
        writer.write(ex)
        self.stats.inc_value("shopwatch/warc/records", 2)
        self.stats.set_value("shopwatch/warc/files", len(writer.files))
        return response

    def spider_closed(self, spider: Any) -> None:
        if self.writer is not None:
            self.stats.set_value("shopwatch/warc/bytes", self.writer.total_bytes)
            self.writer.close()
