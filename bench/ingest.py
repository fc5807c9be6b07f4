"""Ingest throughput, documents/s: SQLite vs MongoDB (store), FTS5 vs Elasticsearch (index).

    .venv/bin/python bench/ingest.py [--docs 3000] [--batch 500]
    (server URLs from SHOPWATCH_TEST_MONGO / SHOPWATCH_TEST_ES, e.g.
     eval "$(bash scripts/servers up --env)"; a back end without a URL is skipped)

Each store back end takes every listing through ``upsert_listing`` (read, plan, buffered write,
so new listings make a version row too) and a final ``flush``; a second pass re-upserts the same
listings (the "unchanged" re-crawl path). Each index gets ``index_listings`` in chunks of
``--batch`` and a ``flush``. Server back ends write into throwaway databases/aliases, dropped after.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.store.base import Store  # noqa: E402
from search.base import Index  # noqa: E402

WORDS = ["正品", "香烟", "批发", "电子烟", "烟弹", "悦刻", "茶叶", "龙井", "礼盒", "全棉", "T恤", "代购",
         "私聊", "微信", "包邮", "特价", "限量", "专利", "滤嘴", "ＡＢＣ", "relx", "2024", "新款"]


def corpus(n: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{
        "platform": rng.choice(["weishop", "vshop", "miniapp", "moments"]), "item_id": f"b{i:07d}",
        "url": f"https://shop.example/item/{i}", "shop_id": f"s{i % 97}",
        "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))),
        "description": "".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60))),
        "category": rng.choice(["烟具配件", "茶叶", "服饰鞋包", "日用百货"]),
        "price": Decimal(rng.randint(100, 99999)) / 100, "currency": "CNY", "sales": rng.randint(0, 999),
        "images": [{"url": f"https://img.example/{i}.jpg"}], "status": "active",
    } for i in range(n)]


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:10.0f} docs/s  ({n} in {seconds:.2f}s)"


def bench_store(name: str, opener: Callable[[], Store], docs: list[dict[str, Any]], batch: int) -> None:
    store = opener()
    try:
        for label in ("new", "unchanged"):
            start = time.perf_counter()
            for doc in docs:
                store.upsert_listing(doc, "2024-05-01T08:00:00.000Z", "bench")
            store.flush()
            print(f"store  {name:<16} batch {batch:<5} {label:<9} {rate(len(docs), time.perf_counter() - start)}")
        assert store.count_listings() == len(docs)
    finally:
        store.close()


def bench_index(name: str, opener: Callable[[], Index], docs: list[dict[str, Any]], batch: int) -> None:
    index = opener()
    try:
        start = time.perf_counter()
        for i in range(0, len(docs), batch):
            index.index_listings(docs[i:i + batch])
        index.flush()
        print(f"index  {name:<16} batch {batch:<5} {'bulk':<9} {rate(len(docs), time.perf_counter() - start)}")
        assert index.count() == len(docs)
        start = time.perf_counter()
        queries = ["香烟", "烟", "电子烟 悦刻", "relx", "茶叶 礼盒"]
        for q in queries * 10:
            index.search(q)
        print(f"index  {name:<16} {'':11} {'search':<9} {1000 * (time.perf_counter() - start) / 50:10.1f} ms/query")
    finally:
        index.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=500, help="store buffer / index bulk size")
    args = parser.parse_args()
    docs = corpus(args.docs)
    mongo, es = os.environ.get("SHOPWATCH_TEST_MONGO"), os.environ.get("SHOPWATCH_TEST_ES")
    print(f"{args.docs} listings, batch {args.batch}; MongoDB: {mongo or 'skipped'}; "
          f"Elasticsearch: {es or 'skipped'}")
    with tempfile.TemporaryDirectory() as tmp:
        from crawler.store.sqlite import SQLiteStore
        from search.fts5 import FTS5Index

        bench_store("sqlite", lambda: SQLiteStore(Path(tmp) / "s.sqlite", batch_size=args.batch), docs, args.batch)
        if mongo:
            import pymongo

            from crawler.store.mongo import MongoStore

            db = f"shopwatch_bench_{uuid.uuid4().hex[:8]}"
            url = mongo.rsplit("/", 1)[0] + "/" + db
            try:
                bench_store("mongodb", lambda: MongoStore(url, batch_size=args.batch), docs, args.batch)
            finally:
                pymongo.MongoClient(mongo).drop_database(db)
        bench_index("fts5", lambda: FTS5Index(Path(tmp) / "i.sqlite", batch_size=args.batch), docs, args.batch)
        if es:
            from search.elastic import ElasticIndex

            url = f"{es.rstrip('/')}/shopwatch-bench-{uuid.uuid4().hex[:8]}"
            try:
                bench_index("elasticsearch", lambda: ElasticIndex(url, batch_size=args.batch), docs, args.batch)
            finally:
                ElasticIndex(url).drop()


if __name__ == "__main__":
    main()
