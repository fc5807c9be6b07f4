"""weishop: directory, shop homes (licence shapes), item lists, item pages, GBK, delisting."""
from __future__ import annotations

import json
import re

import lxml.html
import pytest

from mallsim.model import CATEGORIES
from mallsim.server import SimHandle
from mallsim.world import World, WorldConfig

P = "weishop"


def page(sim: SimHandle, path: str, status: int = 200) -> lxml.html.HtmlElement:
    code, headers, body = sim.fetch(P, path)
    assert code == status, (path, code)
    charset = re.search(r"charset=([\w-]+)", headers["content-type"])[1]
    return lxml.html.fromstring(body.decode(charset))


def follow_next(sim: SimHandle, path: str, select: str) -> list[str]:
    """Hrefs matched by ``select`` on every page reached through rel=next."""
    found: list[str] = []
    for _ in range(1000):
        doc = page(sim, path)
        found += [a.get("href") for a in doc.cssselect(select)]
        nxt = doc.cssselect('a[rel="next"]')
        if not nxt:
            return found
        path = nxt[0].get("href")
    raise AssertionError("pagination does not end")


def test_directory_lists_every_shop_once(mallsim: SimHandle, small_world: World) -> None:
    hrefs = follow_next(mallsim, "/", "a.shop-link")
    expected = [f"/shop/{m.shop_id}" for m in small_world.merchants(P)]
    assert hrefs == expected
    assert mallsim.fetch(P, "/?page=99")[0] == 404


def test_directory_pages_fifty_shops(mallsim_factory) -> None:
    sim = mallsim_factory(merchants=400)  # 140 weishop shops -> 3 pages
    first = page(sim, "/")
    assert len(first.cssselect("a.shop-link")) == 50
    assert first.cssselect('a[rel="next"]')[0].get("href") == "/?page=2"
    assert len(page(sim, "/?page=3").cssselect("a.shop-link")) == 40
    assert not page(sim, "/?page=3").cssselect('a[rel="next"]')


def check_licence(doc: lxml.html.HtmlElement, licence) -> None:
    blocks = doc.cssselect("div.licence")
    if licence.shown_as == "missing":
        assert not blocks
        return
    assert len(blocks) == 1
    if licence.shown_as == "text":
        terms = [dt.text_content() for dt in blocks[0].cssselect("dt")]
        values = dict(zip(terms, (dd.text_content() for dd in blocks[0].cssselect("dd"))))
        assert values.get("企业名称") == licence.company
        assert values.get("统一社会信用代码") == licence.uscc
        assert values.get("住所") == licence.address
        assert values.get("经营范围") == licence.scope
        assert not blocks[0].cssselect("img")
    else:
        assert not blocks[0].cssselect("dl")
        alt = blocks[0].cssselect("img.licence-img")[0].get("alt")
        assert alt.startswith("营业执照") and "统一社会信用代码" in alt
        assert licence.uscc in alt and licence.company in alt


def test_shop_home_matches_world(mallsim: SimHandle, small_world: World) -> None:
    for m in small_world.merchants(P):
        doc = page(mallsim, f"/shop/{m.shop_id}")
        assert doc.cssselect("h1.shop-name")[0].text_content() == m.name
        assert doc.cssselect("span.followers")[0].text_content() == str(m.followers)
        assert doc.cssselect("span.rating")[0].text_content() == f"{m.rating:.1f}"
        assert doc.cssselect("a.items-link")[0].get("href") == f"/shop/{m.shop_id}/items?page=1"
        check_licence(doc, m.licence)
    assert mallsim.fetch(P, "/shop/999999")[0] == 404
    assert mallsim.fetch(P, "/shop/abc")[0] == 404


def test_all_three_licence_shapes_are_served(mallsim_factory) -> None:
    sim = mallsim_factory(merchants=300)
    world = World(WorldConfig(seed=7, merchants=300))
    seen = {}
    for m in world.merchants(P):
        seen.setdefault(m.licence.shown_as, m)
    assert set(seen) == {"text", "image", "missing"}
    for m in seen.values():
        check_licence(page(sim, f"/shop/{m.shop_id}"), m.licence)


def test_item_lists_reach_every_active_listing(mallsim: SimHandle, small_world: World) -> None:
    for m in small_world.merchants(P):
        hrefs = follow_next(mallsim, f"/shop/{m.shop_id}/items?page=1", "ul.items a.item-link")
        assert hrefs == [f"/item/{x.item_id}" for x in small_world.active_listings(m)]
        assert len(page(mallsim, f"/shop/{m.shop_id}/items?page=1").cssselect("li.item")) <= 20


