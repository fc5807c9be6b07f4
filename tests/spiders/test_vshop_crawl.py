"""vshop end to end: real Chromium through scrapy-playwright against the live simulator.

The listings exist only after app.js ran in a browser; these crawls must find exactly the ground
truth's active vshop listings and merchants. Also: the browser handler leaves plain-HTTP spiders
alone (weishop never starts a browser), a missing browser stops a vshop crawl with one line, and
browser recycling keeps results exact.

Without Chromium these tests skip locally (with the reason) and FAIL under CI=true: a CI run must
never pass without having rendered a page (``scripts/setup`` installs Debian's chromium as root).
"""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from .crawlhelp import Crawl, active, crawl, truth

from crawler.browser import find_browser

P = "vshop"
_cache: dict[tuple[str, int], Crawl] = {}


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_browser()
    if path:
        return path
    reason = "no Chromium for the vshop browser tests: apt-get install chromium (or set SHOPWATCH_BROWSER_PATH)"
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def crawl_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("vshop-crawls")


def cached(spider: str, handle: Any, crawl_dir: Path, **kw: Any) -> Crawl:
    key = (spider + repr(sorted(kw.get("args", {}).items())) + repr(sorted(kw.get("settings", {}).items())),
           handle.port)
    if key not in _cache:
        _cache[key] = crawl(spider, crawl_dir, port=handle.port, **kw)
    return _cache[key]


def assert_exact(result: Crawl, handle: Any, world: Any = None) -> None:
    listings, merchants = truth(handle, P)
    assert set(result.listings) == active(listings), "crawled listings != active vshop listings in truth"
    assert set(result.merchants) == set(merchants), "crawled merchants != vshop merchants in truth"
    for item_id, got in result.listings.items():
        want = listings[item_id]
        assert got["platform"] == P
        assert (got["url"], got["shop_id"], got["title"], got["category"]) == (
            want["url"], want["shop_id"], want["title"], want["category"]), item_id
        assert Decimal(got["price"]) == Decimal(want["price"]) and got["currency"] == "CNY", item_id
        assert got["status"] == "active"
        assert got["description"], item_id  # from the feed answers the browser received
    for shop_id, got in result.merchants.items():
        want = merchants[shop_id]
        assert (got["url"], got["name"]) == (want["url"], want["name"])
        lic = want["licence"]
        assert got["licence_shown_as"] == lic["shown_as"], shop_id
        if lic["shown_as"] != "missing":
            assert (got["licence_company"], got["licence_uscc"]) == (lic["company"], lic["uscc"]), shop_id
    if world is not None:  # descriptions and sales as the world model has them
        for m in world.merchants(P):
            for x in world.active_listings(m):
                got = result.listings[x.item_id]
                assert got["description"] == x.description.strip(), x.item_id
                assert got["sales"] == x.sales, x.item_id


def test_vshop_finds_exactly_the_active_listings(chromium: str, mallsim: Any, small_world: Any,
                                                 crawl_dir: Path) -> None:
    result = cached(P, mallsim, crawl_dir)
    assert_exact(result, mallsim, small_world)
    stats = result.stats
    assert stats["finish_reason"] == "finished"
    assert not [k for k in stats if k.startswith("shopwatch/errors/")], stats
    assert stats.get("log_count/ERROR", 0) == 0
    # every page went through the browser, was scrolled to its end, and was closed
    shops = len(result.merchants)
    assert stats["shopwatch/browser/pages"] == shops + 1  # directory + one per shop
    assert stats["shopwatch/browser/outcome/done"] == shops + 1
    assert stats["playwright/page_count"] == stats["playwright/page_count/closed"] == shops + 1
    assert stats["shopwatch/browser/scroll_steps"] > 0  # some shops needed scrolling
    assert not [k for k in stats if k.startswith("playwright/response_count/resource_type/image")]  # no pixels
    # the spider fetched only pages; the JSON came from the browser (app.js), never from Scrapy
    assert [u for u in result.fetched() if "/api/" in u] == []
    assert stats["playwright/request_count/resource_type/fetch"] >= shops + 1


def test_all_three_licence_shapes_come_through(chromium: str, mallsim: Any, crawl_dir: Path) -> None:
    result = cached(P, mallsim, crawl_dir)
    assert {m["licence_shown_as"] for m in result.merchants.values()} >= {"text", "image"}


