"""Text and price normalization: pure functions shared by the pipelines, the store and the index.

Why per character: search is substring matching (Chinese has no spaces), so the normalized form of
a substring must be a substring of the normalized text. Converting character by character
(NFKC, lower case, diacritics removed, traditional -> simplified via OpenCC) keeps that property,
lets snippets map a match back to the original text, and runs at ``str.translate`` speed
(OpenCC's phrase-level conversion is ~5 µs per character; the cached map is ~100x faster).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Mapping

import opencc
from opencc import OpenCC
from price_parser import Price

#: Characters that are invisible but split words (sellers insert them to evade keyword filters).
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e")
_WS_RUN = re.compile(r"\s+")
_ZW_RE = re.compile("[" + "".join(sorted(ZERO_WIDTH)) + "]")
_T2S = OpenCC("t2s")


@functools.cache
def _t2s_chars() -> dict[str, str]:
    """OpenCC t2s of every single character it changes. A character that is not a key of its
    dictionaries comes out unchanged, so asking OpenCC only about those keys (~4,000) gives the
    same map as asking it about all 130,000 code points (~2 s of CPU per process)."""
    out: dict[str, str] = {}
    folder = os.path.join(os.path.dirname(opencc.__file__), "dictionary")
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            for line in fh:
                key = line.split("\t", 1)[0].strip()
                if len(key) == 1 and key not in out:
                    out[key] = _T2S.convert(key)
    return {k: v for k, v in out.items() if v != k}


def t2s_char(c: str) -> str:
    """Traditional -> simplified for one character (OpenCC t2s, exactly)."""
    return _t2s_chars().get(c, c)

#: Fields whose change makes a new listing version (and enter ``content_hash``).
LISTING_VERSIONED_FIELDS: tuple[str, ...] = ("title", "description", "price", "currency", "status")
#: Fields whose change makes a merchant "changed" (followers/rating are volatile counters).
MERCHANT_VERSIONED_FIELDS: tuple[str, ...] = (
    "name", "licence_company", "licence_uscc", "licence_address", "licence_scope",
    "licence_shown_as", "handle",
)

#: Largest plausible listing price; anything above is a parsing accident, not a price.
MAX_PRICE = Decimal("1000000000")
_CURRENCIES: dict[str, str] = {
    "¥": "CNY", "￥": "CNY", "元": "CNY", "圆": "CNY", "块": "CNY", "rmb": "CNY", "cny": "CNY",
    "人民币": "CNY", "rmb¥": "CNY", "us$": "USD", "usd": "USD", "$": "USD", "hk$": "HKD",
    "hkd": "HKD", "nt$": "TWD", "twd": "TWD", "€": "EUR", "eur": "EUR",
}
_CNY_HINT = re.compile(r"[元圆块]|人民币|rmb", re.IGNORECASE)


def _norm_char(c: str) -> str:
    """Search form of one character: '' for invisible ones, ' ' for whitespace."""
    if c in ZERO_WIDTH:
        return ""
    if c.isspace():
        return " "
    if unicodedata.category(c) == "Cc":
        return ""
    s = unicodedata.normalize("NFKC", c).lower()
    s = "".join(x for x in unicodedata.normalize("NFD", s) if not unicodedata.combining(x))
    s = unicodedata.normalize("NFC", s)
    return "".join(t2s_char(x) for x in s)


class TranslateTable(dict):
    """``str.translate`` table filled lazily by ``func(character)`` (dict subclasses may define
    ``__missing__``): one computation per distinct code point, then C-speed lookups."""

    def __init__(self, func: Callable[[str], str]) -> None:
        super().__init__()
        self.func = func

    def __missing__(self, codepoint: int) -> str:
        value = self.func(chr(codepoint))
        self[codepoint] = value
        return value


_MAP = TranslateTable(_norm_char)


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width Latin/digits become ASCII, compatibility forms are unfolded."""
    return unicodedata.normalize("NFKC", text)


def collapse_ws(text: str) -> str:
    """Drop zero-width characters and collapse every whitespace run (incl. U+3000) to one space."""
    return _WS_RUN.sub(" ", _ZW_RE.sub("", text)).strip()


def clean_text(text: str | None) -> str | None:
    """NFKC + whitespace collapse for short labels (ids, categories); ``None`` if nothing is left."""
    if text is None:
        return None
    out = collapse_ws(nfkc(str(text)))
    return out or None


def simplified(text: str) -> str:
    """Traditional -> simplified Chinese, character by character (OpenCC t2s table)."""
    table = _t2s_chars()
    return "".join(table.get(c, c) for c in text)


def search_key(text: str | None) -> str:
    """The searchable form of ``text``: NFKC, lower case, no diacritics, simplified, spaces collapsed.

    Queries go through the same function, so 香菸/香煙 find 香烟 and ＡＢＣ finds abc.
    """
    if not text:
        return ""
    return _WS_RUN.sub(" ", text.translate(_MAP)).strip()


