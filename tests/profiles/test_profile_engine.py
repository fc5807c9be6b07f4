"""The profile engine (spiders.pages.profiled) on small synthetic pages: every field-spec feature."""
from __future__ import annotations

import json
from decimal import Decimal

from scrapy.http import HtmlResponse, Request
from scrapy.http.response.json import JsonResponse

from crawler.profiles import parse_profile
from spiders.pages.profiled import ProfiledPage

HTML = """<html><head><link rel="canonical" href="/p/7?utm_source=x"></head><body>
<div class="licence"><dl><dt>企业名称</dt><dd>某某公司</dd></dl></div>
<h1 class="shop"  data-id="S1">小店 · 好物</h1><span class="fans">粉丝 1.2万</span>
<ul><li class="tag">a</li><li class="tag">b</li></ul>
<article class="post" data-id="11"><p class="t">第一条
¥12.5 包邮</p><img src="/i/1.jpg" alt="图一"><a class="more" href="/p/11?spm=1">more</a></article>
<article class="post" data-id="12"><p class="t">第二条 88r</p></article>
<a class="next" href="?page=2">next</a><a class="cart" href="/cart/add">x</a>
</body></html>"""

PROFILE = """\
name: t
platform: demo
start_urls: ["http://shop.test/"]
pages:
  timeline:
    merchant:
      fields:
        shop_id: {css: "h1.shop::attr(data-id)"}
        name: "h1.shop"
        followers: {css: "span.fans::text", type: int}
        licence_shown_as:
          first:
            - {css: "div.licence dl", value: text}
            - {css: "div.licence img", value: image}
            - {const: missing}
        licence_company: {xpath: "//dt[.='企业名称']/following-sibling::dd[1]/text()"}
    listing:
      each: "article.post"
      fields:
        item_id: "::attr(data-id)"
        url: {template: "{base}/p/{item_id}", type: url}
        description: {css: "p.t", type: multiline}
        title: {css: "p.t::text", regex: '^([^\\n]+)'}
        price: {css: "p.t::text", type: price}
        images: {css: "img", type: images}
        extra.tags: {xpath: "//li[@class='tag']/text()", join: ","}
    links:
      - {css: "a", page: timeline, deny: ['/cart/']}
"""


def test_html_record_features() -> None:
    profile = parse_profile(PROFILE, "t.yaml")
    response = HtmlResponse("http://shop.test/u/1", body=HTML.encode(), encoding="utf-8", request=Request("http://shop.test/u/1"))
    page = ProfiledPage(profile, profile.pages["timeline"], response)
    [merchant] = page.merchants()
    assert (merchant.shop_id, merchant.name, merchant.followers) == ("S1", "小店 · 好物", 12000)
    assert (merchant.licence_shown_as, merchant.licence_company) == ("text", "某某公司")
    assert merchant.url == "http://shop.test/u/1"
    first, second = page.listings()
    assert first.item_id == "11" and first.url == "http://shop.test/p/11"
    assert first.title == "第一条" and first.description == "第一条\n¥12.5 包邮"
    assert (first.price, first.currency, first.price_text) == (Decimal("12.5"), "CNY", "第一条\n¥12.5 包邮".replace("\n", " "))
    assert first.images == [{"url": "http://shop.test/i/1.jpg", "alt": "图一"}]
    assert first.extra == {"tags": "a,b"}
    assert (second.item_id, second.price, second.images) == ("12", Decimal("88"), [])  # price-parser reads "88r"
    links = list(page.links())
    assert ("http://shop.test/p/11?spm=1", "timeline") in links
    assert ("http://shop.test/u/1?page=2", "timeline") in links
    assert all("/cart/" not in url for url, _ in links)


def test_json_links_and_params() -> None:
    profile = parse_profile("""\
name: j
platform: demo
start_urls: ["http://api.test/v1/items?shop_id=5&limit=2"]
pages:
  items:
    type: json
    listing:
      each: "$.data.items[*]"
      fields:
        item_id: "$.id"
        url: {template: "{base}/v1/item?id={item_id}", type: url}
        price: {jsonpath: "$.fen", type: decimal}
        sales: {jsonpath: "$.sales", type: int}
    links:
      - {jsonpath: "$.data.next", params: {cursor: "{value}"}, page: items}
      - {jsonpath: "$.data.items[*].id", url: "/v1/item?id={value}", page: items}
""", "j.yaml")
    body = json.dumps({"data": {"items": [{"id": 1, "fen": 1250, "sales": 3}, {"id": "2"}], "next": "Q1=="}})
    response = JsonResponse("http://api.test/v1/items?shop_id=5&limit=2", body=body.encode(),
                            request=Request("http://api.test/v1/items?shop_id=5&limit=2"))
    page = ProfiledPage(profile, profile.pages["items"], response)
    one, two = page.listings()
    assert (one.item_id, one.url, one.price, one.currency, one.sales) == ("1", "http://api.test/v1/item?id=1", Decimal(1250), "CNY", 3)
    assert two.item_id == "2" and two.price is None
    links = [u for u, _ in page.links()]
    assert links[0] == "http://api.test/v1/items?shop_id=5&limit=2&cursor=Q1%3D%3D"
    assert links[1:] == ["http://api.test/v1/item?id=1", "http://api.test/v1/item?id=2"]
