"""Tobacco listings: explicit sales and the evasions sellers use to get past keyword filters.

Every strategy keeps a real signal a careful reader would catch (a brand with a unit or price, an
e-cig word, a spelled-around 香烟), so the label is honest; the note names the strategy.
"""
from __future__ import annotations

import random
from decimal import Decimal
from typing import Callable

from mallsim.phrasing.base import ListingContext, ListingDraft, base_price, fmt_price, maybe, pick, reprice, sample
from mallsim.phrasing.layout import paragraph, post, price_text, storefront_title
from mallsim.phrasing.text import fullwidth, split_chars, traditional
from mallsim.vocab import tobacco as V

#: strategy -> weight; "emoji" is skipped for GBK shops (emoji cannot be encoded there).
STRATEGIES: dict[str, int] = {"explicit": 18, "ecig": 16, "slang": 12, "emoji": 8, "traditional": 7,
                              "fullwidth": 6, "split": 9, "pinyin": 7, "duty_free": 7,
                              "disguised_ecig": 8, "rolling": 5}
_HOOKS = ("新到", "到货", "现货", "老客户福利", "补货", "今日价格", "内部渠道", "批发", "清仓", "特价", "诚信经营",
          "回头客多", "需要的联系", "懂的来", "少量", "货源稳定", "新批次", "实拍", "刚到一批", "价格美丽", "")
_COVER_TITLES = ("老客户专拍链接", "补差价专用", "礼品 拍前联系客服", "{cover} 专拍", "{cover} 新到 懂的联系",
                 "日用百货 一份", "茶叶礼盒（详情咨询）", "{cover}（备注需要的款）", "福利专拍 老客户懂", "拍下改价")
_COVER_GOODS = ("茶叶", "日用品", "礼品", "特产", "零食礼包", "配件", "文具", "土特产", "饮料")
_ASK = ("需要的私聊", "加我备注{w}", "{h}", "私信报价", "整条更便宜", "量大私聊", "老客户优先", "看到联系",
        "不懂勿扰", "只发熟客", "拍下备注牌子", "详询客服")


def _price_unit(words: random.Random, price: Decimal, unit: str) -> str:
    p = fmt_price(price)
    return pick(words, ("{p}一{u}", "{p}元/{u}", "{u}{p}", "一{u}只要{p}", "{p}/{u}", "¥{p}/{u}", "{p}r一{u}",
                        "{u}价{p}", "{p}米一{u}")).format(p=p, u=unit)


def _units(words: random.Random) -> str:
    return pick(words, V.CIG_UNITS).format(n=words.randint(2, 10))


