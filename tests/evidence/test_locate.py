"""Finding a page's records in crawl WARC files: canonical URL match, the newest 2xx capture wins
over older ones and over a later error, and the copy is a WARC of its own."""
from __future__ import annotations

import io
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from evidence.locate import copy_records, find_pages, warc_files
from evidence.warc import Exchange, RotatingWarcWriter

URL = "http://weishop.mallsim.test:8800/item/100001001"


def write(root: Path, job: str, *pages: tuple[str, int, bytes]) -> None:
    writer = RotatingWarcWriter(root / job, job, max_file_bytes=10**6, max_record_bytes=10**6, max_total_bytes=10**7)
    for url, status, body in pages:
        writer.write(Exchange(url, "GET", [("User-Agent", "t")], b"", status,
                              [("Content-Type", "text/html; charset=utf-8")], body))
    writer.close()


def test_newest_good_capture_of_the_canonical_url_wins(tmp_path: Path) -> None:
    write(tmp_path, "20260101-000000-weishop-a", (URL, 200, b"<h1>old</h1>"))
    write(tmp_path, "20260102-000000-weishop-b", (URL + "?utm_source=x&spm=1", 200, b"<h1>new</h1>"),
          ("http://weishop.mallsim.test:8800/item/other", 200, b"other"))
    write(tmp_path, "20260103-000000-weishop-c", (URL, 503, b"busy"))
    found = find_pages(warc_files(tmp_path), [URL])
    page = found[URL]
    assert page.response.path.parent.name == "20260102-000000-weishop-b" and page.response.status == "200"
    assert page.request is not None and page.request.record_type == "request"
    out = io.BytesIO()
    copy_records([page.response, page.request], out)
    out.seek(0)
    recs = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(out)]
    assert recs == [("response", b"<h1>new</h1>"), ("request", b"")]


def test_only_the_named_jobs_and_no_escape(tmp_path: Path) -> None:
    write(tmp_path, "job-a", (URL, 200, b"a"))
    write(tmp_path, "job-b", (URL, 200, b"b"))
    assert [f.parent.name for f in warc_files(tmp_path, ["job-a"])] == ["job-a"]
    assert warc_files(tmp_path, ["..", "../job-a", "missing"]) == []
    assert find_pages(warc_files(tmp_path, ["job-a"]), ["http://elsewhere.test/"]) == {}
