"""Profile validation: every mistake is reported as file:line: reason before a crawl starts;
and the weishop profile, applied to saved pages, reads what the weishop page objects read."""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from crawler.errors import UserError
from crawler.profiles import ProfileError, load_profile, parse_profile

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "pages"))

GOOD = """\
name: demo
platform: demo
start_urls: ["http://shop.example:{port}/"]
pages:
  list:
    links:
      - {css: "a.item", page: item}
      - {css: 'a[rel="next"]', page: list}
  item:
    listing:
      fields:
        item_id: {url_regex: '/item/(\\d+)'}
        title: "h1"
        price: {css: "span.price", type: price}
"""


def error(text: str) -> ProfileError:
    with pytest.raises(ProfileError) as info:
        parse_profile(textwrap.dedent(text), "bad.yaml")
    return info.value


def test_good_profile_loads() -> None:
    profile = parse_profile(GOOD, "good.yaml")
    assert profile.start_page == "list"
    assert profile.start_urls_for(8811) == ["http://shop.example:8811/"]
    assert [r.page for r in profile.pages["list"].links] == ["item", "list"]


def test_shipped_profiles_load() -> None:
    weishop = load_profile(ROOT / "profiles" / "weishop.yaml")
    assert weishop.platform == "weishop" and weishop.pages["item"].accept_status == [404, 410]
    assert weishop.politeness.concurrency == 16
    for path in (ROOT / "tests" / "profiles").glob("*.yaml"):
        load_profile(path)


@pytest.mark.parametrize("text, line, reason", [
    (GOOD.replace("platform: demo", "platfrom: demo"), 2, "unknown key 'platfrom'"),
    (GOOD.replace("name: demo\n", ""), 1, "missing required key 'name'"),
    (GOOD.replace('{css: "a.item", page: item}', '{css: "a[[item", page: item}'), 7, "bad css selector"),
    (GOOD.replace('{css: "a.item", page: item}', '{xpath: "//a[@class=", page: item}'), 7, "bad xpath selector"),
    (GOOD.replace('{css: "a.item", page: item}', '{css: "a.item", page: itme}'), 7, "unknown page 'itme'"),
    (GOOD.replace('title: "h1"', 'titel: "h1"'), 13, "unknown listing field 'titel'"),
    (GOOD.replace("'/item/(\\d+)'", "'/item/(\\d+'"), 12, "bad regular expression"),
    (GOOD.replace("type: price", "type: money"), 14, "type must be one of"),
    (GOOD.replace('title: "h1"', 'title: "h1"\n        title: "h2"'), 14, "duplicate key 'title'"),
    (GOOD.replace("      fields:\n        item_id: {url_regex: '/item/(\\d+)'}\n", "      fields:\n"), 10,
     "must define fields.item_id"),
    (GOOD.replace('pages:', 'max_pages: lots\npages:'), 4, "max_pages must be an integer"),
    (GOOD.replace('  list:\n', '  list:\n    type: json\n'), 8, "css selectors need an html page"),
    (GOOD.replace('start_urls: ["http://shop.example:{port}/"]', 'start_urls: ["shop.example/"]'), 3,
     "start URL must be absolute"),
    (GOOD.replace('title: "h1"', 'title: {css: "h1", xpath: "//h1"}'), 13, "exactly one of"),
    (GOOD + "    extra_key: 1\n", 15, "unknown key 'extra_key' in pages.item"),
    (GOOD.replace('page: list}', 'page: list]'), 8, "YAML syntax error"),
])
def test_profile_errors_name_line_and_reason(text: str, line: int, reason: str) -> None:
    err = error(text)
    assert err.line == line, str(err)
    assert reason in err.reason, str(err)
    assert str(err).startswith(f"bad.yaml:{line}: ")
    assert isinstance(err, UserError)  # the CLI prints it as one line


def test_json_profile_errors() -> None:
    text = """\
    name: api
    platform: api
    start_urls: ["http://api.example/v1/shops"]
    pages:
      shops:
        type: json
        links:
          - {jsonpath: "$.data.shops[*].id", url: "/v1/shop?id={value}&x={nope}", page: shops}
    """
    err = error(text)
    assert (err.line, "unknown placeholder {nope}" in err.reason) == (8, True), str(err)
    err = error(text.replace('"$.data.shops[*].id"', '"$.data[["').replace("&x={nope}", ""))
    assert err.line == 8 and "bad jsonpath selector" in err.reason
    each = """\
    name: api
    platform: api
    start_urls: ["http://api.example/v1/items"]
    pages:
      items:
        type: json
        listing:
          each: "$.data.items[*]"
          fields:
            item_id: "$.id"
    """
    err = error(each)
    assert err.line == 7 and "give fields.url" in err.reason


def test_missing_file_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read the profile"):
        load_profile(tmp_path / "nope.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ProfileError, match="empty"):
        load_profile(empty)


# --- the profile engine on saved pages -----------------------------------------------------------


@pytest.mark.parametrize("name", ["weishop_item_jsonld", "weishop_item_microdata", "weishop_item_gbk",
                                  "weishop_item_malformed", "weishop_delisted_404", "weishop_delisted_page"])
def test_weishop_profile_reads_item_pages_like_the_page_object(name: str) -> None:
    from saved_pages import saved

    from spiders.pages.profiled import ProfiledPage
    from spiders.pages.weishop import WeishopItemPage

    profile = load_profile(ROOT / "profiles" / "weishop.yaml")
    response, expect = saved(name)
    [got] = ProfiledPage(profile, profile.pages["item"], response).listings()
    want = WeishopItemPage(response).listing(shop_id=expect.get("shop_id"))
    assert want is not None
    fields = ("item_id", "url", "title", "description", "category", "price", "currency", "price_text", "sales",
              "images", "status")
    if want.status == "delisted":
        fields = ("item_id", "url", "status")
    assert {f: getattr(got, f) for f in fields} == {f: getattr(want, f) for f in fields}


@pytest.mark.parametrize("shape", ["text", "image", "missing", "malformed"])
def test_weishop_profile_reads_shop_pages_like_the_page_object(shape: str) -> None:
    from saved_pages import saved

    from spiders.pages.profiled import ProfiledPage
    from spiders.pages.weishop import WeishopShopPage

    profile = load_profile(ROOT / "profiles" / "weishop.yaml")
    response, _ = saved(f"weishop_shop_{shape}")
    [got] = ProfiledPage(profile, profile.pages["shop"], response).merchants()
    assert got == WeishopShopPage(response).merchant()
    links = list(ProfiledPage(profile, profile.pages["shop"], response).links())
    assert links == [(WeishopShopPage(response).items_url(), "items")]
