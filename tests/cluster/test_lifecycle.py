"""Jobs end cleanly: a finished job closes its workers, a cancelled one stops them and frees its
queue, and an idle worker costs Redis a few calls per second at most."""
from __future__ import annotations

import json
import signal
import socket
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


def _wait_until(check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _redis_calls(client, seconds: float) -> dict[str, int]:
    """Commands Redis ran in ``seconds`` (total includes the commands inside Lua scripts;
    evalsha = script calls, i.e. client round trips of the lease protocol)."""
    def read() -> tuple[int, int]:
        stats = client.info("commandstats")
        return int(client.info("stats")["total_commands_processed"]), int(stats.get("cmdstat_evalsha", {}).get("calls", 0))

    before = read()
    time.sleep(seconds)
    after = read()
    return {"total": after[0] - before[0], "evalsha": after[1] - before[1]}


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

        # no running job: heartbeat and job discovery only
        idle = cluster.worker(exit_when_idle=False)
        # started: its heartbeat is in (imports alone take seconds on a loaded machine)
        _wait_until(lambda: client.zscore(f"{cluster.prefix}:workers", f"{socket.gethostname()}-{idle.pid}"))
        time.sleep(2)
        calls = _redis_calls(client, 6)
        assert calls["total"] <= 40, f"an idle worker made {calls} Redis calls in 6 s"
        assert idle.poll() is None, cluster.tail()
        idle.send_signal(signal.SIGTERM)
        assert idle.wait(20) == 0, cluster.tail()

        # a running job whose only request is held by someone else: a worker waits for work
        second = cluster.submit("weishop", "--port", str(sim.port))
        from spiders.weishop import WeishopSpider

        held = LeasedQueue(client, Keys(cluster.prefix), second, WeishopSpider()).lease(10, 300, 3, 100)
        assert len(held.leases) == 1
        waiting = cluster.worker(exit_when_idle=False)
        _wait_until(lambda: client.hexists(f"{cluster.prefix}:job:{second}:workers",
                                           f"{socket.gethostname()}-{waiting.pid}"))  # joined the job
        time.sleep(3)  # backed off
        calls = _redis_calls(client, 6)
        # lease polls at most every SHOPWATCH_CLUSTER_POLL_BUSY (0.25 s) while others hold leases
        assert calls["evalsha"] <= 30, f"a waiting worker made {calls} Redis calls in 6 s"
        waiting.send_signal(signal.SIGTERM)
        assert waiting.wait(20) == 0, cluster.tail()
        # the held request is still leased (not lost, not duplicated)
        assert cluster.status(second)["in_flight"] == 1
    finally:
        cluster.stop()
