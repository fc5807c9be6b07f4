"""vshop page objects on pages rendered by Chromium (tests/fixtures/pages/vshop_save_fixtures.py):
the rendered DOM plus the JSON answers the page's script fetched. Expected values are the world's
ground truth, recorded in vshop_manifest.json when the fixtures were rendered."""
from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request

from spiders.pages.vshop import Capture, VshopDirectoryPage, VshopItemPage, VshopShopPage, Xhr

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
BASE = "http://vshop.mallsim.test:8800"


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    return json.loads((FIXTURES / "vshop_manifest.json").read_text(encoding="utf-8"))


def rendered(name: str) -> tuple[HtmlResponse, Xhr, dict[str, Any]]:
    entry = manifest()[name]
    body = (FIXTURES / entry["file"]).read_bytes()
    response = HtmlResponse(url=entry["url"], body=body, status=entry["status"], headers=entry["headers"],
                            request=Request(entry["url"]), flags=["playwright"])
    xhr = Xhr(json.loads((FIXTURES / entry["xhr"]).read_text(encoding="utf-8")))
    return response, xhr, entry["expect"]


def test_server_shell_has_no_data_but_the_rendered_page_has() -> None:
    response, xhr, expect = rendered("vshop_shop_text")
    shell = VshopShopPage(HtmlResponse(url=response.url, body=b'<div id="app"><p class="loading"></p></div>'))
    assert shell.merchant() is None and shell.listings() == []
    assert VshopShopPage(response, xhr).merchant() is not None


def test_directory_lists_every_shop_across_scroll_pages() -> None:
    response, xhr, expect = rendered("vshop_directory")
    page = VshopDirectoryPage(response, xhr)
    assert [u.rsplit("/", 1)[-1] for u in page.shop_links()] == expect["shop_ids"]
    assert len(expect["shop_ids"]) > 50  # two /api/shops pages: the second came from scrolling
    assert sorted(xhr.pages("shops")) == [1, 2]
    assert page.scrolled_to_end and page.complete


@pytest.mark.parametrize("shape", ["text", "image", "missing"])
def test_shop_merchant_and_licence_shapes(shape: str) -> None:
    response, xhr, expect = rendered(f"vshop_shop_{shape}")
    merchant = VshopShopPage(response, xhr).merchant()
    assert merchant is not None
    assert merchant.platform == "vshop"
    assert merchant.url == f"{BASE}/shop/{expect['shop_id']}"
    for key in ("shop_id", "name", "followers", "rating", "licence_shown_as", "licence_company",
                "licence_uscc", "licence_address", "licence_scope"):
        assert getattr(merchant, key) == expect[key], key


@pytest.mark.parametrize("shape", ["text", "image", "missing"])
def test_shop_listings_from_cards_completed_by_the_feed(shape: str) -> None:
    response, xhr, expect = rendered(f"vshop_shop_{shape}")
    page = VshopShopPage(response, xhr)
    assert page.complete
    listings = page.listings()
    assert [x.item_id for x in listings] == [x["item_id"] for x in expect["listings"]]
    assert len(listings) > 12  # more than one feed page: the scroll loaded the rest
    assert page.missing_from_xhr() == []
    for got, want in zip(listings, expect["listings"]):
        assert got.url == f"{BASE}/item/{want['item_id']}"
        assert got.shop_id == want["shop_id"] == expect["shop_id"]
        assert got.title == want["title"]
        assert got.price == Decimal(want["price"]) and got.currency == "CNY"
        assert got.price_text == f"¥{want['price']}"
        assert got.sales == want["sales"]
        assert got.category == want["category"]
        assert got.description == want["description"].strip()
        assert got.status == "active"
        assert [i["url"] for i in got.images] == [BASE + i["path"] for i in want["images"][:1]]
        assert [i["alt"] for i in got.images] == [i["alt"] for i in want["images"][:1]]


def test_cards_come_from_the_dom_not_from_the_captured_json() -> None:
    """Without the captured answers a card still yields its listing (title/price/sales from the
    DOM); only description and category are missing -- and the list is not known complete."""
    response, _, expect = rendered("vshop_shop_text")
    page = VshopShopPage(response, Xhr())
    listings = page.listings()
    assert [x.item_id for x in listings] == [x["item_id"] for x in expect["listings"]]
    assert all(x.title and x.price is not None and x.description is None for x in listings)
    assert not page.complete


def test_item_page_and_delisted_item() -> None:
    response, xhr, expect = rendered("vshop_item")
    listing = VshopItemPage(response, xhr).listing()
    assert listing is not None
    assert (listing.item_id, listing.shop_id, listing.title, listing.category) == (
        expect["item_id"], expect["shop_id"], expect["title"], expect["category"])
    assert listing.url == f"{BASE}/item/{expect['item_id']}"
    assert listing.price == Decimal(expect["price"])
    assert listing.description and listing.description.replace("\n", "") == expect["description"].replace("\n", "")
    response, xhr, expect = rendered("vshop_item_delisted")
    gone = VshopItemPage(response, xhr).listing(fallback_shop_id=expect["shop_id"])
    assert gone is not None and gone.status == "delisted" and gone.item_id == expect["item_id"]
    assert gone.url == f"{BASE}/item/{expect['item_id']}"


def _feed(page: int, has_more: bool, status: int = 200, body: str | None = None) -> Capture:
    text = body if body is not None else json.dumps(
        {"code": 0, "data": {"shop": {}, "items": [], "page": page, "has_more": has_more}})
    return Capture(f"{BASE}/api/feed?shop_id=100000&page={page}", status, text)


@pytest.mark.parametrize(("captures", "complete"), [
    ([_feed(1, True), _feed(2, False)], True),
    ([_feed(1, False)], True),
    ([_feed(1, True)], False),  # scroll stopped before the end
    ([_feed(1, True), _feed(2, True, 503, '{"code":503,"error":"unavailable"}')], False),  # app gave up
    ([_feed(1, True), _feed(2, False, 200, '{"code":0,"da')], False),  # truncated body, last attempt
    ([_feed(1, True), _feed(2, False, 200, '{"code":0,"da'), _feed(2, False)], True),  # app's retry won
    ([_feed(1, True), _feed(3, False)], False),  # a page missing
    ([Capture(f"{BASE}/api/feed?shop_id=1&page=1", 404, '{"code":404,"error":"shop not found"}')], True),
    ([], False),
])
def test_list_completeness_from_captured_answers(captures: list[Capture], complete: bool) -> None:
    assert Xhr(captures).list_complete("feed") is complete
