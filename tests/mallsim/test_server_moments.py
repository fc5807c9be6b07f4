"""moments: seller directory, timelines (newest first), posts with free text, permalinks."""
from __future__ import annotations

from datetime import datetime

import lxml.html

from mallsim.server import SimHandle
from mallsim.world import World

P = "moments"


def page(sim: SimHandle, path: str, status: int = 200) -> lxml.html.HtmlElement:
    code, _, body = sim.fetch(P, path)
    assert code == status, (path, code)
    return lxml.html.fromstring(body.decode())


def test_directory_lists_every_seller(mallsim: SimHandle, small_world: World) -> None:
    doc = page(mallsim, "/")
    assert [a.get("href") for a in doc.cssselect("a.seller")] == [
        f"/u/{m.shop_id}" for m in small_world.merchants(P)]


def test_timeline_newest_first_and_complete(mallsim: SimHandle, small_world: World) -> None:
    for m in small_world.merchants(P):
        posts, path = [], f"/u/{m.shop_id}"
        while path:
            doc = page(mallsim, path)
            assert doc.cssselect("h1.seller-name")[0].text_content() == m.name
            found = doc.cssselect("article.post")
            assert len(found) <= 20
            posts += found
            nxt = doc.cssselect('a[rel="next"]')
            path = nxt[0].get("href") if nxt else None
        active = {x.item_id: x for x in small_world.active_listings(m)}
        assert sorted(p.get("data-post-id") for p in posts) == sorted(active)
        times = [datetime.fromisoformat(p.cssselect("time")[0].get("datetime")) for p in posts]
        assert times == sorted(times, reverse=True)
        for post in posts[:5]:
            listing = active[post.get("data-post-id")]
            text = post.cssselect("div.post-text")[0].text_content()
            assert text == listing.description
            assert text.split("\n", 1)[0][:30] == listing.title
            assert post.cssselect("a.permalink")[0].get("href") == f"/p/{listing.item_id}"
            assert [i.get("alt") for i in post.cssselect("img")] == [i.alt for i in listing.images]


def test_permalink_and_missing_post(mallsim: SimHandle, small_world: World) -> None:
    m = small_world.merchant(P, 0)
    listing = small_world.active_listings(m)[0]
    doc = page(mallsim, f"/p/{listing.item_id}")
    post = doc.cssselect("article.post")[0]
    assert post.get("data-post-id") == listing.item_id
    assert post.cssselect("div.post-text")[0].text_content() == listing.description
    missing = page(mallsim, f"/p/{m.shop_id}999", status=404)
    assert "内容已删除" in missing.text_content()
    assert mallsim.fetch(P, "/u/999999")[0] == 404
