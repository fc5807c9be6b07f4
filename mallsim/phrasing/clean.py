"""Product listings: a product described in storefront or social-post style.

Clean listings use it as is; patent, ad-law and trap generators pass extra fragments for the
title and sentences for the description, so their claims sit inside otherwise ordinary copy.
"""
from __future__ import annotations

import random
from decimal import Decimal
from typing import Sequence

from mallsim.phrasing.base import ListingContext, ListingDraft, base_price, maybe, pick, reprice, sample
from mallsim.phrasing.layout import EMOJI, paragraph, post, price_text, storefront_title
from mallsim.vocab.products import (CATALOGUE, HOUSE_BRANDS, SERVICE, STORAGE, TITLE_SUFFIXES, TITLE_TAGS,
                                    Product)

_INTROS = ("{name}，{point}", "这款{name}{point}", "{name}上新，{point}", "{point}的{name}", "本店{name}，{point}",
           "{name}：{point}", "家里常备的{name}，{point}", "回购很多次的{name}，{point}", "【{name}】{point}",
           "店里卖得好的{name}，{point}", "{name}，主打{point}")
_POINT_LINES = ("{a}，{b}", "{a}、{b}", "特点：{a}/{b}", "{a}，而且{b}", "优点是{a}，{b}", "{a}｜{b}", "{a}; {b}",
                "卖点：{a}，{b}")
_SPEC_LINES = ("规格：{spec}", "规格 {spec}", "可选：{spec}", "【规格】{spec}", "{spec}可选", "本链接为{spec}",
               "{spec}", "款式：{spec}")
_SOCIAL_FIRST = ("{emoji}{name}到货{emoji}", "{name} {point}", "今日上新｜{name}", "{opener} {name}",
                 "{name}回购无数次了", "姐妹们冲 {name}", "{emoji}{emoji}{name}", "自用推荐：{name}",
                 "新到{name}，{point}", "{name} 现货", "【{name}】{point}", "{opener}！{name}", "{name}～{point}")
_SOCIAL_LINES = ("{point}，{point2}", "{spec}", "需要的私我", "可代发，可批发", "老客户回购率很高", "有图有真相",
                 "数量不多，先到先得", "量大从优", "顺丰包邮", "下单备注地址电话", "{point}", "自己家也在用",
                 "朋友都说好", "{spec}，{point2}")


def pick_product(facts: random.Random, category: str, product: Product | None = None,
                 ) -> tuple[Product, str, Decimal, list[str]]:
    """Facts of a catalogue listing: product (unless given), spec, base price, 2-3 selling points."""
    product = product or pick(facts, CATALOGUE[category])
    spec = pick(facts, product.specs)
    price = base_price(facts, product.lo, product.hi)
    points = sample(facts, product.points, 2, 3)
    return product, spec, price, points


def render(words: random.Random, ctx: ListingContext, *, name: str, points: Sequence[str], spec: str,
           price: Decimal, unit: str, title_bits: Sequence[str] = (), desc_bits: Sequence[str] = (),
           lead: str | None = None, brand: str = "") -> tuple[str, str, tuple[str, ...]]:
    """(title, description, image alts) in the platform's style; bits land where they are asked."""
    a = points[0]
    b = points[1] if len(points) > 1 else points[0]
    c = points[2] if len(points) > 2 else ""
    if ctx.platform == "moments":
        first = pick(words, _SOCIAL_FIRST).format(
            emoji=pick(words, ("✨", "🔥", "🌟", "")), name=name, point=a,
            opener=pick(words, ("上新啦", "到货", "补货了", "实拍", "好物分享")))
        if title_bits:
            first = " ".join([first, *title_bits]) if words.random() < 0.5 else " ".join([*title_bits, first])
        pool = _SOCIAL_LINES if spec else [x for x in _SOCIAL_LINES if "{spec}" not in x]
        lines = [pick(words, pool).format(point=a, point2=b, spec=spec) for _ in range(words.randint(1, 3))]
        lines = list(dict.fromkeys(lines))
        for bit in desc_bits:
            lines.insert(words.randint(0, len(lines)), bit)
        lines.insert(words.randint(0, len(lines)), price_text(words, price, unit, social=True))
        lines.append(maybe(words, 0.5, ctx.merchant.handle))
        description = post(words, first, [ln for ln in lines if ln])
        title = description.split("\n", 1)[0]
    else:
        extras = [spec if words.random() < 0.6 else "", c if lead is None else ""]
        core = [brand if words.random() < 0.8 else f"【{brand}】", name, a if lead is None else lead] if brand \
            else [name, a if lead is None else lead]
        title = storefront_title(words, core, extras, tag=pick(words, TITLE_TAGS),
                                 suffix=pick(words, TITLE_SUFFIXES), must=title_bits)
        sentences = [pick(words, _INTROS).format(name=f"{brand}{name}" if brand and words.random() < 0.5 else name,
                                                 point=a),
                     pick(words, _POINT_LINES).format(a=b, b=c) if c else b,
                     maybe(words, 0.7, pick(words, _SPEC_LINES).format(spec=spec)) if spec else "",
                     maybe(words, 0.25, price_text(words, price, unit))]
        for bit in desc_bits:
            sentences.insert(words.randint(0, len(sentences)), bit)
        description = paragraph(words, [*sentences, *sample(words, SERVICE, 1, 3)])
    alts = [name, f"{name} {spec}".strip(), f"{name}实拍", f"{pick(words, EMOJI)}{name}细节"]
    return title, description, tuple(alts[: 1 + words.randrange(3)])


def clean_listing(facts: random.Random, words: random.Random, ctx: ListingContext, category: str,
                  *, title_bits: Sequence[str] = (), desc_bits: Sequence[str] = (),
                  name: str | None = None, product: Product | None = None) -> ListingDraft:
    """A catalogue product, optionally carrying extra fragments (claims) from another generator."""
    product, spec, base, points = pick_product(facts, category, product)
    if name is not None:
        product = Product(name, product.lo, product.hi, product.specs, product.points, product.unit)
    price = reprice(base, ctx.price_factor)
    brand = maybe(facts, 0.35, pick(facts, HOUSE_BRANDS[category]))
    bits = [*desc_bits, maybe(words, 0.5, STORAGE.get(category, ""))]
    title, description, alts = render(words, ctx, name=product.name, points=points, spec=spec, price=price,
                                      unit=product.unit, title_bits=title_bits, desc_bits=[b for b in bits if b],
                                      brand=brand)
    draft = ListingDraft(title=title, description=description, category=category, price=price, image_alts=alts)
    if category == "smoking_accessories":
        draft.hard_negative = True
        draft.notes = ("trap:smoking_accessory",)
    return draft
