"""bench/crawl: pages/s and listings/s through the whole pipeline against a plain Scrapy spider,
side by side in one run, on the same simulator pages; plus each run's peak memory.

    .venv/bin/python bench/crawl.py [--merchants 400] [--seed 7]

Three child processes crawl the simulator's weishop platform (faults off):
  plain    a plain link-following Scrapy spider, no extraction, no pipelines
  spider   the weishop spider (page objects), no pipelines
  full     the weishop spider with validate → normalize → dedupe → store → index
Target (issue 3): full keeps at least 70% of plain's pages/s.

The simulator shares this 2-core machine, so wall-clock rates move with whatever else runs: one
unmeasured warm-up crawl fills the simulator's caches, then the three modes run interleaved for
--rounds rounds and the median is reported, together with each crawl's own CPU time per page
(which the simulator's load cannot distort; counted from the start of the crawl, so imports and
set-up are excluded; the writer thread's CPU is included).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # before bench/ itself: bench/evidence.py must not shadow the evidence package


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
    cpu_started = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])  # imports and set-up excluded
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

    modes = ("plain", "spider", "full")
    runs: dict[str, list[dict]] = {m: [] for m in modes}
    with start_background(SimConfig(port=0, seed=args.seed, merchants=args.merchants, faults_enabled=False)) as sim:
        for round_ in range(args.rounds + 1):
            for mode in modes if round_ else ("plain",):  # round 0: warm-up, not measured
                with tempfile.TemporaryDirectory(prefix="shopwatch-bench-") as tmp:
                    out = subprocess.run([sys.executable, __file__, "--child", mode, str(sim.port), tmp],
                                         cwd=ROOT, capture_output=True, text=True, check=True,
                                         env={**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"})
                if round_:
                    runs[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
    rows = {m: {"pages": runs[m][0]["pages"], "items": runs[m][0]["items"],
                "pps": statistics.median(r["pages"] / r["seconds"] for r in runs[m]),
                "ips": statistics.median(r["items"] / r["seconds"] for r in runs[m]),
                "cpu_ms": statistics.median(1000 * r["cpu_seconds"] / r["pages"] for r in runs[m]),
                "rss": max(r["peak_rss_mb"] for r in runs[m])} for m in modes}
    base = rows["plain"]
    print(f"bench/crawl: simulator weishop platform, seed={args.seed} merchants={args.merchants}, faults off, "
          f"median of {args.rounds} interleaved rounds")
    print(f"{'mode':8} {'pages':>6} {'items':>6} {'pages/s':>8} {'items/s':>8} {'vs plain':>9} "
          f"{'cpu ms/page':>12} {'vs plain':>9} {'peak MB':>8}")
    for mode in modes:
        r = rows[mode]
        print(f"{mode:8} {r['pages']:6d} {r['items']:6d} {r['pps']:8.0f} {r['ips']:8.0f} {r['pps'] / base['pps']:9.0%} "
              f"{r['cpu_ms']:12.2f} {base['cpu_ms'] / r['cpu_ms']:9.0%} {r['rss']:8.0f}")
    full = rows["full"]
    print(f"full pipeline keeps {full['pps'] / base['pps']:.0%} of the plain spider's pages/s "
          f"({base['cpu_ms'] / full['cpu_ms']:.0%} per CPU second of the crawl process; target >= 70%)")


if __name__ == "__main__":
    main()
