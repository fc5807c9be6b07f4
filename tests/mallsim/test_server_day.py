"""The day clock: POST /day re-dates the world; served content and delisted answers follow."""
from __future__ import annotations

import io
import json
from urllib.parse import urlencode

import lxml.html

from mallsim import signing
from mallsim.server import SimHandle
from mallsim.truth import write_truth
from mallsim.world import World

DAY = 5


def post_day(sim: SimHandle, query: str) -> tuple[int, dict]:
    status, _, body = sim.fetch("admin", f"/day?{query}", method="POST")
    return status, json.loads(body)


def test_admin_moves_the_clock(mallsim_factory) -> None:
    sim = mallsim_factory()
    assert post_day(sim, f"set={DAY}") == (200, {"day": DAY})
    assert post_day(sim, "advance=1") == (200, {"day": DAY + 1})
    assert post_day(sim, "advance=") == (200, {"day": DAY + 2})
    assert json.loads(sim.fetch("admin", "/health")[2])["day"] == DAY + 2
    assert post_day(sim, "set=-1")[0] == 400
    assert post_day(sim, "set=abc")[0] == 400
    assert post_day(sim, "")[0] == 400
    assert json.loads(sim.fetch("admin", "/day")[2]) == {"day": DAY + 2}


def all_listings(world: World, platform: str):
    for m in world.merchants(platform):
        yield from world.listings(m)


def test_served_content_follows_the_day(mallsim_factory, small_world: World) -> None:
    sim = mallsim_factory()
    later = small_world.with_day(DAY)
    changed = next(x for x in all_listings(later, "weishop")
                   if x.status == "active" and x.changed_day > 0
                   and small_world.listing("weishop", x.item_id) != x)
    new = next(x for x in all_listings(later, "weishop") if x.first_day > 0 and x.status == "active")
    before = sim.fetch("weishop", f"/item/{changed.item_id}")[2]
    assert sim.fetch("weishop", f"/item/{new.item_id}")[0] == 404
    sim.set_day(DAY)
    after = sim.fetch("weishop", f"/item/{changed.item_id}")
    assert after[0] == 200 and after[2] != before
    doc = lxml.html.fromstring(after[2].decode(after[1]["content-type"].split("charset=")[1]))
    assert doc.cssselect("h1.item-title")[0].text_content() == changed.title
    assert doc.cssselect("span.price")[0].text_content() == f"¥{changed.price:.2f}"
    assert sim.fetch("weishop", f"/item/{new.item_id}")[0] == 200


def test_delisted_answers_per_platform_and_style(mallsim_factory, small_world: World) -> None:
    sim = mallsim_factory(day=DAY)  # starting at a later day works too
    later = small_world.with_day(DAY)
    delisted = {p: [x for x in all_listings(later, p) if x.status == "delisted"]
                for p in ("weishop", "miniapp", "vshop", "moments")}
    styles = {x.delist_style: x for x in delisted["weishop"]}
    assert set(styles) == {"404", "410", "page"}
    assert sim.fetch("weishop", f"/item/{styles['404'].item_id}")[0] == 404
    assert sim.fetch("weishop", f"/item/{styles['410'].item_id}")[0] == 410
    status, headers, body = sim.fetch("weishop", f"/item/{styles['page'].item_id}")
    doc = lxml.html.fromstring(body.decode(headers["content-type"].split("charset=")[1]))
    assert status == 200 and doc.cssselect("div.delisted")[0].text_content() == "该商品已下架"
    assert not doc.cssselect("span.price")
    assert doc.cssselect("h1.item-title")[0].text_content() == styles["page"].title

    gone = delisted["miniapp"][0]
    query = urlencode(signing.signed_params({"item_id": gone.item_id}))
    status, _, body = sim.fetch("miniapp", f"/api/v1/item?{query}")
    assert status == 404 and json.loads(body) == {"code": 404, "error": "item delisted"}

    gone = delisted["vshop"][0]
    status, _, body = sim.fetch("vshop", f"/api/item?item_id={gone.item_id}")
    assert status == 404 and json.loads(body)["error"] == "item delisted"

    gone = delisted["moments"][0]
    status, _, body = sim.fetch("moments", f"/p/{gone.item_id}")
    assert status == 404 and "内容已删除" in body.decode()

    # delisted listings leave the lists
    m = next(m for m in later.merchants("weishop") if any(
        x.status == "delisted" for x in later.listings(m)))
    page = sim.fetch("weishop", f"/shop/{m.shop_id}/items?page=1")[2]
    hidden = [x.item_id for x in later.listings(m) if x.status == "delisted"]
    assert not any(f"/item/{i}".encode() in page for i in hidden)


def test_truth_stream_equals_truth_file(mallsim_factory, small_world: World) -> None:
    sim = mallsim_factory()
    sim.set_day(2)
    status, headers, body = sim.fetch("admin", "/truth")
    assert status == 200 and headers["content-type"].startswith("application/x-ndjson")
    expected = io.StringIO()
    write_truth(small_world.with_day(2), expected, sim.base_url)
    assert body.decode() == expected.getvalue()
    served = [json.loads(line) for line in body.decode().splitlines()]
    assert served[0]["url"].startswith(f"http://weishop.mallsim.test:{sim.port}/")
