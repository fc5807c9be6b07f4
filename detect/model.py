"""What a detector reports: one ``Match`` per rule hit, pointing into the ORIGINAL field text."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: Every rule belongs to one family (the simulator's truth uses the same labels).
FAMILIES: tuple[str, ...] = ("tobacco", "fake_patent", "misleading_ad", "license")
#: Severities, lowest first ("verify" = a flag for a human check, not a finding).
SEVERITIES: tuple[str, ...] = ("verify", "low", "medium", "high")
#: Listing fields a rule can look at; merchant rules look at the licence block.
LISTING_FIELDS: tuple[str, ...] = ("title", "description", "shop_name")


@dataclass(frozen=True, slots=True)
class Match:
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
        return asdict(self)


_SETTERS = tuple(Match.__dict__[name].__set__ for name in Match.__dataclass_fields__)
_new = object.__new__


def new_match(campaign: str, rule: str, family: str, severity: str, field: str, matched: str, start: int, end: int,
              snippet: str, detail: str = "") -> Match:
    """``Match(...)`` without the frozen dataclass ``__init__`` (ten ``object.__setattr__`` calls,
    ~3x slower): the slot descriptors are set directly. Same object, same equality and hash."""
    m = _new(Match)
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 = _SETTERS
    s0(m, campaign)
    s1(m, rule)
    s2(m, family)
    s3(m, severity)
    s4(m, field)
    s5(m, matched)
    s6(m, start)
    s7(m, end)
    s8(m, snippet)
    s9(m, detail)
    return m
