"""Guards on the live simulator: robots.txt, link traps, the oversized page, Retry-After,
canonical dedupe of decorated links, and recheck of delisted listings."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from .crawlhelp import active, crawl, truth

PROFILES = Path(__file__).resolve().parents[1] / "profiles"
#: permanent faults only (no transient 5xx/stalls): what is measured is deterministic
PERMANENT_ONLY = {"faults_enabled": True, "error_rate": 0.0, "slow_rate": 0.0, "timeout_rate": 0.0,
                  "truncated_json_rate": 0.0, "malformed_rate": 0.0}


def test_wild_profile_is_contained_by_robots_trap_guard_and_size_limit(mallsim_factory: Any, tmp_path: Path) -> None:
    handle = mallsim_factory(**PERMANENT_ONLY, trap_rate=1.0, robots_link_rate=1.0, tracking_rate=0.2)
    result = crawl("profile", tmp_path, port=handle.port, args={"profile": str(PROFILES / "weishop_wild.yaml")})
    stats = result.stats
    assert stats["finish_reason"] == "finished"  # the endless calendar did not keep it running
    # link trap: per shop, the events page plus SHOPWATCH_TRAP_CALENDAR_MAX (3) months each way
    events = Counter(re.search(r"/shop/(\d+)/events", u)[1] for u in result.fetched("/events"))  # type: ignore[index]
    assert events and max(events.values()) <= 1 + 2 * 3 + 1
    assert stats["shopwatch/trap_dropped"] > 0
    assert stats["shopwatch/trap_dropped/calendar"] == stats["shopwatch/trap_dropped"]
    # robots.txt: /cart/ and /search links exist but are never fetched
    assert stats["robotstxt/forbidden"] > 0
    assert stats["shopwatch/errors/robots_forbidden"] == stats["robotstxt/forbidden"]
    assert not result.fetched("/cart/") and not result.fetched("/search")
    # the one oversized page is cancelled and counted, not downloaded
    assert stats["shopwatch/errors/too_large"] == 1
    assert not result.fetched("/huge")


def test_retry_after_is_honoured(mallsim_factory: Any, tmp_path: Path) -> None:
    """miniapp rate limit at 20 requests/s (burst 5): 429 + Retry-After: 1 pauses the host; the
    crawl is still complete and nothing is given up."""
    handle = mallsim_factory(faults_enabled=False, api_rate=20.0, api_burst=5.0)
    result = crawl("miniapp", tmp_path, port=handle.port)
    listings, _ = truth(handle, "miniapp")
    assert set(result.listings) == active(listings)
    stats = result.stats
    assert stats["downloader/response_status_count/429"] > 0
    assert stats["shopwatch/retry_after"] == stats["downloader/response_status_count/429"]
    assert "shopwatch/retry_after/max_reached" not in stats
    assert not [k for k in stats if k.startswith("shopwatch/errors/")]
    # 43 API calls at 20/s cannot take less than ~2 s once the burst is spent
    assert stats["elapsed_time_seconds"] > 1.5


def test_decorated_links_are_fetched_once(mallsim_factory: Any, tmp_path: Path) -> None:
    """utm_*/spm/share_token, ;jsessionid=/sid= and /go/ redirect variants of one item: the
    canonical fingerprint makes each item one download."""
    handle = mallsim_factory(**PERMANENT_ONLY, tracking_rate=1.0, session_rate=0.5, redirect_rate=0.3,
                             robots_link_rate=0.0, trap_rate=0.0)
    result = crawl("weishop", tmp_path, port=handle.port)
    listings, _ = truth(handle, "weishop")
    assert set(result.listings) == active(listings)
    per_item = Counter(re.search(r"/item/(\d+)", u)[1] for u in result.fetched("/item/"))  # type: ignore[index]
    assert set(per_item) == active(listings)
    assert max(per_item.values()) == 1, [k for k, v in per_item.items() if v > 1][:5]
    assert result.stats["dupefilter/filtered"] > 0  # the "recommended" duplicates were dropped
    assert any("utm_" in u or "spm=" in u or "share_token" in u for u in result.fetched("/item/"))


def test_recheck_finds_delisted_listings(mallsim_factory: Any, tmp_path: Path) -> None:
    """Day 0 listing URLs re-fetched on day 30: 404 / 410 / 已下架 pages, miniapp 404 and deleted
    posts all become Listing(status="delisted"); the rest stay active."""
    handle = mallsim_factory(mode="thread", faults_enabled=False)
    before = {p: truth(handle, p)[0] for p in ("weishop", "miniapp", "moments")}
    handle.set_day(30)
    for platform, listings in before.items():
        urls = tmp_path / f"{platform}.txt"
        urls.write_text("\n".join(v["url"] for v in listings.values() if v["status"] == "active") + "\n")
        result = crawl(platform, tmp_path, port=handle.port, args={"recheck": str(urls)})
        after, _ = truth(handle, platform)
        expected = {k: after[k]["status"] for k in active(listings)}
        got = {k: v["status"] for k, v in result.listings.items()}
        assert got == expected, platform
        assert "delisted" in got.values(), platform
        for k, v in result.listings.items():
            assert v["url"] == after[k]["url"]
