"""weishop page objects on saved responses: expected values are the world's ground truth."""
from __future__ import annotations

from decimal import Decimal

import pytest
from .saved_pages import saved

from spiders.pages.weishop import WeishopDirectoryPage, WeishopItemPage, WeishopListPage, WeishopShopPage

BASE = "http://weishop.mallsim.test:8800"


def test_directory_lists_shops_and_next_page() -> None:
    response, expect = saved("weishop_directory")
    page = WeishopDirectoryPage(response)
    assert [u.rsplit("/", 1)[-1] for u in page.shop_links()] == expect["shop_ids"]
    assert page.next_page() == f"{BASE}/?page=2"


@pytest.mark.parametrize("shape", ["text", "image", "missing", "gbk", "malformed"])
def test_shop_home_merchant_and_licence_shapes(shape: str) -> None:
    response, expect = saved(f"weishop_shop_{shape}")
    page = WeishopShopPage(response)
    merchant = page.merchant()
    assert merchant is not None
    assert merchant.platform == "weishop"
    assert merchant.url == f"{BASE}/shop/{expect['shop_id']}"
    for key in ("shop_id", "name", "followers", "rating", "handle", "licence_shown_as", "licence_company",
                "licence_uscc", "licence_address", "licence_scope"):
        assert getattr(merchant, key) == expect[key], key
    assert page.items_url() == f"{BASE}/shop/{expect['shop_id']}/items?page=1"


def test_licence_shapes_are_the_three_expected() -> None:
    shapes = {saved(f"weishop_shop_{s}")[1]["licence_shown_as"] for s in ("text", "image", "missing")}
    assert shapes == {"text", "image", "missing"}
    image = WeishopShopPage(saved("weishop_shop_image")[0]).merchant()
    assert image is not None and image.licence_uscc and len(image.licence_uscc) >= 15  # parsed from alt text


@pytest.mark.parametrize("name", ["weishop_list", "weishop_list_decorated"])
def test_list_page_item_links(name: str) -> None:
    response, expect = saved(name)
    page = WeishopListPage(response)
    links = page.item_links()
    assert [item_id for _, item_id in links] == expect["item_ids"]  # decorated variants counted once
    assert page.shop_id == expect["shop_id"]
    assert page.next_page() == f"{BASE}/shop/{expect['shop_id']}/items?page=2"


def test_decorated_list_really_is_decorated() -> None:
    response, _ = saved("weishop_list_decorated")
    hrefs = response.css("a.item-link::attr(href)").getall()
    assert any("utm_" in h or "spm=" in h or "share_token" in h for h in hrefs)
    assert any(h.startswith("/go/") for h in hrefs) or any("jsessionid" in h or "sid=" in h for h in hrefs)
    assert response.css("a.add-cart")  # robots-disallowed links present, never followed by item_links
    assert all("/cart/" not in url for url, _ in WeishopListPage(response).item_links())


@pytest.mark.parametrize("markup", ["jsonld", "microdata", "none", "gbk", "malformed"])
def test_item_page_listing(markup: str) -> None:
    response, expect = saved(f"weishop_item_{markup}")
    listing = WeishopItemPage(response).listing()
    assert listing is not None
    assert listing.item_id == expect["item_id"]
    assert listing.url == f"{BASE}/item/{expect['item_id']}"
    assert listing.shop_id == expect["shop_id"]
    assert listing.title == expect["title"]
    assert listing.price == Decimal(expect["price"]) and isinstance(listing.price, Decimal)
    assert listing.currency == "CNY"
    assert listing.price_text == f"¥{expect['price']}"
    assert listing.category == expect["category"]
    assert listing.sales == expect["sales"]
    assert listing.status == "active"
    assert [i["alt"] for i in listing.images] == [i["alt"] for i in expect["images"]]
    assert [i["url"] for i in listing.images] == [BASE + i["path"] for i in expect["images"]]
    # the description keeps the seller's lines
    assert listing.description is not None
    assert listing.description.replace("\n", "") == "".join(
        line.strip() for line in expect["description"].split("\n") if line.strip())


def test_structured_data_is_read() -> None:
    from spiders.pages.structured import product_data

    for name, syntax in (("weishop_item_jsonld", "jsonld"), ("weishop_item_microdata", "microdata")):
        response, expect = saved(name)
        data = product_data(response, (syntax,))
        assert data["title"] == expect["title"], name
        assert data["price"] == Decimal(expect["price"]), name
        assert data["currency"] == "CNY", name
        assert data["item_id"] == expect["item_id"], name
    response, _ = saved("weishop_item_none")
    assert product_data(response) == {}


