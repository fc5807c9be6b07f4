"""Evidence fixtures: a real crawl with WARC on (weishop over HTTP, vshop in Chromium), hits
stored through the store API, and their evidence fixed once per session with real Chromium.

Without Chromium these tests skip locally and FAIL under CI=true (as the vshop tests do)."""
from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.browser import find_browser
from crawler.urls import canonical_url
from tests.spiders.crawlhelp import Crawl, crawl

ROOT = Path(__file__).resolve().parents[2]
WARCIO = str(Path(sys.executable).with_name("warcio"))
CAMPAIGN = "tobacco-online"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def need(thing: str, ok: bool) -> None:
    if not ok:
        if in_ci():
            pytest.fail(f"CI=true: {thing}")
        pytest.skip(thing)


@pytest.fixture(scope="session")
def chromium() -> str:
    path = find_browser()
    need("no Chromium: apt-get install chromium (or set SHOPWATCH_BROWSER_PATH)", bool(path))
    return str(path)


@dataclass
class Evidence:
    data_dir: Path
    weishop: Crawl
    vshop: Crawl
    hits: dict[str, dict[str, Any]]  # label -> stored hit
    report: Any


def _hit(item: dict[str, Any], label: str, matched: str | None = None, field: str = "title",
         merchant: bool = False) -> dict[str, Any]:
    text = item["name"] if merchant else item[field]
    matched = matched if matched is not None else text[1:4]
    start = max(text.find(matched), 0)
    return {"campaign": CAMPAIGN, "rule": f"test-{label}", "family": "license" if merchant else "tobacco",
            "severity": "high", "field": "shop_name" if merchant else field, "matched": matched,
            "start": start, "end": start + len(matched), "snippet": text[:80], "platform": item["platform"],
            "item_id": None if merchant else item["item_id"], "shop_id": item["shop_id"],
            "url": canonical_url(item["url"])}


@pytest.fixture(scope="session")
def evidence(mallsim: Any, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Evidence]:
    """Crawl 3 weishop shops and 1 vshop shop with WARC on, store 5 hits, fix their evidence."""
    from crawler.config import open_store
    from evidence.capture import fix_evidence

    data = tmp_path_factory.mktemp("evidence-data")
    warc = {"SHOPWATCH_WARC": True, "SHOPWATCH_DATA_DIR": str(data)}
    weishop = crawl("weishop", data / "crawls", mallsim.port, args={"job_id": "crawl-weishop", "max_shops": "3"},
                    settings=warc)
    vshop = crawl("vshop", data / "crawls", mallsim.port, args={"job_id": "crawl-vshop", "max_shops": "1"},
                  settings=warc)
    miniapp = crawl("miniapp", data / "crawls", mallsim.port, args={"job_id": "crawl-miniapp", "max_shops": "1"},
                    settings=warc)
    w_items = sorted(weishop.listings.values(), key=lambda x: x["item_id"])
    v_item = sorted(vshop.listings.values(), key=lambda x: x["item_id"])[0]
    merchant = sorted(weishop.merchants.values(), key=lambda x: x["shop_id"])[0]
    wanted = {"weishop": (_hit(w_items[0], "weishop"), "crawl-weishop"),
              "weishop_desc": (_hit(w_items[1], "desc", field="description"), "crawl-weishop"),
              "merchant": (_hit(merchant, "merchant", merchant=True), "crawl-weishop"),
              "vshop": (_hit(v_item, "vshop"), "crawl-vshop"),
              "miniapp": (_hit(sorted(miniapp.listings.values(), key=lambda x: x["item_id"])[0], "miniapp"),
                          "crawl-miniapp"),
              "absent": (_hit(w_items[2], "absent", matched="不在页面上的词语"), "crawl-weishop")}
    with open_store(None, data) as store:
        for hit, job in wanted.values():
            store.upsert_hits([hit], job_id=job)
        stored = list(store.iter_hits(campaign=CAMPAIGN))
        by_rule = {h["rule"]: h for h in stored}
        hits = {label: by_rule[f"test-{'desc' if label == 'weishop_desc' else label}"] for label in wanted}
        report = fix_evidence(store, stored, data)
    yield Evidence(data, weishop, vshop, hits, report)
