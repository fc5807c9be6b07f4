"""A worker's scheduler against a real Redis: what it leases at once, and when its discoveries
become visible to the other workers."""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.cluster.keys import Keys
from crawler.cluster.scheduler import ClusterScheduler
from tests.cluster.conftest import delete_prefix
from tests.servers import server_url


class _NoTick:
    """Stands in for the scheduler's periodic commit: these tests call it themselves (a looping
    call needs the Twisted reactor, which a test process has not installed)."""

    running = False

    def start(self, *args: Any, **kwargs: Any) -> None:
        pass


@pytest.fixture
def scheduler(monkeypatch) -> Iterator[Any]:
    import redis

    monkeypatch.setattr("crawler.cluster.scheduler.create_looping_call", lambda call: _NoTick())
    url = server_url("redis")
    client = redis.Redis.from_url(url)
    prefix, job = f"test-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex[:8]
    keys = Keys(prefix)
    client.hset(keys.job(job), mapping={"state": "running", "rate": 0, "concurrency": 0, "max_pages": 0})
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("SHOPWATCH_CLUSTER_PREFIX", raising=False)

    def make(**settings: Any) -> ClusterScheduler:
        crawler = get_crawler(Spider, {"REDIS_URL": url, "SHOPWATCH_CLUSTER_PREFIX": prefix,
                                       "SHOPWATCH_CLUSTER_JOB": job, **settings})
        sched = ClusterScheduler.from_crawler(crawler)
        sched.open(crawler._create_spider("t"))
        return sched

    yield make, client, keys, job
    delete_prefix(client, prefix)


def _queued(client: Any, keys: Keys, job: str) -> int:
    return int(client.hget(keys.job(job, "stats"), "queued") or 0)


def test_discoveries_reach_redis_by_age_while_the_worker_is_busy(scheduler) -> None:
    """A worker working through a long prefetch does not ask Redis for work for a while; what it
    discovers meanwhile must not wait for that (at the start of a job it is all the others have)."""
    make, client, keys, job = scheduler
    sched = make(SHOPWATCH_CLUSTER_ENQUEUE_SECONDS=0.3, SHOPWATCH_CLUSTER_ENQUEUE_BATCH=200)
    sched.enqueue_request(Request("http://weishop.mallsim.test/item/0"))  # the first goes at once
    assert _queued(client, keys, job) == 1
    for i in range(1, 50):
        sched.enqueue_request(Request(f"http://weishop.mallsim.test/item/{i}"))
    assert _queued(client, keys, job) == 1 and len(sched.buffer) == 49  # young and few: still buffered
    time.sleep(0.35)
    sched.enqueue_request(Request("http://weishop.mallsim.test/item/50"))
    assert _queued(client, keys, job) == 51 and not sched.buffer  # old enough: all of them sent


def test_a_lease_call_takes_up_to_the_prefetch(scheduler) -> None:
    make, client, keys, job = scheduler
    sched = make(SHOPWATCH_CLUSTER_PREFETCH=32, SHOPWATCH_CLUSTER_ENQUEUE_SECONDS=0)
    for i in range(100):
        sched.enqueue_request(Request(f"http://weishop.mallsim.test/item/{i}"))
    assert _queued(client, keys, job) == 100
    first = sched.next_request()
    assert first is not None and len(sched.prefetched) == 31  # one call, 32 leases
    assert _queued(client, keys, job) == 68
