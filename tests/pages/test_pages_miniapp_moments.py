"""miniapp JSON payloads and moments timelines on saved responses."""
from __future__ import annotations

from decimal import Decimal

import pytest
from .saved_pages import saved

from spiders.pages.common import BadPayload
from spiders.pages.miniapp import MiniappItemsPage, MiniappShopPage, MiniappShopsPage
from spiders.pages.moments import MomentsDirectoryPage, MomentsTimelinePage

MINIAPP = "http://miniapp.mallsim.test:8800"
MOMENTS = "http://moments.mallsim.test:8800"


def test_miniapp_shops_page() -> None:
    response, expect = saved("miniapp_shops")
    page = MiniappShopsPage(response)
    assert page.shop_ids() == expect["shop_ids"]
    assert (page.next_cursor is not None) == expect["has_next"]


@pytest.mark.parametrize("shape", ["text", "image", "missing"])
def test_miniapp_shop_detail(shape: str) -> None:
    response, expect = saved(f"miniapp_shop_{shape}")
    merchant = MiniappShopPage(response).merchant()
    assert merchant is not None
    assert merchant.url == f"{MINIAPP}/api/v1/shop?shop_id={expect['shop_id']}"
    for key in ("shop_id", "name", "followers", "rating", "licence_shown_as", "licence_company", "licence_uscc",
                "licence_address", "licence_scope"):
        assert getattr(merchant, key) == expect[key], key


def test_miniapp_items_page() -> None:
    response, expect = saved("miniapp_items")
    page = MiniappItemsPage(response)
    listings = page.listings()
    assert len(listings) == len(expect["listings"]) == 20
    for got, want in zip(listings, expect["listings"]):
        assert got.item_id == want["item_id"]
        assert got.url == f"{MINIAPP}/api/v1/item?item_id={want['item_id']}"
        assert got.shop_id == want["shop_id"]
        assert got.title == want["title"]
        assert got.description == want["description"].strip()
        assert got.category == want["category"]
        assert got.price == Decimal(want["price"]) and got.currency == "CNY"
        assert got.sales == want["sales"]
        assert [i["url"] for i in got.images] == [MINIAPP + i["path"] for i in want["images"]]
    assert page.next_cursor


def test_miniapp_truncated_json_raises_bad_payload() -> None:
    response, _ = saved("miniapp_shops_truncated")
    with pytest.raises(BadPayload) as info:
        MiniappShopsPage(response)
    assert info.value.reason == "bad_json"


def test_miniapp_delisted_item_is_an_error_envelope() -> None:
    response, _ = saved("miniapp_item_delisted")
    assert response.status == 404
    with pytest.raises(BadPayload) as info:
        MiniappShopsPage(response)
    assert info.value.reason == "api_404"


def test_moments_directory() -> None:
    response, expect = saved("moments_directory")
    page = MomentsDirectoryPage(response)
    assert [u.rsplit("/", 1)[-1] for u in page.seller_links()] == expect["shop_ids"]
    assert (page.next_page() is not None) == expect["has_next"]


def test_moments_timeline_merchant_and_posts() -> None:
    response, expect = saved("moments_timeline")
    page = MomentsTimelinePage(response)
    merchant = page.merchant()
    assert merchant is not None
    for key in ("shop_id", "name", "followers", "handle", "licence_shown_as", "licence_company", "licence_uscc"):
        assert getattr(merchant, key) == expect[key], key
    assert merchant.url == f"{MOMENTS}/u/{expect['shop_id']}"
    listings = page.listings()
    assert [x.item_id for x in listings] == [x["item_id"] for x in expect["listings"]]
    priced = 0
    for got, want in zip(listings, expect["listings"]):
        assert got.url == f"{MOMENTS}/p/{want['item_id']}"
        assert got.shop_id == want["shop_id"]
        assert got.title == want["title"]
        assert got.description and got.description.startswith(got.title.strip())
        if got.price is not None:
            assert got.price == Decimal(want["price"]), (got.price_text, want["price"])
            assert got.currency == "CNY" and got.price_text
            priced += 1
        assert got.extra["posted_at"]
    assert priced >= len(listings) - 1  # free-text prices: nearly all found, never a wrong one
    assert page.next_page() == f"{MOMENTS}/u/{expect['shop_id']}?page=2"


def test_moments_timeline_second_page() -> None:
    response, expect = saved("moments_timeline_p2")
    listings = MomentsTimelinePage(response).listings()
    assert [x.item_id for x in listings] == [x["item_id"] for x in expect["listings"]]
