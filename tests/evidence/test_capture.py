"""Per-hit evidence with real Chromium against the live simulator: WARC records of the page,
a highlighted full-page screenshot, a manifest whose hashes match, a custody entry."""
from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path
from typing import Any

from PIL import Image
from warcio.archiveiterator import ArchiveIterator

from crawler.urls import canonical_url
from evidence import custody
from evidence.manifest import sha256_file

from .conftest import WARCIO, Evidence

HIGHLIGHT = (0xFF, 0xEB, 0x3B)  # the mark's background (evidence.visit)


def manifest(ev: Evidence, label: str) -> dict[str, Any]:
    return json.loads((ev.data_dir / "evidence" / ev.hits[label]["id"] / "manifest.json").read_text("utf-8"))


def records(path: Path) -> list[Any]:
    out = []
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            body = record.content_stream().read()
            out.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), body))
    return out


def highlighted_pixels(path: Path) -> int:
    with Image.open(path) as img:
        return dict((color, n) for n, color in img.convert("RGB").getcolors(1 << 24)).get(HIGHLIGHT, 0)


def test_every_hit_with_its_text_on_the_page_is_captured(evidence: Evidence) -> None:
    r = evidence.report
    assert sorted(r.captured) == sorted(h["id"] for h in evidence.hits.values()), r.failed
    assert not r.failed


def test_manifest_names_url_time_job_version_and_hashes(evidence: Evidence) -> None:
    for label, hit in evidence.hits.items():
        m = manifest(evidence, label)
        directory = evidence.data_dir / "evidence" / hit["id"]
        assert m["hit"]["id"] == hit["id"] and m["url"] == hit["url"] and m["job_id"] == hit["job_id"]
        assert m["captured_at"].endswith("Z") and m["captured_at"] >= hit["first_seen"]
        assert m["shopwatch_version"] and m["browser"].startswith("Chromium")
        on_disk = {p.name for p in directory.iterdir()} - {"manifest.json"}
        assert set(m["files"]) == on_disk
        for name, entry in m["files"].items():
            assert sha256_file(directory / name) == (entry["sha256"], entry["bytes"])


def test_screenshot_is_full_page_with_the_match_highlighted(evidence: Evidence) -> None:
    for label in ("weishop", "weishop_desc", "merchant", "vshop", "miniapp"):
        m = manifest(evidence, label)
        shot = evidence.data_dir / "evidence" / evidence.hits[label]["id"] / "screenshot.png"
        assert m["highlight"]["marks"] >= 1 and m["notes"] == [], (label, m["notes"])
        assert highlighted_pixels(shot) > 50, label
        with Image.open(shot) as img:
            assert img.width == 1280 and img.height >= 900


def test_text_absent_from_the_page_is_said_in_the_manifest(evidence: Evidence) -> None:
    m = manifest(evidence, "absent")
    assert m["highlight"]["marks"] == 0 and "not found on the page" in m["notes"][0]
    shot = evidence.data_dir / "evidence" / evidence.hits["absent"]["id"] / "screenshot.png"
    assert highlighted_pixels(shot) == 0


def test_crawled_page_record_is_copied_from_the_crawl_warc(evidence: Evidence) -> None:
    hit = evidence.hits["weishop"]
    m = manifest(evidence, "weishop")
    assert m["crawl"]["job_id"] == "crawl-weishop" and m["crawl"]["http_status"] == "200"
    path = evidence.data_dir / "evidence" / hit["id"] / "crawl.warc.gz"
    recs = records(path)
    assert [t for t, _u, _b in recs] == ["response", "request"]
    assert canonical_url(recs[0][1]) == hit["url"]
    title = evidence.weishop.listings[hit["item_id"]]["title"]
    assert title in recs[0][2].decode("utf-8", "replace")
    # the copy is byte-identical to the crawl file's record
    with open(evidence.data_dir / "warc" / m["crawl"]["warc_file"], "rb") as fh:
        fh.seek(m["crawl"]["offset"])
        assert path.read_bytes().startswith(fh.read(m["crawl"]["length"]))


def test_javascript_page_visit_archives_the_json_it_rendered(evidence: Evidence) -> None:
    hit = evidence.hits["vshop"]
    m = manifest(evidence, "vshop")
    assert m["crawl"] is None  # the vshop crawl renders shop pages, never item pages
    recs = records(evidence.data_dir / "evidence" / hit["id"] / "page.warc.gz")
    uris = [u for t, u, _b in recs if t == "response"]
    assert uris[0] == hit["url"] and any("/static/app.js" in u for u in uris)
    [api] = [b for t, u, b in recs if t == "response" and "/api/item" in u]
    assert json.loads(api)["data"]["title"] == evidence.vshop.listings[hit["item_id"]]["title"]


