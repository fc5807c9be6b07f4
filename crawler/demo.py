"""`shopwatch demo`: the main job on embedded defaults, end to end, with a summary an operator
can check against the simulator's ground truth."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterable

from rich.console import Console
from rich.table import Table

from crawler.outcomes import crawl_counts, errors_by_reason
from crawler.runner import CrawlSpec, run_crawls

#: platforms the demo can crawl, each with a spider of the same name
CRAWLABLE = ("weishop", "miniapp", "vshop", "moments")


def run_demo(*, data_dir: Path, seed: int, merchants: int, day: int, port: int, faults: bool,
             platforms: list[str], log_level: str = "WARNING", evidence: int = 2) -> int:
    from crawler.completeness import measure
    from crawler.config import open_index, open_store
    from crawler.errors import UserError
    from mallsim.config import SimConfig
    from mallsim.server import start_background
    from mallsim.truth import truth_records
    from mallsim.world import World, WorldConfig

    unknown = [p for p in platforms if p not in CRAWLABLE]
    if unknown or not platforms:
        raise UserError(f"unknown platform(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(CRAWLABLE)}")
    console = Console(highlight=False, width=None if Console().is_terminal else 132)
    data_dir.mkdir(parents=True, exist_ok=True)
    config = SimConfig(port=port, seed=seed, merchants=merchants, day=day, faults_enabled=faults)
    with start_background(config) as sim:
        console.print(f"mallsim: seed={seed} merchants={merchants} day={day} faults={'on' if faults else 'off'} "
                      f"on 127.0.0.1:{sim.port}")
        started = time.monotonic()
        specs = [CrawlSpec(p, {"port": str(sim.port)}) for p in platforms]
        # SHOPWATCH_WARC: every response archived, so hits' evidence can cite the crawl's records
        results = run_crawls(specs, {"SHOPWATCH_PROGRESS": True, "SHOPWATCH_DATA_DIR": str(data_dir),
                                     "SHOPWATCH_WARC": True, "LOG_LEVEL": log_level})
        elapsed = time.monotonic() - started
        if evidence:
            _fix_sample_evidence(data_dir, evidence, console)  # live visits: the simulator is still up

    world = World(WorldConfig(seed=seed, merchants=merchants, day=day))
    with open_store(None, data_dir) as store, open_index(None, data_dir) as index:
        comp = measure(truth_records(world, sim.base_url), store, platforms)
        indexed = index.count()
        detection = _detection_table(store, truth_records(world, sim.base_url), platforms)

    table = Table(title=f"shopwatch demo — {elapsed:.1f} s")
    for col in ("platform", "merchants", "listings", "missed", "stale", "pages", "pages/s", "items", "retried",
                "duplicates", "dropped", "errors"):
        table.add_column(col, justify="left" if col == "platform" else "right")
    total_pages = total_missed = 0
    reasons: dict[str, int] = {}
    for r in results:
        p = r.spec.spider
        c, k = comp[p], crawl_counts(r.stats)
        errs = errors_by_reason(r.stats)
        for key, n in errs.items():
            reasons[key] = reasons.get(key, 0) + n
        total_pages += k["pages"]
        total_missed += c.misses
        table.add_row(p, f"{c.merchants_found}/{c.merchants_truth}", f"{c.listings_found}/{c.listings_truth}",
                      str(c.misses), str(len(c.extra_listings)), str(k["pages"]), f"{k['pages'] / max(k['seconds'], 1):.0f}", str(k["items"]),
                      str(k["retries"]), str(k["duplicates"]), str(k["dropped"]), str(sum(errs.values())))
    console.print(table)
    console.print(f"pages/s overall: {total_pages / elapsed:.0f}   missed against ground truth: {total_missed} (target 0)"
                  "   stale = stored as active but gone from the platform (target 0)")
    console.print("errors and drops by reason: " + (", ".join(f"{k}={v}" for k, v in sorted(reasons.items())) or "none"))
    if detection is not None:
        console.print(detection)
    console.print(f"store: {data_dir / 'shopwatch.sqlite'}   index: {data_dir / 'index.sqlite'} ({indexed} listings)")
    console.print("try: shopwatch search 香烟   |   shopwatch search 专利 --platform weishop --json   |   "
                  "shopwatch campaign list   |   shopwatch jobs list")
    for p in platforms:
        c = comp[p]
        if c.missed_listings or c.missed_merchants:
            console.print(f"{p}: missed merchants {c.missed_merchants[:10]} listings {c.missed_listings[:10]}")
    return 0 if total_missed == 0 else 1



def _detection_table(store: Any, truth: Iterable[dict[str, Any]], platforms: list[str]) -> Table | None:
    """Hits per family from the shipped campaigns, scored against the simulator's labels."""
    from detect.quality import FAMILIES, MERCHANT_FAMILIES, flagged_by_family, score, truth_labels

    hits = list(store.iter_hits())
    if not hits:
        return None
    labelled, listings, merchants = truth_labels(truth, platforms)
    population = {f: merchants if f in MERCHANT_FAMILIES else listings for f in FAMILIES}
    quality = score(labelled, flagged_by_family(hits), population)
    table = Table(title="campaign hits (streaming detection) against the ground truth")
    for col in ("family", "hits", "flagged", "labelled", "precision", "recall"):
        table.add_column(col, justify="left" if col == "family" else "right")
    for family in FAMILIES:
        q = quality[family]
        n = sum(1 for h in hits if h["family"] == family)
        table.add_row(family, str(n), str(q.true_pos + q.false_pos), str(q.true_pos + q.false_neg),
                      f"{q.precision:.3f}", f"{q.recall:.3f}")
    return table


def _fix_sample_evidence(data_dir: Path, per_family: int, console: Console) -> None:
    """Fix evidence for the first ``per_family`` hits of each family (about a second per hit in
    Chromium, so not for all of them: ``shopwatch evidence capture`` does the rest on demand)."""
    from crawler.browser import BrowserMissing
    from crawler.config import open_store
    from evidence.capture import fix_evidence

    with open_store(None, data_dir) as store:
        chosen: dict[str, list[dict[str, Any]]] = {}
        for hit in store.iter_hits():
            picks = chosen.setdefault(hit["family"], [])
            if len(picks) < per_family:
                picks.append(hit)
        hits = [h for picks in chosen.values() for h in picks]
        if not hits:
            return
        try:
            report = fix_evidence(store, hits, data_dir)
        except BrowserMissing as exc:
            console.print(f"evidence: skipped ({exc})")
            return
    failed = "".join(f"\n  {hid}: {why}" for hid, why in report.failed.items())
    fixed = report.captured + report.skipped
    console.print(f"evidence: fixed for {len(report.captured)} hits ({len(report.skipped)} had it already) in "
                  f"{report.seconds:.0f} s under {data_dir / 'evidence'}{failed}")
    if fixed:
        console.print(f"try: shopwatch evidence export {fixed[0]} --out case.zip   |   "
                      f"shopwatch evidence verify case.zip   |   shopwatch evidence capture --campaign tobacco")
