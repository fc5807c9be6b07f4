"""Each fault knob does what it says: rate 1 -> always, 0 -> never; transient ones recover."""
from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import psutil
import pytest

from mallsim import signing
from mallsim.config import FAULT_RATES, SimConfig
from mallsim.faults import ERROR_STATUSES, Faults, huge_body, malform
from mallsim.platforms.common import HUGE_PATH
from mallsim.server import SimHandle
from mallsim.world import World

ZERO = {name: 0.0 for name in FAULT_RATES}


@pytest.fixture
def faulty(mallsim_factory):
    """A faults-on server with every rate 0 except the ones given."""
    def make(**rates: Any) -> SimHandle:
        return mallsim_factory(faults_enabled=True, **{**ZERO, **rates})
    return make


def signed(path: str, **params: str) -> str:
    return f"{path}?{urlencode(signing.signed_params(params))}"


def sample_requests(world: World) -> list[tuple[str, str]]:
    w = world.merchant("weishop", 0)
    item = world.active_listings(w)[0].item_id
    m = world.merchant("miniapp", 0)
    return [("weishop", "/"), ("weishop", f"/shop/{w.shop_id}/items?page=1"), ("weishop", f"/item/{item}"),
            ("moments", "/"), ("vshop", "/"), ("vshop", "/api/shops?page=1"),
            ("miniapp", signed("/api/v1/shop", shop_id=m.shop_id))]


def doc_of(sim: SimHandle, platform: str, path: str) -> lxml.html.HtmlElement:
    status, headers, body = sim.fetch(platform, path)
    assert status == 200, (path, status)
    return lxml.html.fromstring(body.decode(headers["content-type"].split("charset=")[1]))


# --- transient -----------------------------------------------------------------------------------
def test_error_rate_one_fails_every_request_zero_none(faulty, mallsim_factory, small_world) -> None:
    always = faulty(error_rate=1.0)
    for platform, path in sample_requests(small_world) * 3:
        status, headers, body = always.fetch(platform, path)
        assert status in ERROR_STATUSES, (platform, path)
        if "/api/" in path:
            assert json.loads(body)["code"] == status
    assert always.fetch("weishop", "/robots.txt")[0] == 200  # never faulted
    assert always.fetch("miniapp", "/developer")[0] == 200
    never = faulty()
    off = mallsim_factory(faults_enabled=False, **{name: 1.0 for name in FAULT_RATES})
    for sim in (never, off):
        for platform, path in sample_requests(small_world) * 3:
            assert sim.fetch(platform, path)[0] == 200, (platform, path)


def test_errors_are_transient_a_retry_recovers(faulty, small_world) -> None:
    sim = faulty(error_rate=0.5)
    failures = 0
    for platform, path in sample_requests(small_world) * 3:
        for _ in range(40):
            status = sim.fetch(platform, path)[0]
            if status == 200:
                break
            failures += 1
        assert status == 200, (platform, path)
    assert failures > 0


def test_slow_responses(faulty) -> None:
    sim = faulty(slow_rate=1.0, slow_min=0.3, slow_max=0.3)
    start = time.perf_counter()
    assert sim.fetch("weishop", "/")[0] == 200
    assert time.perf_counter() - start >= 0.3


def test_timeout_stalls_longer_than_the_client_waits(faulty) -> None:
    sim = faulty(timeout_rate=1.0, stall_seconds=5)
    with pytest.raises(TimeoutError):
        sim.fetch("weishop", "/", timeout=0.5)
    flaky = faulty(timeout_rate=0.5, stall_seconds=5)
    stalls = 0
    for _ in range(30):
        try:
            status = flaky.fetch("weishop", "/", timeout=0.3)[0]
        except TimeoutError:
            stalls += 1
            continue
        break
    assert status == 200


def test_truncated_json_only_hits_json(faulty, small_world) -> None:
    sim = faulty(truncated_json_rate=1.0)
    m = small_world.merchant("miniapp", 0)
    for platform, path in (("miniapp", signed("/api/v1/shop", shop_id=m.shop_id)),
                           ("vshop", "/api/shops?page=1")):
        status, headers, body = sim.fetch(platform, path)
        assert status == 200 and headers["content-type"].startswith("application/json")
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)
    status, _, body = sim.fetch("weishop", "/")
    assert status == 200 and body.endswith(b"</html>\n")