def test_warcio_accepts_the_evidence_warcs(evidence: Evidence) -> None:
    files = sorted(str(p) for p in (evidence.data_dir / "evidence").glob("*/*.warc.gz"))
    assert len(files) >= 8
    out = subprocess.run([WARCIO, "check", *files], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    for f in files:  # each record is a gzip member of its own
        assert gzip.decompress(Path(f).read_bytes()).startswith(b"WARC/1.")


def test_custody_log_records_the_capture_with_manifest_hashes(evidence: Evidence) -> None:
    log = custody.log_path(evidence.data_dir)
    assert custody.check_log(log) == []
    [entry] = [e for e in custody.entries(log) if e["action"] == "captured"]
    assert entry["actor"] and entry["tool"].startswith("shopwatch ")
    for hit in evidence.hits.values():
        digest = sha256_file(evidence.data_dir / "evidence" / hit["id"] / "manifest.json")[0]
        assert entry["detail"]["manifests"][hit["id"]] == digest


def test_evidence_is_fixed_once(evidence: Evidence) -> None:
    from crawler.config import open_store
    from evidence.capture import fix_evidence

    before = {p: p.stat().st_mtime_ns for p in (evidence.data_dir / "evidence").glob("*/*")}
    with open_store(None, evidence.data_dir) as store:
        again = fix_evidence(store, list(store.iter_hits()), evidence.data_dir)
    assert again.captured == [] and sorted(again.skipped) == sorted(h["id"] for h in evidence.hits.values())
    assert {p: p.stat().st_mtime_ns for p in (evidence.data_dir / "evidence").glob("*/*")} == before


def test_capture_command_fixes_only_what_is_missing(evidence: Evidence) -> None:
    from crawler.config import open_store
    from tests.e2e.conftest import shopwatch

    base = dict(evidence.hits["weishop"])
    extra = {**{k: base[k] for k in ("family", "severity", "field", "platform", "item_id", "shop_id", "url",
                                      "snippet")},
             "campaign": "cli-campaign", "rule": "cli", "matched": base["matched"][:2],
             "start": base["start"], "end": base["start"] + 2}
    with open_store(None, evidence.data_dir) as store:
        store.upsert_hits([extra], job_id="crawl-weishop")
        [new] = list(store.iter_hits(campaign="cli-campaign"))
    args = ("--data-dir", str(evidence.data_dir), "evidence", "capture")
    done = shopwatch(*args, "--campaign", "cli-campaign", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 captured, 0 already had evidence, 0 failed" in done.stdout
    assert (evidence.data_dir / "evidence" / new["id"] / "manifest.json").is_file()
    done = shopwatch(*args, "--hit", new["id"], "--hit", evidence.hits["vshop"]["id"], timeout=300)
    assert done.returncode == 0 and "0 captured, 2 already had evidence" in done.stdout
    done = shopwatch(*args, "--hit", "xyz")
    assert done.returncode == 2 and "'xyz' is not a hit id" in done.stderr
    done = shopwatch(*args, "--hit", "0123456789abcdef")
    assert done.returncode == 2 and "no such hit: 0123456789abcdef" in done.stderr
    done = shopwatch(*args, "--campaign", "nope")
    assert done.returncode == 2 and "campaign 'nope' has no hits" in done.stderr


def test_only_web_urls_are_visited(evidence: Evidence, tmp_path: Path) -> None:
    from evidence.capture import fix_evidence

    hit = {**evidence.hits["weishop"], "id": "00000000000000ff", "url": "file:///etc/passwd"}
    report = fix_evidence(None, [hit], tmp_path)
    assert report.failed == {"00000000000000ff": "not an http(s) URL: 'file:///etc/passwd'"}
    assert not (tmp_path / "evidence").exists()


def test_missing_browser_is_one_line(evidence: Evidence, tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    from .conftest import ROOT

    env = {**os.environ, "SHOPWATCH_BROWSER_PATH": str(tmp_path / "no-chromium")}
    hid = evidence.hits["weishop"]["id"]
    data = tmp_path / "data"
    shutil.copytree(evidence.data_dir, data, ignore=shutil.ignore_patterns("evidence", "warc", "crawls"))
    done = subprocess.run([sys.executable, "-m", "crawler.cli", "--data-dir", str(data), "evidence", "capture",
                           "--hit", hid], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("shopwatch: browser not found"), done.stderr
    assert "Traceback" not in done.stderr


def test_unreachable_page_fails_with_the_reason_and_leaves_nothing(evidence: Evidence, tmp_path: Path) -> None:
    from evidence.capture import fix_evidence

    from .conftest import free_port

    url = f"http://weishop.mallsim.test:{free_port()}/item/1"  # nobody listens there
    hit = {**evidence.hits["weishop"], "id": "00000000000000fe", "url": url}
    report = fix_evidence(None, [hit], tmp_path)
    assert report.captured == [] and "ERR_CONNECTION_REFUSED" in report.failed["00000000000000fe"]
    assert [p.name for p in (tmp_path / "evidence").iterdir()] == []  # no half evidence, no staging left


def test_signed_api_is_visited_with_a_fresh_signature_and_shown_decoded(evidence: Evidence) -> None:
    m = manifest(evidence, "miniapp")
    assert m["http_status"] == 200 and "sign=" in m["visited_url"] and m["visited_url"].startswith(m["url"])
    assert m["highlight"]["marks"] >= 1  # marked in the decoded, indented JSON
    recs = records(evidence.data_dir / "evidence" / evidence.hits["miniapp"]["id"] / "page.warc.gz")
    [(_t, uri, body)] = [r for r in recs if r[0] == "response"]
    assert uri == m["visited_url"] and json.loads(body)["data"]["item_id"] == evidence.hits["miniapp"]["item_id"]
