"""Politeness across the cluster.

Per-domain requests/s and concurrency are enforced where requests are handed out: the ``lease``
script takes a token from the domain's bucket in Redis and counts the domain's leased requests,
so the limits hold for all workers together. This module adds the other half: a ``Retry-After``
seen by any worker pauses the domain for every worker (``pauses`` hash, read by the lease script
and mirrored into each worker's retry middleware, so requests already leased wait too).
"""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from crawler.cluster.frontier import domain_of
from crawler.cluster.ledger import link_for
from crawler.middlewares import BackoffRetryMiddleware, sleep

if TYPE_CHECKING:
    from scrapy import Request

logger = logging.getLogger(__name__)


class ClusterRetryMiddleware(BackoffRetryMiddleware):
    """BackoffRetryMiddleware whose host pauses are shared through Redis."""

    async def process_request(self, request: Request) -> None:
        link = link_for(self.crawler)
        if link is not None:
            wait = link.paused_until.get(domain_of(request), 0.0) - time.time()
            if wait > 0:
                await sleep(wait)
        return await super().process_request(request)

    def pause_host(self, request: Request, seconds: float) -> None:
        super().pause_host(request, seconds)
        link = link_for(self.crawler)
        if link is not None:
            link.publish_pause(domain_of(request), seconds)


def job_limits(rate: Any, concurrency: Any, profile: Any = None, settings: Any = None) -> tuple[float, int]:
    """(requests/s, concurrent requests) per domain for a job: explicit values, else the
    profile's politeness (delay -> 1/delay), else the cluster defaults from settings."""
    r = float(rate) if rate is not None else None
    c = int(concurrency) if concurrency is not None else None
    polite = getattr(profile, "politeness", None)
    if r is None and polite is not None and polite.delay:
        r = 1.0 / polite.delay
    if c is None and polite is not None and polite.concurrency:
        c = polite.concurrency
    if settings is not None:
        r = settings.getfloat("SHOPWATCH_CLUSTER_RATE", 0.0) if r is None else r
        c = settings.getint("SHOPWATCH_CLUSTER_DOMAIN_CONCURRENCY", 0) if c is None else c
    return r or 0.0, c or 0
