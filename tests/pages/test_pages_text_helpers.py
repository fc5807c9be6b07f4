"""Free-text prices, spoken numbers, titles, licence alt text, numbers as shops print them."""
from __future__ import annotations

from decimal import Decimal

import pytest

from spiders.pages.base import (
    chinese_number, licence_from_alt, parse_int, parse_price, price_in_text, title_from_text,
)


@pytest.mark.parametrize("text, amount, shown", [
    ("很好用\n298一条", "298", "298一条"),
    ("¥88 包邮", "88", "¥88"),
    ("现货88r", "88", "88r"),
    ("💰128", "128", "💰128"),
    ("✨卸妆油到货✨\n200ml，温和✨～🉐168～加微sunly60655", "168", "🉐168"),
    ("三百八一条 需要私", "380", "三百八一条"),
    ("规格 500g\n168", "168", "168"),
    ("P：99 wx123", "99", "P：99"),
    ("20支/盒 只要35元", "35", "只要35"),
    ("到手价12.5", "12.5", "价12.5"),
    ("69/件", "69", "69/件"),
    ("￥３８", "38", "￥３８"),
    ("特价 20支/盒 香烟 条价269", "269", "价269"),
    ("新到数据线\n需要的私我 1米，耐弯折 18.99r🎁", "18.99", "18.99r"),
    ("专利号：ZL 202323180182．9 今日上新｜无线鼠标\n下单备注地址电话～34.9", "34.9", "34.9"),
    ("30g*5，滋润 便携 20", "20", "20"),
])
def test_price_in_text(text: str, amount: str, shown: str) -> None:
    price, currency, price_text = price_in_text(text)
    assert price == Decimal(amount)
    assert currency == "CNY"
    assert price_text == shown


def test_no_price_in_text() -> None:
    assert price_in_text("需要的私聊 VX:shop_2414") == (None, None, None)
    assert price_in_text(None) == (None, None, None)


def test_price_in_text_on_the_world_is_accurate() -> None:
    """Over every moments post of a small world: almost always found, (practically) never wrong."""
    from mallsim.platforms.moments import post_text
    from mallsim.world import World, WorldConfig

    world = World(WorldConfig(seed=7, merchants=300, day=0))
    found = wrong = total = 0
    for merchant in world.merchants("moments"):
        for listing in world.listings(merchant):
            total += 1
            price, _, _ = price_in_text(post_text(listing))
            if price is not None:
                found += 1
                wrong += price != listing.price
    assert total > 500
    assert found / total > 0.97
    assert wrong / total < 0.005


@pytest.mark.parametrize("text, value", [("三百八", 380), ("一千二", 1200), ("五十", 50), ("两百", 200),
                                         ("一千零五十", 1050), ("九十九", 99), ("十", 10)])
def test_chinese_number(text: str, value: int) -> None:
    assert chinese_number(text) == value


def test_title_from_text() -> None:
    assert title_from_text("第一行\n第二行") == "第一行"
    assert title_from_text("一" * 40) == "一" * 30
    assert title_from_text("\n\n  标题  \n正文") == "标题"
    assert title_from_text("") is None


def test_licence_from_alt() -> None:
    alt = "营业执照 企业名称：上海某某有限公司 统一社会信用代码：91310000MA1FL0XX1X 住所：上海市浦东新区 经营范围：食品销售"
    assert licence_from_alt(alt) == {"company": "上海某某有限公司", "uscc": "91310000MA1FL0XX1X",
                                     "address": "上海市浦东新区", "scope": "食品销售"}


def test_numbers_as_printed() -> None:
    assert parse_int("已售 123 件") == 123
    assert parse_int("已售 1.2万 件") == 12000
    assert parse_int("1,234") == 1234
    assert parse_int("已售 １２ 件") == 12
    assert parse_int("暂无") is None
    assert parse_price("¥12.50") == (Decimal("12.50"), "CNY")
    assert parse_price("￥3.5") == (Decimal("3.5"), "CNY")
    assert parse_price("12.50元") == (Decimal("12.50"), "CNY")
    assert parse_price("") == (None, None)
