"""A writer thread per back-end handle: batch writes leave the Scrapy reactor thread.

Why: SQLite (FTS5 trigram indexing included) and the Elasticsearch client spend most of a batch
write outside the GIL (sqlite3_step, sockets), so on a second core the crawl keeps parsing while
the batch is written. Why one thread per handle: several crawlers in one process share a handle
(``crawler.config.shared_index``); one thread keeps its writes in order and never concurrent.
Bounded: at most ``max_pending`` batches wait; the next submit blocks until the oldest is done
(backpressure, flat memory). A failed write is raised on the reactor thread at the next submit,
``reap`` or ``drain`` — never lost silently.
"""
from __future__ import annotations

import weakref
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

_WRITERS: "weakref.WeakKeyDictionary[Any, BackgroundWriter]" = weakref.WeakKeyDictionary()


class BackgroundWriter:
    """Run write jobs in submission order on one thread; results come back via callbacks."""

    def __init__(self, name: str, max_pending: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._pending: deque[tuple[Future, Callable[[Any], None] | None]] = deque()
        self.max_pending = max(1, max_pending)

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None) -> None:
        """Queue ``fn(*args)``; ``on_done(result)`` runs later on the caller's thread."""
        self.reap()
        while len(self._pending) >= self.max_pending:
            self._take()
        self._pending.append((self._pool.submit(fn, *args), on_done))

    def reap(self) -> None:
        """Collect finished jobs (in order) without waiting."""
        while self._pending and self._pending[0][0].done():
            self._take()

    def drain(self) -> None:
        """Wait for every queued job; the first failure is raised (the rest still run)."""
        error: BaseException | None = None
        while self._pending:
            try:
                self._take()
            except Exception as exc:  # noqa: BLE001 - re-raised below, after the others finish
                error = error or exc
        if error is not None:
            raise error

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _take(self) -> None:
        future, on_done = self._pending.popleft()
        result = future.result()  # re-raises the job's exception here, on the caller's thread
        if on_done is not None:
            on_done(result)


def writer_for(handle: Any, name: str, max_pending: int = 2) -> BackgroundWriter:
    """The one writer thread of ``handle`` (created on first use, kept while the handle lives)."""
    writer = _WRITERS.get(handle)
    if writer is None:
        writer = _WRITERS[handle] = BackgroundWriter(name, max_pending)
    return writer
