"""A standard replay tool replays captured pages: pywb (in its own virtual environment, as a
loopback subprocess) indexes the evidence WARC files and serves the archived item pages, both
the server-rendered weishop page (byte for byte) and the JavaScript vshop page (rendered again
in Chromium from the archived script and JSON)."""
from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from .conftest import ROOT, Evidence, free_port, need

PYWB = ROOT / ".venv-pywb" / "bin"


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="module")
def wayback(evidence: Evidence, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need("pywb is not installed: bash scripts/setup (creates .venv-pywb)", (PYWB / "wayback").is_file())
    root = tmp_path_factory.mktemp("pywb")
    subprocess.run([str(PYWB / "wb-manager"), "init", "case"], cwd=root, check=True, capture_output=True)
    files = [str(p) for label in ("weishop", "vshop")
             for p in sorted((evidence.data_dir / "evidence" / evidence.hits[label]["id"]).glob("*.warc.gz"))]
    subprocess.run([str(PYWB / "wb-manager"), "add", "case", *files], cwd=root, check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([str(PYWB / "wayback"), "-b", "127.0.0.1", "-p", str(port), "-d", str(root)],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if get(base + "/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("pywb did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def manifest(ev: Evidence, label: str) -> dict:
    return json.loads((ev.data_dir / "evidence" / ev.hits[label]["id"] / "manifest.json").read_text("utf-8"))


def timestamp(iso: str) -> str:
    return "".join(c for c in iso if c.isdigit())[:14]


def test_pywb_replays_the_crawled_item_page_byte_for_byte(evidence: Evidence, wayback: str) -> None:
    hit = evidence.hits["weishop"]
    m = manifest(evidence, "weishop")
    status, body = get(f"{wayback}/case/{timestamp(m['crawl']['warc_date'])}id_/{hit['url']}")
    assert status == 200
    assert evidence.weishop.listings[hit["item_id"]]["title"] in body.decode("utf-8")
    status, page = get(f"{wayback}/case/{timestamp(m['captured_at'])}mp_/{hit['url']}")
    assert status == 200 and evidence.weishop.listings[hit["item_id"]]["title"] in page.decode("utf-8")


def test_pywb_replays_the_javascript_item_page_in_chromium(evidence: Evidence, wayback: str) -> None:
    from playwright.sync_api import sync_playwright

    from crawler.runner import project_settings
    from evidence.visit import evidence_launch_options

    hit = evidence.hits["vshop"]
    m = manifest(evidence, "vshop")
    title = evidence.vshop.listings[hit["item_id"]]["title"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**evidence_launch_options(project_settings()))
        try:
            page = browser.new_page()
            # pywb's framed replay: its banner on top, the archived page in an iframe ("mp_")
            page.goto(f"{wayback}/case/{timestamp(m['captured_at'])}/{hit['url']}", timeout=30_000)
            deadline = time.monotonic() + 30
            while not (frames := [f for f in page.frames if "mp_/" in f.url]) and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            assert frames, [f.url for f in page.frames]
            frames[0].wait_for_selector("h1.item-title", timeout=20_000)  # app.js ran on archived JSON
            assert frames[0].inner_text("h1.item-title") == title
        finally:
            browser.close()
