"""The streaming detector: one Aho-Corasick automaton over the folded fields of a listing.

Fast path (most listings): three ``str.translate`` calls and one automaton pass in C, no Python
work per character. Only texts with a candidate term pay for the Python-level checks (field,
scope, category, exclusions, co-occurrence, ``unless``, Latin word boundaries) and for the offset
map back to the original text. Context words (``near``, ``unless``, ``exclude``) are not in the
automaton: they are checked around a candidate (small regexes, grouped set lookups), so a common
unit word (条, 盒) does not make every listing a candidate. Crawled text is hostile: fields are
scanned up to ``MAX_FIELD_CHARS`` and a listing reports at most ``MAX_MATCHES`` hits per rule and
field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Iterator, Mapping

import ahocorasick_rs

from detect.campaign import Campaign, Rule
from detect.detectors import BUILTINS, map_folded
from detect.model import LISTING_FIELDS, Match
from detect.text import TABLE, fold, fold_offsets, latin_boundary_ok, snippet, to_original

#: Longest field prefix scanned (a listing is a few hundred characters; offsets stay exact).
MAX_FIELD_CHARS = 20_000
#: Most candidates verified per listing, and most hits reported per rule and field.
MAX_CANDIDATES = 5_000
MAX_MATCHES = 50
#: Separator between folded fields in the scanned string (``fold`` never produces it).
_SEP = "\x00"
#: Negations that void a term hit right after them (at most ``NEGATION_GAP`` folded character
#: between): "不含烟草制品", "本品不能代替药物", "非处方", "无烟锅". Sellers' disclaimers are the
#: commonest false positive of a term list. The gap is kept small: "远离异味【国宴用酒】" is no
#: negation of 国宴用酒.
NEGATIONS: tuple[str, ...] = ("不含", "不含任何", "不含有", "不能", "不可", "不得", "不是", "并非", "绝非", "非", "无",
                              "无任何", "没有", "禁止", "严禁", "请勿", "勿", "不售", "不卖", "不出售", "不销售", "拒绝",
                              "谨防", "不提供", "不涉及", "不属于", "不代替", "不替代", "不会", "不添加", "未添加",
                              "不添加任何")
NEGATION_GAP = 1
#: Brackets, sentence punctuation and line breaks end a phrase: a term never spans them
#: ("【官方正品】烟酰胺" holds no 正品烟), while spaces, dots and emoji inside a word are evasion.
HARD_BREAKS = re.compile(r"[【】\[\]()（）{}《》<>「」『』,，。;；!！?？:：|｜\n\r\t]")


@dataclass(frozen=True)
class _Slot:
    campaign: Campaign
    rule: Rule


class Detector:
    """Scans listings and merchants with the rules of ``campaigns`` (enabled ones, active on
    ``today``). ``matcher="regex"`` swaps the automaton for one regex alternation of the same
    terms -- the benchmark's baseline (it reports no overlapping candidates, so it can miss a
    term hidden inside a longer one: it measures the matcher, it is not an alternative)."""

    def __init__(self, campaigns: Iterable[Campaign], today: date | None = None, matcher: str = "automaton") -> None:
        self.today = today or date.today()
        self.campaigns = [c for c in campaigns if c.enabled and c.active_on(self.today)]
        self._listing: list[_Slot] = []
        self._merchant: list[_Slot] = []
        by_term: dict[str, list[int]] = {}
        for campaign in self.campaigns:
            for rule in campaign.rules:
                if rule.target == "merchant":
                    self._merchant.append(_Slot(campaign, rule))
                    continue
                self._listing.append(_Slot(campaign, rule))
                for term in rule.anchors or ():
                    by_term.setdefault(term, []).append(len(self._listing) - 1)
        self.terms = tuple(by_term)  # pattern index -> folded term
        self._slots = tuple(tuple(by_term[t]) for t in self.terms)  # pattern index -> listing rules
        self._excl_cache: dict[tuple[int, str], tuple[tuple[int, int, frozenset[str]], ...]] = {}
        rules = [slot.rule for slot in self._listing]
        #: listing rule -> indexes of the fields it reads (detectors: title and description)
        self._fields_of = tuple(frozenset((0, 1) if r.detector else (LISTING_FIELDS.index(x) for x in r.fields))
                                for r in rules)
        self._near_re = {id(r): _alternation(r.near.terms) for r in rules if r.near}
        self._unless_re = {id(r): _alternation(r.unless) for r in rules if r.unless}
        self._shop_names: dict[str, str] = {}  # folded shop names: one merchant, many listings
        self._find = self._automaton() if matcher == "automaton" else self._regex()

    def _exclusions(self, rule: Rule, term: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
        """Exclusions that can overlap a hit of ``term`` at s, grouped as (shift, length, phrases):
        a phrase would start at s + shift and agrees with the term where they overlap. One slice
        and one set lookup per group (computed once per rule and term)."""
        key = (id(rule), term)
        found = self._excl_cache.get(key)
        if found is None:
            groups: dict[tuple[int, int], set[str]] = {}
            for x, shift in _overlaps(rule.exclude, term):
                groups.setdefault((shift, len(x)), set()).add(x)
            found = self._excl_cache[key] = tuple((sh, n, frozenset(xs)) for (sh, n), xs in groups.items())
        return found

    # --- candidate finders ---------------------------------------------------------------------

    def _automaton(self) -> Callable[[str], list[tuple[int, int, int]]]:
        """ahocorasick_rs (a Rust DFA): pyahocorasick scans a node's children linearly, and with
        ~800 distinct first characters at the root that cost 160 ns per text character here."""
        if not self.terms:
            return lambda text: []
        ac = ahocorasick_rs.AhoCorasick(self.terms, matchkind=ahocorasick_rs.MatchKind.Standard)
        find = ac.find_matches_as_indexes
        return lambda text: find(text, overlapping=True)

    def _regex(self) -> Callable[[str], list[tuple[int, int, int]]]:
        if not self.terms:
            return lambda text: []
        index = {t: i for i, t in enumerate(self.terms)}
        pattern = re.compile("|".join(re.escape(t) for t in sorted(self.terms, key=len, reverse=True)))
        return lambda text: [(index[m.group()], m.start(), m.end()) for m in pattern.finditer(text)]

    # --- listings -----------------------------------------------------------------------------

    def scan_listing(self, doc: Mapping[str, Any]) -> list[Match]:
        """Every rule hit in the listing's title, description and shop name ([] for most)."""
        title, description, shop = doc.get("title") or "", doc.get("description") or "", doc.get("shop_name") or ""
        if len(title) > MAX_FIELD_CHARS or len(description) > MAX_FIELD_CHARS or len(shop) > MAX_FIELD_CHARS:
            title, description, shop = title[:MAX_FIELD_CHARS], description[:MAX_FIELD_CHARS], shop[:MAX_FIELD_CHARS]
        folded_shop = self._shop_names.get(shop)
        if folded_shop is None:
            if len(self._shop_names) > 4096:
                self._shop_names.clear()
            folded_shop = self._shop_names[shop] = shop.translate(TABLE)
        texts = [title, description, shop]
        folded = [title.translate(TABLE), description.translate(TABLE), folded_shop]
        candidates = self._find(_SEP.join(folded))
        if not candidates:
            return []
        return _ListingScan(self, doc, texts, folded).run(candidates)

    def candidate_count(self, doc: Mapping[str, Any]) -> int:
        """How many candidate terms the automaton finds in a listing (0 = the fast path)."""
        folded = [fold(doc.get(k) or "") for k in LISTING_FIELDS]
        return len(self._find(_SEP.join(folded)))

    # --- merchants ----------------------------------------------------------------------------

    def scan_merchant(self, doc: Mapping[str, Any]) -> list[Match]:
        """License-family hits of a merchant record (keys as in crawler.items.Merchant)."""
        out: list[Match] = []
        for slot in self._merchant:
            if slot.campaign.platforms and doc.get("platform") not in slot.campaign.platforms:
                continue
            for f in BUILTINS[slot.rule.detector].scan(doc):
                text = str(doc.get(f.field) or "")
                out.append(Match(slot.campaign.id, slot.rule.id, slot.rule.family, f.severity or slot.rule.severity,
                                 f.field, text[f.start:f.end], f.start, f.end, snippet(text, f.start, f.end), f.detail))
        return out


