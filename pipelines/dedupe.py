"""Dedupe: within one crawl, a second (platform, item_id) or (platform, shop_id) is dropped.

Why a custom set: a Python set of tuples costs ~200 bytes per key; crawls reach millions of
items. Keys are hashed to 64 bits (blake2b) and kept in an open-addressing table of unsigned
64-bit slots (``array('Q')``): 16-32 bytes per key, no per-key objects. A 64-bit collision
among 10 million keys has a probability of about 3e-6. Duplicates are counted as
``shopwatch/duplicates`` (not an error; the store would merge them anyway).
"""
from __future__ import annotations

import hashlib
from array import array
from typing import Any

from scrapy.exceptions import DropItem

from pipelines._common import adapter, item_kind


class HashSet64:
    """A set of non-zero 64-bit integers in one flat array (linear probing, load <= 1/2)."""

    def __init__(self, capacity: int = 1 << 16) -> None:
        size = 1 << max(4, (capacity - 1).bit_length())
        self._slots = array("Q", bytes(8 * size))
        self._mask = size - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        return len(self._slots) * 8

    def add(self, key: int) -> bool:
        """Insert ``key``; True if it was not there yet."""
        key = key or 1
        slots, mask = self._slots, self._mask
        i = key & mask
        while True:
            v = slots[i]
            if v == 0:
                slots[i] = key
                self._count += 1
                if self._count * 2 > len(slots):
                    self._grow()
                return True
            if v == key:
                return False
            i = (i + 1) & mask

    def __contains__(self, key: int) -> bool:
        key = key or 1
        slots, mask = self._slots, self._mask
        i = key & mask
        while (v := slots[i]) != 0:
            if v == key:
                return True
            i = (i + 1) & mask
        return False

    def _grow(self) -> None:
        old = self._slots
        self._slots = array("Q", bytes(16 * len(old)))
        self._mask = len(self._slots) - 1
        self._count = 0
        for v in old:
            if v:
                self.add(v)


def key64(*parts: str) -> int:
    """A 64-bit hash of the key parts (unambiguous: parts are joined with a NUL)."""
    raw = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little")


class DedupePipeline:
    """Drop repeats of a listing or merchant within the crawl."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats
        self.max_keys = crawler.settings.getint("SHOPWATCH_DEDUPE_MAX_KEYS", 20_000_000)
        self.seen = HashSet64()
        self._full_reported = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DedupePipeline":
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        kind = item_kind(item)
        if kind is None:
            return item
        a = adapter(item)
        ident = a.get("item_id") if kind == "listing" else a.get("shop_id")
        key = key64(kind, str(a.get("platform")), str(ident))
        if len(self.seen) < self.max_keys:
            duplicate = not self.seen.add(key)
        else:
            duplicate = key in self.seen
            if not self._full_reported:  # beyond the bound: later keys are not remembered
                self.stats.set_value("shopwatch/dedupe_full", 1)
                self._full_reported = True
        if duplicate:
            self.stats.inc_value("shopwatch/duplicates")
            raise DropItem(f"duplicate {kind} {a.get('platform')}/{ident}", log_level="DEBUG")
        return item
