"""Extraction helpers shared by every page object and the profile spider.

Small pure functions over parsel selectors and strings: text cleanup, numbers as shops print
them (``已售 1.2万 件``), prices (price-parser plus the free-text forms sellers use in posts),
the 营业执照 licence block in its three shapes.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from parsel import Selector, SelectorList
from price_parser import Price
from scrapy.http import HtmlResponse, TextResponse

#: Currency symbols and words as Chinese shops print them -> ISO code.
CURRENCIES: dict[str, str] = {
    "¥": "CNY", "￥": "CNY", "元": "CNY", "块": "CNY", "rmb": "CNY", "RMB": "CNY", "CNY": "CNY",
    "人民币": "CNY", "$": "USD", "US$": "USD", "USD": "USD", "HK$": "HKD", "HKD": "HKD",
}

_BREAKS = re.compile(r"[ \u00a0]*[\t\r\n\f\v]+\s*")


def clean(text: str | None) -> str | None:
    """Stripped, line breaks and tabs (markup layout) folded into one space; None for empty.

    Runs of ordinary spaces are kept: they are the seller's text (``帆布包  可装电脑``), and
    keyword evasion lives in such details.
    """
    if text is None:
        return None
    text = _BREAKS.sub(" ", text).strip()
    return text or None


def node_text(sel: Selector | SelectorList | None, separator: str = "") -> str | None:
    """All text under the (first) node, cleaned. ``separator`` joins text nodes (e.g. "\\n")."""
    if sel is None:
        return None
    if isinstance(sel, SelectorList):
        if not sel:
            return None
        sel = sel[0]
    parts = sel.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    if separator == "\n":  # one line per text node and per line break inside one
        lines = [clean(line) for part in parts for line in part.splitlines()]
        return "\n".join(line for line in lines if line) or None
    return clean(separator.join(parts))


def first(sel: Selector | SelectorList | TextResponse, css: str) -> str | None:
    return clean(sel.css(css).get())


def parse_int(text: str | None) -> int | None:
    """First number in ``text`` as an int: ``已售 123 件`` -> 123, ``1.2万`` -> 12000, ``1,234`` -> 1234."""
    if not text:
        return None
    text = fold_width(text)
    match = re.search(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万|w|W|千|k|K)?", text)
    if not match:
        return None
    value = Decimal(match[1].replace(",", ""))
    scale = {"万": 10000, "w": 10000, "W": 10000, "千": 1000, "k": 1000, "K": 1000}.get(match[2] or "", 1)
    return int(value * scale)


def parse_float(text: str | None) -> float | None:
    if not text:
        return None
    match = re.search(r"\d+(?:\.\d+)?", fold_width(text))
    return float(match[0]) if match else None


def currency_code(symbol: str | None, default: str | None = None) -> str | None:
    if not symbol:
        return default
    symbol = symbol.strip()
    return CURRENCIES.get(symbol, CURRENCIES.get(symbol.upper(), symbol.upper() if len(symbol) == 3 else default))


def parse_price(text: str | None, default_currency: str | None = None) -> tuple[Decimal | None, str | None]:
    """(amount, ISO currency) from a price as a shop shows it (``¥12.50``, ``12.50元``)."""
    if not text:
        return None, None
    price = Price.fromstring(fold_width(text))
    if price.amount is None:
        return None, None
    currency = currency_code(price.currency, None)
    if currency is None:
        currency = "CNY" if re.search(r"[¥￥元块]|rmb", text, re.IGNORECASE) else default_currency
    return price.amount, currency


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


# --- prices in free text (social posts) ---------------------------------------------------------

_NUM = r"(?<![\d.])(\d{1,5}(?:\.\d{1,2})?)(?![\d])"  # at most 5 integer digits: never an id
_SP = r"[ \t]*"  # spaces within one line (a price never spans a line break)
_UNITS = "条盒瓶件个套箱包支份斤袋罐只双本张台片贴粒枚对把根颗口杯饼卷块桶辆"
_CN_DIGITS = "零一二两三四五六七八九十百千万"
_ALONE_BEFORE = r"(?<![\w.:：/*×+-])"  # not glued to a word, id, size ("30g*5") or code
_YUAN = rf"(?:元|块|rmb|RMB|(?<=\d)[rR](?![A-Za-z]))"
#: Ordered: the first pattern that matches anywhere in the post wins (most explicit first).
_PRICE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"[¥￥]{_SP}{_NUM}"),
    re.compile(rf"(?:💰|🉐){_SP}{_NUM}"),
    # 价格：168 / 售价168 / 到手价168 / 条价269; not "特价 20支" or "今日价格 8条" (quantities)
    re.compile(rf"(?:(?:价格|只要|仅需){_SP}[:：]?{_SP}[¥￥]?{_SP}|价[:：]?[¥￥]?){_NUM}(?![.]|{_SP}[{_UNITS}])"),
    re.compile(rf"(?<![A-Za-z])[Pp]{_SP}[:：]{_SP}{_NUM}"),
    re.compile(rf"{_ALONE_BEFORE}{_NUM}{_SP}{_YUAN}?{_SP}(?:一|/){_SP}[{_UNITS}]"),
    re.compile(rf"(?<![A-Za-z.:：/*×+-]){_NUM}{_SP}{_YUAN}"),  # "现货88r": a CJK word may precede
    # "168米" is slang for 元; "1米"/"2米" is a cable length
    re.compile(rf"{_ALONE_BEFORE}(\d{{2,5}}(?:\.\d{{1,2}})?|\d\.\d{{1,2}}){_SP}米(?![长宽高])"),
    re.compile(rf"(?:^|(?<=[\s，,]))[条盒支颗]{_SP}{_NUM}(?![\w.])", re.MULTILINE),  # "条499": per carton
)
_CN_PRICE = re.compile(rf"(?<![{_CN_DIGITS}\w])([{_CN_DIGITS}]{{2,}}){_SP}(?:一[{_UNITS}]|元|块|(?=[，,。～~！!\s]|$))",
                       re.MULTILINE)
#: A number standing alone between spaces, punctuation or emoji ("～34.9", "，10，", "140✨").
_STANDALONE = re.compile(rf"{_ALONE_BEFORE}{_NUM}(?![\w.%:：/*×-])")


def chinese_number(text: str) -> int | None:
    """三百八 -> 380, 一千二 -> 1200, 五十 -> 50, 两百 -> 200, 一千零五十 -> 1050 (spoken prices)."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits["两"] = 2
    units = {"十": 10, "百": 100, "千": 1000, "万": 10000}
    total, current, last_unit, zero = 0, None, 1, False
    for ch in text:
        if ch in digits:
            current = digits[ch]
            zero = zero or current == 0
        elif ch in units:
            total += (current if current else 1) * units[ch]
            current, last_unit, zero = None, units[ch], False
        else:
            return None
    if current:
        # a digit right after a unit is one unit lower (三百八 = 380) unless a 零 came between
        total += current * (last_unit // 10 if last_unit >= 100 and not zero else 1)
    return total or None


def price_in_text(text: str | None, default_currency: str = "CNY") -> tuple[Decimal | None, str | None, str | None]:
    """(amount, currency, price_text) found in a free-text post; amount None when no price is clear.

    Tries explicit forms first (``¥88``, ``💰128``, ``价格：168``, ``88r``, ``298元``, ``298一条``),
    then spoken round prices (``三百八一条``), then a number standing alone (``～34.9``). ``price_text`` is
    the snippet the price came from, kept even when it cannot be parsed.
    """
    if not text:
        return None, None, None
    norm = fold_width(text)

    def shown(match: re.Match[str]) -> str:
        return text[match.start():match.end()].strip()  # as the post shows it (fold_width is 1:1)

    for pattern in _PRICE_PATTERNS:
        match = pattern.search(norm)
        if match:
            amount = to_decimal(match[1])
            if amount is not None and amount > 0:
                return amount, default_currency, shown(match)
    for match in _CN_PRICE.finditer(norm):
        value = chinese_number(match[1])
        if value:
            return Decimal(value), default_currency, shown(match)
    # standalone numbers: a lone single digit is more often a patent-number fragment or a
    # quantity than a price, so it is only taken when nothing better stands alone
    fallback = None
    for match in _STANDALONE.finditer(norm):
        amount = to_decimal(match[1])
        if amount is None or amount <= 0:
            continue
        if amount >= 10 or "." in match[1]:
            return amount, default_currency, shown(match)
        fallback = fallback or (amount, default_currency, shown(match))
    return fallback or (None, None, None)


def title_from_text(text: str | None, limit: int = 30) -> str | None:
    """A post's title: its first non-empty line, at most ``limit`` characters."""
    if not text:
        return None
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:limit]  # a cut title may end in a space, as the platform cuts it
    return None