def test_gbk_page_decodes_from_header_and_from_meta_alone() -> None:
    response, expect = saved("weishop_item_gbk")
    assert "gbk" in response.headers.get("Content-Type", b"").decode().lower()
    assert response.encoding in ("gbk", "gb18030")
    assert WeishopItemPage(response).listing().title == expect["title"]  # type: ignore[union-attr]
    # no charset in the header: Scrapy falls back to <meta charset="gbk">
    bare, _ = saved("weishop_item_gbk", content_type="text/html")
    assert WeishopItemPage(bare).listing().title == expect["title"]  # type: ignore[union-attr]
    shop, sexpect = saved("weishop_shop_gbk")
    assert WeishopShopPage(shop).merchant().licence_company == sexpect["licence_company"]  # type: ignore[union-attr]


@pytest.mark.parametrize("style", ["404", "410", "page"])
def test_delisted_item(style: str) -> None:
    response, expect = saved(f"weishop_delisted_{style}")
    page = WeishopItemPage(response)
    assert page.is_delisted
    listing = page.listing(shop_id=expect["shop_id"])
    assert listing is not None
    assert listing.status == "delisted"
    assert listing.item_id == expect["item_id"]
    assert listing.shop_id == expect["shop_id"]
    assert listing.price is None
    assert listing.url == f"{BASE}/item/{expect['item_id']}"


def test_active_item_is_not_delisted() -> None:
    response, _ = saved("weishop_item_jsonld")
    assert not WeishopItemPage(response).is_delisted


@pytest.mark.parametrize("markup", ["jsonld", "microdata", "none", "gbk", "malformed"])
def test_structured_data_needed_keys_match_the_full_extraction(markup: str) -> None:
    """Skipping later syntaxes once the needed keys are found changes none of those keys."""
    from spiders.pages.structured import product_data
    from spiders.pages.weishop import PRODUCT_KEYS

    response, _ = saved(f"weishop_item_{markup}")
    full = product_data(response, ("jsonld", "microdata"))
    short = product_data(response, ("jsonld", "microdata"), needed=PRODUCT_KEYS)
    assert {k: short.get(k) for k in PRODUCT_KEYS} == {k: full.get(k) for k in PRODUCT_KEYS}


def test_structured_data_later_syntax_fills_what_the_first_lacks() -> None:
    from spiders.pages.structured import product_data
    from spiders.pages.weishop import PRODUCT_KEYS
    from spiders.pages.base import html_response

    body = ('<html><head><script type="application/ld+json">{"@type": "Product", "name": "A", '
            '"offers": {"price": "5.00", "priceCurrency": "CNY"}}</script></head><body>'
            '<div itemscope itemtype="https://schema.org/Product"><span itemprop="name">B</span>'
            '<span itemprop="description">from microdata</span></div></body></html>')
    response = html_response(f"{BASE}/item/1", body.encode(), "utf-8")
    data = product_data(response, ("jsonld", "microdata"), needed=PRODUCT_KEYS)
    assert data["title"] == "A" and data["description"] == "from microdata"


def test_class_index_selects_what_css_selects() -> None:
    """HtmlPage.by_class/class_attr (one walk) agree with response.css on every saved page and on
    awkward class attributes (tabs, newlines, repeated and neighbouring names, missing attribute)."""
    from tests.pages.saved_pages import manifest
    from spiders.pages.base import html_response
    from spiders.pages.common import HtmlPage

    odd = html_response(f"{BASE}/item/1", (
        '<div class="item\titem-x\n item"><span class="price">¥1</span></div>'
        '<div class="item" data-item-id="7"></div><div class="items">x</div>'
        '<span class="Price">2</span><span class=" price ">3</span>').encode(), "utf-8")
    responses = [saved(name)[0] for name in manifest() if not manifest()[name]["file"].endswith(".json")]
    for response in [odd, *responses]:
        page = HtmlPage(response)
        pairs = {(el.root.tag, c) for el in response.css("[class]") for c in el.attrib["class"].split()}
        for tag, cls in pairs | {("div", "item"), ("span", "price"), ("div", "nothing")}:
            assert page.by_class(tag, cls).getall() == response.css(f"{tag}.{cls}").getall(), (response.url, tag, cls)
            for name in ("data-item-id", "href", "class"):
                assert page.class_attr(tag, cls, name) == response.css(f"{tag}.{cls}::attr({name})").get()
