"""crawler.normalize: pure text and price functions."""
from __future__ import annotations

from decimal import Decimal

import pytest

from crawler.normalize import (
    clean_text,
    collapse_ws,
    content_hash,
    currency_code,
    listing_search_text,
    nfkc,
    parse_price,
    price_key,
    search_key,
    search_key_with_map,
    simplified,
    to_decimal,
)


def test_nfkc_full_width() -> None:
    assert nfkc("ＡＢＣ１２３（）") == "ABC123()"


def test_collapse_whitespace_and_zero_width() -> None:
    assert collapse_ws("  a\u3000\u3000b\n\t c \u200b") == "a b c"
    assert collapse_ws("香\u200b烟\ufeff") == "香烟"
    assert clean_text(" \u3000 ") is None and clean_text(None) is None
    assert clean_text(" 烟具\u3000配件 ") == "烟具 配件"


def test_simplified() -> None:
    assert simplified("香菸 香煙 電子煙 專利") == "香烟 香烟 电子烟 专利"
    assert simplified("abc 123") == "abc 123"


@pytest.mark.parametrize("shown,key", [
    ("香菸", "香烟"), ("香煙", "香烟"), ("ＡＢＣ", "abc"), ("RELX 悦刻", "relx 悦刻"),
    ("香\u200b烟", "香烟"), ("a\u3000\u3000b", "a b"), ("café", "cafe"), ("cafe\u0301", "cafe"),
    ("㎏", "kg"), ("ZL2019", "zl2019"), ("  x  ", "x"), ("", ""),
])
def test_search_key(shown: str, key: str) -> None:
    assert search_key(shown) == key


def test_search_key_is_substring_consistent() -> None:
    text = "正品香菸批發 ＲＥＬＸ 電子煙"
    for i in range(len(text)):
        for j in range(i + 1, len(text) + 1):
            part = search_key(text[i:j])
            if part:
                assert part in search_key(text)


def test_search_key_with_map_points_back_to_the_original() -> None:
    text = "a㎏香\u200b菸 Ｘ"
    norm, offsets = search_key_with_map(text)
    assert norm == "akg香烟 x" and len(offsets) == len(norm)
    start = norm.index("香烟")
    assert text[offsets[start]:offsets[start + 1] + 1] == "香\u200b菸"


def test_listing_search_text_separates_fields() -> None:
    assert listing_search_text("香菸", "ＡＢＣ") == "香烟\nabc"
    assert listing_search_text(None, None) == "\n"


@pytest.mark.parametrize("shown,amount,currency", [
    ("¥12.50", Decimal("12.50"), "CNY"), ("12.5元", Decimal("12.5"), "CNY"),
    ("￥1,299", Decimal("1299"), "CNY"), ("RMB 88", Decimal("88"), "CNY"),
    ("298一条", Decimal("298"), None), ("99-199", Decimal("99"), None),
    ("US$12", Decimal("12"), "USD"), ("¥ 0", Decimal("0"), "CNY"),
    ("面议", None, None), ("", None, None), (None, None, None), ("-5元", None, None),
    ("¥-5", None, None), ("99999999999元", None, None), ("x" * 500, None, None),
])
def test_parse_price(shown, amount, currency) -> None:
    assert parse_price(shown) == (amount, currency)


def test_to_decimal_and_price_key() -> None:
    assert to_decimal("1,299.00") == Decimal("1299.00")
    assert to_decimal(12.5) == Decimal("12.5")
    assert to_decimal("abc") is None and to_decimal("NaN") is None and to_decimal(-1) is None
    assert to_decimal(True) is None
    assert price_key(Decimal("12.50")) == price_key("12.5") == "12.5"
    assert price_key(Decimal("100")) == "100" and price_key(Decimal("0.00")) == "0"


def test_currency_codes() -> None:
    assert currency_code("￥") == currency_code("元") == currency_code("rmb") == "CNY"
    assert currency_code("usd") == "USD" and currency_code("??") is None and currency_code(None) is None


def test_content_hash_ignores_whitespace_and_price_format() -> None:
    a = {"title": "正品 香烟", "description": "x", "price": Decimal("12.50"), "currency": "CNY", "status": "active"}
    b = dict(a, title=" 正品   香烟 ", price="12.5")
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(dict(a, status="delisted"))
    assert content_hash(a) != content_hash(dict(a, title="正品香烟"))
    assert len(content_hash(a)) == 64


def test_single_character_t2s_is_exactly_opencc_for_every_code_point():
    """The per-character map asks OpenCC only about its dictionary keys; every other character
    must come out of OpenCC unchanged, or search keys and detection folds would drift."""
    from crawler.normalize import _T2S, t2s_char

    differ = [hex(cp) for cp in range(0x80, 0x30000) if not 0xD800 <= cp <= 0xDFFF
              and t2s_char(chr(cp)) != _T2S.convert(chr(cp))]
    assert differ == []
    assert t2s_char("菸") == "烟" and t2s_char("煙") == "烟" and t2s_char("烟") == "烟"
