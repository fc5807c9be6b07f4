"""Every Redis key shopwatch's cluster uses, in one place.

All keys start with a prefix (setting ``SHOPWATCH_CLUSTER_PREFIX``, env of the same name), so
several clusters or test runs share one Redis without colliding. The Lua scripts (``scripts``)
receive the prefix and job id and build the same names from ``KEY_FORMS`` below, so the Python
and Lua sides cannot drift: ``scripts`` renders these templates into its Lua source.
"""
from __future__ import annotations

from dataclasses import dataclass

#: name -> template; ``{p}`` = prefix, ``{j}`` = job id, ``{d}`` = domain (host:port), ``{w}`` = worker.
KEY_FORMS: dict[str, str] = {
    "jobs": "{p}:jobs",  # ZSET job id -> created (ms): the job registry
    "workers": "{p}:workers",  # ZSET worker id -> last heartbeat (ms)
    "worker": "{p}:worker:{w}",  # HASH host, pid, started, jobs (JSON), pages, rate
    "pauses": "{p}:pauses",  # HASH domain -> paused until (ms): Retry-After, for every job and worker
    "meta": "{p}:job:{j}",  # HASH spec, state, limits, created/finished
    "stats": "{p}:job:{j}:stats",  # HASH counters: queued, leased_total, done, failed, redelivered, pages, items, ...
    "errors": "{p}:job:{j}:errors",  # HASH crawl errors and drops by reason (from the workers' Scrapy stats)
    "failed": "{p}:job:{j}:failed",  # HASH dead-lettered requests by reason
    "dead": "{p}:job:{j}:dead",  # LIST JSON {url, reason, deliveries, at}, newest first, capped
    "job_workers": "{p}:job:{j}:workers",  # HASH worker id -> JSON {beat, pages, rate}
    "domains": "{p}:job:{j}:domains",  # ZSET domain -> last lease (ms): round robin over domains
    "queue": "{p}:job:{j}:q:{d}",  # ZSET request id -> -priority: ready requests of one domain
    "payloads": "{p}:job:{j}:req",  # HASH request id -> serialized request (pending ones only)
    "urls": "{p}:job:{j}:url",  # HASH request id -> URL (for dead letters and status)
    "leases": "{p}:job:{j}:leases",  # ZSET request id -> lease deadline (ms)
    "lease_domain": "{p}:job:{j}:ldom",  # HASH request id -> domain, while leased
    "deliveries": "{p}:job:{j}:dlv",  # HASH request id -> times leased
    "inflight": "{p}:job:{j}:inflight:{d}",  # ZSET request id -> deadline: leased per domain (concurrency)
    "bucket": "{p}:job:{j}:tb:{d}",  # HASH tokens, ts: per-domain token bucket (requests/s)
    "bloom": "{p}:job:{j}:bloom",  # HASH slices n, per slice m/k/cap/count: the dedupe filter's shape
    "bloom_slice": "{p}:job:{j}:bloom:{s}",  # STRING bits of slice s
}


@dataclass(frozen=True)
class Keys:
    """Key names for one prefix; ``job(j)`` gives the keys of one job."""

    prefix: str

    def __post_init__(self) -> None:
        if not self.prefix or any(c in self.prefix for c in " \t\r\n"):
            raise ValueError(f"bad cluster key prefix {self.prefix!r}: non-empty, no whitespace")

    def name(self, form: str, **parts: str | int) -> str:
        return KEY_FORMS[form].format(p=self.prefix, **parts)

    @property
    def jobs(self) -> str:
        return self.name("jobs")

    @property
    def workers(self) -> str:
        return self.name("workers")

    @property
    def pauses(self) -> str:
        return self.name("pauses")

    def worker(self, worker_id: str) -> str:
        return self.name("worker", w=worker_id)

    def job(self, job_id: str, form: str = "meta", **parts: str | int) -> str:
        return self.name(form, j=job_id, **parts)

    def job_pattern(self, job_id: str) -> str:
        """Glob for every key of one job except its meta hash (SCAN MATCH)."""
        return f"{self.prefix}:job:{job_id}:*"
