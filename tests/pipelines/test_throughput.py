"""Throughput of validate -> normalize -> dedupe -> store -> index on 20k synthetic listings.

Printed, never asserted (timings belong in bench/, not in pass/fail).
"""
from __future__ import annotations

import random
import time
from pathlib import Path

from crawler.config import open_store
from crawler.items import Listing

WORDS = ["正品", "香烟", "电子烟", "茶叶", "龙井", "保健", "专利", "包邮", "批发", "特价", "RELX",
         "悦刻", "全棉", "T恤", "面膜", "美白", "祛斑", "婴儿", "奶粉", "充电宝", "数据线", "香菸"]


def synthetic(n: int, seed: int = 1) -> list[Listing]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        title = "".join(rng.choice(WORDS) for _ in range(6))
        desc = "，".join("".join(rng.choice(WORDS) for _ in range(5)) for _ in range(8))
        out.append(Listing(platform=rng.choice(["weishop", "vshop", "miniapp", "moments"]), item_id=str(i),
                           url=f"https://shop.example/item/{i}?spm=a.b", shop_id=f"s{i % 500}", title=title,
                           description=desc, category=rng.choice(["食品饮料", "烟具配件", "茶叶"]),
                           price_text=f"¥{rng.randint(1, 999)}.{rng.randint(0, 99):02d}", sales=rng.randint(0, 10**5),
                           images=[{"url": f"https://img.example/{i}.jpg", "alt": title}]))
    return out


def test_throughput_20k(make_chain, tmp_path: Path, capsys) -> None:
    items = synthetic(20_000)
    chain = make_chain()
    started = time.perf_counter()
    passed = sum(1 for item in items if chain.feed(item) is not None)
    chain.close()
    seconds = time.perf_counter() - started
    assert passed == 20_000 and chain.stats["shopwatch/indexed"] == 20_000
    with open_store(None, tmp_path / "data") as store:
        assert store.count_listings() == 20_000
    with capsys.disabled():
        print(f"\n[throughput] 20000 listings validate->normalize->dedupe->store->index: "
              f"{seconds:.2f} s = {20_000 / seconds:,.0f} items/s")
