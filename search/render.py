"""How search results look to a monitor: a ranked table with highlighted snippets, or JSON lines."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

_EM = re.compile(r"<em>(.*?)</em>", re.S)


def _plain(obj: Any) -> Any:
    if is_dataclass(obj):
        return {k: _plain(v) for k, v in asdict(obj).items()}
    if isinstance(obj, Decimal):
        return str(obj)
    return obj


def result_lines(result: Any) -> Iterator[str]:
    """One JSON object per hit, with its rank; snippets keep the <em> markers."""
    for rank, hit in enumerate(result.hits, start=1):
        record = _plain(hit)
        record["rank"] = rank
        yield json.dumps(record, ensure_ascii=False, default=str)


def _rich_snippet(snippet: str) -> str:
    parts, last = [], 0
    for m in _EM.finditer(snippet):
        parts.append(escape(snippet[last:m.start()]))
        parts.append(f"[bold red]{escape(m.group(1))}[/bold red]")
        last = m.end()
    parts.append(escape(snippet[last:]))
    return "".join(parts)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def print_results(query: str, result: Any) -> None:
    console = Console(highlight=False, width=None if Console().is_terminal else 160)
    table = Table(title=f"{result.total} listings match {query!r}")
    for col, ratio in (("#", None), ("platform", None), ("item", None), ("title", 2), ("price", None),
                       ("category", None), ("snippet", 3)):
        table.add_column(col, ratio=ratio, overflow="fold")
    for rank, hit in enumerate(result.hits, start=1):
        price = f"{hit.price} {hit.currency or ''}".strip() if hit.price is not None else ""
        table.add_row(str(rank), hit.platform, hit.item_id, escape(_one_line(hit.title or "")), price,
                      hit.category or "", _rich_snippet(_one_line(hit.snippet or "")))
    console.print(table)
    for facet, counts in (result.facets or {}).items():
        if counts:
            console.print(f"{facet}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