_WIDE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xFFE5: 0xA5}


def fold_width(text: str) -> str:
    """Full-width ASCII (１２８, ＲＭＢ, ￥) to ASCII, one character for one: positions are kept,
    and unlike NFKC, emoji such as 🉐 stay what they are."""
    return text.translate(_WIDE)


# --- licence block (营业执照) ----------------------------------------------------------------------

LICENCE_FIELDS: dict[str, str] = {
    "企业名称": "company", "名称": "company", "统一社会信用代码": "uscc", "信用代码": "uscc",
    "住所": "address", "地址": "address", "经营场所": "address", "经营范围": "scope",
}
_ALT_FIELD = re.compile(r"(企业名称|统一社会信用代码|住所|经营范围)\s*[:：]\s*")


def licence_from_alt(alt: str) -> dict[str, str]:
    """Fields from an image's alt text: ``营业执照 企业名称：X 统一社会信用代码：Y 住所：Z ...``."""
    out: dict[str, str] = {}
    marks = list(_ALT_FIELD.finditer(alt))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(alt)
        value = clean(alt[mark.end():end])
        if value:
            out[LICENCE_FIELDS[mark[1]]] = value
    return out


def licence_from_html(sel: Selector | TextResponse) -> dict[str, str | None]:
    """The licence block in its three shapes -> company/uscc/address/scope + shown_as.

    ``<div class="licence"><dl><dt>企业名称</dt><dd>..</dd>..`` is "text"; an ``img.licence-img``
    whose alt text carries the fields is "image" (the alt text is all a crawler can read);
    no block is "missing". Works on malformed markup (unclosed dt/dd) because lxml closes them.
    """
    out: dict[str, str | None] = {"company": None, "uscc": None, "address": None, "scope": None,
                                  "shown_as": "missing"}
    block = sel.css("div.licence")
    if not block:
        return out
    for dt in block.css("dl dt"):
        name = clean("".join(dt.xpath(".//text()").getall()))
        key = LICENCE_FIELDS.get(name or "")
        if key:
            dd = dt.xpath("following-sibling::dd[1]")
            out[key] = node_text(dd)
    if any(out[k] for k in ("company", "uscc", "address", "scope")):
        out["shown_as"] = "text"
        return out
    alt = block.css("img.licence-img::attr(alt), img::attr(alt)").get()
    if alt:
        out.update(licence_from_alt(alt))
        out["shown_as"] = "image"
    return out


def images_from(sel: Selector | SelectorList, response: TextResponse) -> list[dict[str, str]]:
    """[{"url": absolute, "alt": text}] for the img elements under ``sel``."""
    images = []
    for img in sel.css("img"):
        src = img.attrib.get("src") or img.attrib.get("data-src")
        if src:
            images.append({"url": response.urljoin(src), "alt": clean(img.attrib.get("alt")) or ""})
    return images


def html_response(url: str, body: bytes, encoding: str | None = None, status: int = 200,
                  headers: dict[str, str] | None = None) -> HtmlResponse:
    """A response built from saved bytes (tests, re-extraction from evidence)."""
    hdrs = dict(headers or {})
    if encoding and not any(k.lower() == "content-type" for k in hdrs):
        hdrs["Content-Type"] = f"text/html; charset={encoding}"
    return HtmlResponse(url=url, body=body, status=status, headers=hdrs, encoding=encoding or None)
