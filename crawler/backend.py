"""What every back end (store or index, embedded or server) shares: its lifecycle and its error."""
from __future__ import annotations

import abc
import logging
import time
from typing import Any, Callable

from crawler.errors import UserError


class BackendError(UserError, RuntimeError):
    """A back end cannot be selected, opened or used; the message names the value at fault."""


class Backend(abc.ABC):
    """Buffered writes, made durable by ``flush()``; a context manager that closes itself."""

    @abc.abstractmethod
    def flush(self) -> None:
        """Commit buffered writes: durable and visible to other processes."""

    def flush_if_due(self) -> None:
        """Commit if the time bound passed (called periodically by the pipelines)."""
        self.flush()

    @abc.abstractmethod
    def close(self) -> None:
        """Flush and release the back end; idempotent."""

    @property
    def closed(self) -> bool:
        """True after ``close()``."""
        return bool(getattr(self, "_closed", False))

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ServerUnavailable(BackendError):
    """A server back end did not answer (connection refused, timeout): buffered writes are kept
    and retried with backoff, within the back end's buffer bound."""


class Outage:
    """When a server back end went away and when to try it again (shared by MongoDB and ES).

    Why one helper: both buffer writes while their server is away, must not stall the crawl with a
    blocking call on every item (retries back off: 0.5 s doubling to 15 s), and must say once,
    loudly, when the server went away and when it came back.
    """

    def __init__(self, label: str, log: logging.Logger) -> None:
        self.label, self.log = label, log
        self.since: float | None = None
        self.count = 0  # outages seen by this handle
        self.backoff = 0.0
        self.retry_at = 0.0

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        if self.since is None:
            self.since, self.backoff = now, 0.5
            self.count += 1
            self.log.warning("%s unreachable (%s); buffering writes, retrying with backoff",
                             self.label, " ".join(str(exc).split())[:160])
        else:
            self.backoff = min(self.backoff * 2, 15.0)
        self.retry_at = now + self.backoff

    def answered(self) -> None:
        if self.since is not None:
            self.log.warning("%s answers again after %.0f s; buffered writes delivered",
                             self.label, time.monotonic() - self.since)
            self.since = None

    def backing_off(self) -> bool:
        return self.since is not None and time.monotonic() < self.retry_at

    def seconds(self) -> float:
        return 0.0 if self.since is None else time.monotonic() - self.since

    def retry(self, attempt: Callable[[], Any], wait: float, buffered: Callable[[], str]) -> Any:
        """Run ``attempt`` until it stops raising ServerUnavailable, for up to ``wait`` seconds
        (sleeping the backoff between tries); then raise, saying what stays buffered."""
        deadline = time.monotonic() + wait
        while True:
            try:
                result = attempt()
                self.answered()
                return result
            except ServerUnavailable as exc:
                self.failed(exc)
                if time.monotonic() + self.backoff > deadline:
                    raise ServerUnavailable(f"{exc} after waiting {wait:.0f} s; {buffered()} stay buffered "
                                            f"in this process") from exc
                time.sleep(self.backoff)