class _ListingScan:
    """The slow path for one listing that has candidates: verify them, map offsets, report."""

    def __init__(self, detector: Detector, doc: Mapping[str, Any], texts: list[str], folded: list[str]) -> None:
        self.d, self.doc, self.texts, self.folded = detector, doc, texts, folded
        self.category = fold(str(doc.get("category") or ""))
        self.platform = doc.get("platform")
        self._offsets: dict[int, list[int]] = {}
        self._in_scope: dict[int, bool] = {}
        self._unless_cache: dict[tuple[int, int], bool] = {}

    def offsets(self, f: int) -> list[int]:
        if f not in self._offsets:
            self._offsets[f] = fold_offsets(self.texts[f])
        return self._offsets[f]

    def run(self, candidates: list[tuple[int, int, int]]) -> list[Match]:
        bounds = []  # start of each field in the joined string
        pos = 0
        for f in self.folded:
            bounds.append(pos)
            pos += len(f) + 1
        spans: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        detectors: set[int] = set()
        terms, slots, fields_of, listing = self.d.terms, self.d._slots, self.d._fields_of, self.d._listing
        candidates = candidates[:MAX_CANDIDATES]
        in_scope = self._in_scope
        for k, start, end in candidates:
            term = terms[k]
            length = end - start
            f = 2 if start >= bounds[2] else 1 if start >= bounds[1] else 0
            s = start - bounds[f]
            for i in slots[k]:
                if f not in fields_of[i] or (i not in in_scope and not self._in_scope_of(i)) or not in_scope[i]:
                    continue
                rule = listing[i].rule
                if rule.detector:
                    detectors.add(i)
                elif self._term_ok(rule, f, s, s + length, term):
                    spans.setdefault((i, f), []).append((s, s + length, term))
        out = [m for (i, f), found in spans.items() for m in self._term_matches(i, f, found)]
        for i in sorted(detectors):
            out.extend(self._detector_matches(i))
        return out

    def _in_scope_of(self, i: int) -> bool:
        """Campaign scope and rule category conditions for this listing (cached per rule)."""
        slot = self.d._listing[i]
        ok = (slot.campaign.in_scope(self.platform, self.category)
              and (slot.rule.detector is not None or slot.rule.applies_to_category(self.category)))
        self._in_scope[i] = ok
        return ok

    def _term_ok(self, rule: Rule, f: int, s: int, e: int, term: str) -> bool:
        text = self.folded[f]
        if _negated(text, s):
            return False
        for shift, length, phrases in self.d._exclusions(rule, term):  # overlaps a false-positive phrase
            if s + shift >= 0 and text[s + shift:s + shift + length] in phrases and self._unbroken(f, s + shift, length):
                return False
        if rule.unless and self._unless(rule, f):
            return False
        if rule.near:  # a near term entirely within ``within`` characters before or after the hit
            near, w = self.d._near_re[id(rule)], rule.near.within
            if not near.search(text, max(0, s - w), s) and not near.search(text, e, e + w):
                return False
        a, b = to_original(self.offsets(f), s, e)
        if HARD_BREAKS.search(self.texts[f], a, b):
            return False
        if term[0].isascii() or term[-1].isascii():
            return latin_boundary_ok(self.texts[f], a, b, term)
        return True

    def _unbroken(self, f: int, s: int, length: int) -> bool:
        """An exclusion phrase counts only as written, not across a space or punctuation the fold
        removed ("销量第一 批发" does not contain 第一批)."""
        a, b = to_original(self.offsets(f), s, s + length)
        return b - a == length

    def _unless(self, rule: Rule, f: int) -> bool:
        key = (id(rule), f)
        if key not in self._unless_cache:
            text = self.folded[f]
            self._unless_cache[key] = self.d._unless_re[id(rule)].search(text) is not None
        return self._unless_cache[key]

    def _term_matches(self, i: int, f: int, found: list[tuple[int, int, str]]) -> list[Match]:
        """One match per occurrence; of overlapping terms (中华 / 软中华) the longest wins."""
        slot, text, offsets = self.d._listing[i], self.texts[f], self.offsets(f)
        kept: list[tuple[int, int]] = []
        for s, e, _term in sorted(found, key=lambda x: (x[0], -(x[1] - x[0]))):
            if kept and s < kept[-1][1]:
                continue
            kept.append((s, e))
            if len(kept) >= MAX_MATCHES:
                break
        out = []
        for s, e in kept:
            a, b = to_original(offsets, s, e)
            out.append(Match(slot.campaign.id, slot.rule.id, slot.rule.family, slot.rule.severity,
                             LISTING_FIELDS[f], text[a:b], a, b, snippet(text, a, b)))
        return out

    def _detector_matches(self, i: int) -> list[Match]:
        slot = self.d._listing[i]
        names = {name: k for k, name in enumerate(LISTING_FIELDS)}
        texts = {name: self.texts[k] for name, k in names.items()}
        folded = {name: self.folded[k] for name, k in names.items()}
        out = []
        for f in BUILTINS[slot.rule.detector].scan(texts, folded, self.d.today):
            text = texts[f.field]
            a, b = map_folded(text, f)
            out.append(Match(slot.campaign.id, slot.rule.id, slot.rule.family, f.severity or slot.rule.severity,
                             f.field, text[a:b], a, b, snippet(text, a, b), f.detail))
        return out


def _alternation(terms: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))


def _overlaps(exclusions: Iterable[str], term: str) -> Iterator[tuple[str, int]]:
    chars = set(term)
    for x in exclusions:
        if chars.isdisjoint(x):
            continue
        for shift in range(1 - len(x), len(term)):
            lo, hi = max(0, shift), min(len(term), shift + len(x))
            if term[lo:hi] == x[lo - shift:hi - shift]:
                yield x, shift


_NEGATED = re.compile("(?:" + "|".join(sorted(NEGATIONS, key=len, reverse=True)) + ")[^\x00]{0,%d}$" % NEGATION_GAP)
_NEG_LOOKBACK = max(map(len, NEGATIONS)) + NEGATION_GAP


def _negated(text: str, start: int) -> bool:
    return start > 0 and _NEGATED.search(text, max(0, start - _NEG_LOOKBACK), start) is not None
