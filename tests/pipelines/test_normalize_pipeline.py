"""Normalize pipeline: originals kept, normalized fields filled."""
from __future__ import annotations

from decimal import Decimal

from crawler.items import Listing, Merchant
from crawler.normalize import content_hash


def chain_of(make_chain, **kw):
    return make_chain(ITEM_PIPELINES={"pipelines.validate.ValidatePipeline": 100,
                                      "pipelines.normalize.NormalizePipeline": 200}, **kw)


def test_listing_normalized_original_kept(make_chain) -> None:
    chain = chain_of(make_chain)
    item = chain.feed(Listing(
        platform=" WeiShop ", item_id="ＡＢ１２", url="HTTPS://WeiShop.Example:443/item/1?utm_source=x&id=1#top",
        title="  正品香菸\u3000\u3000批發 ＲＥＬＸ ", description="香\u200b煙\n量大", category=" 烟具\u3000配件 ",
        price_text="￥1,299.00", shop_id=" s1 ", status=" Active "))
    assert item.title == "  正品香菸\u3000\u3000批發 ＲＥＬＸ "  # as shown
    assert item.description == "香\u200b煙\n量大"
    assert item.search_text == "正品香烟 批发 relx\n香烟 量大"
    assert item.platform == "weishop" and item.item_id == "AB12" and item.shop_id == "s1"
    assert item.url == "https://weishop.example/item/1?id=1"
    assert item.category == "烟具 配件" and item.status == "active"
    assert item.price == Decimal("1299.00") and item.currency == "CNY"
    assert item.content_hash == content_hash({"title": item.title, "description": item.description,
                                              "price": item.price, "currency": "CNY", "status": "active"})


def test_price_and_currency_rules(make_chain) -> None:
    chain = chain_of(make_chain)
    base = dict(platform="weishop", url="https://w.example/item/1", title="t")
    assert chain.feed(Listing(item_id="a", price_text="298一条", **base)).currency == "CNY"  # default
    kept = chain.feed(Listing(item_id="b", price=Decimal("5"), currency="usd", price_text="¥9", **base))
    assert (kept.price, kept.currency) == (Decimal("5"), "USD")  # the spider's price wins
    none = chain.feed(Listing(item_id="c", price_text="面议", **base))
    assert none.price is None and none.currency is None
    assert chain.stats["shopwatch/price_unparsed"] == 1
    as_str = chain.feed(dict(item_id="d", price="12.50", **base))
    assert as_str["price"] == Decimal("12.50") and as_str["currency"] == "CNY"
    assert as_str["search_text"] == "t\n"


def test_default_currency_setting(make_chain) -> None:
    chain = chain_of(make_chain, SHOPWATCH_DEFAULT_CURRENCY="")  # "" = no default
    item = chain.feed(Listing(platform="w", item_id="a", url="https://w.example/1", title="t", price_text="298一条"))
    assert item.price == Decimal("298") and item.currency is None


def test_merchant_normalized(make_chain) -> None:
    chain = chain_of(make_chain)
    m = chain.feed(Merchant(platform="weishop", shop_id="s1", url="https://weishop.example/shop/s1?spm=1",
                            name="  好货  小店", licence_shown_as="TEXT"))
    assert m.url == "https://weishop.example/shop/s1" and m.licence_shown_as == "text"
    assert m.name == "  好货  小店" and len(m.content_hash) == 64