def tobacco_listing(facts: random.Random, words: random.Random, ctx: ListingContext) -> ListingDraft:
    weights = dict(STRATEGIES)
    if ctx.merchant.gbk:
        weights.pop("emoji")
    strategy = facts.choices(list(weights), list(weights.values()))[0]
    desc_only = ctx.platform != "moments" and facts.random() < 0.25
    brand, lines, lo, hi = pick(facts, V.CIG_BRANDS)
    line = pick(facts, lines)
    eb = pick(facts, V.ECIG_BRANDS)
    flavour = pick(facts, V.ECIG_FLAVOURS)
    disguise = pick(facts, V.ECIG_DISGUISES)

    evasive = strategy in ("traditional", "fullwidth", "split", "pinyin")
    vape = strategy in ("ecig", "disguised_ecig") or (evasive and facts.random() < 0.35)
    if vape:
        base, unit = base_price(facts, 29, 399), pick(facts, ("盒", "支", "颗", "套"))
    elif strategy == "rolling":
        base, unit = base_price(facts, 15, 180), pick(facts, ("包", "盒", "袋", "套"))
    elif strategy == "duty_free":
        base, unit = base_price(facts, 120, 420), "条"
    else:
        unit = pick(facts, ("条", "条", "条", "盒"))
        base = base_price(facts, lo, hi) if unit == "条" else base_price(facts, lo / 10, hi / 10)
    price = reprice(base, ctx.price_factor)
    category = facts.choice(("digital", "household", "smoking_accessories", "toys", "food") if vape
                            else V.COVER_CATEGORIES)

    core, body = _fragments(strategy, words, vape=vape, line=line, brand=brand, eb=eb, flavour=flavour,
                            disguise=disguise, price=price, unit=unit)
    handle = ctx.merchant.handle
    ask = pick(words, _ASK).format(w=pick(words, ("牌子", "数量", "口味", "地址")), h=handle)
    body = [*body, *sample(words, V.SHIPPING, 0, 2), ask]
    words.shuffle(body)
    notes = [f"tobacco:{strategy}"]

    if ctx.platform == "moments":
        first = " ".join(x for x in (pick(words, _HOOKS), *core) if x)
        if words.random() < 0.4:
            first = f"{pick(words, V.SMOKE_EMOJI) if strategy == 'emoji' else ''}{first}"
        description = post(words, first, [*body, maybe(words, 0.5, handle)], emoji_rate=0.3)
        title = description.split("\n", 1)[0]
    elif desc_only:
        notes.append("tobacco:desc_only")
        title = storefront_title(words, [pick(words, _COVER_TITLES).format(cover=pick(words, _COVER_GOODS))],
                                 [pick(words, ("", "", "现货", "包邮"))])
        description = paragraph(words, [" ".join(core), *body])
    else:
        title = storefront_title(words, core, [pick(words, _HOOKS), pick(words, V.SHIPPING)], limit=60)
        description = paragraph(words, body)
    alts = ["实拍图", "细节图", f"{pick(words, core)}"] if not desc_only else ["实拍图", "细节图"]
    return ListingDraft(title=title, description=description, category=category, price=price,
                        image_alts=tuple(alts[: 1 + words.randrange(len(alts))]),
                        labels=frozenset({"tobacco"}), notes=tuple(notes))


