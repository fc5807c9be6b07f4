"""Helpers every shopwatch pipeline shares: item kind, job id, stats, drops."""
from __future__ import annotations

import secrets
from dataclasses import is_dataclass
from typing import Any, Literal

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.items import Listing, Merchant

Kind = Literal["listing", "merchant"]


def item_kind(item: Any) -> Kind | None:
    """"listing", "merchant" or None: dataclasses by type, dicts by their key field."""
    if isinstance(item, Listing):
        return "listing"
    if isinstance(item, Merchant):
        return "merchant"
    if not ItemAdapter.is_item(item):
        return None
    a = adapter(item)
    if "item_id" in a:
        return "listing"
    if "shop_id" in a:
        return "merchant"
    return None


_LAST: list[Any] = [None, None]  # [item, its ItemAdapter]: the item the pipelines are on


def adapter(item: Any) -> ItemAdapter:
    """``ItemAdapter(item)``, reused while consecutive steps handle the same item.

    Why: building an ItemAdapter for a dataclass item inspects its fields (``dataclasses.fields``)
    — about a tenth of the pipelines' CPU when each of the five steps builds its own. Scrapy runs
    an item's synchronous steps back to back, so the last one is nearly always the right one.
    """
    if _LAST[0] is not item:
        _LAST[0], _LAST[1] = item, ItemAdapter(item)
    return _LAST[1]


def as_dict(item: Any) -> dict[str, Any]:
    """Shallow dict of an item (``ItemAdapter.asdict`` deep-copies, which is slow for nothing)."""
    if isinstance(item, dict):
        return dict(item)
    if is_dataclass(item) and hasattr(item, "__dict__"):
        return dict(vars(item))
    return dict(ItemAdapter(item).items())


def job_id_for(crawler: Any) -> str:
    """The crawl's job id, as ``crawler.jobs`` defines it (spider argument ``job_id`` or one made
    once and kept on the spider), so pipelines and the JobRecorder extension agree."""
    from crawler.jobs import job_id_for as jobs_job_id

    spider = getattr(crawler, "spider", None)
    if spider is None:
        return f"nospider-{secrets.token_hex(4)}"
    return jobs_job_id(spider)


def drop(stats: Any, reason: str, detail: str = "", log_level: str | None = None) -> DropItem:
    """Count ``shopwatch/dropped/<reason>`` and return the DropItem to raise (never silent)."""
    stats.inc_value(f"shopwatch/dropped/{reason}")
    return DropItem(f"{reason}: {detail}" if detail else reason, log_level=log_level)


def set_field(item_or_adapter: Any, key: str, value: Any) -> None:
    """Set a pipeline-filled field; item classes without that field simply do not get it."""
    a = item_or_adapter if isinstance(item_or_adapter, ItemAdapter) else adapter(item_or_adapter)
    try:
        a[key] = value
    except KeyError:
        pass
