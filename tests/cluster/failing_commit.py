"""A pipeline for tests: its ``outputs_commit`` handler fails the first few times, as a store that
is briefly unreachable would."""
from __future__ import annotations

from typing import Any

from crawler.signals import outputs_commit


class FailingCommitPipeline:
    def __init__(self, crawler: Any) -> None:
        self.failures_left = crawler.settings.getint("TEST_FAILING_COMMITS", 3)
        crawler.signals.connect(self.commit, signal=outputs_commit)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "FailingCommitPipeline":
        return cls(crawler)

    def commit(self) -> None:
        if self.failures_left > 0:
            self.failures_left -= 1
            raise RuntimeError("store unreachable (test)")

    def process_item(self, item: Any, spider: Any = None) -> Any:
        return item
