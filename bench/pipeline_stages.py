"""bench/pipeline_stages: CPU per item of each pipeline step, on the simulator's own listings.

    .venv/bin/python bench/pipeline_stages.py [--merchants 600] [--rounds 3]

Why beside bench/crawl.py: a crawl's pages/s moves with everything else on a shared machine; the
CPU each step spends per item does much less. Items are the ground truth's listings as a spider
yields them (price as shown, URL with tracking parameters, images), fed through validate ->
normalize -> dedupe -> store -> index exactly as Scrapy calls the steps, into a fresh embedded
store and index per round. Per step: thread CPU of the calling (reactor) thread; the total also
includes the index writer thread's CPU. Median over rounds.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def items(merchants: int) -> list:
    from crawler.items import Listing
    from crawler.urls import canonical_url
    from mallsim.world import World, WorldConfig

    world = World(WorldConfig(seed=7, merchants=merchants))
    out = []
    for platform in ("weishop", "miniapp", "moments"):
        for m in world.merchants(platform):
            for l in world.listings(m, include_delisted=False):
                out.append(Listing(
                    platform=platform, item_id=l.item_id, shop_id=l.shop_id, title=l.title,
                    description=l.description, category=l.category, price_text=f"¥{l.price}",
                    # as page objects yield them: the URL they canonicalized (crawler/urls.py)
                    url=canonical_url(f"http://{platform}.mallsim.test:8800/item/{l.item_id}?spm=a1.b2&utm_source=share"),
                    sales=l.sales, images=[{"url": f"http://{platform}.mallsim.test:8800{i.src}", "alt": i.alt} for i in l.images]))
    return out


def one_round(listings: list) -> dict[str, float]:
    import copy

    from scrapy import Spider
    from scrapy.utils.misc import load_object
    from scrapy.utils.test import get_crawler

    import crawler.settings as project
    from crawler.config import close_shared

    with tempfile.TemporaryDirectory(prefix="shopwatch-stages-") as tmp:
        settings = {k: v for k, v in vars(project).items() if k.isupper()}
        settings.update(SHOPWATCH_DATA_DIR=tmp, LOGSTATS_INTERVAL=0)

        class StagesSpider(Spider):
            name = "stages"

        crawler = get_crawler(StagesSpider, settings)
        crawler.spider = StagesSpider.from_crawler(crawler, job_id="bench")
        crawler.stats.open_spider()
        order = sorted(((p, o) for p, o in settings["ITEM_PIPELINES"].items() if o is not None), key=lambda kv: kv[1])
        pipes = [load_object(path).from_crawler(crawler) for path, _ in order]
        for p in pipes:
            if hasattr(p, "open_spider"):
                p.open_spider()
        names = [type(p).__name__.replace("Pipeline", "").lower() for p in pipes]
        spent = dict.fromkeys(names, 0.0)
        fresh = copy.deepcopy(listings)
        process_started = time.process_time()
        for item in fresh:
            for name, p in zip(names, pipes):
                t = time.thread_time()
                item = p.process_item(item)
                spent[name] += time.thread_time() - t
        t = time.thread_time()
        for p in reversed(pipes):
            if hasattr(p, "close_spider"):
                p.close_spider()
        spent["close"] = time.thread_time() - t
        spent["total (all threads)"] = time.process_time() - process_started
        close_shared()
    return {k: 1e6 * v / len(listings) for k, v in spent.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--merchants", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    listings = items(args.merchants)
    rounds = [one_round(listings) for _ in range(args.rounds)]
    print(f"bench/pipeline_stages: {len(listings)} listings (seed 7, {args.merchants} merchants; weishop, "
          f"miniapp, moments), median of {args.rounds} rounds, CPU microseconds per item")
    for key in rounds[0]:
        print(f"  {key:22} {statistics.median(r[key] for r in rounds):8.1f}")


if __name__ == "__main__":
    main()
