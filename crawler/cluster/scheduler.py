"""The Scrapy scheduler of a worker: the job's frontier lives in Redis, shared by every worker.

``enqueue_request`` buffers discovered requests and sends them to Redis (dedupe + queue, atomically)
by size or age (SHOPWATCH_CLUSTER_ENQUEUE_BATCH / _SECONDS); ``commit`` (every
SHOPWATCH_CLUSTER_COMMIT_SECONDS) sends what is left, flushes the store, and only then acknowledges
the leases whose work is complete (``ledger``), extending the ones still held. ``next_request`` hands
out local retries/redirects first, then leases from Redis (SHOPWATCH_CLUSTER_PREFETCH at a time, a
fair share of a short queue: ``scripts.LEASE``), backing off when the
job has nothing to give so an idle worker does not hammer Redis. A Redis outage is survived: calls
fail fast, nothing buffered is dropped, and the worker retries every SHOPWATCH_CLUSTER_RETRY_SECONDS.
"""
from __future__ import annotations

import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.core.scheduler import BaseScheduler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.asyncio import create_looping_call
from twisted.python.failure import Failure

from crawler.cluster import connection
from crawler.cluster.frontier import DedupeShape, LeasedQueue
from crawler.cluster.ledger import LEASE, Ledger, register
from crawler.outcomes import errors_by_reason
from crawler.signals import outputs_commit

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: worker-side counters pushed to the job's stats hash (name -> Scrapy stats key)
PUSHED_COUNTS = {"pages": "response_received_count", "items": "item_scraped_count", "retries": "retry/count",
                 "retry_after": "shopwatch/retry_after"}
OPEN_STATES = ("running", "seeding")


