"""Validate pipeline: every drop has a named reason counted in stats; valid items pass."""
from __future__ import annotations

from decimal import Decimal

import pytest

from crawler.items import Listing, Merchant, PageRecord

VALID = dict(platform="weishop", item_id="i1", url="https://weishop.example/item/i1",
             title="正品香烟", description="描述", price=Decimal("12.5"))


def only_validate(make_chain):
    return make_chain(ITEM_PIPELINES={"pipelines.validate.ValidatePipeline": 100})


def test_valid_items_pass(make_chain) -> None:
    chain = only_validate(make_chain)
    assert chain.feed(Listing(**VALID)) is not None
    assert chain.feed(dict(VALID, item_id="i2")) is not None
    assert chain.feed(Merchant(platform="weishop", shop_id="s1", url="https://weishop.example/shop/s1")) is not None
    assert chain.feed(Listing(platform="weishop", item_id="gone", url="https://weishop.example/item/gone",
                              status="delisted")) is not None  # a delisted page shows no title
    assert chain.feed(Listing(**dict(VALID, title="x" * 500, status="Active"))) is not None
    assert chain.dropped == []


@pytest.mark.parametrize("changes,reason", [
    ({"platform": ""}, "missing_platform"),
    ({"platform": "Not A Platform!"}, "unknown_platform"),
    ({"item_id": None}, "missing_item_id"),
    ({"item_id": " \u3000"}, "missing_item_id"),
    ({"item_id": "x" * 200}, "bad_item_id"),
    ({"url": None}, "missing_url"),
    ({"url": "javascript:alert(1)"}, "bad_url"),
    ({"url": "https://x/" + "a" * 3000}, "bad_url"),
    ({"title": None}, "missing_title"),
    ({"title": "\u200b "}, "missing_title"),
    ({"title": "x" * 501}, "title_too_long"),
    ({"title": 42}, "bad_title"),
    ({"description": "y" * 20_001}, "description_too_long"),
    ({"price": "abc"}, "bad_price"),
    ({"price": Decimal("-1")}, "bad_price"),
    ({"price": Decimal("NaN")}, "bad_price"),
    ({"status": "sold"}, "bad_status"),
    ({"images": [{"url": "https://i/x.jpg"}] * 51}, "too_many_images"),
    ({"images": "https://i/x.jpg"}, "bad_images"),
    ({"images": ["https://i/x.jpg"]}, "bad_images"),
    ({"sales": -3}, "bad_sales"),
    ({"sales": "many"}, "bad_sales"),
    ({"category": "c" * 201}, "category_too_long"),
    ({"price_text": "9" * 201}, "price_text_too_long"),
    ({"extra": {"blob": "z" * 20_001}}, "extra_too_long"),
])
def test_listing_drop_reasons(make_chain, changes, reason) -> None:
    chain = only_validate(make_chain)
    assert chain.feed(Listing(**{**VALID, **changes})) is None
    assert chain.dropped[0].startswith(f"{reason}:")
    assert chain.stats[f"shopwatch/dropped/{reason}"] == 1


@pytest.mark.parametrize("changes,reason", [
    ({"shop_id": ""}, "missing_shop_id"),
    ({"url": "ftp://x"}, "bad_url"),
    ({"name": "n" * 501}, "name_too_long"),
    ({"licence_shown_as": "hologram"}, "bad_licence_shown_as"),
    ({"followers": -1}, "bad_followers"),
    ({"rating": float("nan")}, "bad_rating"),
    ({"licence_address": "a" * 2001}, "licence_address_too_long"),
])
def test_merchant_drop_reasons(make_chain, changes, reason) -> None:
    chain = only_validate(make_chain)
    base = dict(platform="weishop", shop_id="s1", url="https://weishop.example/shop/s1")
    assert chain.feed(Merchant(**{**base, **changes})) is None
    assert chain.stats[f"shopwatch/dropped/{reason}"] == 1


def test_known_platforms_setting(make_chain) -> None:
    chain = make_chain(ITEM_PIPELINES={"pipelines.validate.ValidatePipeline": 100},
                       SHOPWATCH_PLATFORMS=["weishop", "vshop"])
    assert chain.feed(Listing(**VALID)) is not None
    assert chain.feed(Listing(**dict(VALID, platform="taobao"))) is None
    assert chain.stats["shopwatch/dropped/unknown_platform"] == 1


def test_unknown_item_types_are_dropped_not_ignored(make_chain) -> None:
    chain = only_validate(make_chain)
    assert chain.feed({"something": 1}) is None
    assert chain.feed(PageRecord(url="u", status=200, fetched_at="t", body_sha256="x", size=1)) is None
    assert chain.stats["shopwatch/dropped/unknown_item_type"] == 2


def test_counts_accumulate_per_reason(make_chain) -> None:
    chain = only_validate(make_chain)
    for i in range(3):
        chain.feed(Listing(**dict(VALID, item_id=f"x{i}", title=None)))
    chain.feed(Listing(**dict(VALID, url=None)))
    assert chain.stats["shopwatch/dropped/missing_title"] == 3
    assert chain.stats["shopwatch/dropped/missing_url"] == 1
