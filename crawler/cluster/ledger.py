"""What this worker holds, and when each lease may be acknowledged.

A lease is done when its final response went through the spider callback *and* every item that
callback yielded has left the item pipelines (scraped, dropped or failed) — or when its request
failed for good. Done leases are acknowledged only after the store is flushed (see
``scheduler.ClusterScheduler.commit``), so a SIGKILL at any moment leaves either an unacknowledged
lease (fetched again: at-least-once, and the store's upsert makes the result exact) or an
acknowledged one whose outputs are durable. Retries and redirects of a leased request carry its
lease id in ``meta`` and stay part of the same lease; requests a callback yields do not.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: meta key: the lease id of a request handed out by the cluster frontier
LEASE = "shopwatch_lease"


@dataclass
class _Held:
    domain: str
    items_out: int = 0
    items_done: int = 0
    output_done: bool = False


class Ledger:
    """Leases held by one crawler; ``take_ready()`` yields ``(id, domain, reason)`` to settle."""

    def __init__(self) -> None:
        self.held: dict[str, _Held] = {}
        self.ready: list[tuple[str, str, str]] = []

    def add(self, lease_id: str, domain: str) -> None:
        self.held[lease_id] = _Held(domain)

    def item_out(self, lease_id: str) -> None:
        if lease_id in self.held:
            self.held[lease_id].items_out += 1

    def item_done(self, lease_id: str) -> None:
        entry = self.held.get(lease_id)
        if entry is not None:
            entry.items_done += 1
            self._check(lease_id, entry)

    def output_done(self, lease_id: str) -> None:
        entry = self.held.get(lease_id)
        if entry is not None:
            entry.output_done = True
            self._check(lease_id, entry)

    def fail(self, lease_id: str, reason: str) -> None:
        """A final failure: the request goes to the job's dead letters with ``reason``."""
        entry = self.held.pop(lease_id, None)
        if entry is not None:
            self.ready.append((lease_id, entry.domain, reason or "failed"))

    def _check(self, lease_id: str, entry: _Held) -> None:
        if entry.output_done and entry.items_done >= entry.items_out:
            del self.held[lease_id]
            self.ready.append((lease_id, entry.domain, ""))

    def take_ready(self) -> list[tuple[str, str, str]]:
        ready, self.ready = self.ready, []
        return ready

    def put_back(self, ready: list[tuple[str, str, str]]) -> None:
        """Settlements that could not be sent (Redis down): try again at the next commit."""
        self.ready[:0] = ready

    def held_ids(self) -> list[str]:
        return list(self.held)

    def held_pairs(self) -> list[tuple[str, str]]:
        return [(lease_id, entry.domain) for lease_id, entry in self.held.items()]


_LINKS: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()


def register(crawler: Crawler, link: Any) -> None:
    """The scheduler registers itself so middlewares of the same crawler can reach it."""
    _LINKS[crawler] = link


def link_for(crawler: Crawler) -> Any:
    """The crawler's ClusterScheduler, or None when the crawl is not a cluster job."""
    return _LINKS.get(crawler)
