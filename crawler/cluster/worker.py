"""`shopwatch worker`: one process that serves every running job (or the ones named) from Redis.

Each job gets its own Scrapy crawler in this process, built from the job's spider or profile
with the cluster components (settings SHOPWATCH_CLUSTER_*). Every SHOPWATCH_CLUSTER_HEARTBEAT
seconds the worker announces itself (workers alive, its rate per job) and looks for new jobs;
that is its only Redis traffic when idle. SIGINT/SIGTERM stop it cleanly: held leases go back
to the queue. SIGKILL loses nothing either: its leases expire and other workers take them.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.asyncio import create_looping_call
from twisted.python.failure import Failure

from crawler.cluster import connection
from crawler.cluster.keys import Keys
from crawler.cluster.registry import decode, get_meta

logger = logging.getLogger(__name__)


def crawler_settings(base: Settings, job_id: str, concurrency: int | None) -> Settings:
    """The settings of one job's crawler in a worker."""
    s = base.copy()
    s.set("SCHEDULER", s["SHOPWATCH_CLUSTER_SCHEDULER"], priority="cmdline")
    s.set("SPIDER_MIDDLEWARES", {**s.getdict("SPIDER_MIDDLEWARES"),
                                 **s.getdict("SHOPWATCH_CLUSTER_SPIDER_MIDDLEWARES")}, priority="cmdline")
    s.set("DOWNLOADER_MIDDLEWARES", {**s.getdict("DOWNLOADER_MIDDLEWARES"),
                                     **s.getdict("SHOPWATCH_CLUSTER_DOWNLOADER_MIDDLEWARES")}, priority="cmdline")
    s.set("SHOPWATCH_CLUSTER_JOB", job_id, priority="cmdline")
    s.set("SHOPWATCH_JOBS_ENABLED", False, priority="cmdline")  # the job record is the cluster's (below)
    s.set("SHOPWATCH_FOLLOWUP", False, priority="cmdline")  # "not seen by this worker" is not "gone"
    s.set("SHOPWATCH_STORE_BATCH_SECONDS", s.getfloat("SHOPWATCH_CLUSTER_STORE_BATCH_SECONDS"), priority="cmdline")
    s.set("SHOPWATCH_STORE_BATCH", s.getint("SHOPWATCH_CLUSTER_STORE_BATCH"), priority="cmdline")
    if concurrency:
        s.set("CONCURRENT_REQUESTS", concurrency, priority="cmdline")
    return s


