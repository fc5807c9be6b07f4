"""pipelines._common.ItemFields reads and writes a Listing/Merchant exactly as ItemAdapter does."""
from __future__ import annotations

from decimal import Decimal

import pytest
from itemadapter import ItemAdapter

from crawler.items import Listing, Merchant
from pipelines._common import ItemFields, adapter, set_field


def _pair(item):
    return ItemFields(item), ItemAdapter(item)


@pytest.mark.parametrize("item", [
    Listing(platform="weishop", item_id="1", url="http://x/1", title="香烟", price=Decimal("1.50")),
    Merchant(platform="weishop", shop_id="9", url="http://x/shop/9", name="店"),
])
def test_reads_and_membership_match_itemadapter(item) -> None:
    fields, reference = _pair(item)
    for key in ("platform", "title", "price", "images", "search_text", "name", "no_such_field"):
        assert fields.get(key) == reference.get(key), key
        assert fields.get(key, "dflt") == reference.get(key, "dflt"), key
        assert (key in fields) == (key in reference), key


def test_writes_reach_the_item_and_unknown_fields_raise() -> None:
    merchant = Merchant(platform="weishop", shop_id="9", url="http://x/shop/9")
    view = adapter(merchant)
    assert isinstance(view, ItemFields)
    view["name"] = "新名"
    assert merchant.name == "新名" and view["name"] == "新名"
    with pytest.raises(KeyError):
        view["search_text"] = "x"  # a Listing field, not a Merchant one
    with pytest.raises(KeyError):
        view["search_text"]
    set_field(merchant, "search_text", "x")  # the steps' way: silently not a field of this class
    assert not hasattr(merchant, "search_text")


def test_other_items_keep_itemadapter() -> None:
    item = {"platform": "weishop", "item_id": "1"}
    assert isinstance(adapter(item), ItemAdapter)
