"""What a detector reports: one ``Match`` per rule hit, pointing into the ORIGINAL field text."""
from __future__ import annotations

from typing import Any, NamedTuple

#: Every rule belongs to one family (the simulator's truth uses the same labels).
FAMILIES: tuple[str, ...] = ("tobacco", "fake_patent", "misleading_ad", "license")
#: Severities, lowest first ("verify" = a flag for a human check, not a finding).
SEVERITIES: tuple[str, ...] = ("verify", "low", "medium", "high")
#: Listing fields a rule can look at; merchant rules look at the licence block.
LISTING_FIELDS: tuple[str, ...] = ("title", "description", "shop_name")


#: A named tuple built from all its fields in order, without its generated ``__new__`` (a
#: Python-level frame per record): ``new_record(Match, (campaign, ..., detail))``. The streaming
#: path builds one per hit, number and finding.
new_record = tuple.__new__


class Match(NamedTuple):
    """One rule hit. A named tuple (immutable, hashable, compared by value): the streaming path
    builds one per hit, and a frozen dataclass costs ~1.3 µs to construct, this ~0.4."""

    campaign: str
    rule: str
    family: str
    severity: str
    field: str  # "title", "description", "shop_name", or a merchant field ("licence_uscc", ...)
    matched: str  # the ORIGINAL text slice, separators the seller inserted included
    start: int  # offsets into the ORIGINAL field text
    end: int
    snippet: str  # short original-text context
    detail: str = ""  # why, for built-in detectors (e.g. "bad check character: expected 5")

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()

