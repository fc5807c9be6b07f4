"""Jobs end cleanly: a cancelled job stops its workers and frees its queue, and an idle worker
costs Redis a few calls per second at most. (A finished job closing its workers — `--exit-when-idle`
workers exiting 0 with the job `finished` — is checked by every crawl test.)"""
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


def test_a_job_the_worker_cannot_start_does_not_stop_it(cluster: Cluster, sim_factory) -> None:
    """A job naming a spider this worker's code lacks (another version submitted it) is named in
    the log and left to other workers; the worker keeps its heartbeat and serves the next job."""
    import redis

    sim = sim_factory(merchants=5)
    good = cluster.submit("weishop", "--port", str(sim.port))
    client = redis.Redis.from_url(cluster.redis_url)
    meta = client.hgetall(f"{cluster.prefix}:job:{good}")
    bad = "20990101-000000-gone-0000"
    client.hset(f"{cluster.prefix}:job:{bad}", mapping={**meta, b"spider": b"gone_spider", b"name": b""})
    client.zadd(f"{cluster.prefix}:jobs", {bad: int(time.time() * 1000) + 1000})  # discovered first
    proc = cluster.worker(exit_when_idle=False)
    cluster.wait_for(good, lambda s: s["state"] == "finished", timeout=90)
    time.sleep(2.5)  # one more heartbeat
    assert proc.poll() is None, cluster.tail()
    beat = client.zscore(f"{cluster.prefix}:workers", f"{socket.gethostname()}-{proc.pid}")
    assert beat is not None and time.time() * 1000 - beat < 5000, cluster.tail()  # still beating
    log = cluster.tail(20_000)
    assert log.count(f"cannot serve job {bad}") == 1 and "gone_spider" in log, log[-3000:]


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


def test_idle_worker_is_quiet(private_redis, sim_factory, tmp_path) -> None:
    from crawler.cluster.frontier import LeasedQueue
    from crawler.cluster.keys import Keys

    sim = sim_factory(merchants=10)
    cluster = Cluster(private_redis.url, tmp_path)
    client = private_redis.client()
    try:
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