def _fragments(strategy: str, words: random.Random, *, vape: bool, line: str, brand: str, eb: str, flavour: str,
               disguise: str, price: Decimal, unit: str) -> tuple[list[str], list[str]]:
    """(core fragments for the title / first line, body lines) for one strategy."""
    pu = _price_unit(words, price, unit)
    units = _units(words)
    spec = maybe(words, 0.4, pick(words, V.CIG_SPECS))
    trust = sample(words, V.TRUST, 1, 2)
    cig = pick(words, ("香烟", "卷烟", "香烟", "烟"))

    def explicit() -> tuple[list[str], list[str]]:
        core = words.sample([line, spec, units, cig if words.random() < 0.6 else ""], 4)
        core = [c for c in core if c] + [pu]
        body = [*trust, pick(words, (f"{brand}系列都有", f"各种{cig}都有货", f"{line}{units}", "整条发，散盒也可",
                                     "专柜同款", f"{cig}批发零售"))]
        return core, body

    def ecig() -> tuple[list[str], list[str]]:
        device = pick(words, V.ECIG_WORDS)
        pod = pick(words, V.ECIG_PODS)
        core = [x for x in words.sample([eb, device, maybe(words, 0.6, pod), maybe(words, 0.5, flavour)], 4) if x]
        body = [pick(words, (f"{pod}{flavour}口味", f"{flavour}/{pick(words, V.ECIG_FLAVOURS)}可选", f"适配{eb}一代二代")),
                *sample(words, V.ECIG_FEATURES, 1, 3), price_text(words, price, unit, social=True),
                pick(words, ("一颗弹能抽两三天", "烟油足", "不糊芯", f"{device}+{pod}套装"))]
        return core, body

    def slang() -> tuple[list[str], list[str]]:
        s = pick(words, V.SLANG)
        if s == "华子":
            line_ = pick(words, ("软华子", "硬华子", "华子", "细支华子"))
        else:
            line_ = line
        core = [x for x in words.sample([s, line_, units, pu], 4) if x]
        body = [*trust, pick(words, (f"{s}不断货", f"{s}随时有", f"{s}都懂的", f"各位{s}", f"兄弟们的{s}到了")),
                f"{line}{units}"]
        return core, body

    def emoji() -> tuple[list[str], list[str]]:
        e = pick(words, V.SMOKE_EMOJI)
        core = [f"{e}{line}", units, pu]
        body = [f"{e}{e} {pick(words, V.CODE_NAMES)}", *trust, f"{e}到货"]
        return core, body

    def trad() -> tuple[list[str], list[str]]:
        word = traditional(pick(words, ("电子烟", "烟弹", "烟油") if vape else ("香烟", "卷烟", "烟", "香烟")))
        lead = eb if vape else (traditional(line) if words.random() < 0.5 else line)
        core = [lead, word, pu if vape else traditional(units), pu if not vape else flavour]
        body = [traditional(f"{word}批发"), *trust,
                traditional(pick(words, ("各种口味都有", "烟弹现货", "电子烟配件")) if vape
                            else pick(words, ("正品香烟", "各种烟都有", "整条发货")))]
        return core, body

    def fw() -> tuple[list[str], list[str]]:
        word = pick(words, ("RELX", "IQOS", "YOOZ", "MOTI") if vape else ("yan", "xy", "Y", "xiang yan"))
        pod = pick(words, V.ECIG_PODS)
        core = [fullwidth(word), pod if vape else line, fullwidth(pu)]
        body = [fullwidth(f"{word} {pod} {flavour}") if vape else fullwidth(f"{word} {line} {units}"), *trust]
        return core, body

    def split() -> tuple[list[str], list[str]]:
        target = pick(words, ("电子烟", "烟弹", "雾化器", "烟油") if vape else ("香烟", "卷烟", "烟草", "香烟"))
        sep = pick(words, (" ", "*", "/", ".", "-", "_", "~", "丶", "❤", "\u200b", "+"))
        hidden = split_chars(words, target, sep)
        core = [hidden, eb if vape else line, pu]
        body = [f"{hidden}{pick(words, ('批发', '零售', '都有', '现货'))}", *trust, flavour if vape else units]
        return core, body

    def pinyin() -> tuple[list[str], list[str]]:
        py = pick(words, ("dian zi yan", "dianziyan", "yan dan", "yandan") if vape
                  else ("xiang yan", "xiangyan", "xy", "yan", "Yan", "YAN"))
        core = [py, eb if vape else line, pu]
        body = [f"{py} {pick(words, ('批发', '零售', '各种牌子', '都有', 'pi fa'))}", *trust, flavour if vape else units]
        return core, body

    def duty() -> tuple[list[str], list[str]]:
        foreign = pick(words, ("万宝路", "七星", "爱喜", "登喜路", "三五", "骆驼", "健牌", "希尔顿"))
        df = pick(words, V.DUTY_FREE)
        core = [df, foreign, units, pu]
        body = [f"{pick(words, V.DUTY_FREE)}{pick(words, ('到货', '现货', '批发', '有货'))}", *trust,
                pick(words, ("薄荷爆珠", "细支", "原装进口", "日本版", "韩国版")) + cig]
        return core, body

    def disguised() -> tuple[list[str], list[str]]:
        give = [pick(words, V.ECIG_STRONG), *sample(words, V.ECIG_GIVEAWAYS, 1, 2)]
        taste = flavour if flavour.endswith("味") else f"{flavour}味"
        core = [disguise, taste, pick(words, ("一次性", "可换弹", "3000口", "8000口", "大口数"))]
        body = [pick(words, (f"烟油{pick(words, ('足', '5ml', '10ml'))}", f"约{words.randint(3, 12)}000口",
                             "尼古丁含量5%", "雾化量大", "换弹即用")),
                f"{'/'.join(give)}都懂", pick(words, ("外观像饮料杯，很低调", "上课开会都方便", "不会被发现", "造型可爱")),
                price_text(words, price, unit, social=True)]
        return core, body

    def rolling() -> tuple[list[str], list[str]]:
        r = pick(words, V.ROLLING + V.CIGAR)
        core = [r, pick(words, ("手卷", "套装", "古巴", "整包", "散装", "进口")), pu]
        body = [pick(words, (f"{r}+卷烟器", "口感醇厚", "自己卷更省钱", "配滤嘴", "送卷烟纸")), *trust]
        return core, body

    make: dict[str, Callable[[], tuple[list[str], list[str]]]] = {
        "explicit": explicit, "ecig": ecig, "slang": slang, "emoji": emoji, "traditional": trad,
        "fullwidth": fw, "split": split, "pinyin": pinyin, "duty_free": duty, "disguised_ecig": disguised,
        "rolling": rolling}
    return make[strategy]()
