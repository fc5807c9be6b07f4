"""The job registry in Redis: submit (create + seed), look up, list, cancel.

A job is a hash (``keys.KEY_FORMS["meta"]``) holding everything a worker on another machine
needs to run it: the spider name or the profile's YAML text, spider arguments, limits. Submitting
seeds the frontier with the spider's start requests through the same atomic enqueue the workers
use; the job is ``seeding`` until then, so no worker can see it empty and close it early.
"""
from __future__ import annotations

import asyncio
import json
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.cluster.frontier import DedupeShape, LeasedQueue
from crawler.cluster.keys import Keys
from crawler.errors import UserError
from crawler.jobs import new_job_id


@dataclass
class JobSpec:
    spider: str | None = None
    profile: str | None = None  # path of a YAML site profile (its text is stored in the job)
    args: dict[str, str] = field(default_factory=dict)
    name: str | None = None
    max_pages: int = 0  # job-wide page budget; 0 = none
    rate: float | None = None  # requests/s per domain for all workers; None = profile or setting
    concurrency: int | None = None  # leased requests per domain at once; None = profile or setting


def decode(mapping: dict[Any, Any]) -> dict[str, str]:
    return {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in mapping.items()}


def submit(server: Any, keys: Keys, spec: JobSpec, settings: Any) -> tuple[str, int]:
    """Create and seed a job; returns (job id, start requests queued)."""
    from crawler.cluster.politeness import job_limits

    if bool(spec.spider) == bool(spec.profile):
        raise UserError("give either a spider name or --profile FILE (not both)")
    profile = profile_text = None
    if spec.profile:
        from crawler.profiles import load_profile

        profile = load_profile(spec.profile)  # errors name file:line
        profile_text = Path(spec.profile).read_text(encoding="utf-8")
    spider_name = "profile" if profile else str(spec.spider)
    spidercls = spider_class(spider_name, settings)
    rate, concurrency = job_limits(spec.rate, spec.concurrency, profile, settings)
    job_id = new_job_id(spec.name or (profile.name if profile else spider_name))
    meta = {
        "id": job_id, "name": spec.name or "", "spider": spider_name, "state": "seeding",
        "profile": spec.profile or "", "profile_text": profile_text or "",
        "args": json.dumps(spec.args, ensure_ascii=False), "max_pages": spec.max_pages,
        "rate": rate, "concurrency": concurrency, "created_at": int(time.time() * 1000),
        "ttl": settings.getint("SHOPWATCH_CLUSTER_JOB_TTL", 7 * 24 * 3600),
    }
    server.hset(keys.job(job_id), mapping=meta)
    server.zadd(keys.jobs, {job_id: meta["created_at"]})
    try:
        seeds = start_requests(spidercls, settings, {**spec.args, "job_id": job_id,
                                                     **({"profile": spec.profile} if spec.profile else {})})
        queue = LeasedQueue(server, keys, job_id, seeds[0], dedupe_shape(settings), seeds[1])
        try:
            added, _, _ = queue.push_many(seeds[2])
        except (pickle.PicklingError, TypeError, AttributeError, ValueError) as exc:
            raise UserError(f"spider {spider_name!r} cannot run as a distributed job: its requests do not "
                            f"serialize ({exc}); crawl it with `shopwatch crawl {spider_name}`") from None
    except BaseException:
        LeasedQueue(server, keys, job_id).close("failed", "seeding failed")
        raise
    if not added:
        LeasedQueue(server, keys, job_id).close("finished", "no start requests")
    else:
        server.hset(keys.job(job_id), "state", "running")
    return job_id, added


def dedupe_shape(settings: Any) -> DedupeShape:
    return DedupeShape(settings.getfloat("SHOPWATCH_CLUSTER_DEDUPE_ERROR", 1e-7),
                       settings.getint("SHOPWATCH_CLUSTER_DEDUPE_CAPACITY", 8192),
                       settings.getint("SHOPWATCH_CLUSTER_DEDUPE_GROWTH", 2))


def spider_class(name: str, settings: Any) -> type:
    from scrapy.spiderloader import get_spider_loader

    loader = get_spider_loader(settings)
    try:
        return loader.load(name)
    except KeyError:
        raise UserError(f"unknown spider {name!r}; known spiders: {', '.join(sorted(loader.list()))}") from None


def start_requests(spidercls: type, settings: Any, kwargs: dict[str, Any]) -> tuple[Any, Any, list[Any]]:
    """(spider, fingerprint function, start requests) — the spider built as a worker builds it."""
    from scrapy.crawler import Crawler
    from scrapy.utils.misc import build_from_crawler, load_object

    crawler = Crawler(spidercls, settings)
    spider = spidercls.from_crawler(crawler, **kwargs)
    fingerprinter = build_from_crawler(load_object(settings["REQUEST_FINGERPRINTER_CLASS"]), crawler)

    async def collect() -> list[Any]:
        return [r async for r in spider.start()]

    return spider, fingerprinter.fingerprint, asyncio.run(collect())


def get_meta(server: Any, keys: Keys, job_id: str) -> dict[str, str]:
    meta = decode(server.hgetall(keys.job(job_id)))
    if not meta:
        raise UserError(f"no cluster job {job_id!r} in Redis (see `shopwatch jobs list`)")
    return meta


def list_jobs(server: Any, keys: Keys, limit: int = 20) -> list[dict[str, str]]:
    """Newest first; ids whose meta expired are dropped from the registry on the way."""
    out = []
    for raw in server.zrevrange(keys.jobs, 0, max(0, limit * 2)):
        job_id = raw.decode() if isinstance(raw, bytes) else raw
        meta = decode(server.hgetall(keys.job(job_id)))
        if not meta:
            server.zrem(keys.jobs, job_id)
            continue
        out.append(meta)
        if len(out) >= limit:
            break
    return out


def cancel(server: Any, keys: Keys, job_id: str) -> bool:
    """Stop a job: workers see the state at their next Redis call and close their crawlers;
    its queue, leases and dedupe filter are freed now. False if it was not running."""
    get_meta(server, keys, job_id)
    return LeasedQueue(server, keys, job_id).close("cancelled", "cancelled")
