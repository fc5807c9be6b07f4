"""Text transforms sellers use (full-width, split characters, traditional forms) and GBK safety."""
from __future__ import annotations

import random

_TRAD = str.maketrans({"烟": "菸", "条": "條", "盒": "盒", "电": "電", "弹": "彈", "软": "軟", "硬": "硬",
                       "华": "華", "双": "雙", "喜": "喜", "龙": "龍", "黄": "黃", "鹤": "鶴", "楼": "樓",
                       "货": "貨", "价": "價", "发": "發", "现": "現", "实": "實", "图": "圖", "买": "買",
                       "卖": "賣", "专": "專", "卷": "捲", "扫": "掃", "支": "支", "细": "細", "口": "口",
                       "粮": "糧", "雾": "霧", "器": "器", "国": "國", "产": "產", "进": "進", "税": "稅"})
#: Separators inserted between characters to dodge keyword filters.
SPLITTERS = (" ", "*", "/", ".", "-", "_", "~", "·", "丶", "｜", " / ", "❤", "+")


def fullwidth(text: str) -> str:
    """ASCII letters/digits to their full-width forms (ＲＥＬＸ, １条)."""
    out = []
    for ch in text:
        code = ord(ch)
        out.append(chr(code + 0xFEE0) if 0x21 <= code <= 0x7E else "\u3000" if ch == " " else ch)
    return "".join(out)


def traditional(text: str) -> str:
    """Swap the characters filters look for into traditional forms (香菸, 電子菸)."""
    return text.translate(_TRAD)


def split_chars(rng: random.Random, word: str, splitter: str | None = None) -> str:
    """香烟 -> 香 烟 / 香*烟 / 香-烟 (the same splitter between every character)."""
    sep = splitter if splitter is not None else rng.choice(SPLITTERS)
    return sep.join(word)


def gbk_safe(text: str) -> str:
    """Drop characters GBK cannot encode (emoji, ZWSP) and map ¥ to its full-width form."""
    text = text.replace("¥", "￥").replace("\u200b", "").replace("\ufe0f", "")
    try:
        text.encode("gbk")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            continue
        out.append(ch)
    return "".join(out)