def check_item(doc: lxml.html.HtmlElement, listing, merchant) -> None:
    assert doc.cssselect("h1.item-title")[0].text_content() == listing.title
    assert doc.cssselect("span.price")[0].text_content() == f"¥{listing.price:.2f}"
    cat = doc.cssselect("span.category")[0]
    assert cat.get("data-category") == listing.category
    assert cat.text_content() == CATEGORIES[listing.category]
    assert doc.cssselect("span.sales")[0].text_content() == f"已售 {listing.sales} 件"
    desc = doc.cssselect("div.item-desc")[0].text_content()
    assert desc == "".join(line for line in listing.description.split("\n") if line.strip())
    assert doc.cssselect("div.seller a.shop-link")[0].get("href") == f"/shop/{merchant.shop_id}"
    alts = [img.get("alt") for img in doc.cssselect("div.gallery img")]
    assert alts == [i.alt for i in listing.images]


def test_item_pages_match_world_and_structured_data(mallsim: SimHandle, small_world: World) -> None:
    markups = set()
    for m in small_world.merchants(P):
        for listing in small_world.active_listings(m)[:3]:
            doc = page(mallsim, f"/item/{listing.item_id}")
            check_item(doc, listing, m)
            scripts = doc.cssselect('script[type="application/ld+json"]')
            scoped = doc.cssselect('[itemtype="https://schema.org/Product"]')
            markups.add(m.markup)
            if m.markup == "jsonld":
                assert not scoped
                data = json.loads(scripts[0].text)
                assert data["@type"] == "Product" and data["name"] == listing.title
                assert data["description"] == listing.description
                assert data["offers"]["price"] == f"{listing.price:.2f}"
                assert data["offers"]["priceCurrency"] == "CNY"
            elif m.markup == "microdata":
                assert not scripts and len(scoped) == 1
                props = {e.get("itemprop"): e for e in scoped[0].iter() if e.get("itemprop")}
                assert props["name"].text_content() == listing.title
                assert props["price"].get("content") == f"{listing.price:.2f}"
                assert props["priceCurrency"].get("content") == "CNY"
            else:
                assert not scripts and not scoped
    assert markups == {"jsonld", "microdata", "none"}


def test_gbk_shops_are_served_in_gbk(mallsim: SimHandle, small_world: World) -> None:
    gbk = [m for m in small_world.merchants(P) if m.encoding == "gbk"]
    assert gbk, "the small world should have a GBK shop"
    m = gbk[0]
    listing = small_world.active_listings(m)[0]
    for path in (f"/shop/{m.shop_id}", f"/shop/{m.shop_id}/items?page=1", f"/item/{listing.item_id}"):
        status, headers, body = mallsim.fetch(P, path)
        assert headers["content-type"] == "text/html; charset=gbk"
        assert b'<meta charset="gbk">' in body
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        body.decode("gbk")
    check_item(page(mallsim, f"/item/{listing.item_id}"), listing, m)
    utf8 = next(m for m in small_world.merchants(P) if m.encoding == "utf-8")
    assert mallsim.fetch(P, f"/shop/{utf8.shop_id}")[1]["content-type"] == "text/html; charset=utf-8"


def test_unknown_items_are_404(mallsim: SimHandle) -> None:
    for path in ("/item/100000999", "/item/999999000", "/item/12", "/item/x", "/nowhere"):
        assert mallsim.fetch(P, path)[0] == 404, path


def test_calendar_trap_pages_exist_forever(mallsim: SimHandle) -> None:
    path = "/shop/100000/events"
    months = []
    for _ in range(30):
        doc = page(mallsim, path)
        path = doc.cssselect('a[rel="next"]')[0].get("href")
        months.append(path)
    assert len(set(months)) == 30 and months[-1].endswith("month=2027-09")
    assert mallsim.fetch(P, "/shop/100000/events?month=2025-13")[0] == 404


def test_disallowed_pages_exist(mallsim: SimHandle) -> None:
    assert mallsim.fetch(P, "/cart/add?item_id=100000000")[0] == 200
    doc = page(mallsim, "/search?q=x")
    assert doc.cssselect('a[rel="next"]')[0].get("href") == "/search?q=x&page=2"


def test_escaping(mallsim: SimHandle) -> None:
    doc = page(mallsim, "/search?q=<script>alert(1)</script>")
    assert "<script>alert(1)</script>" in doc.cssselect("h1")[0].text_content()
    assert not [s for s in doc.cssselect("script") if "alert" in (s.text or "")]


def test_redirect_locations_are_quoted(mallsim: SimHandle) -> None:
    status, headers, body = mallsim.fetch(P, "/go/%3Cb%3E%0d%0aX:%20y")
    assert status == 302 and headers["location"] == "/item/%3Cb%3E%0D%0AX%3A%20y.html"
    assert b"<b>" not in body
