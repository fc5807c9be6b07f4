"""WARC capture of a real crawl (faults on: retries, redirects, gzip): warcio's own `check` and
`index` accept every file, every response has its request, rotation and bounds hold."""
from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.urls import canonical_url
from mallsim.config import SimConfig
from mallsim.server import start_background
from tests.conftest import SMALL_WORLD
from tests.spiders.crawlhelp import Crawl, crawl

from .conftest import WARCIO

MAX_FILE = 150_000


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Crawl, Path]]:
    tmp = tmp_path_factory.mktemp("warc")
    with start_background(SimConfig(**{**SMALL_WORLD, "faults_enabled": True})) as handle:
        result = crawl("weishop", tmp, handle.port, args={"job_id": "job-warc", "max_shops": "6"},
                       settings={"SHOPWATCH_WARC": True, "SHOPWATCH_WARC_DIR": str(tmp / "warc"),
                                 "SHOPWATCH_WARC_MAX_FILE_BYTES": MAX_FILE})
    yield result, tmp / "warc" / "job-warc"


def index(files: list[Path]) -> list[dict[str, Any]]:
    out = subprocess.run([WARCIO, "index", "-f", "offset,length,warc-type,warc-target-uri,http:status,warc-record-id,"
                          "warc-concurrent-to,warc-payload-digest", *map(str, files)],
                         capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_warcio_check_accepts_every_file(faulty_crawl: tuple[Crawl, Path]) -> None:
    _crawl, directory = faulty_crawl
    files = sorted(directory.glob("*.warc.gz"))
    assert len(files) >= 2, "rotation by size should have produced several files"
    out = subprocess.run([WARCIO, "check", "-v", *map(str, files)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "digest pass" in out.stdout and "digest fail" not in out.stdout


def test_every_response_is_archived_with_its_request(faulty_crawl: tuple[Crawl, Path]) -> None:
    result, directory = faulty_crawl
    records = index(sorted(directory.glob("*.warc.gz")))
    responses = [r for r in records if r["warc-type"] == "response"]
    requests = [r for r in records if r["warc-type"] == "request"]
    # every attempt is archived, the retried 5xx ones too
    assert len(responses) == result.stats["downloader/response_count"]
    assert result.stats.get("retry/count", 0) > 0 and "301" in {r["http:status"] for r in responses}
    assert sum(r["http:status"].startswith("5") for r in responses) >= result.stats["retry/count"] - \
        sum(v for k, v in result.stats.items() if k.startswith("retry/reason_count/") and "Error" in k)
    assert all(r.get("warc-payload-digest", "").startswith("sha1:") for r in responses)
    ids = {r["warc-record-id"] for r in responses}
    assert len(requests) == len(responses) and {r["warc-concurrent-to"] for r in requests} == ids
    archived = {canonical_url(r["warc-target-uri"]) for r in responses if r["http:status"] == "200"}
    for listing in result.listings.values():  # every extracted listing's page is in the archive
        assert canonical_url(listing["url"]) in archived, listing["url"]


def test_payload_is_the_body_as_received(faulty_crawl: tuple[Crawl, Path], mallsim: Any) -> None:
    result, directory = faulty_crawl
    item = sorted(result.listings.values(), key=lambda x: x["item_id"])[0]
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "response" and canonical_url(uri) == canonical_url(item["url"]) \
                        and record.http_headers.get_statuscode() == "200":
                    html = record.content_stream().read().decode(record.http_headers.get_header("Content-Type").split("charset=")[-1])
                    assert item["title"] in html
                    return
    raise AssertionError(f"no 200 response for {item['url']}")


def test_rotation_by_size_and_warcinfo_first(faulty_crawl: tuple[Crawl, Path]) -> None:
    _crawl, directory = faulty_crawl
    files = sorted(directory.glob("*.warc.gz"))
    assert [f.name for f in files] == [f"weishop-job-warc-{i:05d}.warc.gz" for i in range(len(files))]
    for path in files[:-1]:
        assert MAX_FILE <= path.stat().st_size < MAX_FILE + 4 * 1024 * 1024 + 65536
    for path in files:
        with open(path, "rb") as fh:
            first = next(iter(ArchiveIterator(fh)))
            assert first.rec_type == "warcinfo" and b"isPartOf: job-warc" in first.content_stream().read()


def test_oversized_bodies_are_counted_not_archived(mallsim: Any, tmp_path: Path) -> None:
    result = crawl("weishop", tmp_path, mallsim.port, args={"job_id": "job-small", "max_shops": "1"},
                   settings={"SHOPWATCH_WARC": True, "SHOPWATCH_WARC_DIR": str(tmp_path / "warc"),
                             "SHOPWATCH_WARC_MAX_RECORD_BYTES": 3000})
    skipped = result.stats.get("shopwatch/warc/skipped/too_large", 0)
    assert skipped > 0
    records = index(sorted((tmp_path / "warc" / "job-small").glob("*.warc.gz")))
    assert len([r for r in records if r["warc-type"] == "response"]) == result.stats["downloader/response_count"] - skipped
    assert all(int(r["length"]) < 3000 + 2000 for r in records)  # compressed record incl. headers


def test_off_by_default(mallsim: Any, tmp_path: Path) -> None:
    result = crawl("weishop", tmp_path, mallsim.port, args={"job_id": "job-off", "max_shops": "1"},
                   settings={"SHOPWATCH_DATA_DIR": str(tmp_path / "data")})
    assert result.listings and not (tmp_path / "data" / "warc").exists()
    assert not any(k.startswith("shopwatch/warc") for k in result.stats)


def test_demo_archives_every_platform_to_warc(tmp_path: Path) -> None:
    from tests.e2e.conftest import shopwatch

    done = shopwatch("--data-dir", str(tmp_path), "demo", "--merchants", "20", "--platforms", "weishop,miniapp",
                     "--faults", "off")
    assert done.returncode == 0, done.stdout + done.stderr
    jobs = sorted(p.name for p in (tmp_path / "warc").iterdir())
    assert sorted(j.split("-")[2] for j in jobs) == ["miniapp", "weishop"], jobs  # one directory per job
    files = sorted((tmp_path / "warc").glob("*/*.warc.gz"))
    out = subprocess.run([WARCIO, "check", *map(str, files)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    uris = {r["warc-target-uri"] for r in index(files) if r["warc-type"] == "response"}
    assert any("miniapp.mallsim.test" in u and "/api/" in u for u in uris)  # signed API calls too
