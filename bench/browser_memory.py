"""bench/browser_memory: Chromium's memory over a long browser crawl (default 2,000 rendered
pages), sampled every half second: peak and mean PSS per quarter of the run, so growth shows as
a rising row. Recycling (``SHOPWATCH_BROWSER_RECYCLE_PAGES``, default 200) is what keeps it flat;
``--compare`` adds the same crawl without recycling. Checks only correctness (the crawl must find
exactly the ground truth's vshop listings); prints numbers, never asserts timings.

    .venv/bin/python bench/browser_memory.py [--pages 2000] [--recycle 200] [--compare]
"""
from __future__ import annotations

import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.browser import measured_crawl  # noqa: E402  (the measured crawl harness)
from tests.spiders.crawlhelp import active, truth  # noqa: E402

from crawler.browser import find_browser  # noqa: E402

#: share of the simulator's merchants that are vshop shops (mallsim assigns platforms 20% each)
VSHOP_SHARE = 0.2


def quarters(samples: list[tuple[float, int, int, int]]) -> list[tuple[float, float, float, int]]:
    """(start s, mean PSS MiB, peak PSS MiB, processes) per quarter of the samples with a browser."""
    with_browser = [s for s in samples if s[3]]
    n = max(1, len(with_browser) // 4)
    out = []
    for q in range(4):
        part = with_browser[q * n:(q + 1) * n] if q < 3 else with_browser[3 * n:]
        if part:
            out.append((part[0][0], sum(s[2] for s in part) / len(part) / 2**20,
                        max(s[2] for s in part) / 2**20, max(s[3] for s in part)))
    return out


def report(label: str, r: dict[str, Any]) -> None:
    stats = r["stats"]
    pages = stats.get("shopwatch/browser/pages") or stats.get("playwright/page_count", 0)
    cpu = r.get("cpu_seconds")
    print(f"{label}: {pages} browser pages in {r['crawl_seconds']:.0f} s ({pages / r['crawl_seconds']:.2f} pages/s"
          f"{f', {cpu / max(pages, 1) * 1000:.0f} ms CPU per page (crawler + browser)' if cpu else ''}); "
          f"browsers launched {stats.get('playwright/browser_count')}, recycled {stats.get('shopwatch/browser/recycled', 0)}, "
          f"pages closed {stats.get('playwright/page_count/closed')}/{stats.get('playwright/page_count')}")
    for start, mean, peak, procs in quarters(r["samples"]):
        print(f"  from {start:6.0f} s: Chromium PSS mean {mean:5.0f} MiB, peak {peak:5.0f} MiB ({procs} processes)")
    peak = max((s[2] for s in r["samples"]), default=0) / 2**20
    q = quarters(r["samples"])
    if len(q) == 4:
        print(f"  peak {peak:.0f} MiB; last quarter mean / first quarter mean = {q[3][1] / max(q[0][1], 1):.2f}")


def main() -> None:
    import argparse

    from mallsim.config import SimConfig
    from mallsim.server import start_background

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000, help="browser pages to render (shop pages + directory)")
    ap.add_argument("--recycle", type=int, default=200, help="SHOPWATCH_BROWSER_RECYCLE_PAGES for the main run")
    ap.add_argument("--compare", action="store_true", help="also run without recycling")
    args = ap.parse_args()
    if not find_browser():
        raise SystemExit("bench/browser_memory: no Chromium found (apt-get install chromium)")
    merchants = int(args.pages / VSHOP_SHARE)
    runs = [(f"recycle every {args.recycle}", args.recycle)] + ([("no recycling", 0)] if args.compare else [])
    with start_background(SimConfig(port=0, seed=7, merchants=merchants, faults_enabled=False)) as handle, \
            tempfile.TemporaryDirectory(prefix="shopwatch-bench-") as tmp:
        want_listings, want_merchants = truth(handle, "vshop")
        print(f"world: {merchants} merchants, {len(want_merchants)} vshop shops, {len(active(want_listings))} "
              "active vshop listings (machine shared and noisy: compare rows of one run)")
        for label, recycle in runs:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            r = measured_crawl("vshop", handle.port, Path(tmp), {"SHOPWATCH_BROWSER_RECYCLE_PAGES": recycle})
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the crawl and its browsers, reaped
            r["cpu_seconds"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            report(label, r)
            found = {x["item_id"] for x in r["items"] if "item_id" in x}
            assert found == active(want_listings), f"{label}: {len(found)} listings, truth {len(active(want_listings))}"


if __name__ == "__main__":
    main()