class ClusterScheduler(BaseScheduler):
    def __init__(self, crawler: Crawler, server: Any) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.server = server
        self.keys = connection.keys(s)
        self.job_id = str(s.get("SHOPWATCH_CLUSTER_JOB") or "")
        if not self.job_id:
            raise ValueError("ClusterScheduler needs SHOPWATCH_CLUSTER_JOB (set by `shopwatch worker`)")
        self.lease_seconds = s.getfloat("SHOPWATCH_CLUSTER_LEASE_SECONDS", 60.0)
        self.max_deliveries = s.getint("SHOPWATCH_CLUSTER_MAX_DELIVERIES", 3)
        self.prefetch = s.getint("SHOPWATCH_CLUSTER_PREFETCH", 8)
        self.batch = s.getint("SHOPWATCH_CLUSTER_ENQUEUE_BATCH", 200)
        self.enqueue_seconds = s.getfloat("SHOPWATCH_CLUSTER_ENQUEUE_SECONDS", 0.1)
        self.flush_due = 0.0  # time.monotonic() by which buffered discoveries go to Redis
        self.commit_seconds = s.getfloat("SHOPWATCH_CLUSTER_COMMIT_SECONDS", 0.5)
        self.poll_min = s.getfloat("SHOPWATCH_CLUSTER_POLL_MIN", 0.05)
        self.poll_max = s.getfloat("SHOPWATCH_CLUSTER_POLL_MAX", 2.0)
        self.poll_busy = s.getfloat("SHOPWATCH_CLUSTER_POLL_BUSY", 0.25)
        self.retry_seconds = s.getfloat("SHOPWATCH_CLUSTER_RETRY_SECONDS", 1.0)
        self.dead_max = s.getint("SHOPWATCH_CLUSTER_DEAD_MAX", 10_000)
        self.worker_ttl = s.getfloat("SHOPWATCH_CLUSTER_WORKER_TTL", 10.0)
        self.dedupe = DedupeShape(s.getfloat("SHOPWATCH_CLUSTER_DEDUPE_ERROR", 1e-7),
                                  s.getint("SHOPWATCH_CLUSTER_DEDUPE_CAPACITY", 8192),
                                  s.getint("SHOPWATCH_CLUSTER_DEDUPE_GROWTH", 2))
        self.ledger = Ledger()
        self.local: deque[Request] = deque()  # retries and redirects of held leases
        self.prefetched: deque[Request] = deque()
        self.buffer: list[list[Any]] = []  # encoded discoveries not yet in Redis
        self.state = "running"
        self.next_poll = 0.0
        self.idle_wait = self.poll_min
        self.down_since: float | None = None
        self.paused_until: dict[str, float] = {}  # domain -> time.time() (cluster Retry-After)
        self.pushed: dict[str, int] = {}
        self.queue: LeasedQueue | None = None
        self.spider: Spider | None = None
        self._loop: Any = None
        self._wake_call: Any = None
        register(crawler, self)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterScheduler:
        return cls(crawler, connection.connect(connection.redis_url(crawler.settings), check=False))

    # --- lifecycle --------------------------------------------------------------------------------

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = LeasedQueue(self.server, self.keys, self.job_id, spider, self.dedupe,
                                 fingerprint=self.crawler.request_fingerprinter.fingerprint)
        self.crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        self._loop = create_looping_call(self._tick)
        self._loop.start(self.commit_seconds, now=False)

    def close(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self._wake_call is not None and self._wake_call.active():
            self._wake_call.cancel()
        self.commit()
        held = self.ledger.held_pairs()
        if held and self.queue is not None:
            try:
                n = self.queue.release(held)
                logger.info("released %d leases of job %s back to the queue", n, self.job_id)
            except self._errors() as exc:
                logger.warning("could not release %d leases (they expire in %.0f s): %s",
                               len(held), self.lease_seconds, exc)

    def spider_idle(self, spider: Spider) -> None:
        """Keep the crawler open while the job runs: other workers may still add work."""
        if self.state in OPEN_STATES:
            raise DontCloseSpider

    # --- the Scrapy scheduler interface -----------------------------------------------------------

    def has_pending_requests(self) -> bool:
        return bool(self.local or self.prefetched or self.buffer)

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get(LEASE) in self.ledger.held:
            self.local.append(request)  # a retry or redirect of work this worker holds
            return True
        request.meta.pop(LEASE, None)
        assert self.queue is not None
        self.buffer.append(self.queue.encode(request))
        # a worker holding a long prefetch may not ask for work for a while: its discoveries go
        # out by size or age, since at the start of a job they are all the others have
        if len(self.buffer) >= self.batch or time.monotonic() >= self.flush_due:
            self._guard(self.flush_enqueues)
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        if self.prefetched:
            return self.prefetched.popleft()
        if self.buffer:
            self._guard(self.flush_enqueues)
        now = time.monotonic()
        if now < self.next_poll or self.state not in OPEN_STATES or self.queue is None:
            return None
        batch = self._guard(self.queue.lease, self.prefetch, self.lease_seconds, self.max_deliveries, self.dead_max,
                            self.worker_ttl)
        if batch is None:
            return None
        self._set_state(batch.state)
        for lease in batch.leases:
            lease.request.meta[LEASE] = lease.id
            self.ledger.add(lease.id, lease.domain)
            self.prefetched.append(lease.request)
        if self.prefetched:
            self.idle_wait = self.poll_min
            return self.prefetched.popleft()
        if batch.wait >= 0:
            delay = max(0.005, batch.wait)  # a rate-limited or paused domain: come back exactly then
        else:
            delay, self.idle_wait = self.idle_wait, min(self.poll_max, self.idle_wait * 2)
            if batch.busy:  # others hold leases: their discoveries may come any moment
                delay = min(delay, self.poll_busy)
        self._poll_after(delay)
        return None

    # --- Redis round trips ------------------------------------------------------------------------

    def flush_enqueues(self) -> None:
        if not self.buffer or self.queue is None:
            return
        batch = self.buffer
        self.flush_due = time.monotonic() + self.enqueue_seconds
        added, filtered, state = self.queue.push_encoded(batch)
        self.buffer = self.buffer[len(batch):]
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("shopwatch/cluster/enqueued", added)
            stats.inc_value("dupefilter/filtered", filtered)
        if added:
            self.idle_wait = self.poll_min
            self.next_poll = 0.0  # there is work now (maybe for us)
        self._set_state(state)

    def _tick(self) -> None:
        """The periodic commit; an error is logged and the next tick tries again (a dead loop
        would never acknowledge anything again, and every lease would expire)."""
        try:
            self.commit()
        except Exception:  # noqa: BLE001 - logged with its traceback; nothing was acknowledged
            logger.exception("commit of job %s failed; retrying in %.1f s", self.job_id, self.commit_seconds)

    def commit(self) -> None:
        """Discoveries to Redis, outputs to the store, then acknowledgements (in that order)."""
        if self.queue is None:
            return
        if self._guard(self.flush_enqueues) is False:
            return
        ready = self.ledger.take_ready()
        if ready and not self._commit_outputs():
            self.ledger.put_back(ready)
            return
        if ready or self.ledger.held:  # idle: nothing to settle or extend (lease polls see the state)
            state = self._guard(self.queue.settle, ready, self.ledger.held_ids(), self.lease_seconds, self.dead_max)
            if state is False:
                self.ledger.put_back(ready)
                return
            self._set_state(state)
            self._guard(self._read_pauses)
        self._guard(self._push_stats)

    def _commit_outputs(self) -> bool:
        """Every pipeline's buffered writes made durable (``outputs_commit``); False if one failed."""
        failures = [result for _, result in self.crawler.signals.send_catch_log(outputs_commit)
                    if isinstance(result, Failure)]
        if failures:
            logger.error("job %s: %d output(s) could not be committed; nothing acknowledged, retrying",
                         self.job_id, len(failures))
        return not failures

    def _push_stats(self) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        now = {name: int(stats.get(key, 0) or 0) for name, key in PUSHED_COUNTS.items()}
        now.update({f"error:{k}": v for k, v in errors_by_reason(stats).items()})
        delta = {k: v - self.pushed.get(k, 0) for k, v in now.items() if v != self.pushed.get(k, 0)}
        if not delta:
            return
        pipe = self.server.pipeline(transaction=False)
        for name, n in delta.items():
            if name.startswith("error:"):
                pipe.hincrby(self.keys.job(self.job_id, "errors"), name[6:], n)
            else:
                pipe.hincrby(self.keys.job(self.job_id, "stats"), name, n)
        pipe.execute()
        self.pushed = now

    def _read_pauses(self) -> None:
        assert self.queue is not None
        now = time.time()
        self.paused_until = {domain: now + left for domain, left in self.queue.pauses().items()}

    def publish_pause(self, domain: str, seconds: float) -> None:
        """A Retry-After seen here pauses ``domain`` for every worker of every job."""
        self.paused_until[domain] = max(self.paused_until.get(domain, 0.0), time.time() + seconds)
        if self.queue is not None:
            self._guard(self.queue.pause, domain, seconds)

    # --- helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _errors() -> tuple[type[BaseException], ...]:
        import redis

        return (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, redis.ReadOnlyError)

    def _guard(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a Redis call; on a connection problem note the outage and return False."""
        try:
            result = call(*args, **kwargs)
        except self._errors() as exc:
            if self.down_since is None:
                self.down_since = time.monotonic()
                logger.warning("Redis unreachable (%s); retrying every %.1f s", exc, self.retry_seconds)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("shopwatch/cluster/redis_errors")
            self._poll_after(self.retry_seconds)
            return False
        if self.down_since is not None:
            logger.warning("Redis reachable again after %.1f s", time.monotonic() - self.down_since)
            self.down_since = None
        return result if result is not False else None

    def _set_state(self, state: str) -> None:
        if not state or state == self.state:
            return
        self.state = state
        if state not in OPEN_STATES and self.spider is not None and self.crawler.engine is not None:
            logger.info("job %s is %s: closing this worker's crawler", self.job_id, state)
            from scrapy.utils.defer import deferred_from_coro

            reason = "finished" if state == "finished" else "cancelled"
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def _poll_after(self, delay: float) -> None:
        """No lease now: ask again in ``delay`` seconds (the engine only asks on its own events)."""
        self.next_poll = time.monotonic() + delay
        if self._wake_call is not None and self._wake_call.active():
            # Move the pending wake to the new time: a wake that fires before ``next_poll`` finds
            # nothing to lease and schedules nothing, and the engine would sleep until its 5 s
            # heartbeat (a rate-limited job crawled at a fifth of its rate that way).
            self._wake_call.reset(delay)
            return
        from twisted.internet import reactor

        self._wake_call = reactor.callLater(delay, self._wake)

    def _wake(self) -> None:
        # Scrapy has no public "the scheduler has work again" call; the engine slot's nextcall is
        # what its own heartbeat uses (every 5 s), so this only shortens that wait.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()
