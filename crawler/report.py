"""Final tables for operators: what a crawl did, and which jobs ran."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from crawler.outcomes import crawl_counts, errors_by_reason

console = Console(highlight=False, width=None if Console().is_terminal else 160)


def print_crawl_report(results: Sequence[Any]) -> None:
    table = Table(title="crawl summary")
    for col in ("job", "spider", "pages", "items", "new", "changed", "unchanged", "dropped", "errors", "pages/s"):
        table.add_column(col, justify="right" if col not in ("job", "spider") else "left")
    for r in results:
        c = crawl_counts(r.stats)
        errors = sum(errors_by_reason(r.stats).values())
        new = c["listings_new"] + c["merchants_new"]
        changed = c["listings_changed"] + c["merchants_changed"]
        unchanged = c["listings_unchanged"] + c["merchants_unchanged"]
        rate = c["pages"] / r.seconds if r.seconds else 0.0
        table.add_row(r.job_id, r.spec.spider, str(c["pages"]), str(c["items"]), str(new), str(changed),
                      str(unchanged), str(c["dropped"]), str(errors), f"{rate:.0f}")
    console.print(table)
    reasons: dict[str, int] = {}
    for r in results:
        for reason, n in errors_by_reason(r.stats).items():
            reasons[reason] = reasons.get(reason, 0) + n
    if reasons:
        console.print("errors and drops by reason: " + ", ".join(f"{k}={v}" for k, v in reasons.items()))


def print_jobs(jobs: Iterable[dict[str, Any]]) -> None:
    table = Table(title="jobs")
    for col in ("id", "spider", "state", "started", "finished", "pages", "items", "errors"):
        table.add_column(col)
    for job in jobs:
        counts = job.get("counts") or {}
        errors = sum((job.get("errors") or {}).values())
        table.add_row(str(job.get("id")), str(job.get("profile") or job.get("spider")), str(job.get("state")),
                      str(job.get("started_at")), str(job.get("finished_at") or ""),
                      str(counts.get("pages", "")), str(counts.get("items", "")), str(errors))
    console.print(table)
