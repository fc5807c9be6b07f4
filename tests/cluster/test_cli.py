"""The jobs/worker commands as an operator meets them: profile jobs, Retry-After shared by all
workers, and one clear line (exit 2) for every bad input."""
from __future__ import annotations

import time

import pytest

from tests.cluster.conftest import ROOT, Cluster, stored, truth_listings


def test_profile_job_carries_its_profile_and_politeness(cluster: Cluster, sim_factory) -> None:
    sim = sim_factory(merchants=10)
    job = cluster.submit("--profile", str(ROOT / "profiles/weishop.yaml"), "--port", str(sim.port))
    snap = cluster.status(job)
    assert snap["profile"].endswith("weishop.yaml")
    assert snap["limits"]["concurrency"] == 16  # from the profile's politeness
    cluster.worker()
    assert cluster.wait_workers(timeout=60) == [0], cluster.tail()
    assert cluster.status(job)["state"] == "finished"
    active = {i for i, v in stored(cluster.tmp / "data").items() if v[2] == "active"}
    assert active == truth_listings(10)


def test_retry_after_from_one_worker_pauses_all(cluster: Cluster, sim_factory) -> None:
    import redis

    sim = sim_factory(merchants=60, api_rate=5.0, api_burst=2.0)
    job = cluster.submit("miniapp", "--port", str(sim.port))
    patient = "SHOPWATCH_RETRY_AFTER_TIMES=100"  # no --rate here: the API's 5/s is hit over and over
    cluster.worker(patient)
    cluster.worker(patient)
    client = redis.Redis.from_url(cluster.redis_url)
    seen_pause = False
    deadline = time.monotonic() + 90
    while not seen_pause and time.monotonic() < deadline and any(w.poll() is None for w in cluster.workers):
        seen_pause = bool(client.hgetall(f"{cluster.prefix}:pauses"))
        time.sleep(0.05)
    assert seen_pause, "a 429 with Retry-After should pause the domain in Redis for every worker"
    assert cluster.wait_workers(timeout=120) == [0, 0], cluster.tail()
    snap = cluster.status(job)
    assert snap["state"] == "finished" and snap["failed"] == 0, snap
    assert snap["errors"] == 0 and snap["retry_after"] > 0, snap
    active = {i for i, v in stored(cluster.tmp / "data", "miniapp").items() if v[2] == "active"}
    assert active == truth_listings(60, "miniapp")


@pytest.mark.parametrize(("args", "message"), [
    (["jobs", "submit", "nosuch"], "unknown spider 'nosuch'"),
    (["jobs", "submit"], "either a spider name or --profile"),
    (["jobs", "submit", "weishop", "--rate", "0"], "expected a rate in (0, 10000]"),
    (["jobs", "status", "no-such-job"], "no cluster job 'no-such-job'"),
    (["jobs", "cancel", "no-such-job"], "no cluster job 'no-such-job'"),
    (["worker", "--exit-when-idle", "-s", "SHOPWATCH_CAMPAIGNS=nope"], "SHOPWATCH_CAMPAIGNS: 'nope' is no campaign"),
])
def test_bad_input_is_one_line_naming_it(cluster: Cluster, args: list[str], message: str) -> None:
    result = cluster.cli(*args, check=False)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_or_bad_redis_url_is_named(cluster: Cluster, tmp_path) -> None:
    import subprocess
    import sys

    for url, message in (("", "REDIS_URL is not set"), ("http://127.0.0.1:6390", "is not a Redis URL"),
                         ("redis://127.0.0.1:1/0", "cannot reach Redis at redis://127.0.0.1:1/0")):
        env = {**cluster.env(), "REDIS_URL": url}
        result = subprocess.run([sys.executable, "-m", "crawler.cli", "jobs", "submit", "weishop"], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and message in result.stderr, (url, result.stderr)