# --- permanent -----------------------------------------------------------------------------------
def test_malformed_html_is_permanent_and_still_extractable(faulty, small_world) -> None:
    sim = faulty(malformed_rate=1.0)
    m = small_world.merchant("weishop", 1)
    active = small_world.active_listings(m)
    path = f"/shop/{m.shop_id}/items?page=1"
    raw = sim.fetch("weishop", path)[2]
    assert raw == sim.fetch("weishop", path)[2]  # the same broken page every time
    assert b"</li>" not in raw and b"</body>" not in raw
    doc = doc_of(sim, "weishop", path)
    assert [a.get("href") for a in doc.cssselect("ul.items a.item-link")] == [
        f"/item/{x.item_id}" for x in active[:20]]
    item = doc_of(sim, "weishop", f"/item/{active[0].item_id}")
    assert item.cssselect("h1.item-title")[0].text_content() == active[0].title
    assert item.cssselect("span.price")[0].text_content() == f"¥{active[0].price:.2f}"
    u = small_world.merchant("moments", 0)
    posts = doc_of(sim, "moments", f"/u/{u.shop_id}").cssselect("article.post")
    assert len(posts) == min(20, len(small_world.active_listings(u)))
    assert b"</body>" in faulty().fetch("weishop", path)[2]


def item_hrefs(sim: SimHandle, world: World, pages: int = 6) -> list[str]:
    hrefs = []
    for m in list(world.merchants("weishop"))[:pages]:
        doc = doc_of(sim, "weishop", f"/shop/{m.shop_id}/items?page=1")
        hrefs += [a.get("href") for a in doc.cssselect("a.item-link")]
    return hrefs


def test_tracking_params_give_several_urls_per_item(faulty, small_world) -> None:
    sim = faulty(tracking_rate=1.0)
    hrefs = item_hrefs(sim, small_world)
    assert all("?" in h for h in hrefs)
    queries = " ".join(urlsplit(h).query for h in hrefs)
    assert "utm_source=" in queries and "spm=" in queries and "share_token=" in queries
    m = small_world.merchant("weishop", 0)
    doc = doc_of(sim, "weishop", f"/shop/{m.shop_id}/items?page=1")
    rec = [a.get("href") for a in doc.cssselect("div.recommend a.item-link")]
    main = [a.get("href") for a in doc.cssselect("ul.items > li.item > a.item-link")]
    assert rec and all(urlsplit(r).path in {urlsplit(x).path for x in main} for r in rec)
    assert not set(rec) & set(main)  # same item, different URL
    canonical = sim.fetch("weishop", urlsplit(hrefs[0]).path)[2]
    assert sim.fetch("weishop", hrefs[0])[2] == canonical
    assert not any("?" in h for h in item_hrefs(faulty(), small_world))


def test_session_ids_in_links(faulty, small_world) -> None:
    sim = faulty(session_rate=1.0)
    hrefs = item_hrefs(sim, small_world)
    assert all(";jsessionid=" in h or "sid=" in h for h in hrefs)
    assert any(";jsessionid=" in h for h in hrefs) and any("?sid=" in h for h in hrefs)
    for href in hrefs[:5]:
        clean = href.split(";")[0].split("?")[0]
        assert sim.fetch("weishop", href)[2] == sim.fetch("weishop", clean)[2]


def follow(sim: SimHandle, platform: str, path: str) -> tuple[list[tuple[int, str]], bytes]:
    hops = []
    for _ in range(10):
        status, headers, body = sim.fetch(platform, path)
        hops.append((status, path))
        if status not in (301, 302):
            return hops, body
        path = headers["location"]
    raise AssertionError("redirect loop")


def test_redirect_chains_end_at_the_item(faulty, small_world) -> None:
    sim = faulty(redirect_rate=1.0)
    hrefs = item_hrefs(sim, small_world, pages=2)
    assert hrefs and all(h.startswith("/go/") for h in hrefs)
    hops, body = follow(sim, "weishop", hrefs[0])
    item = hrefs[0].removeprefix("/go/")
    assert hops == [(302, f"/go/{item}"), (301, f"/item/{item}.html"), (200, f"/item/{item}")]
    title = small_world.listing("weishop", item).title
    assert lxml.html.fromstring(body.decode("utf-8", "replace")).cssselect("h1.item-title")
    assert title.encode("gbk", "xmlcharrefreplace") in body or title.encode() in body
    u = small_world.merchant("moments", 0)
    link = doc_of(sim, "moments", f"/u/{u.shop_id}").cssselect("a.permalink")[0].get("href")
    hops, _ = follow(sim, "moments", link)
    assert [s for s, _ in hops] == [302, 301, 200] and hops[-1][1].startswith("/p/")


