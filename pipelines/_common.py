"""Helpers every shopwatch pipeline shares: item kind, job id, stats, drops."""
from __future__ import annotations

import secrets
from dataclasses import fields, is_dataclass
from typing import Any, Literal, Union

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


class ItemFields:
    """The fields of a Listing or Merchant as the mapping the steps read and write.

    Why not ItemAdapter: each of its reads goes through ``Mapping.get`` -> ``__getitem__`` ->
    the dataclass adapter (about a microsecond), and the steps make some fifty per item. Here a
    read is a lookup in the instance dict; like ItemAdapter, a name that is not a field of the
    item class reads as missing and raises KeyError when written.
    """

    __slots__ = ("item", "_values", "_fields")

    def __init__(self, item: Listing | Merchant) -> None:
        self.item = item
        self._values: dict[str, Any] = vars(item)
        self._fields = _FIELDS[type(item)]

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default) if key in self._fields else default

    def __getitem__(self, key: str) -> Any:
        if key not in self._fields:
            raise KeyError(key)
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self._fields:
            raise KeyError(f"{type(self.item).__name__} has no field {key!r}")
        self._values[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._fields


_FIELDS: dict[type, frozenset[str]] = {cls: frozenset(f.name for f in fields(cls)) for cls in (Listing, Merchant)}
#: What ``adapter`` returns: ItemFields for Listing/Merchant, ItemAdapter for any other item.
ItemView = Union[ItemFields, ItemAdapter]
_LAST: list[Any] = [None, None]  # [item, its view]: the item the pipelines are on


def adapter(item: Any) -> ItemView:
    """A field view of ``item``, reused while consecutive steps handle the same item.

    Why reused: building an ItemAdapter for a dataclass item inspects its fields
    (``dataclasses.fields``) — about a tenth of the pipelines' CPU when each of the five steps
    builds its own. Scrapy runs an item's synchronous steps back to back, so the last one is
    nearly always the right one.
    """
    if _LAST[0] is not item:
        view = ItemFields(item) if type(item) in _FIELDS else ItemAdapter(item)
        _LAST[0], _LAST[1] = item, view
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
    a = item_or_adapter if isinstance(item_or_adapter, (ItemFields, ItemAdapter)) else adapter(item_or_adapter)
    try:
        a[key] = value
    except KeyError:
        pass
