"""Politeness across the cluster, end to end: three worker processes against one domain hold
the job's requests/s together, measured from the times the pages were fetched. The job re-checks
300 known item pages (``-a recheck=FILE``), so the queue is full from the start and the rate
limit, not link discovery, is what paces the crawl."""
from __future__ import annotations

from datetime import datetime

from tests.cluster.conftest import Cluster


def _seconds(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def test_three_workers_hold_the_domain_rate_together(cluster: Cluster, sim_factory) -> None:
    from crawler.config import open_store

    from mallsim.truth import truth_records
    from mallsim.world import World, WorldConfig

    rate = 25.0
    sim = sim_factory(merchants=30)
    items = [r["url"] for r in truth_records(World(WorldConfig(seed=7, merchants=30)), sim.base_url)
             if r["kind"] == "listing" and r["platform"] == "weishop"][:300]
    recheck = cluster.tmp / "recheck.txt"
    recheck.write_text("\n".join(items), encoding="utf-8")
    job = cluster.submit("weishop", "--port", str(sim.port), "--rate", str(rate), "-a", f"recheck={recheck}")
    for _ in range(3):
        cluster.worker()
    assert cluster.wait_workers(timeout=90) == [0, 0, 0], cluster.tail()
    snap = cluster.status(job)
    assert snap["state"] == "finished" and snap["done"] == len(items) and snap["duplicates_filtered"] == 0, snap
    assert sum(1 for w in snap["workers"] if w["pages"] > 0) == 3
    with open_store(None, cluster.tmp / "data", existing=True) as store:
        times = sorted(_seconds(p["fetched_at"]) for p in store.iter_pages(job_id=job)
                       if not p["url"].endswith("/robots.txt"))  # robots.txt: one per worker, not leased
    assert len(times) == len(items) >= 250
    measured = (len(times) - 1) / (times[-1] - times[0])
    assert abs(measured - rate) <= 0.10 * rate, f"{measured:.1f} pages/s for a limit of {rate}"
