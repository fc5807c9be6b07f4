"""End-to-end crawls of the live simulator (small world), compared with its ground truth.

Hosts are reached by name (``http://weishop.mallsim.test:<port>/``) through shopwatch's DNS
resolver (``SHOPWATCH_RESOLVE``), never /etc/hosts: every test here also proves that Scrapy's
HTTP/1.1 download handler uses it.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from .crawlhelp import Crawl, active, crawl, truth

PLATFORMS = ("weishop", "miniapp", "moments")
_cache: dict[tuple[str, int], Crawl] = {}


@pytest.fixture(scope="module")
def crawl_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crawls")


def cached(spider: str, handle: Any, crawl_dir: Path, **kw: Any) -> Crawl:
    key = (spider + repr(sorted(kw.get("args", {}).items())), handle.port)
    if key not in _cache:
        _cache[key] = crawl(spider, crawl_dir, port=handle.port, **kw)
    return _cache[key]


def assert_matches_truth(result: Crawl, platform: str, handle: Any, exact_prices: bool = True) -> None:
    listings, merchants = truth(handle, platform)
    assert set(result.listings) == active(listings), "crawled listings != active listings in truth"
    assert set(result.merchants) == set(merchants)
    for item_id, got in result.listings.items():
        want = listings[item_id]
        assert got["platform"] == platform
        assert got["url"] == want["url"], item_id
        assert got["shop_id"] == want["shop_id"], item_id
        assert got["title"] == want["title"], item_id
        assert got["status"] == "active"
        if exact_prices or got["price"] is not None:
            assert Decimal(got["price"]) == Decimal(want["price"]), (item_id, got.get("price_text"))
            assert got["currency"] == "CNY"
    for shop_id, got in result.merchants.items():
        want = merchants[shop_id]
        assert got["url"] == want["url"]
        assert got["name"] == want["name"]
        lic = want["licence"]
        assert got["licence_shown_as"] == lic["shown_as"], shop_id
        if lic["shown_as"] != "missing":
            assert (got["licence_company"], got["licence_uscc"]) == (lic["company"], lic["uscc"]), shop_id


@pytest.mark.parametrize("platform", PLATFORMS)
def test_spider_finds_exactly_the_active_listings(platform: str, mallsim: Any, crawl_dir: Path) -> None:
    result = cached(platform, mallsim, crawl_dir)
    assert_matches_truth(result, platform, mallsim, exact_prices=platform != "moments")
    stats = result.stats
    assert stats["finish_reason"] == "finished"
    assert not [k for k in stats if k.startswith("shopwatch/errors/")], stats
    assert stats.get("log_count/ERROR", 0) == 0
    if platform == "moments":  # prices come from free text: nearly all found, none wrong (checked above)
        priced = sum(1 for x in result.listings.values() if x["price"] is not None)
        assert priced >= 0.95 * len(result.listings)
    if platform == "weishop":  # categories and the three licence shapes come through
        listings, _ = truth(mallsim, platform)
        assert all(x["category"] == listings[k]["category"] for k, x in result.listings.items())
        assert {m["licence_shown_as"] for m in result.merchants.values()} >= {"text", "image"}


def test_profile_finds_the_same_as_the_weishop_spider(mallsim: Any, crawl_dir: Path) -> None:
    spider = cached("weishop", mallsim, crawl_dir)
    profiled = cached("profile", mallsim, crawl_dir, args={"profile": "profiles/weishop.yaml"})
    assert set(profiled.listings) == set(spider.listings)
    assert set(profiled.merchants) == set(spider.merchants)
    fields = ("url", "shop_id", "title", "description", "category", "price", "currency", "price_text", "sales",
              "images", "status")
    for item_id, got in profiled.listings.items():
        assert {f: got[f] for f in fields} == {f: spider.listings[item_id][f] for f in fields}, item_id
    mfields = ("url", "name", "followers", "rating", "handle", "licence_company", "licence_uscc",
               "licence_address", "licence_scope", "licence_shown_as")
    for shop_id, got in profiled.merchants.items():
        assert {f: got[f] for f in mfields} == {f: spider.merchants[shop_id][f] for f in mfields}, shop_id
    assert_matches_truth(profiled, "weishop", mallsim)


def test_json_profile_finds_the_same_as_the_miniapp_spider(mallsim: Any, crawl_dir: Path) -> None:
    spider = cached("miniapp", mallsim, crawl_dir)
    profile = str(Path(__file__).resolve().parents[1] / "profiles" / "miniapp_profile.yaml")
    profiled = cached("profile", mallsim, crawl_dir, args={"profile": profile})
    assert set(profiled.listings) == set(spider.listings)
    assert set(profiled.merchants) == set(spider.merchants)
    for item_id, got in profiled.listings.items():
        want = spider.listings[item_id]
        for f in ("url", "shop_id", "title", "category", "price", "currency", "sales", "images"):
            assert got[f] == want[f], (item_id, f)


def test_max_shops_bounds_the_crawl(mallsim: Any, crawl_dir: Path) -> None:
    result = cached("weishop", mallsim, crawl_dir, args={"max_shops": "3"})
    assert len(result.merchants) == 3
    assert {x["shop_id"] for x in result.listings.values()} <= set(result.merchants)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_complete_with_default_faults(platform: str, mallsim_factory: Any, tmp_path: Path) -> None:
    """Faults on at their default (low) rates: retries, backoff and JSON re-fetches still find
    every active listing. DOWNLOAD_TIMEOUT is lowered so a stalled response costs 3 s, not 10."""
    handle = mallsim_factory(mode="process", faults_enabled=True)
    result = crawl(platform, tmp_path, port=handle.port, settings={"DOWNLOAD_TIMEOUT": 3})
    assert_matches_truth(result, platform, handle, exact_prices=platform != "moments")


def test_hosts_resolve_only_through_shopwatch_resolver(mallsim: Any, crawl_dir: Path) -> None:
    """The system cannot resolve *.mallsim.test (no /etc/hosts entry); the crawl still reaches the
    simulator by name, so Scrapy's HTTP/1.1 handler used SHOPWATCH_RESOLVE."""
    import socket

    try:
        socket.getaddrinfo("weishop.mallsim.test", mallsim.port)
    except socket.gaierror:
        pass
    else:
        pytest.skip("this machine resolves mallsim.test itself; the proof needs it not to")
    result = cached("weishop", mallsim, crawl_dir)
    assert result.stats["downloader/response_status_count/200"] > 0
    assert all(u.startswith(f"http://weishop.mallsim.test:{mallsim.port}/") for u in result.fetched())
    assert "shopwatch/errors/dns" not in result.stats