def test_robots_disallowed_links_never_hide_items(faulty, small_world) -> None:
    sim = faulty(robots_link_rate=1.0)
    robots = RobotFileParser()
    robots.parse(sim.fetch("weishop", "/robots.txt")[2].decode().splitlines())
    m = small_world.merchant("weishop", 0)
    doc = doc_of(sim, "weishop", f"/shop/{m.shop_id}/items?page=1")
    cart = [a.get("href") for a in doc.cssselect("a.add-cart")]
    search = [a.get("href") for a in doc.cssselect("a.search")]
    assert cart and search
    base = "http://weishop.mallsim.test"
    assert not any(robots.can_fetch("*", base + h) for h in cart + search)
    items = [a.get("href") for a in doc.cssselect("a.item-link")]
    assert items and all(robots.can_fetch("*", base + h) for h in items)
    assert doc_of(sim, "moments", "/").cssselect("a.search")
    assert not doc_of(faulty(), "weishop", f"/shop/{m.shop_id}/items?page=1").cssselect("a.add-cart")


def test_calendar_trap_is_endless(faulty, small_world) -> None:
    sim = faulty(trap_rate=1.0)
    m = small_world.merchant("weishop", 0)
    path = doc_of(sim, "weishop", f"/shop/{m.shop_id}").cssselect("a.events")[0].get("href")
    seen = set()
    for _ in range(50):
        seen.add(path)
        path = doc_of(sim, "weishop", path).cssselect('a[rel="next"]')[0].get("href")
    assert len(seen) == 50
    assert not doc_of(faulty(), "weishop", f"/shop/{m.shop_id}").cssselect("a.events")


def test_oversized_page_is_linked_streamed_and_exact(faulty, mallsim_factory) -> None:
    sim = mallsim_factory(mode="process", faults_enabled=True, **ZERO)
    for platform, path in (("weishop", "/"), ("moments", "/"), ("vshop", "/"), ("miniapp", "/developer")):
        assert HUGE_PATH.encode() in sim.fetch(platform, path)[2], platform
    server = psutil.Process(sim.pid)
    rss = server.memory_info().rss
    for platform in ("weishop", "moments", "vshop"):
        status, headers, body = sim.fetch(platform, HUGE_PATH)
        assert status == 200 and int(headers["content-length"]) == len(body) == 8 * 1024 * 1024
    assert body.startswith(b"<!DOCTYPE html>") and body.endswith(b"</body></html>\n")
    assert server.memory_info().rss - rss < 20 * 2**20
    small = faulty(huge_page_bytes=100_000)
    assert len(small.fetch("weishop", HUGE_PATH)[2]) == 100_000
    off = mallsim_factory()
    assert HUGE_PATH.encode() not in off.fetch("weishop", "/")[2]


@pytest.mark.parametrize("size", [0, 5, 200, 65536 * 3 + 7])
def test_huge_body_has_exact_size(size: int) -> None:
    async def collect() -> bytes:
        return b"".join([chunk async for chunk in huge_body(size)])
    import asyncio
    assert len(asyncio.run(collect())) == size


# --- unit level --------------------------------------------------------------------------------
def test_roll_rates_and_precedence() -> None:
    faults = Faults(SimConfig(**{**ZERO, "error_rate": 1.0, "slow_rate": 1.0}))
    assert {faults.roll(False).kind for _ in range(50)} == {"error"}
    faults = Faults(SimConfig(**{**ZERO, "truncated_json_rate": 1.0}))
    assert faults.roll(False) is None and faults.roll(True).kind == "truncated"
    faults = Faults(SimConfig(**{**ZERO, "slow_rate": 0.3}))
    kinds = [faults.roll(False) for _ in range(2000)]
    assert 450 < sum(k is not None for k in kinds) < 750


def test_permanent_decisions_are_stable_and_keyed() -> None:
    faults = Faults(SimConfig(**{**ZERO, "tracking_rate": 0.5}))
    links = [faults.link(f"/item/1000000{k:02d}", "page", k) for k in range(100)]
    assert links == [Faults(faults.config).link(f"/item/1000000{k:02d}", "page", k) for k in range(100)]
    assert 30 < sum("?" in x for x in links) < 70
    other = Faults(SimConfig(**{**ZERO, "tracking_rate": 0.5, "seed": 8}))
    assert links != [other.link(f"/item/1000000{k:02d}", "page", k) for k in range(100)]


def test_malform_keeps_data() -> None:
    page = ('<html><body><nav class="topnav"><a href="/">x</a></nav><ul class="items"><li>'
            '<a class="item-link" href="/item/1">甲</a></li><li><a class="item-link" href="/item/2">乙'
            '</a></li></ul><footer class="footer"><p>f</p></footer>\n</body>\n</html>\n')
    doc = lxml.html.fromstring(malform(page))
    assert [a.text_content() for a in doc.cssselect("ul.items a.item-link")] == ["甲", "乙"]
