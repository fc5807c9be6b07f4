"""Detection quality and speed: precision/recall per family against the simulator's ground truth,
and listings/s of the streaming engine against one Python regex alternation of the same terms.

    .venv/bin/python bench/detect.py [--merchants 2000] [--seed 7] [--repeat 3] [--slices 10] [--show 0]

Quality: every active listing of the world (title, description, category, shop name) goes through
``Detector.scan_listing`` as the crawler stores it (moments posts have no category); a listing
is predicted positive for a family when any rule of that family hits. Merchants (licence fields
as the truth gives them) go through ``scan_merchant`` for the 'license' family.

Speed: the same listings, all shipped campaigns loaded, through the batch path (``scan_listings``:
the pipeline, ``shopwatch detect`` and campaign runs) and per listing (``scan_listing``). The
matchers are interleaved over --slices slices of the listings (each slice: the automaton best of
--repeat passes, then the baseline best of as many), so a load swing on a shared machine hits both; CPU
time per listing is printed beside wall-clock.
The baseline finds candidates with one ``re`` alternation of the same folded terms (longest first)
over the same folded text and verifies them with the same code, so the ratio isolates the matcher;
each path is compared with the baseline on the same path. Both run as streaming detection runs in
a crawl: the compiled detection modules when built (``detect.native``; the first line says which)
and the crawl's collector thresholds (``SHOPWATCH_GC_THRESHOLD``).
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler import settings as project_settings  # noqa: E402
from crawler.gctune import parse_threshold  # noqa: E402
from detect import native  # noqa: E402
from detect.engine import Detector  # noqa: E402
from detect.model import FAMILIES  # noqa: E402
from detect.registry import shipped_campaigns  # noqa: E402
from mallsim.model import PLATFORMS  # noqa: E402
from mallsim.world import World, WorldConfig  # noqa: E402


def world_records(merchants: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    world = World(WorldConfig(seed=seed, merchants=merchants))
    listings, shops = [], []
    for platform in PLATFORMS:
        for m in world.merchants(platform):
            lic = m.licence
            shops.append({"platform": platform, "shop_id": m.shop_id, "name": m.name,
                          "licence_company": lic.company, "licence_uscc": lic.uscc, "licence_address": lic.address,
                          "licence_shown_as": lic.shown_as, "_labels": set(m.labels), "_notes": m.notes})
            for item in world.listings(m, include_delisted=False):
                # as crawled: a social post (moments) has no category in its markup (docs/mallsim.md)
                category = None if platform == "moments" else item.category
                listings.append({"item_id": item.item_id, "platform": platform, "category": category,
                                 "title": item.title, "description": item.description, "shop_name": m.name,
                                 "_labels": set(item.labels), "_notes": item.notes, "_hard": item.hard_negative})
    return listings, shops


def quality(detector: Detector, listings: list[dict], shops: list[dict], show: int) -> dict[str, tuple]:
    counts = {f: Counter() for f in FAMILIES}
    examples: dict[tuple[str, str], list[str]] = {}
    for kind, docs, scan in (("listing", listings, detector.scan_listing), ("merchant", shops, detector.scan_merchant)):
        for doc in docs:
            found = {m.family for m in scan(doc)}
            for family in FAMILIES:
                if (family == "license") != (kind == "merchant"):
                    continue
                truth, pred = family in doc["_labels"], family in found
                key = "tp" if truth and pred else "fp" if pred else "fn" if truth else "tn"
                counts[family][key] += 1
                if show and key in ("fp", "fn"):
                    examples.setdefault((family, key), []).append(
                        f"{doc.get('title') or doc.get('licence_uscc')!r} {doc['_notes']} "
                        f"{[(m.rule, m.matched, m.detail) for m in scan(doc) if m.family == family]}")
    for (family, key), lines in sorted(examples.items()):
        print(f"--- {family} {key} ({len(lines)})")
        for line in lines[:show]:
            print("   ", line)
    out = {}
    for family, c in counts.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
        out[family] = (p, r, c["tp"], c["fp"], c["fn"])
    return out


def speed(detector: Detector, listings: list[dict], repeat: int, batch: bool) -> tuple[float, float]:
    """Best (wall seconds, CPU seconds) over ``repeat`` passes, per listing (``scan_listing``) or
    through the batch path (``scan_listings``, what the pipeline and ``shopwatch detect`` use)."""
    best = (float("inf"), float("inf"))
    scan = detector.scan_listing
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        if batch:
            for _found in detector.scan_listings(listings):
                pass
        else:
            for doc in listings:
                scan(doc)
        best = min(best, (time.perf_counter() - w, time.process_time() - c))
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--merchants", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--slices", type=int, default=10, help="interleave the matchers over this many slices")
    ap.add_argument("--show", type=int, default=0, help="print N false positives/negatives per family")
    args = ap.parse_args()

    campaigns = shipped_campaigns()
    automaton = Detector(campaigns)
    regex = Detector(campaigns, matcher="regex")
    t = time.perf_counter()
    listings, shops = world_records(args.merchants, args.seed)
    print(f"world: seed {args.seed}, {args.merchants} merchants, {len(listings)} active listings "
          f"({time.perf_counter() - t:.1f}s to generate)")
    print(f"campaigns: {len(campaigns)}, rules: {sum(len(c.rules) for c in campaigns)}, "
          f"automaton terms: {len(automaton.terms)}, all terms incl. context and exclusions: "
          f"{sum(c.term_count() for c in campaigns)}")

    # streaming detection runs inside a crawl, under the crawl's collector thresholds
    threshold = parse_threshold(project_settings.SHOPWATCH_GC_THRESHOLD)
    if threshold:
        gc.set_threshold(*threshold)
    print(f"engine: {'compiled' if native.active() else 'interpreted (' + str(native.inactive_reason) + ')'}; "
          f"GC thresholds {gc.get_threshold()} (SHOPWATCH_GC_THRESHOLD, as in a crawl)")

    print("\nquality (per family; listings for tobacco/fake_patent/misleading_ad, merchants for license)")
    print(f"{'family':<14} {'precision':>9} {'recall':>7} {'tp':>6} {'fp':>5} {'fn':>5}")
    for family, (p, r, tp, fp, fn) in quality(automaton, listings, shops, args.show).items():
        print(f"{family:<14} {p:>9.3f} {r:>7.3f} {tp:>6} {fp:>5} {fn:>5}")

    one = [automaton.scan_listing(doc) for doc in listings]
    if list(automaton.scan_listings(listings)) != one:
        raise SystemExit("scan_listings and scan_listing disagree: the batch path is broken")
    # A crawl holds a batch of listings at a time, not the whole world and its matches: the bench's
    # own data is moved out of the collector's sight (gc.freeze), else every full collection
    # walks ~60,000 listings and their matches and bills it to whichever matcher runs then.
    del one
    gc.collect()
    gc.freeze()
    print(f"\nspeed ({len(listings)} listings, best of {args.repeat}; CPU time is the fair number on a shared "
          f"machine; load average {os.getloadavg()[0]:.2f} before)")
    print("one unit = one listing from its raw fields to its list of Match objects, fold included; "
          "batch and per-listing results checked identical")
    print(f"both matchers measured slice by slice ({args.slices} slices, each: aho-corasick best of "
          f"{args.repeat}, then the baseline best of {args.repeat}), so they share the machine's load swings")
    results = {}
    for path, batch in (("batch", True), ("per-listing", False)):
        totals = {name: [0.0, 0.0] for name in ("aho-corasick", "regex baseline")}
        step = -(-len(listings) // args.slices)
        for i in range(0, len(listings), step):
            part = listings[i:i + step]
            for name, det in (("aho-corasick", automaton), ("regex baseline", regex)):
                wall, cpu = speed(det, part, args.repeat, batch)
                totals[name][0] += wall
                totals[name][1] += cpu
        for name, (wall, cpu) in totals.items():
            results[path, name] = cpu
            print(f"{path:<11} {name:<15} {len(listings) / wall:>9,.0f} listings/s wall {len(listings) / cpu:>9,.0f} "
                  f"listings/s CPU {cpu / len(listings) * 1e6:7.2f} µs CPU/listing")
        print(f"{path:<11} ratio (CPU): aho-corasick is "
              f"{results[path, 'regex baseline'] / results[path, 'aho-corasick']:.1f}x the regex baseline")
    fast = [doc for doc in listings if not automaton.candidate_count(doc)]
    slow = [doc for doc in listings if automaton.candidate_count(doc)]
    print(f"where the time goes: {len(slow) / len(listings):.0%} of listings contain a candidate term")
    for name, docs in (("no candidate (fast path)", fast), ("with candidates", slow)):
        for path, batch in (("batch", True), ("per-listing", False)):
            wall, cpu = speed(automaton, docs, args.repeat, batch)
            print(f"  {name:<25} {path:<11} {cpu / len(docs) * 1e6:6.2f} µs CPU/listing "
                  f"({len(docs) / cpu:>9,.0f} listings/s CPU)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
