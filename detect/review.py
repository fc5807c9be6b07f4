"""How hits look to a monitor: a table with the matched text highlighted in its snippet, or JSON
lines; and how a campaign run is summarised. Rendering only: hits come from the store."""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(highlight=False, width=None if Console().is_terminal else 160)


def _highlight(snippet: str, matched: str) -> str:
    """The snippet with the first occurrence of the matched text in bold red."""
    flat = " ".join((snippet or "").split())
    needle = " ".join((matched or "").split())
    at = flat.find(needle) if needle else -1
    if at < 0:
        return escape(flat)
    end = at + len(needle)
    return f"{escape(flat[:at])}[bold red]{escape(flat[at:end])}[/bold red]{escape(flat[end:])}"


def hit_lines(hits: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    for hit in hits:
        yield json.dumps(dict(hit), ensure_ascii=False, default=str)


def print_hits(hits: list[Mapping[str, Any]], title: str) -> None:
    table = Table(title=title)
    for col, ratio in (("hit", None), ("family", None), ("rule", None), ("platform", None),
                       ("record", None), ("field", None), ("snippet", 3), ("first seen", None),
                       ("last seen", None)):
        table.add_column(col, ratio=ratio, overflow="fold")
    for hit in hits:
        record = hit.get("item_id") or f"shop {hit.get('shop_id')}"
        table.add_row(hit["id"], hit["family"], hit["rule"], hit["platform"], str(record), hit["field"],
                      _highlight(hit.get("snippet") or "", hit.get("matched") or ""),
                      (hit.get("first_seen") or "")[:19], (hit.get("last_seen") or "")[:19])
    console.print(table)


def print_run(result: Any) -> None:
    how = "every stored listing (a rule has no anchors)" if result.full_scan else \
        f"{result.candidates} index candidates"
    console.print(f"campaign {result.campaign}: scanned {result.listings_scanned} listings ({how}) and "
                  f"{result.merchants_scanned} merchants; hits new {result.hits['new']}, "
                  f"seen again {result.hits['seen']}; job {result.job_id}")
    if result.by_family:
        console.print("hits by family: " + ", ".join(f"{k}={v}" for k, v in sorted(result.by_family.items())))
