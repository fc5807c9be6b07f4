"""bench/browser: browser pages/s against plain-HTTP pages/s in one run, and the memory of the
Chromium processes over a longer vshop crawl (with and without recycling). Prints numbers and
checks only correctness (the vshop crawl must still find exactly the ground truth):

    .venv/bin/python bench/browser.py [--merchants 400]     # vshop gets 20% of the merchants
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.spiders.crawlhelp import ISOLATED, RUNNER, ROOT, active, truth  # noqa: E402  (the crawl harness)

from crawler.browser import find_browser  # noqa: E402


def chromium_rss(root_pid: int) -> tuple[int, int, int]:
    """(RSS summed, PSS summed, count) of the Chromium processes under root_pid. RSS counts shared
    pages once per process (an overestimate); PSS splits them between the processes."""
    import psutil

    total = pss = count = 0
    try:
        children = psutil.Process(root_pid).children(recursive=True)
    except psutil.Error:
        return 0, 0, 0
    for proc in children:
        try:
            if "chrom" in proc.name() or "headless_shell" in proc.name():
                info = proc.memory_full_info()
                total += info.rss
                pss += getattr(info, "pss", info.rss)
                count += 1
        except psutil.Error:
            continue
    return total, pss, count


def measured_crawl(spider: str, port: int, tmp: Path, settings: dict[str, Any] | None = None,
                   args: dict[str, Any] | None = None) -> dict[str, Any]:
    tag = f"{spider}-{time.monotonic_ns()}"
    spec = {"spider": spider, "args": {"port": str(port), **(args or {})},
            "settings": {**ISOLATED, "LOG_LEVEL": "INFO", "LOG_FILE": str(tmp / f"{tag}.log"), **(settings or {})},
            "items": str(tmp / f"{tag}.jsonl"), "stats": str(tmp / f"{tag}.stats.json")}
    (tmp / f"{tag}.spec.json").write_text(json.dumps(spec), encoding="utf-8")
    samples: list[tuple[float, int, int, int]] = []
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(RUNNER), str(tmp / f"{tag}.spec.json")], cwd=ROOT)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            samples.append((time.monotonic() - started, *chromium_rss(proc.pid)))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    proc.wait(timeout=1800)
    seconds = time.monotonic() - started
    done.set()
    thread.join()
    assert proc.returncode == 0
    stats = json.loads((tmp / f"{tag}.stats.json").read_text(encoding="utf-8"))
    items = [json.loads(x) for x in (tmp / f"{tag}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    crawl_seconds = (_time(stats["finish_time"]) - _time(stats["start_time"]))
    return {"seconds": seconds, "crawl_seconds": crawl_seconds, "stats": stats, "items": items, "samples": samples}


def _time(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(str(value)).timestamp()


def rss_report(samples: list[tuple[float, int, int, int]]) -> str:
    with_browser = [s for s in samples if s[3]]
    if not with_browser:
        return "no Chromium process seen"
    third = max(1, len(with_browser) // 3)
    out = []
    for label, i in (("RSS", 1), ("PSS", 2)):
        peak = max(s[i] for s in with_browser)
        first = sum(s[i] for s in with_browser[:third]) / third
        last = sum(s[i] for s in with_browser[-third:]) / third
        out.append(f"{label} peak {peak / 2**20:.0f} MiB, mean first/last third {first / 2**20:.0f}/{last / 2**20:.0f} MiB")
    procs = max(s[3] for s in with_browser)
    return f"Chromium ({procs} processes at most): " + "; ".join(out)


def measure(handle: Any, merchants: int, tmp_path: Path) -> None:
    want_listings, want_merchants = truth(handle, "vshop")
    print(f"world: merchants={merchants}: vshop {len(want_merchants)} shops, "
          f"{len(active(want_listings))} active listings")
    runs = [("weishop", {}), ("vshop", {"SHOPWATCH_BROWSER_RECYCLE_PAGES": 0}),
            ("vshop", {"SHOPWATCH_BROWSER_RECYCLE_PAGES": 50})]
    for spider, settings in runs:
        r = measured_crawl(spider, handle.port, tmp_path, settings)
        stats = r["stats"]
        pages = stats.get("shopwatch/browser/pages") or stats["response_received_count"]
        listings = sum(1 for x in r["items"] if "item_id" in x)
        label = f"{spider} {settings or ''}".strip()
        print(f"{label}: {pages} pages, {listings} listings, crawl {r['crawl_seconds']:.1f}s "
              f"(process {r['seconds']:.1f}s): {pages / r['crawl_seconds']:.2f} pages/s, "
              f"{listings / r['crawl_seconds']:.1f} listings/s")
        if spider == "vshop":
            print(f"  {rss_report(r['samples'])}; browsers launched {stats.get('playwright/browser_count')}, "
                  f"recycled {stats.get('shopwatch/browser/recycled', 0)}, pages open at most "
                  f"{stats.get('playwright/page_count/max_concurrent')}, "
                  f"slowest page {stats.get('shopwatch/browser/max_page_seconds')}s")
            assert {x["item_id"] for x in r["items"] if "item_id" in x} == active(want_listings)
            assert stats["playwright/page_count"] == stats["playwright/page_count/closed"]


def main() -> None:
    import argparse
    import tempfile

    from mallsim.config import SimConfig
    from mallsim.server import start_background

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--merchants", type=int, default=400)
    args = ap.parse_args()
    if not find_browser():
        raise SystemExit("bench/browser: no Chromium found (apt-get install chromium)")
    with start_background(SimConfig(port=0, seed=7, merchants=args.merchants, faults_enabled=False)) as handle, \
            tempfile.TemporaryDirectory(prefix="shopwatch-bench-") as tmp:
        measure(handle, args.merchants, Path(tmp))


if __name__ == "__main__":
    main()