def test_max_shops_bounds_the_crawl(chromium: str, mallsim: Any, crawl_dir: Path) -> None:
    result = cached(P, mallsim, crawl_dir, args={"max_shops": "2"})
    assert len(result.merchants) == 2
    assert {x["shop_id"] for x in result.listings.values()} <= set(result.merchants)
    assert result.stats["shopwatch/browser/pages"] == 3


def test_browser_recycling_keeps_results_exact(chromium: str, mallsim: Any, crawl_dir: Path) -> None:
    result = cached(P, mallsim, crawl_dir, settings={"SHOPWATCH_BROWSER_RECYCLE_PAGES": 3})
    assert_exact(result, mallsim)
    assert result.stats["shopwatch/browser/recycled"] >= 2
    assert result.stats["playwright/browser_count"] == result.stats["shopwatch/browser/recycled"] + 1
    assert result.stats["playwright/page_count"] == result.stats["playwright/page_count/closed"]


def test_plain_http_spiders_do_not_touch_the_browser(chromium: str, mallsim: Any, crawl_dir: Path) -> None:
    """weishop with the browser handler configured (the project default): Scrapy's HTTP/1.1 path,
    the same results as always, no Playwright driver or browser started."""
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    assert get_project_settings().getdict("DOWNLOAD_HANDLERS")["http"] == "crawler.browser.BrowserDownloadHandler"
    result = cached("weishop", mallsim, crawl_dir)
    listings, merchants = truth(mallsim, "weishop")
    assert set(result.listings) == active(listings) and set(result.merchants) == set(merchants)
    assert result.stats["finish_reason"] == "finished"
    assert not [k for k in result.stats if k.startswith("playwright/")], "weishop used the browser"
    assert "Starting download handler" not in result.log  # the Playwright driver never started
    assert "Launching browser" not in result.log


def test_missing_browser_stops_vshop_with_one_line(mallsim: Any, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-chromium")
    result = crawl(P, tmp_path, port=mallsim.port, settings={"SHOPWATCH_BROWSER_PATH": missing})
    assert result.stats["finish_reason"] == "browser_missing"
    assert result.stats["shopwatch/errors/browser_missing"] == 1
    errors = [line for line in result.log.splitlines() if "] ERROR:" in line]
    assert len(errors) == 1 and "apt-get install chromium" in errors[0] and missing in errors[0], errors
    assert result.items == []
    # other spiders are unaffected by a missing browser
    other = crawl("weishop", tmp_path, port=mallsim.port, args={"max_shops": "2"},
                  settings={"SHOPWATCH_BROWSER_PATH": missing})
    assert other.stats["finish_reason"] == "finished" and len(other.merchants) == 2


def test_complete_with_default_faults(chromium: str, mallsim_factory: Any, tmp_path: Path) -> None:
    """Faults on at their default rates (5xx, truncated JSON, slow and stalled answers): app.js
    retries some itself; a list it gave up on is seen in the captured answers and re-rendered."""
    handle = mallsim_factory(mode="process", faults_enabled=True)
    result = crawl(P, tmp_path, port=handle.port,
                   settings={"DOWNLOAD_TIMEOUT": 3, "SHOPWATCH_BROWSER_PAGE_TIMEOUT": 20})
    assert_exact(result, handle)


def test_throughput_report(chromium: str, mallsim: Any, crawl_dir: Path) -> None:
    """Prints browser pages/s next to plain-HTTP pages/s (no timed assertion: see bench numbers)."""
    browser = cached(P, mallsim, crawl_dir)
    plain = cached("weishop", mallsim, crawl_dir)
    b_pages = browser.stats["shopwatch/browser/pages"]
    p_pages = plain.stats["response_received_count"]
    print(f"\nvshop (browser): {b_pages} pages, {len(browser.listings)} listings in {browser.seconds:.1f}s "
          f"= {b_pages / browser.seconds:.2f} pages/s, {len(browser.listings) / browser.seconds:.1f} listings/s")
    print(f"weishop (plain HTTP): {p_pages} pages, {len(plain.listings)} listings in {plain.seconds:.1f}s "
          f"= {p_pages / plain.seconds:.1f} pages/s, {len(plain.listings) / plain.seconds:.1f} listings/s")