def search_key_with_map(text: str) -> tuple[str, list[int]]:
    """Like ``search_key`` but uncollapsed, with ``offsets[i]`` = original index of output char i.

    Whitespace is kept one-for-one (a query term never contains a space), so a term found in the
    returned string maps back to ``text[offsets[start]:offsets[end - 1] + 1]``.
    """
    pieces = [_MAP[ord(c)] for c in text]
    if all(len(p) == 1 for p in pieces):
        return "".join(pieces), list(range(len(text)))
    offsets: list[int] = []
    for i, piece in enumerate(pieces):
        offsets.extend([i] * len(piece))
    return "".join(pieces), offsets


def listing_search_text(title: str | None, description: str | None) -> str:
    """Search text of a listing: title and description keys joined by a newline.

    A newline never occurs inside a key, so no query term can match across the two fields.
    """
    return f"{search_key(title)}\n{search_key(description)}"


def listing_search_keys(record: Mapping[str, Any]) -> tuple[str, str]:
    """(title key, description key) of a listing, reusing the ``search_text`` the normalize step
    already computed (one derivation per item) unless the record is not the one it came from."""
    text = record.get("search_text")
    if isinstance(text, str) and "\n" in text and record.get("status") != "delisted":
        title_key, desc_key = text.split("\n", 1)
        return title_key, desc_key
    return search_key(record.get("title")), search_key(record.get("description"))


def to_decimal(value: Any) -> Decimal | None:
    """A finite, non-negative Decimal below ``MAX_PRICE`` from a Decimal/int/float/str, else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite() or d < 0 or d > MAX_PRICE:
        return None
    return d


def currency_code(symbol: str | None) -> str | None:
    """ISO 4217 code for a currency symbol or word as shown (¥/￥/元/RMB -> CNY); None if unknown."""
    if not symbol:
        return None
    s = collapse_ws(nfkc(symbol)).lower()
    if s in _CURRENCIES:
        return _CURRENCIES[s]
    if len(s) == 3 and s.isalpha() and s.isascii():
        return s.upper()
    return None


def parse_price(text: str | None) -> tuple[Decimal | None, str | None]:
    """(amount, ISO currency) from a price as shown: ¥12.50, 12.5元, ￥1,299, "RMB 88".

    Returns (None, None) when no plausible amount is found ("面议", negative, absurd); the
    currency is None when the text names none ("298一条") - the caller decides on a default.
    A range "99-199" yields its first (lowest shown) amount.
    """
    if not text:
        return None, None
    shown = collapse_ws(nfkc(str(text)))
    if not shown or len(shown) > 200:
        return None, None
    price = Price.fromstring(shown)
    amount = to_decimal(price.amount)
    if amount is None or _is_negative(shown, price.amount_text):
        return None, None
    currency = currency_code(price.currency)
    if currency is None and _CNY_HINT.search(shown):
        currency = "CNY"
    return amount, currency


def _is_negative(shown: str, amount_text: str | None) -> bool:
    """price-parser drops a leading minus ("-5元" -> 5); a negative price is no price."""
    if not amount_text:
        return False
    i = shown.find(amount_text) - 1
    while i >= 0 and shown[i] in " ¥$€":
        i -= 1
    return i >= 0 and shown[i] == "-" and (i == 0 or not shown[i - 1].isdigit())


def price_key(value: Any) -> str | None:
    """Canonical string of a price for hashing/comparison: 12.50 and 12.5 are the same price."""
    d = to_decimal(value)
    if d is None:
        return None if value is None else str(value)
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def _hash_value(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "price":
        return price_key(value)
    if isinstance(value, str):
        return collapse_ws(value)
    return value


def content_hash(record: Mapping[str, Any], fields: Iterable[str] = LISTING_VERSIONED_FIELDS) -> str:
    """sha256 over the versioned fields (whitespace-insensitive, price-format-insensitive).

    Why memoized: the normalize step and the store (which stays authoritative: it hashes the
    record it writes) hash the same values for every item; the second call is a dict lookup.
    Keyed by the values and their types (``True`` and ``1`` hash differently), bounded.
    """
    fields = tuple(fields)
    values = tuple(record.get(f) for f in fields)
    try:
        return _hash_values(fields, values, tuple(type(v) for v in values))
    except TypeError:  # an unhashable value (a list): hash it without the memo
        return _hash_values.__wrapped__(fields, values, ())


@functools.lru_cache(maxsize=4096)
def _hash_values(fields: tuple[str, ...], values: tuple[Any, ...], _types: tuple[type, ...]) -> str:
    payload = [[f, _hash_value(f, v)] for f, v in zip(fields, values)]
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
