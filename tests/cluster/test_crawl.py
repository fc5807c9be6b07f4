"""Crawls by several worker processes: same result as one process, nothing lost when a worker is
SIGKILLed or Redis restarts (compared with the simulator's ground truth)."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

from tests.cluster.conftest import ROOT, Cluster, stored, truth_listings


def test_three_workers_find_exactly_what_one_process_finds(cluster: Cluster, sim_factory) -> None:
    sim = sim_factory(merchants=30)
    single = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "--data-dir", str(cluster.tmp / "single"), "crawl", "weishop",
         "--port", str(sim.port)], cwd=ROOT, env=cluster.env(), capture_output=True, text=True, timeout=120)
    assert single.returncode == 0, single.stderr[-2000:]

    job = cluster.submit("weishop", "--port", str(sim.port))
    # paced (one request at a time, 0.1 s apart: ~10 pages/s per worker), so the job outlasts the
    # workers' start-up; unpaced, the first two had crawled everything before the third had
    # imported Scrapy on a busy machine (seen once in a fresh-clone run)
    for _ in range(3):
        cluster.worker("CONCURRENT_REQUESTS=1", "DOWNLOAD_DELAY=0.1", "RANDOMIZE_DOWNLOAD_DELAY=False")
    assert cluster.wait_workers() == [0, 0, 0], cluster.tail()

    snap = cluster.status(job)
    assert snap["state"] == "finished"
    assert snap["failed"] == 0 and snap["queued"] == 0 and snap["in_flight"] == 0
    assert [w["pages"] > 0 for w in snap["workers"]] == [True] * 3, "each worker should crawl part of the job"
    one, three = stored(cluster.tmp / "single"), stored(cluster.tmp / "data")
    assert three == one  # same listings, field for field (title, price, status, shop)
    assert {i for i, v in three.items() if v[2] == "active"} == truth_listings(30)


def test_worker_killed_mid_crawl_loses_nothing(cluster: Cluster, sim_factory) -> None:
    sim = sim_factory(merchants=60)
    job = cluster.submit("weishop", "--port", str(sim.port), "--rate", "80")
    fast_expiry = "SHOPWATCH_CLUSTER_LEASE_SECONDS=3"
    victim = cluster.worker(fast_expiry)  # alone at first, so every lease in flight is the victim's
    cluster.wait_for(job, lambda s: s["pages"] >= 150, timeout=60)
    for _ in range(100):  # freeze it holding leases, then kill it
        victim.send_signal(signal.SIGSTOP)
        if cluster.status(job)["in_flight"] > 0:
            break
        victim.send_signal(signal.SIGCONT)
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    cluster.worker(fast_expiry)  # the survivor inherits the expired leases
    codes = cluster.wait_workers(timeout=120)
    assert codes[1] == 0, cluster.tail()

    snap = cluster.status(job)
    assert snap["state"] == "finished", snap
    assert snap["redelivered"] >= 1, "the killed worker's leases should have expired and been redelivered"
    assert snap["failed"] == 0
    active = {i for i, v in stored(cluster.tmp / "data").items() if v[2] == "active"}
    assert active == truth_listings(60)


def test_workers_reconnect_after_redis_restart(private_redis, sim_factory, tmp_path) -> None:
    sim = sim_factory(merchants=30)
    cluster = Cluster(private_redis.url, tmp_path)
    try:
        job = cluster.submit("weishop", "--port", str(sim.port), "--rate", "40")
        cluster.worker()
        cluster.worker()
        cluster.wait_for(job, lambda s: s["pages"] >= 60, timeout=60)
        private_redis.stop()
        time.sleep(3)  # workers keep trying; nothing they hold is dropped
        private_redis.start()
        assert cluster.wait_workers(timeout=120) == [0, 0], cluster.tail()
        assert "Redis unreachable" in cluster.tail(100_000)
        snap = cluster.status(job)
        assert snap["state"] == "finished" and snap["failed"] == 0, snap
        active = {i for i, v in stored(tmp_path / "data").items() if v[2] == "active"}
        assert active == truth_listings(30)
    finally:
        cluster.stop()


def test_failed_output_commit_acknowledges_nothing_and_the_worker_carries_on(cluster: Cluster, sim_factory) -> None:
    """A commit whose outputs cannot be made durable must not acknowledge (the work would be lost
    with a crash) and must not stop the worker's commit loop (every lease would then expire)."""
    import json

    import crawler.settings as project

    sim = sim_factory(merchants=20)
    job = cluster.submit("weishop", "--port", str(sim.port))
    pipelines = {**project.ITEM_PIPELINES, "tests.cluster.failing_commit.FailingCommitPipeline": 999}
    cluster.worker(f"ITEM_PIPELINES={json.dumps(pipelines)}", "TEST_FAILING_COMMITS=3")
    assert cluster.wait_workers() == [0], cluster.tail()
    log = cluster.logs[0].read_text(errors="replace")
    assert log.count("could not be committed; nothing acknowledged") == 3, cluster.tail()

    snap = cluster.status(job)
    assert snap["state"] == "finished" and snap["failed"] == 0 and snap["queued"] == 0, snap
    assert {i for i, v in stored(cluster.tmp / "data").items() if v[2] == "active"} == truth_listings(20)
