"""Stable ids and deterministic per-key randomness.

Ids decode to (merchant index, listing index) without any stored table (docs/mallsim.md), and
every random choice in the world is drawn from an RNG keyed by the tuple it describes, hashed
with blake2b -- never Python's salted ``hash()`` -- so records are identical across processes.
"""
from __future__ import annotations

import hashlib
import random

SHOP_BASE = 100000
MAX_LISTINGS = 1000  # item ids carry the listing index in three digits


def shop_id(merchant_index: int) -> str:
    """Shop id of the platform's ``merchant_index``-th merchant."""
    if merchant_index < 0:
        raise ValueError("merchant index must be >= 0")
    return str(SHOP_BASE + merchant_index)


def item_id(shop_id: str, listing_index: int) -> str:
    """Item id of a shop's ``listing_index``-th listing (0..999)."""
    if not 0 <= listing_index < MAX_LISTINGS:
        raise ValueError("listing index must be in 0..999")
    return f"{shop_id}{listing_index:03d}"


def parse_shop_id(shop_id: str) -> int | None:
    """Merchant index of a shop id, or None when it is not one of ours."""
    if not isinstance(shop_id, str) or not shop_id.isascii() or not shop_id.isdigit():
        return None
    if len(shop_id) < 6 or shop_id[0] == "0":
        return None
    value = int(shop_id) - SHOP_BASE
    return value if value >= 0 else None


def parse_item_id(item_id: str) -> tuple[int, int] | None:
    """(merchant index, listing index) of an item id, or None when malformed."""
    if not isinstance(item_id, str) or len(item_id) < 9:
        return None
    if not item_id.isascii() or not item_id.isdigit():
        return None
    merchant = parse_shop_id(item_id[:-3])
    if merchant is None:
        return None
    return merchant, int(item_id[-3:])


def _digest(parts: tuple[object, ...]) -> bytes:
    key = "\x1f".join(map(str, parts)).encode("utf-8")
    return hashlib.blake2b(key, digest_size=16).digest()


def derive_int(*parts: object) -> int:
    """A 64-bit integer fixed by ``parts`` (same in every process)."""
    return int.from_bytes(_digest(parts)[:8], "big")


def unit(*parts: object) -> float:
    """A float in [0, 1) fixed by ``parts``; cheaper than building an RNG for one draw."""
    return (int.from_bytes(_digest(parts)[:7], "big") >> 3) / float(1 << 53)


def rng(*parts: object) -> random.Random:
    """A private RNG keyed by ``parts`` -- the only source of randomness in the world."""
    return random.Random(derive_int(*parts))
