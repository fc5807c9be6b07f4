"""What every back end (store or index, embedded or server) shares: its lifecycle and its error."""
from __future__ import annotations

import abc
from typing import Any

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
