"""bench/crawl: pages/s and listings/s through the whole pipeline against a plain Scrapy spider,
side by side in one run, on the same simulator pages; plus each run's peak memory.

    .venv/bin/python bench/crawl.py [--merchants 400] [--seed 7] [--rounds 3]

Four child processes crawl the simulator's weishop platform (faults off), all with the same
project settings (middlewares, canonical-URL fingerprinter, robots.txt; AutoThrottle off):
  fetch    a link follower: the four link selectors on every page, no extraction, no items
  plain    the issue's baseline: an ordinary Scrapy spider as a user would write it without
           shopwatch — the same link selectors as fetch, plus the shop's name and licence and the
           listing's fields (item id, shop id, title, description, price text, category, URL)
           read with response.css/xpath into plain dicts it yields; no page objects, no pipelines
  spider   the weishop spider (shopwatch page objects), no pipelines
  full     the weishop spider with validate → normalize → dedupe → store → detect → index
Why plain extracts: issue 3 compares listings/s too, and a spider that yields no listings has no
listings/s; a crawl worth comparing reads the fields it is after. Target (issue 3): full keeps at
least 70% of plain's pages/s; full against fetch is printed too (stricter, informative).
Each mode prints its items and listings, so one can check plain yields what the spider yields.

The simulator shares this 2-core machine, so wall-clock rates move with whatever else runs: one
unmeasured warm-up crawl fills the simulator's caches, then the modes run interleaved for
--rounds rounds and the median is reported, together with each crawl's own CPU time per page
(which the simulator's load cannot distort; counted from the start of the crawl, so imports and
set-up are excluded; the writer thread's CPU is included).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Spider

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # before bench/ itself: bench/evidence.py must not shadow the evidence package
MODES = ("fetch", "plain", "spider", "full")
ITEM_PATH = re.compile(r"/item/\d+")  # the pages the plain spider reads a listing from ...
SHOP_PATH = re.compile(r"/shop/\d+")  # ... and a shop from
#: The links every crawling mode follows (fetch and plain on every page; the weishop spider its own way).
FOLLOW = ("a.shop-link::attr(href)", "a.item-link::attr(href)", "a[rel=next]::attr(href)",
          "a[href*='/items?page=']::attr(href)")


class FetchSpider(Spider):
    """Follows links, extracts nothing."""
    name = "fetch"

    def __init__(self, port: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.start_urls = [f"http://weishop.mallsim.test:{port}/"]

    def parse(self, response):
        for css in FOLLOW:
            yield from response.follow_all(response.css(css), callback=self.parse)


class PlainSpider(FetchSpider):
    """What a user writes without shopwatch: the same links, the fields into plain dicts."""
    name = "plain"

    def parse(self, response):
        path = urlsplit(response.url).path
        if ITEM_PATH.fullmatch(path):
            yield self.listing(response)
        elif SHOP_PATH.fullmatch(path):
            yield self.shop(response)
        yield from super().parse(response)

    @staticmethod
    def listing(response) -> dict:
        seller = response.css("div.seller a.shop-link::attr(href)").re_first(r"/shop/(\d+)")
        return {
            "item_id": response.css("div.item::attr(data-item-id)").get(),
            "shop_id": seller,
            "title": response.css("h1.item-title::text").get(default="").strip(),
            "description": "\n".join(t.strip() for t in response.css("div.item-desc p::text").getall()),
            "price_text": response.css("span.price").xpath("string()").get(default="").strip(),
            "category": response.css("span.category::attr(data-category)").get(),
            "url": response.url,
        }

    @staticmethod
    def shop(response) -> dict:
        licence = {}
        for dt in response.css("div.licence dl dt"):
            licence[dt.xpath("string()").get().strip()] = dt.xpath("following-sibling::dd[1]").xpath(
                "string()").get(default="").strip()
        return {
            "shop_id": response.css("div.shop::attr(data-shop-id)").get(),
            "name": response.css("h1.shop-name::text").get(default="").strip(),
            "licence": licence or None,
            "licence_image_alt": response.css("div.licence img::attr(alt)").get(),
            "url": response.url,
        }


def child(mode: str, port: int, data_dir: str) -> None:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.runner import project_settings

    overrides: dict = {"LOG_LEVEL": "WARNING", "SHOPWATCH_DATA_DIR": data_dir, "AUTOTHROTTLE_ENABLED": False}
    if mode != "full":
        overrides["ITEM_PIPELINES"] = {}
        # the extensions that work on the store (job record, re-check of unseen stored listings)
        # are off with the pipelines; every other one as in full (a dict here replaces the
        # project's EXTENSIONS, so it is built from it)
        overrides["EXTENSIONS"] = {**project_settings().getdict("EXTENSIONS"),
                                   "crawler.jobs.JobRecorder": None, "crawler.followup.FollowUp": None}
    settings = project_settings(overrides)
    process = CrawlerProcess(settings)

    listings = [0]

    def count(item, response, spider):
        if ("item_id" in item) if isinstance(item, dict) else hasattr(item, "item_id"):
            listings[0] += 1

    if mode in ("fetch", "plain"):
        crawler = process.create_crawler(FetchSpider if mode == "fetch" else PlainSpider)
        process.crawl(crawler, port=port)
    else:
        crawler = process.create_crawler("weishop")
        process.crawl(crawler, port=str(port))
    crawler.signals.connect(count, signal=signals.item_scraped)
    cpu_started = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])  # imports and set-up excluded
    started = time.monotonic()
    process.start()
    seconds = time.monotonic() - started
    stats = crawler.stats.get_stats()
    print(json.dumps({
        "mode": mode,
        "pages": stats.get("response_received_count", 0),
        "items": stats.get("item_scraped_count", 0),
        "listings": listings[0],
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_seconds": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu_started,
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--merchants", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", nargs=3, metavar=("MODE", "PORT", "DATA_DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return

    from mallsim.config import SimConfig
    from mallsim.server import start_background

    runs: dict[str, list[dict]] = {m: [] for m in MODES}
    with start_background(SimConfig(port=0, seed=args.seed, merchants=args.merchants, faults_enabled=False)) as sim:
        for round_ in range(args.rounds + 1):
            for mode in MODES if round_ else ("fetch",):  # round 0: warm-up, not measured
                with tempfile.TemporaryDirectory(prefix="shopwatch-bench-") as tmp:
                    out = subprocess.run([sys.executable, __file__, "--child", mode, str(sim.port), tmp],
                                         cwd=ROOT, capture_output=True, text=True, check=True,
                                         env={**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"})
                if round_:
                    runs[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
    rows = {m: {"pages": runs[m][0]["pages"], "items": runs[m][0]["items"], "listings": runs[m][0]["listings"],
                "pps": statistics.median(r["pages"] / r["seconds"] for r in runs[m]),
                "lps": statistics.median(r["listings"] / r["seconds"] for r in runs[m]),
                "cpu_ms": statistics.median(1000 * r["cpu_seconds"] / r["pages"] for r in runs[m]),
                "rss": max(r["peak_rss_mb"] for r in runs[m])} for m in MODES}
    base = rows["plain"]
    print(f"bench/crawl: simulator weishop platform, seed={args.seed} merchants={args.merchants}, faults off, "
          f"median of {args.rounds} interleaved rounds")
    print(f"{'mode':7} {'pages':>6} {'items':>6} {'listings':>8} {'pages/s':>8} {'listings/s':>10} {'vs plain':>9} "
          f"{'cpu ms/page':>12} {'vs plain':>9} {'peak MB':>8}")
    for mode in MODES:
        r = rows[mode]
        print(f"{mode:7} {r['pages']:6d} {r['items']:6d} {r['listings']:8d} {r['pps']:8.0f} {r['lps']:10.0f} "
              f"{r['pps'] / base['pps']:9.0%} {r['cpu_ms']:12.2f} {base['cpu_ms'] / r['cpu_ms']:9.0%} {r['rss']:8.0f}")
    full, fetch = rows["full"], rows["fetch"]
    print(f"full pipeline keeps {full['pps'] / base['pps']:.0%} of the plain spider's pages/s and "
          f"{base['cpu_ms'] / full['cpu_ms']:.0%} of its pages per CPU second (target >= 70%); "
          f"against fetch (links only): {full['pps'] / fetch['pps']:.0%} pages/s, "
          f"{fetch['cpu_ms'] / full['cpu_ms']:.0%} per CPU second")

if __name__ == "__main__":
    main()
