"""How text is laid out per platform: storefront titles, descriptions, social posts, prices.

Generators hand over fragments; these helpers vary joiners, order, filler and price wording so
the same fragments never come out in one fixed shape.
"""
from __future__ import annotations

import random
from decimal import Decimal
from typing import Sequence

from mallsim.phrasing.base import fmt_price, pick

#: Emojis that carry no meaning for any detector (no 💯 -- it reads as "100%").
EMOJI = ("✨", "🔥", "💥", "👍", "❤️", "🎁", "📦", "🌟", "✅", "👉", "🌸", "🍀", "😍", "🙏", "⚡", "🎉", "👇")
TITLE_JOINERS = (" ", " ", "", " ", "｜", "·", "/", "  ")
DESC_JOINERS = ("，", "。", "；", "\n", "！", " ")
POST_OPENERS = ("", "", "", "上新啦", "到货", "今日推荐", "姐妹们看过来", "老客户回购", "新到一批", "早安~",
                "补货了", "限量", "实拍", "有需要的私聊", "朋友圈福利")


def storefront_title(rng: random.Random, core: Sequence[str], extras: Sequence[str] = (),
                     tag: str = "", suffix: str = "", limit: int = 60, must: Sequence[str] = ()) -> str:
    """``tag`` + core fragments (in order) + extras and ``must`` fragments shuffled in + ``suffix``.

    Over ``limit`` characters, optional parts (extras, suffix, tag) are dropped first; ``must``
    fragments (claims a truth label depends on) are never cut.
    """
    parts = [p for p in core if p]
    optional = [e for e in extras if e]
    for frag in [*optional, *must]:
        if frag:
            parts.insert(rng.randint(1 if parts else 0, len(parts)), frag)
    joiner = pick(rng, TITLE_JOINERS)
    suffix_gap = pick(rng, (" ", "", " "))
    tag_front = rng.random() < 0.8

    def build(parts: list[str], tag: str, suffix: str) -> str:
        title = joiner.join(parts)
        if suffix:
            title = f"{title}{suffix_gap}{suffix}"
        if tag:
            title = f"{tag}{title}" if tag_front else f"{title}{tag}"
        return title.strip()

    title = build(parts, tag, suffix)
    for drop in ("suffix", "tag", *optional):
        if len(title) <= limit:
            break
        if drop == "suffix":
            suffix = ""
        elif drop == "tag":
            tag = ""
        elif drop in parts:
            parts.remove(drop)
        title = build(parts, tag, suffix)
    if len(title) > limit and not must:
        title = title[:limit].strip()
    return title


def paragraph(rng: random.Random, sentences: Sequence[str]) -> str:
    """Sentences joined with one randomly chosen punctuation style, optional emoji bullets."""
    items = [s for s in sentences if s]
    if not items:
        return ""
    style = rng.random()
    if style < 0.15:
        bullet = pick(rng, ("✅", "·", "▶", "●", "👉", "-"))
        return "\n".join(f"{bullet}{s}" for s in items)
    if style < 0.3:
        return "\n".join(items)
    joiner = pick(rng, DESC_JOINERS)
    text = joiner.join(items)
    return text + ("。" if joiner in "，；。" and rng.random() < 0.6 else "")


def post(rng: random.Random, first_line: str, lines: Sequence[str], emoji_rate: float = 0.5) -> str:
    """A social post: first line (becomes the title), then body lines with emojis sprinkled."""
    out = [first_line]
    for line in lines:
        if not line:
            continue
        if rng.random() < emoji_rate:
            line = f"{pick(rng, EMOJI)}{line}" if rng.random() < 0.5 else f"{line}{pick(rng, EMOJI)}"
        out.append(line)
    if rng.random() < 0.5 and len(out) > 2:
        head, body = out[0], out[1:]
        return head + "\n" + pick(rng, ("，", " ", "\n", "～")).join(body)
    return "\n".join(out)


def price_text(rng: random.Random, price: Decimal, unit: str = "件", social: bool = False) -> str:
    """How a seller writes a price in free text: ¥88 / 88r / 298一条 / 价格168 / 168米 ..."""
    p = fmt_price(price)
    forms = ["¥{p}", "{p}元", "价格：{p}", "到手价{p}", "{p}/{u}", "只要{p}元", "售价{p}元", "活动价¥{p}",
             "￥{p}", "{p}元包邮"]
    if social:
        forms += ["{p}一{u}", "{p}r", "💰{p}", "{p}米", "{p}一{u}包邮", "{p}", "🉐{p}", "{p}块", "P：{p}"]
        if price == int(price) and int(price) % 10 == 0 and 0 < price < 10000:
            forms += ["{cn}一{u}", "{cn}"]
    return pick(rng, forms).format(p=p, u=unit, cn=spoken_number(int(price)))


def spoken_number(n: int) -> str:
    """380 -> 三百八, 1200 -> 一千二, 50 -> 五十: how sellers say round prices."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("十" if tens == 1 else digits[tens] + "十") + (digits[ones] if ones else "")
    units = ((1000, "千"), (100, "百"))
    for value, name in units:
        if n >= value:
            head, rest = divmod(n, value)
            lead = ("两" if head == 2 else digits[head]) + name
            if rest == 0:
                return lead
            if rest % (value // 10) == 0 and rest < value:
                return lead + digits[rest // (value // 10)]
            return lead + ("零" if rest < value // 10 else "") + spoken_number(rest)
    return str(n)
