"""Shared types and small text helpers for the generators."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence, TypeVar


T = TypeVar("T")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class MerchantTraits:
    """What a merchant's listings draw on; cheap to build, so listings never need the full record."""

    platform: str
    index: int
    categories: tuple[str, ...]  # what the shop mainly sells, main category first
    risk: float  # multiplier on the violation rate (mean 1 over merchants)
    gbk: bool  # text must stay GBK-encodable
    handle: str  # contact handle, also quoted in listings
    day0_size: int  # catalogue size on day 0


@dataclass(frozen=True)
class ListingContext:
    seed: int
    platform: str
    merchant: MerchantTraits
    index: int
    violation_rate: float
    text_version: int  # day of the last title change (first_day if none)
    text_changes: int  # how many title changes so far (each shows a new edit tag)
    price_factor: Decimal  # multiplier from the last price change


@dataclass
class ListingDraft:
    title: str
    description: str
    category: str
    price: Decimal
    image_alts: tuple[str, ...] = ()
    labels: frozenset[str] = frozenset()
    hard_negative: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def pick(rng: random.Random, options: Sequence[T]) -> T:
    return options[rng.randrange(len(options))]


def maybe(rng: random.Random, p: float, text: str, default: str = "") -> str:
    return text if rng.random() < p else default


def sample(rng: random.Random, options: Sequence[T], lo: int, hi: int) -> list[T]:
    return rng.sample(list(options), min(len(options), rng.randint(lo, hi)))


def base_price(rng: random.Random, lo: float, hi: float) -> Decimal:
    """A shop-like price in [lo, hi]: log-uniform, with the usual .00/.90/.99/.80 endings."""
    value = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    if value >= 200:
        whole = int(value) - int(value) % 10 + rng.choice((8, 9, 9, 0, 6))
        return Decimal(whole).quantize(CENT)
    cents = rng.choice(("0.90", "0.99", "0.80", "0.50", "0.00", "0.90")) if value < 100 else "0.00"
    return (Decimal(int(value)) + Decimal(cents)).quantize(CENT)


def reprice(price: Decimal, factor: Decimal) -> Decimal:
    """``price`` scaled by ``factor``, keeping its cents ending; always differs when factor != 1."""
    if factor == 1:
        return price
    cents = price - int(price)
    whole = int(price * factor)
    if whole == int(price):
        whole += 1 if factor > 1 else -1
    if whole < 0:
        return (price * factor).quantize(CENT)
    new = (Decimal(whole) + cents).quantize(CENT)
    return new if new > 0 else (price * factor).quantize(CENT)


def fmt_price(price: Decimal) -> str:
    """12.50 -> '12.5', 88.00 -> '88', as sellers write prices in text."""
    text = f"{price:.2f}".rstrip("0").rstrip(".")
    return text
