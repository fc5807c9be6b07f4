"""Campaign files: YAML rule sets that campaign staff write, validated with file:line errors.

The format (docs/campaigns.md has worked examples)::

    id: tobacco-618                 # [a-z0-9][a-z0-9_-]*, unique
    name: 618 网络售烟专项
    enabled: true                   # optional (default true)
    period: {start: 2025-06-01, end: 2025-06-30}   # optional; either end may be left out
    scope: {platforms: [weishop], categories: [food, 酒水]}   # optional; empty = everything
    rules:
      - id: brand-with-unit
        family: tobacco             # tobacco | fake_patent | misleading_ad | license
        severity: high              # verify | low | medium | high (default medium)
        fields: [title, description]            # default: title, description, shop_name
        terms: [中华, 玉溪]           # matched on folded text (see detect.text)
        exclude: [中华书局]           # a term hit inside one of these does not count
        near: {terms: [条, 盒], within: 8}       # co-occurrence: needs one of these close by
        not_after: {terms: [冰镇], within: 8}    # ... and none of these just before, in its sentence
        unless: [手机壳]              # any of these in the title, description or hit's field cancels it
        categories: [food]          # the rule applies only to these listing categories
        not_categories: [drugs]     # ... or everywhere except these
      - id: patent-numbers
        family: fake_patent
        detector: patent_number     # a built-in detector (detect.detectors.BUILTINS)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from crawler.errors import UserError
from detect.detectors import BUILTINS
from detect.model import FAMILIES, LISTING_FIELDS, SEVERITIES
from detect.text import fold
from detect.yamlnodes import NodeError, compose_file, line_of, mapping, string_list, typed

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: Largest co-occurrence window, in folded characters.
MAX_WITHIN = 200


class CampaignError(UserError):
    """A campaign file that cannot be used; the message is ``file:line: reason``."""


@dataclass(frozen=True)
class Near:
    terms: tuple[str, ...]  # folded
    within: int


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    severity: str = "medium"
    fields: tuple[str, ...] = LISTING_FIELDS
    terms: tuple[str, ...] = ()  # folded, de-duplicated, in file order
    exclude: tuple[str, ...] = ()  # folded
    near: Near | None = None
    not_after: Near | None = None  # a hit shortly after one of these (same sentence) does not count
    unless: tuple[str, ...] = ()  # folded
    categories: frozenset[str] = frozenset()  # folded category ids or names; empty = any
    not_categories: frozenset[str] = frozenset()
    detector: str | None = None  # built-in detector id, instead of terms
    line: int = 0  # where the rule starts in its file

    @property
    def anchors(self) -> frozenset[str] | None:
        """Folded strings such that any hit of this rule implies fold(field text) contains one
        of them (index prefilter for retroactive runs); None when no such set exists."""
        if self.detector:
            return BUILTINS[self.detector].anchors
        return frozenset(self.terms)

    @property
    def target(self) -> str:
        """'listing' or 'merchant': what the rule scans."""
        return BUILTINS[self.detector].target if self.detector else "listing"

    def applies_to_category(self, folded_category: str) -> bool:
        """Whether the rule's category conditions hold. An unknown category ('') is no
        exemption: social posts (moments) carry none, and the conditions exist to spare listings
        that are known to be, say, registered drugs -- not to skip those nobody categorised."""
        if not folded_category:
            return True
        if self.categories and not category_matches(folded_category, self.categories):
            return False
        return not category_matches(folded_category, self.not_categories)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "family": self.family, "severity": self.severity}
        if self.detector:
            out["detector"] = self.detector
            return out
        out.update(fields=list(self.fields), terms=list(self.terms))
        if self.exclude:
            out["exclude"] = list(self.exclude)
        if self.near:
            out["near"] = {"terms": list(self.near.terms), "within": self.near.within}
        if self.not_after:
            out["not_after"] = {"terms": list(self.not_after.terms), "within": self.not_after.within}
        if self.unless:
            out["unless"] = list(self.unless)
        if self.categories:
            out["categories"] = sorted(self.categories)
        if self.not_categories:
            out["not_categories"] = sorted(self.not_categories)
        return out


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    rules: tuple[Rule, ...]
    period: tuple[date | None, date | None] | None = None
    platforms: frozenset[str] = frozenset()  # empty = all
    categories: frozenset[str] = frozenset()  # folded; empty = all
    enabled: bool = True
    source: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def scope(self) -> dict[str, list[str]]:
        return {"platforms": sorted(self.platforms), "categories": sorted(self.categories)}

    def active_on(self, day: date) -> bool:
        if not self.period:
            return True
        start, end = self.period
        return (start is None or start <= day) and (end is None or day <= end)

    def in_scope(self, platform: str | None, folded_category: str) -> bool:
        if self.platforms and platform not in self.platforms:
            return False
        return not self.categories or not folded_category or category_matches(folded_category, self.categories)

    def term_count(self) -> int:
        return sum(len(r.terms) + len(r.exclude) + len(r.unless) + (len(r.near.terms) if r.near else 0)
                   + (len(r.not_after.terms) if r.not_after else 0)
                   for r in self.rules)

    def to_dict(self) -> dict[str, Any]:
        period = None
        if self.period:
            period = {"start": self.period[0] and self.period[0].isoformat(),
                      "end": self.period[1] and self.period[1].isoformat()}
        return {"id": self.id, "name": self.name, "enabled": self.enabled, "period": period,
                "scope": self.scope, "source": str(self.source) if self.source else None,
                "rules": [r.to_dict() for r in self.rules]}


def category_matches(folded_category: str, names: frozenset[str]) -> bool:
    """Whether a listing's (folded) category is one of ``names``: an id such as ``food`` matches
    exactly (food is not health_food); a Chinese name also matches inside a platform's longer
    name or path ("图书" in "二手图书", "食品饮料" in "食品饮料>休闲零食" as folded)."""
    if folded_category in names:
        return True
    return any(not name.isascii() and name in folded_category for name in names)


def load_campaign(path: str | Path) -> Campaign:
    """Parse and validate a campaign file; CampaignError("file:line: reason") if it is unusable."""
    path = Path(path)
    try:
        root = compose_file(path)
        return _campaign(root, path)
    except NodeError as exc:
        raise CampaignError(f"{path}:{exc.line}: {exc.reason}") from None
    except OSError as exc:
        raise CampaignError(f"{path}: cannot read the campaign file ({exc.strerror or exc})") from None


def _id(node: yaml.Node, what: str) -> str:
    return typed(node, what, (str,), lambda v: None if _ID.match(v) else
                 "use 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit")


def _folded_list(node: yaml.Node, what: str) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for text, line in string_list(node, what):
        key = fold(text)
        if not key:
            raise NodeError(line, f"{what}: {text!r} has no letters or digits left after normalization")
        out[key] = None
    return tuple(out)


def _campaign(root: yaml.Node, path: Path) -> Campaign:
    keys = mapping(root, "campaign", {"id", "name", "enabled", "period", "scope", "rules", "description"},
                   {"id", "name", "rules"})
    cid = _id(keys["id"][1], "id")
    name = typed(keys["name"][1], "name", (str,), lambda v: None if v.strip() else "must not be empty")
    enabled = typed(keys["enabled"][1], "enabled", (bool,)) if "enabled" in keys else True
    period = _period(keys["period"][1]) if "period" in keys else None
    platforms: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    if "scope" in keys:
        scope = mapping(keys["scope"][1], "scope", {"platforms", "categories"})
        if "platforms" in scope:
            platforms = frozenset(v for v, _ in string_list(scope["platforms"][1], "scope.platforms"))
        if "categories" in scope:
            categories = frozenset(_folded_list(scope["categories"][1], "scope.categories"))
    rules_node = keys["rules"][1]
    if not isinstance(rules_node, yaml.SequenceNode) or not rules_node.value:
        raise NodeError(line_of(rules_node), "rules must be a non-empty list of rules")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for node in rules_node.value:
        rule = _rule(node)
        if rule.id in seen:
            raise NodeError(rule.line, f"duplicate rule id {rule.id!r} (first at line {seen[rule.id]})")
        seen[rule.id] = rule.line
        rules.append(rule)
    return Campaign(id=cid, name=name.strip(), rules=tuple(rules), period=period, platforms=platforms,
                    categories=categories, enabled=enabled, source=path)


def _period(node: yaml.Node) -> tuple[date | None, date | None]:
    keys = mapping(node, "period", {"start", "end"})
    start = typed(keys["start"][1], "period.start", (date,)) if "start" in keys else None
    end = typed(keys["end"][1], "period.end", (date,)) if "end" in keys else None
    if start and end and end < start:
        raise NodeError(line_of(node), f"period ends ({end}) before it starts ({start})")
    return start, end


_RULE_KEYS = {"id", "family", "severity", "fields", "terms", "exclude", "near", "not_after", "unless", "categories",
              "not_categories", "detector", "description"}
_TERM_ONLY = ("fields", "terms", "exclude", "near", "not_after", "unless", "categories", "not_categories")


def _rule(node: yaml.Node) -> Rule:
    keys = mapping(node, "rule", _RULE_KEYS, {"id", "family"})
    line = line_of(node)
    rid = _id(keys["id"][1], "rule id")
    family = typed(keys["family"][1], "family", (str,),
                   lambda v: None if v in FAMILIES else f"unknown family {v!r} (one of {', '.join(FAMILIES)})")
    severity = "medium"
    if "severity" in keys:
        severity = typed(keys["severity"][1], "severity", (str,),
                         lambda v: None if v in SEVERITIES else f"unknown severity {v!r} (one of {', '.join(SEVERITIES)})")
    if "detector" in keys:
        return _detector_rule(keys, rid, family, severity, line)
    if "terms" not in keys:
        raise NodeError(line, f"rule {rid!r}: needs 'terms' (a term list) or 'detector' (a built-in detector id)")
    if family == "license":
        raise NodeError(line, f"rule {rid!r}: the license family is checked on merchants by the 'uscc' detector, not by terms")
    fields = LISTING_FIELDS
    if "fields" in keys:
        given = string_list(keys["fields"][1], "fields")
        for value, at in given:
            if value not in LISTING_FIELDS:
                raise NodeError(at, f"unknown field {value!r} (one of {', '.join(LISTING_FIELDS)})")
        fields = tuple(dict.fromkeys(v for v, _ in given))
    near, not_after = (_window(keys[k][1], k) if k in keys else None for k in ("near", "not_after"))
    optional = {k: _folded_list(keys[k][1], k) if k in keys else () for k in ("exclude", "unless", "categories", "not_categories")}
    return Rule(id=rid, family=family, severity=severity, fields=fields,
                terms=_folded_list(keys["terms"][1], "terms"), exclude=optional["exclude"], near=near,
                not_after=not_after, unless=optional["unless"], categories=frozenset(optional["categories"]),
                not_categories=frozenset(optional["not_categories"]), line=line)


def _window(node: yaml.Node, key: str) -> Near:
    """``{terms: [...], within: N}`` of ``near`` or ``not_after``."""
    window = mapping(node, key, {"terms", "within"}, {"terms", "within"})
    within = typed(window["within"][1], f"{key}.within", (int,),
                   lambda v: None if 1 <= v <= MAX_WITHIN else f"must be 1..{MAX_WITHIN} characters")
    return Near(_folded_list(window["terms"][1], f"{key}.terms"), within)


def _detector_rule(keys: dict, rid: str, family: str, severity: str, line: int) -> Rule:
    key_node, value_node = keys["detector"]
    name = typed(value_node, "detector", (str,),
                 lambda v: None if v in BUILTINS else f"unknown detector {v!r} (one of {', '.join(sorted(BUILTINS))})")
    if BUILTINS[name].family != family:
        raise NodeError(line_of(value_node), f"detector {name!r} reports family {BUILTINS[name].family!r}, not {family!r}")
    for k in _TERM_ONLY:
        if k in keys:
            raise NodeError(line_of(keys[k][0]), f"rule {rid!r}: {k!r} does not apply to a built-in detector")
    return Rule(id=rid, family=family, severity=severity, detector=name, line=line)
