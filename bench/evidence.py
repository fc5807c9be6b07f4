"""bench/evidence: what evidence costs, side by side in one run.

1. the weishop crawl with WARC capture off and on (interleaved rounds, medians): pages/s, CPU per
   page, WARC bytes per page;
2. fixing evidence for hits (live Chromium visit, WARC, screenshot, manifest): hits/s, CPU per hit,
   bytes per hit; then export and verify of the case.

    .venv/bin/python bench/evidence.py [--merchants 200] [--rounds 3] [--hits 40]

The machine is shared: wall-clock rates move with other work, CPU per unit much less.
"""
from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.browser import measured_crawl  # noqa: E402  (the measured crawl harness)

from crawler.urls import canonical_url  # noqa: E402


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cpu_all() -> float:
    return cpu_children() + sum(resource.getrusage(resource.RUSAGE_SELF)[:2])


def crawl_rounds(port: int, tmp: Path, rounds: int) -> dict[str, Any]:
    results: dict[str, list[tuple[float, float, int]]] = {"off": [], "on": []}
    warc_bytes: list[float] = []
    measured_crawl("weishop", port, tmp)  # warm-up: fills the simulator's caches
    for n in range(rounds):
        for mode in ("off", "on"):
            warc_dir = tmp / f"warc-{n}"
            settings = {"SHOPWATCH_WARC": mode == "on", "SHOPWATCH_WARC_DIR": str(warc_dir)}
            before = cpu_children()
            r = measured_crawl("weishop", port, tmp, settings, {"job_id": f"bench-{mode}-{n}"})
            pages = r["stats"]["response_received_count"]
            results[mode].append((pages / r["crawl_seconds"], (cpu_children() - before) / pages, pages))
            if mode == "on":
                warc_bytes.append(sum(f.stat().st_size for f in warc_dir.rglob("*.warc.gz")) / pages)
    return {"results": results, "warc_bytes_per_page": statistics.median(warc_bytes)}


def capture_bench(port: int, tmp: Path, hits: int) -> None:
    from crawler.config import open_store
    from evidence.capture import fix_evidence
    from evidence.export import export_case
    from evidence.verify import verify_case

    data = tmp / "data"
    r = measured_crawl("weishop", port, tmp, {"SHOPWATCH_WARC": True, "SHOPWATCH_DATA_DIR": str(data)},
                       {"job_id": "bench-evidence"})
    listings = sorted((x for x in r["items"] if "item_id" in x), key=lambda x: x["item_id"])[:hits]
    batch = [{"campaign": "bench", "rule": "bench", "family": "tobacco", "severity": "high", "field": "title",
              "matched": x["title"][1:4], "start": 1, "end": 4, "snippet": x["title"], "platform": x["platform"],
              "item_id": x["item_id"], "shop_id": x["shop_id"], "url": canonical_url(x["url"])} for x in listings]
    with open_store(None, data) as store:
        store.upsert_hits(batch, job_id="bench-evidence")
        stored = list(store.iter_hits(campaign="bench"))
        cpu, started = cpu_all(), time.monotonic()
        report = fix_evidence(store, stored, data)
        seconds, cpu = time.monotonic() - started, cpu_all() - cpu
    n = len(report.captured)
    size = sum(f.stat().st_size for f in (data / "evidence").rglob("*") if f.is_file() and f.parent.name != "evidence")
    print(f"evidence capture: {n} hits in {seconds:.1f} s = {n / seconds:.2f} hits/s, {cpu / max(n, 1) * 1000:.0f} ms "
          f"CPU per hit (shopwatch + Chromium), {size / max(n, 1) / 1024:.0f} KiB per hit; failed {len(report.failed)}")
    started = time.monotonic()
    export_case(data, [h["id"] for h in stored], tmp / "case.zip", campaign="bench")
    exported = time.monotonic() - started
    started = time.monotonic()
    checked = verify_case(tmp / "case.zip")
    print(f"export {exported:.2f} s, verify {time.monotonic() - started:.2f} s ({checked.checked} files, "
          f"{'OK' if checked.ok else checked.problems[:3]}), case {(tmp / 'case.zip').stat().st_size / 2**20:.1f} MiB")


def main() -> None:
    import argparse

    from mallsim.config import SimConfig
    from mallsim.server import start_background

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--merchants", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--hits", type=int, default=40)
    args = ap.parse_args()
    with start_background(SimConfig(port=0, seed=7, merchants=args.merchants, faults_enabled=False)) as handle, \
            tempfile.TemporaryDirectory(prefix="shopwatch-bench-") as tmp:
        c = crawl_rounds(handle.port, Path(tmp), args.rounds)
        rate = {m: statistics.median(x[0] for x in c["results"][m]) for m in ("off", "on")}
        cpu = {m: statistics.median(x[1] for x in c["results"][m]) for m in ("off", "on")}
        pages = c["results"]["on"][0][2]
        print(f"weishop crawl, {pages} pages, median of {args.rounds} interleaved rounds:")
        print(f"  WARC off: {rate['off']:.0f} pages/s, {cpu['off'] * 1000:.2f} ms CPU per page")
        print(f"  WARC on:  {rate['on']:.0f} pages/s, {cpu['on'] * 1000:.2f} ms CPU per page, "
              f"{c['warc_bytes_per_page'] / 1024:.1f} KiB of WARC per page")
        print(f"  WARC on / off: {rate['on'] / rate['off']:.0%} of the pages/s, "
              f"{cpu['on'] / cpu['off']:.2f}x the CPU per page")
        capture_bench(handle.port, Path(tmp), args.hits)


if __name__ == "__main__":
    main()
