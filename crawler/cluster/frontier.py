"""One job's shared frontier: queued, leased and acknowledged requests in Redis.

Built on scrapy-redis's queue base (its request encoding: ``request_to_dict`` + pickle, and its
key/serializer conventions), but scrapy-redis's queues pop destructively — a worker that dies
loses what it popped — so push/pop are replaced by the lease protocol of ``scripts``:
``push`` dedupes and queues atomically, ``lease`` hands out requests with a deadline, ``settle``
acknowledges (or dead-letters) them, ``release`` gives them back. Every call is one Lua script.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis import picklecompat
from scrapy_redis.queue import Base as ScrapyRedisQueue

from crawler.cluster import scripts
from crawler.cluster.bloom import hash_pair
from crawler.cluster.keys import Keys


@dataclass(frozen=True)
class Lease:
    id: str
    domain: str
    request: Request


@dataclass(frozen=True)
class LeaseBatch:
    state: str  # job state: running / finished / cancelled / missing
    wait: float  # seconds until a rate-limited or paused domain may be served again; -1 = unknown
    leases: list[Lease]
    busy: bool = False  # nothing queued, but other workers hold leases (their discoveries will come)


@dataclass(frozen=True)
class DedupeShape:
    """Bloom parameters (settings SHOPWATCH_CLUSTER_DEDUPE_*)."""

    error: float = 1e-7
    capacity: int = 8192
    growth: int = 2


class _NoSpider:
    """Stands in for the spider where no request callback is encoded or decoded."""

    name = ""


_NO_SPIDER = _NoSpider()


def domain_of(request: Request) -> str:
    """Politeness and queue unit: host[:port], as Scrapy's own per-host slots."""
    return urlparse_cached(request).netloc.lower()


class LeasedQueue(ScrapyRedisQueue):
    """A job's frontier for one spider (``spider`` decodes callbacks; may be None for admin use)."""

    def __init__(self, server: Any, keys: Keys, job_id: str, spider: Any = None,
                 dedupe: DedupeShape = DedupeShape(), fingerprint: Any = None) -> None:
        # scrapy-redis formats its key with the spider name; admin use (status, cancel) has no spider
        super().__init__(server, spider or _NO_SPIDER, keys.job(job_id), serializer=picklecompat)
        self.keys = keys
        self.job_id = job_id
        self.dedupe = dedupe
        self.fingerprint = fingerprint  # request -> 20-byte digest (the crawler's fingerprinter)
        self._enqueue = server.register_script(scripts.ENQUEUE)
        self._lease = server.register_script(scripts.LEASE)
        self._settle = server.register_script(scripts.SETTLE)
        self._release = server.register_script(scripts.RELEASE)
        self._close = server.register_script(scripts.CLOSE)
        self._pause = server.register_script(scripts.PAUSE)
        self._pauses = server.register_script(scripts.PAUSES)

    def __len__(self) -> int:
        return max(0, int(self.server.hget(self.keys.job(self.job_id, "stats"), "queued") or 0))

    def _head(self) -> list[Any]:
        return [self.keys.prefix, self.job_id]

    def encode(self, request: Request) -> list[Any]:
        """The 7 script arguments of one request (see ``scripts.ENQUEUE``)."""
        if request.dont_filter:
            h1: Any = ""
            h2: Any = ""
        else:
            h1, h2 = hash_pair(self.fingerprint(request))
        return [secrets.token_hex(8), domain_of(request), -request.priority, h1, h2, request.url,
                self._encode_request(request)]

    def push_encoded(self, encoded: Sequence[list[Any]]) -> tuple[int, int, str]:
        """Queue already-encoded requests; returns (added, filtered as seen, job state)."""
        if not encoded:
            return 0, 0, ""
        args = [*self._head(), self.dedupe.error, self.dedupe.capacity, self.dedupe.growth]
        for row in encoded:
            args.extend(row)
        added, filtered, state = self._enqueue(args=args)
        return int(added), int(filtered), _text(state)

    def push(self, request: Request) -> bool:
        """scrapy-redis's queue interface: True if queued, False if seen before."""
        return self.push_encoded([self.encode(request)])[0] == 1

    def push_many(self, requests: Iterable[Request]) -> tuple[int, int, str]:
        return self.push_encoded([self.encode(r) for r in requests])

    def lease(self, count: int, lease_seconds: float, max_deliveries: int, dead_max: int,
              worker_ttl: float = 10.0) -> LeaseBatch:
        """Up to ``count`` requests, and no more than a fair share of the queue for each worker
        whose heartbeat is younger than ``worker_ttl`` seconds."""
        reply = self._lease(args=[*self._head(), int(lease_seconds * 1000), count, max_deliveries, dead_max,
                                  int(worker_ttl * 1000)])
        state, wait = _text(reply[0]), float(reply[1])
        leases = []
        for i in range(2, len(reply), 3):
            rid, dom, payload = _text(reply[i]), _text(reply[i + 1]), reply[i + 2]
            leases.append(Lease(rid, dom, self._decode_request(payload)))
        return LeaseBatch(state, wait / 1000 if wait >= 0 else -1.0, leases, busy=wait == -2)

    def pop(self, timeout: int = 0) -> Request | None:
        """scrapy-redis's interface, but leased: the caller must ``settle`` the request."""
        batch = self.lease(1, 60.0, 3, 10_000)
        return batch.leases[0].request if batch.leases else None

    def settle(self, outcomes: Sequence[tuple[str, str, str]], held: Sequence[str], lease_seconds: float,
               dead_max: int) -> str:
        """Acknowledge ``(id, domain, reason)`` outcomes (reason '' = done, else dead-lettered)
        and extend the deadlines of the ``held`` leases; returns the job state."""
        args: list[Any] = [*self._head(), int(lease_seconds * 1000), dead_max, len(outcomes)]
        for row in outcomes:
            args.extend(row)
        args.extend(held)
        return _text(self._settle(args=args))

    def release(self, leases: Iterable[tuple[str, str]]) -> int:
        args: list[Any] = self._head()
        for rid, dom in leases:
            args.extend((rid, dom))
        return int(self._release(args=args)) if len(args) > 2 else 0

    def pause(self, domain: str, seconds: float) -> None:
        """Pause ``domain`` for every worker of every job (Retry-After); pauses only grow."""
        self._pause(args=[*self._head(), domain, int(seconds * 1000)])

    def pauses(self) -> dict[str, float]:
        """Paused domains -> seconds left (expired ones are dropped on the way)."""
        reply = self._pauses(args=self._head())
        return {_text(reply[i]): float(reply[i + 1]) / 1000 for i in range(0, len(reply), 2)}

    def close(self, state: str, reason: str) -> bool:
        return bool(self._close(args=[*self._head(), state, reason]))

    def clear(self) -> None:
        self.close("cancelled", "cleared")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)
