"""Dedupe pipeline and its compact 64-bit hash set."""
from __future__ import annotations

import random

from crawler.items import Listing, Merchant
from pipelines.dedupe import HashSet64, key64


def test_hash_set_grows_and_stays_exact() -> None:
    s = HashSet64(capacity=16)
    rng = random.Random(5)
    keys = {rng.getrandbits(64) for _ in range(50_000)} - {0, 1}
    for k in keys:
        assert s.add(k)
    assert len(s) == len(keys)
    assert s.add(0) and not s.add(1)  # 0 is stored as 1 (0 marks an empty slot)
    assert all(k in s for k in keys) and 0 in s
    assert not any(s.add(k) for k in keys)
    assert rng.getrandbits(64) not in s
    assert s.nbytes <= 32 * len(s)  # compact: at most 32 bytes per key


def test_key64_is_unambiguous() -> None:
    assert key64("listing", "a", "bc") != key64("listing", "ab", "c")
    assert key64("listing", "p", "1") != key64("merchant", "p", "1")


def test_second_sighting_dropped_and_counted(make_chain) -> None:
    chain = make_chain(ITEM_PIPELINES={"pipelines.dedupe.DedupePipeline": 300})
    url = "https://w.example/1"
    assert chain.feed(Listing(platform="w", item_id="1", url=url, title="a")) is not None
    assert chain.feed(Listing(platform="w", item_id="1", url=url, title="b")) is None
    assert chain.feed(Listing(platform="v", item_id="1", url=url, title="a")) is not None
    assert chain.feed(Merchant(platform="w", shop_id="1", url=url)) is not None  # other kind
    assert chain.feed(Merchant(platform="w", shop_id="1", url=url)) is None
    assert chain.stats["shopwatch/duplicates"] == 2
    assert not any(k.startswith("shopwatch/dropped/") for k in chain.stats)  # not an error


def test_memory_bound(make_chain) -> None:
    chain = make_chain(ITEM_PIPELINES={"pipelines.dedupe.DedupePipeline": 300}, SHOPWATCH_DEDUPE_MAX_KEYS=3)
    for i in range(5):
        chain.feed(Listing(platform="w", item_id=str(i), url="https://w.example/", title="t"))
    assert chain.feed(Listing(platform="w", item_id="0", url="https://w.example/", title="t")) is None
    assert chain.feed(Listing(platform="w", item_id="4", url="https://w.example/", title="t")) is not None
    assert chain.stats["shopwatch/dedupe_full"] == 1
