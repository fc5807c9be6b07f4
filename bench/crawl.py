"""bench/crawl: pages/s and listings/s through the whole pipeline against a plain Scrapy spider,
side by side in one run, on the same simulator pages; plus each run's peak memory.

    .venv/bin/python bench/crawl.py [--merchants 400] [--seed 7]

Three child processes crawl the simulator's weishop platform (faults off):
  plain    a plain link-following Scrapy spider, no extraction, no pipelines
  spider   the weishop spider (page objects), no pipelines
  full     the weishop spider with validate → normalize → dedupe → store → index
Target (issue 3): full keeps at least 70% of plain's pages/s.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(mode: str, port: int, data_dir: str) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawler.runner import project_settings

    overrides: dict = {"LOG_LEVEL": "WARNING", "SHOPWATCH_DATA_DIR": data_dir, "AUTOTHROTTLE_ENABLED": False}
    if mode != "full":
        overrides["ITEM_PIPELINES"] = {}
        overrides["EXTENSIONS"] = {"crawler.jobs.JobRecorder": None}
    settings = project_settings(overrides)
    process = CrawlerProcess(settings)

    class PlainSpider(scrapy.Spider):
        name = "plain"
        start_urls = [f"http://weishop.mallsim.test:{port}/"]
        follow = ("a.shop-link::attr(href)", "a.item-link::attr(href)", "a[rel=next]::attr(href)",
                  "a[href*='/items?page=']::attr(href)")

        def parse(self, response):
            for css in self.follow:
                yield from response.follow_all(response.css(css), callback=self.parse)

    if mode == "plain":
        crawler = process.create_crawler(PlainSpider)
        process.crawl(crawler)
    else:
        crawler = process.create_crawler("weishop")
        process.crawl(crawler, port=str(port))
    started = time.monotonic()
    process.start()
    seconds = time.monotonic() - started
    stats = crawler.stats.get_stats()
    print(json.dumps({
        "mode": mode,
        "pages": stats.get("response_received_count", 0),
        "items": stats.get("item_scraped_count", 0),
        "listings": stats.get("shopwatch/listings/new", 0),
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--merchants", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--child", nargs=3, metavar=("MODE", "PORT", "DATA_DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return

    from mallsim.config import SimConfig
    from mallsim.server import start_background

    rows = []
    with start_background(SimConfig(port=0, seed=args.seed, merchants=args.merchants, faults_enabled=False)) as sim:
        for mode in ("plain", "spider", "full"):
            with tempfile.TemporaryDirectory(prefix="shopwatch-bench-") as tmp:
                out = subprocess.run([sys.executable, __file__, "--child", mode, str(sim.port), tmp],
                                     cwd=ROOT, capture_output=True, text=True, check=True,
                                     env={**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"})
                rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    base = rows[0]["pages"] / rows[0]["seconds"]
    print(f"bench/crawl: simulator weishop platform, seed={args.seed} merchants={args.merchants}, faults off")
    print(f"{'mode':8} {'pages':>7} {'items':>7} {'seconds':>8} {'pages/s':>8} {'items/s':>8} {'vs plain':>9} {'peak MB':>8}")
    for r in rows:
        pps, ips = r["pages"] / r["seconds"], r["items"] / r["seconds"]
        print(f"{r['mode']:8} {r['pages']:7d} {r['items']:7d} {r['seconds']:8.1f} {pps:8.0f} {ips:8.0f} "
              f"{pps / base:8.0%} {r['peak_rss_mb']:8.0f}")
    full = rows[-1]["pages"] / rows[-1]["seconds"]
    print(f"full pipeline keeps {full / base:.0%} of the plain spider's pages/s (target >= 70%)")


if __name__ == "__main__":
    main()
