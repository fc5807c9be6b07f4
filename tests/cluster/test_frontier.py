"""The frontier's guarantees, checked on a real Redis through the same Lua scripts workers run:
dedupe memory and false drops, leases that expire back into the queue, dead letters, per-domain
concurrency and rate, Retry-After pauses."""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy import Request

from crawler.cluster.frontier import DedupeShape, LeasedQueue
from crawler.cluster.keys import Keys
from crawler.cluster.progress import snapshot
from crawler.fingerprint import CanonicalRequestFingerprinter
from tests.cluster.conftest import delete_prefix
from tests.servers import server_url

FP = CanonicalRequestFingerprinter().fingerprint


@pytest.fixture
def frontier() -> Iterator[Any]:
    import redis

    client = redis.Redis.from_url(server_url("redis"))
    keys = Keys(f"test-{uuid.uuid4().hex[:10]}")

    def make(**meta: Any) -> LeasedQueue:
        job = uuid.uuid4().hex[:8]
        client.hset(keys.job(job), mapping={"state": "running", "rate": 0, "concurrency": 0, "max_pages": 0, **meta})
        return LeasedQueue(client, keys, job, dedupe=DedupeShape(), fingerprint=FP)

    yield make
    delete_prefix(client, keys.prefix)


def urls(n: int, host: str = "weishop.mallsim.test", start: int = 0) -> list[Request]:
    return [Request(f"http://{host}/item/{i}?utm_source=x{i % 7}") for i in range(start, start + n)]


def test_dedupe_memory_and_false_drops(frontier) -> None:
    q = frontier()
    n = 20_000
    for i in range(0, n, 1000):
        assert q.push_many(urls(1000, start=i))[:2] == (1000, 0)
    # the same pages again, with other tracking parameters: all seen
    again = [Request(f"http://weishop.mallsim.test/item/{i}?spm=abc") for i in range(0, n, 7)]
    assert q.push_many(again)[:2] == (0, len(again))
    # 20,000 pages never seen: none may be taken for seen (design rate 1e-7 → expect 0)
    fresh = q.push_many(urls(20_000, start=n))
    assert fresh[1] == 0, f"{fresh[1]} false drops in 20,000 new URLs"
    bloom_bytes = sum(q.server.memory_usage(k) for k in q.server.scan_iter(match=f"{q.keys.job(q.job_id)}:bloom*"))
    assert bloom_bytes / (2 * n) <= 16, f"{bloom_bytes / (2 * n):.1f} bytes per URL"


def test_expired_lease_returns_to_the_queue_and_stays_seen(frontier) -> None:
    q = frontier()
    q.push_many(urls(1))
    first = q.lease(5, lease_seconds=0.2, max_deliveries=3, dead_max=100)
    assert len(first.leases) == 1
    assert q.lease(5, 0.2, 3, 100).leases == []  # leased: not handed out twice
    time.sleep(0.3)  # the worker "died": no settle
    second = q.lease(5, 0.2, 3, 100)
    assert [l.id for l in second.leases] == [first.leases[0].id]
    assert second.leases[0].request.url == first.leases[0].request.url
    assert q.push_many(urls(1))[:2] == (0, 1)  # its fingerprint stayed committed: not queued twice
    assert q.settle([(second.leases[0].id, second.leases[0].domain, "")], [], 1.0, 100) == "finished"
    snap = snapshot(q.server, q.keys, q.job_id)
    assert (snap["done"], snap["redelivered"], snap["failed"]) == (1, 1, 0)


def test_request_that_keeps_expiring_is_dead_lettered(frontier) -> None:
    q = frontier()
    q.push_many(urls(1))
    for _ in range(2):
        assert len(q.lease(1, 0.1, 2, 100).leases) == 1
        time.sleep(0.15)
    assert q.lease(1, 0.1, 2, 100).state == "finished"
    snap = snapshot(q.server, q.keys, q.job_id)
    assert snap["failed_by_reason"] == {"lease_expired": 1}
    assert snap["dead_letters"][0]["url"].startswith("http://weishop.mallsim.test/item/0")


def test_failed_request_is_dead_lettered_with_its_reason(frontier) -> None:
    q = frontier()
    q.push_many(urls(2))
    a, b = q.lease(2, 30, 3, 100).leases
    state = q.settle([(a.id, a.domain, "timeout")], [b.id], 30, 100)
    assert state == "running"  # b is still held
    assert q.settle([(b.id, b.domain, "")], [], 30, 100) == "finished"
    snap = snapshot(q.server, q.keys, q.job_id)
    assert (snap["done"], snap["failed"], snap["failed_by_reason"]) == (1, 1, {"timeout": 1})


def test_domain_concurrency_is_shared(frontier) -> None:
    q = frontier(concurrency=2)
    q.push_many(urls(5))
    held = q.lease(10, 30, 3, 100).leases
    assert len(held) == 2  # whoever asks: two in flight per domain
    assert q.lease(10, 30, 3, 100).leases == []
    q.settle([(held[0].id, held[0].domain, "")], [], 30, 100)
    assert len(q.lease(10, 30, 3, 100).leases) == 1


def test_a_short_queue_is_shared_among_the_live_workers(frontier) -> None:
    """At a job's start and end one worker's prefetch must not take all there is while the
    others idle: each lease takes at most its share of the queue per live worker."""
    import json

    q = frontier()
    q.push_many(urls(10))
    now = q.server.time()[0]
    q.server.hset(q.keys.job(q.job_id, "job_workers"), mapping={
        "a": json.dumps({"beat": now}), "b": json.dumps({"beat": now}),
        "gone": json.dumps({"beat": now - 60}), "finished": json.dumps({"beat": 0})})
    sizes = [len(q.lease(32, 30, 3, 100, worker_ttl=10).leases) for _ in range(5)]
    assert sizes == [5, 3, 1, 1, 0]  # half of 10, of 5 (rounded up), of 2, of 1
    # a long queue: the full prefetch
    q.push_many(urls(200, start=100))
    assert len(q.lease(32, 30, 3, 100, worker_ttl=10).leases) == 32


def test_a_lone_worker_takes_its_full_prefetch(frontier) -> None:
    q = frontier()
    q.push_many(urls(10))
    assert len(q.lease(32, 30, 3, 100).leases) == 10  # no worker registered counts as one


def test_domain_rate_is_a_token_bucket(frontier) -> None:
    q = frontier(rate=20)
    q.push_many(urls(200) + urls(5, host="other.mallsim.test"))
    got, started = 0, time.monotonic()
    hints = []
    while time.monotonic() - started < 2.0:
        batch = q.lease(8, 30, 3, 100)
        got += sum(1 for l in batch.leases if l.domain == "weishop.mallsim.test")
        if batch.wait >= 0:
            hints.append(batch.wait)
        time.sleep(0.01)
    assert 38 <= got <= 44, got  # 20/s for 2 s (+ a burst of 2)
    assert hints and max(hints) <= 0.06  # "come back in ≤ 1/rate s", not a blind poll


def test_retry_after_pauses_the_domain_for_everyone(frontier) -> None:
    q = frontier()
    q.push_many(urls(3) + urls(1, host="other.mallsim.test"))
    q.pause("weishop.mallsim.test", 0.6)  # what ClusterRetryMiddleware does on a Retry-After
    assert 0.3 < q.pauses()["weishop.mallsim.test"] <= 0.6
    batch = q.lease(10, 30, 3, 100)
    assert [l.domain for l in batch.leases] == ["other.mallsim.test"]
    assert 0.3 < batch.wait <= 0.6
    time.sleep(0.65)
    assert len(q.lease(10, 30, 3, 100).leases) == 3