class Worker:
    def __init__(self, process: CrawlerProcess, server: Any, keys: Keys, settings: Settings,
                 jobs: set[str] | None, concurrency: int | None, exit_when_idle: bool) -> None:
        self.process = process
        self.server = server
        self.keys = keys
        self.settings = settings
        self.only = jobs
        self.concurrency = concurrency
        self.exit_when_idle = exit_when_idle
        self.id = f"{socket.gethostname()}-{os.getpid()}"
        self.started = time.time()
        self.crawlers: dict[str, Crawler] = {}
        self.closed: set[str] = set()
        self.last_pages: dict[str, tuple[float, int]] = {}
        self.profiles = Path(tempfile.mkdtemp(prefix="shopwatch-worker-"))
        self.ttl = settings.getfloat("SHOPWATCH_CLUSTER_WORKER_TTL", 10.0)
        self.down = False
        self.stopping = False

    def start(self) -> None:
        self.loop = create_looping_call(self.tick)
        self.loop.start(self.settings.getfloat("SHOPWATCH_CLUSTER_HEARTBEAT", 2.0), now=True)

    # --- heartbeat and discovery ------------------------------------------------------------------

    def tick(self) -> None:
        import redis

        try:
            self.heartbeat()
            running = self.discover()
        except redis.RedisError as exc:
            if not self.down:
                logger.warning("worker %s: Redis unreachable (%s); retrying", self.id, exc)
            self.down = True
            return
        except Exception:  # noqa: BLE001 - an error here would stop the loop: no heartbeat, no job ever again
            logger.exception("worker %s: heartbeat or job discovery failed; retrying at the next tick", self.id)
            return
        if self.down:
            logger.warning("worker %s: Redis reachable again", self.id)
            self.down = False
        if self.exit_when_idle and not self.crawlers and not running and not self.stopping:
            self.stopping = True
            logger.info("worker %s: no running jobs left, exiting", self.id)
            from twisted.internet import reactor

            reactor.callLater(0, reactor.stop)

    def redis_now(self) -> float:
        """Redis's clock (seconds): the one every worker's beats are compared with."""
        secs, micros = self.server.time()
        return secs + micros / 1e6

    def heartbeat(self) -> None:
        now = self.redis_now()
        pipe = self.server.pipeline(transaction=False)
        pipe.zadd(self.keys.workers, {self.id: int(now * 1000)})
        info = {"host": socket.gethostname(), "pid": os.getpid(), "started": int(self.started),
                "jobs": json.dumps(sorted(self.crawlers))}
        pipe.hset(self.keys.worker(self.id), mapping=info)
        pipe.expire(self.keys.worker(self.id), int(self.ttl * 3))
        for job_id, crawler in self.crawlers.items():
            self.report(pipe, job_id, crawler, now)
        pipe.execute()

    def report(self, pipe: Any, job_id: str, crawler: Crawler, now: float, final: bool = False) -> None:
        """This worker's pages and rate for one job (summed over workers by `jobs status`);
        ``final``: its last numbers, no longer counted as alive."""
        pages = _pages(crawler)
        then, before = self.last_pages.get(job_id, (now, pages))
        rate = (pages - before) / (now - then) if now > then and not final else 0.0
        self.last_pages[job_id] = (now, pages)
        pipe.hset(self.keys.job(job_id, "job_workers"), self.id,
                  json.dumps({"beat": 0 if final else now, "pages": pages, "rate": round(rate, 1),
                              "host": socket.gethostname(), "pid": os.getpid()}))

    def discover(self) -> int:
        """Start a crawler for each running job not served yet; returns how many jobs run."""
        import redis

        running = 0
        for raw in self.server.zrevrange(self.keys.jobs, 0, 199):
            job_id = raw.decode() if isinstance(raw, bytes) else raw
            if self.only is not None and job_id not in self.only:
                continue
            state = self.server.hget(self.keys.job(job_id), "state")
            state = state.decode() if isinstance(state, bytes) else state
            if state not in ("running", "seeding"):
                continue
            running += 1
            if state == "running" and job_id not in self.crawlers and job_id not in self.closed:
                try:
                    self.start_job(job_id)
                except redis.RedisError:
                    raise
                except Exception:  # noqa: BLE001 - e.g. a spider this worker's code lacks: the others still run
                    logger.exception("worker %s: cannot serve job %s; leaving it to other workers", self.id, job_id)
                    self.crawlers.pop(job_id, None)
                    self.closed.add(job_id)
        return running

    # --- one crawler per job ----------------------------------------------------------------------

    def start_job(self, job_id: str) -> None:
        meta = get_meta(self.server, self.keys, job_id)
        kwargs: dict[str, Any] = {**json.loads(meta.get("args") or "{}"), "job_id": job_id}
        if meta.get("profile_text"):
            path = self.profiles / f"{job_id}.yaml"
            path.write_text(meta["profile_text"], encoding="utf-8")
            kwargs["profile"] = str(path)
        spidercls = self.process.spider_loader.load(meta["spider"])
        crawler = Crawler(spidercls, crawler_settings(self.settings, job_id, self.concurrency))
        self.crawlers[job_id] = crawler
        logger.info("worker %s: joining job %s (%s)", self.id, job_id, meta["spider"])
        d = self.process.crawl(crawler, **kwargs)
        d.addBoth(self.job_closed, job_id)
        if job_id not in self.crawlers:
            return  # the crawl could not even start (job_closed said why)
        # counted as alive at once, not at the next heartbeat: the lease script shares a short
        # queue among the job's live workers
        pipe = self.server.pipeline(transaction=False)
        self.report(pipe, job_id, crawler, self.redis_now())
        pipe.execute()

    def job_closed(self, result: Any, job_id: str) -> Any:
        crawler = self.crawlers.pop(job_id, None)
        self.closed.add(job_id)
        if isinstance(result, Failure):  # the crawl could not run (or crashed): say so, loudly
            logger.error("worker %s: job %s stopped on an error: %s", self.id, job_id, result.getErrorMessage(),
                         exc_info=(result.type, result.value, result.getTracebackObject()))
        try:
            if crawler is not None:
                pipe = self.server.pipeline(transaction=False)
                self.report(pipe, job_id, crawler, time.time(), final=True)
                pipe.execute()
            self.record(job_id, crawler)
        except Exception:  # noqa: BLE001 - the record is a convenience; the job itself is in Redis
            logger.exception("could not record job %s in the store", job_id)
        return None

    def record(self, job_id: str, crawler: Crawler | None) -> None:
        """A finished or cancelled job's numbers into the store, so `jobs list` keeps them."""
        from crawler.cluster.progress import snapshot
        from crawler.config import shared_store

        snap = snapshot(self.server, self.keys, job_id, self.ttl)
        if snap["state"] in ("running", "seeding") or crawler is None:
            return
        counts = {k: snap[k] for k in ("pages", "items", "retries", "done", "failed", "redelivered")}
        store = shared_store(crawler.settings)
        store.save_job({"id": job_id, "spider": snap["spider"], "profile": snap["profile"],
                        "args": json.loads(decode(self.server.hgetall(self.keys.job(job_id))).get("args") or "{}"),
                        "started_at": snap["created_at"], "finished_at": snap["finished_at"],
                        "state": snap["state"], "counts": counts, "errors": snap["errors_by_reason"]})
        store.flush()


def run_worker(overrides: dict[str, Any], jobs: set[str] | None, concurrency: int | None,
               exit_when_idle: bool) -> int:
    from scrapy.utils.reactor import install_reactor

    from crawler.runner import check_components, project_settings

    settings = project_settings(overrides)
    check_components(settings)  # a bad SHOPWATCH_CAMPAIGNS stops the worker here, named
    server = connection.connect(connection.redis_url(settings))
    keys = connection.keys(settings)
    install_reactor(settings["TWISTED_REACTOR"])
    process = CrawlerProcess(settings)
    worker = Worker(process, server, keys, settings, jobs, concurrency, exit_when_idle)
    from twisted.internet import reactor

    reactor.callWhenRunning(worker.start)
    process.start(stop_after_crawl=False)
    return 0


def _pages(crawler: Crawler) -> int:
    """Pages fetched so far; 0 before the crawl has started (Scrapy sets ``stats`` then)."""
    stats = getattr(crawler, "_stats", None)
    return int(stats.get_value("response_received_count", 0)) if stats is not None else 0
