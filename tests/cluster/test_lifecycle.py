"""Jobs end cleanly: a finished job closes its workers, a cancelled one stops them and frees its
queue, and an idle worker costs Redis a few calls per second at most."""
from __future__ import annotations

import json
import signal
import time

from tests.cluster.conftest import Cluster


def test_cancel_stops_workers_and_frees_the_queue(cluster: Cluster, sim_factory) -> None:
    sim = sim_factory(merchants=60)
    job = cluster.submit("weishop", "--port", str(sim.port), "--rate", "20")
    cluster.worker()
    cluster.worker()
    cluster.wait_for(job, lambda s: s["pages"] >= 20, timeout=60)
    out = cluster.cli("jobs", "cancel", job)
    assert "cancelled" in out.stdout
    started = time.monotonic()
    assert cluster.wait_workers(timeout=30) == [0, 0], cluster.tail()
    assert time.monotonic() - started < 15
    snap = cluster.status(job)
    assert snap["state"] == "cancelled" and snap["queued"] == 0 and snap["in_flight"] == 0
    import redis

    client = redis.Redis.from_url(cluster.redis_url)
    left = sorted(k.decode() for k in client.scan_iter(match=f"{cluster.prefix}:job:{job}:*"))
    assert all(k.rsplit(":", 1)[-1] in ("stats", "errors", "failed", "dead", "workers") for k in left), left
    again = cluster.cli("jobs", "cancel", job, check=False)
    assert again.returncode == 2 and "not running" in again.stderr
    listed = [json.loads(line) for line in cluster.cli("jobs", "list", "--json").stdout.splitlines()]
    assert [j["state"] for j in listed if j["id"] == job] == ["cancelled"]


def test_finished_job_closes_and_idle_worker_is_quiet(private_redis, sim_factory, tmp_path) -> None:
    from crawler.cluster.frontier import LeasedQueue
    from crawler.cluster.keys import Keys

    sim = sim_factory(merchants=10)
    cluster = Cluster(private_redis.url, tmp_path)
    client = private_redis.client()
    try:
        job = cluster.submit("weishop", "--port", str(sim.port))
        cluster.worker()
        assert cluster.wait_workers(timeout=60) == [0], cluster.tail()  # closes by itself when done
        assert cluster.status(job)["state"] == "finished"

        # a running job whose only request is held elsewhere: the worker has nothing to do
        second = cluster.submit("weishop", "--port", str(sim.port))
        from spiders.weishop import WeishopSpider

        held = LeasedQueue(client, Keys(cluster.prefix), second, WeishopSpider()).lease(10, 300, 3, 100)
        assert len(held.leases) == 1
        idle = cluster.worker(exit_when_idle=False)
        time.sleep(4)  # joined the job, backed off to the slowest poll
        before = int(client.info("stats")["total_commands_processed"])
        time.sleep(6)
        calls = int(client.info("stats")["total_commands_processed"]) - before
        assert idle.poll() is None, cluster.tail()
        # heartbeat + job discovery every 2 s, one lease poll per 2 s (commands inside the Lua
        # scripts count too); a polling loop without backoff would make thousands
        assert calls <= 80, f"an idle worker made {calls} Redis commands in 6 s"
        idle.send_signal(signal.SIGTERM)
        assert idle.wait(20) == 0, cluster.tail()
        # the held request is still leased (not lost, not duplicated)
        assert cluster.status(second)["in_flight"] == 1
    finally:
        cluster.stop()
