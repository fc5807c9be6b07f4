"""The streaming detector: one Aho-Corasick automaton over the folded fields of a listing.

Fast path (most listings): one ``str.translate`` call (the fields joined by NUL) and one automaton
pass in C, no Python work per character; ``scan_listings`` does it for a batch of listings at once
(one numpy fold, one automaton pass), which is what the pipeline and the commands use. Only texts with a candidate term pay for the Python-level
checks (field, scope, category, exclusions, co-occurrence, ``unless``, Latin word boundaries) and
for the offset map back to the original text. Context words (``near``, ``unless``, ``exclude``)
are not in the automaton: they are checked around a candidate (small regexes, grouped set
lookups), so a common unit word (条, 盒) does not make every listing a candidate. Crawled text is
hostile: fields are scanned up to ``MAX_FIELD_CHARS`` and a listing reports at most
``MAX_MATCHES`` hits per rule and field.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from operator import itemgetter
from typing import Any, Callable, Iterable, Iterator, Mapping

import ahocorasick_rs

from detect.campaign import Campaign, Rule
from detect.detectors import BUILTINS
from detect.model import LISTING_FIELDS, Match, new_record
from detect.text import FoldedBatch, fold, fold_batch, fold_joined, fold_offsets, latin_boundary_ok, snippet
from detect.units import CodeAutomaton

#: Longest field prefix scanned (a listing is a few hundred characters; offsets stay exact).
MAX_FIELD_CHARS = 20_000
#: Most candidates verified per listing, and most hits reported per rule and field.
MAX_CANDIDATES = 5_000
MAX_MATCHES = 50
#: Separator between folded fields in the scanned string, and between listings in a batch
#: (``fold`` never produces either).
_SEP = "\x00"
_BATCH_SEP = "\x01"
#: Listings per ``scan_listings`` batch: large enough to amortize the vectorized fold's
#: per-call cost, small enough to keep a batch's strings in cache (measured: 256-1,000 best).
BATCH = 512
#: Most characters folded in one batch (a batch of long texts is split): the fold's arrays take
#: ~16 bytes per character, so this bounds them to ~16 MB whatever the input.
BATCH_CHARS = 1_000_000
#: Negations that void a term hit right after them (at most ``NEGATION_GAP`` folded character
#: between): "不含烟草制品", "本品不能代替药物", "非处方", "无烟锅". Sellers' disclaimers are the
#: commonest false positive of a term list. The gap is kept small: "远离异味【国宴用酒】" is no
#: negation of 国宴用酒.
NEGATIONS: tuple[str, ...] = ("不含", "不含任何", "不含有", "不具", "不具有", "不具备", "不售卖", "不售卖任何", "不出售任何", "不卖任何", "不能", "不可", "不得", "不是", "并非", "绝非", "非", "无",
                              "无任何", "没有", "禁止", "严禁", "请勿", "勿", "不售", "不卖", "不出售", "不销售", "拒绝",
                              "谨防", "不提供", "不涉及", "不属于", "不代替", "不替代", "不会", "不添加", "未添加",
                              "不添加任何", "不带", "禁止发", "不销售任何", "不搞", "没有任何", "不吹", "不吹什么", "不敢说", "不敢吹", "不是说")
NEGATION_GAP = 1
#: Brackets, sentence punctuation and line breaks end a phrase: a term never spans them
#: ("【官方正品】烟酰胺" holds no 正品烟), while spaces, dots and emoji inside a word are evasion.
HARD_BREAKS = re.compile(r"[【】\[\]()（）{}《》<>「」『』,，。;；!！?？:：|｜\n\r\t]")
#: What separates a ``not_after`` word from a hit: the hard breaks but a colon ("目标：做到最好" is
#: one statement; "不粘锅，炒菜不粘，顶尖品质" three).
LEAD_BREAKS = re.compile(HARD_BREAKS.pattern.replace(":：", ""))


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
        self._lead_re = {id(r): _alternation(r.not_after.terms) for r in rules if r.not_after}
        self._unless_re = {id(r): _alternation(r.unless) for r in rules if r.unless}
        #: pattern index -> ((rule index, fields) of the detector rules it anchors, (rule index,
        #: fields, exclusion groups, unless regex, near regex, near window, not_after regex,
        #: not_after window) of its term rules):
        #: candidate handling is a tuple lookup, and an anchor of detectors only (专利, zl) costs
        #: a set insertion.
        self._plan = tuple(
            (tuple((i, self._fields_of[i]) for i in self._slots[k] if rules[i].detector is not None),
             tuple((i, self._fields_of[i], self._exclusions(rules[i], term) if rules[i].exclude else (),
                    self._unless_re.get(id(rules[i])), self._near_re.get(id(rules[i])),
                    rules[i].near.within if rules[i].near else 0, self._lead_re.get(id(rules[i])),
                    rules[i].not_after.within if rules[i].not_after else 0)
                   for i in self._slots[k] if rules[i].detector is None))
            for k, term in enumerate(self.terms))
        #: listing rule -> what its matches carry (campaign, rule id, family, severity) and, for a
        #: detector rule, its scan function: looked up once here, not per hit
        self._heads = tuple((s.campaign.id, s.rule.id, s.rule.family, s.rule.severity) for s in self._listing)
        self._scans = tuple(BUILTINS[r.detector].scan if r.detector else None for r in rules)
        #: pattern index -> the term if it needs Latin word-boundary checks, else None
        self._latin = tuple(t if t[0].isascii() or t[-1].isascii() else None for t in self.terms)
        self._scopes: dict[tuple[Any, Any], tuple[bool, ...]] = {}  # (platform, category) -> per rule
        self._find = self._automaton() if matcher == "automaton" else self._regex()
        #: the batch path's matcher over code points (None: the regex baseline matches the str)
        codes = CodeAutomaton(self.terms) if matcher == "automaton" and self.terms else None
        self._find_coded = codes.find_coded if codes is not None else None
        self._coding = codes.table if codes is not None else None
        # numpy and the batch fold's code-point table load here, with the campaigns, not on the
        # first crawled listing (~0.15 s of a crawl's first second, measured in a worker)
        fold_batch(["warm-up"])

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

    def _scope(self, platform: Any, category: Any) -> tuple[bool, ...]:
        """Per listing rule: campaign scope and rule category conditions hold (few distinct
        (platform, category) pairs: cached)."""
        key = (platform, category)
        found = self._scopes.get(key)
        if found is None:
            if len(self._scopes) > 4096:
                self._scopes.clear()
            folded = fold(str(category or ""))
            found = self._scopes[key] = tuple(
                slot.campaign.in_scope(platform, folded)
                and (slot.rule.detector is not None or slot.rule.applies_to_category(folded))
                for slot in self._listing)
        return found

    # --- candidate finders ---------------------------------------------------------------------

    def _automaton(self) -> Callable[[str], list[tuple[int, int, int]]]:
        """ahocorasick_rs (a Rust DFA): pyahocorasick scans a node's children linearly, and with
        ~800 distinct first characters at the root that cost 160 ns per text character here."""
        if not self.terms:
            return lambda text: []
        ac = ahocorasick_rs.AhoCorasick(self.terms, matchkind=ahocorasick_rs.MatchKind.Standard,
                                        implementation=ahocorasick_rs.Implementation.DFA)
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
        fields = _fields(doc)
        joined = fold_joined(fields)
        candidates = self._find(joined)
        if not candidates:
            return []
        return _ListingScan(self, doc, list(fields), joined.split(_SEP)).run(candidates)

    def scan_listings(self, docs: Iterable[Mapping[str, Any]], batch: int = BATCH) -> Iterator[list[Match]]:
        """``scan_listing`` of each doc, in order, computed ``batch`` docs at a time: one vectorized
        fold (``fold_batch``) and one automaton pass over the batch's folded fields joined by SOH
        (no term spans it), so the 3/4 of listings without a candidate cost almost nothing in
        Python. Same matches as ``scan_listing``, offsets into each doc's own fields."""
        chunk: list[Mapping[str, Any]] = []
        for doc in docs:
            chunk.append(doc)
            if len(chunk) >= batch:
                yield from self._scan_chunk(chunk)
                chunk = []
        if chunk:
            yield from self._scan_chunk(chunk)

    def _scan_chunk(self, docs: list[Mapping[str, Any]]) -> list[list[Match]]:
        try:  # all three fields present as str (the pipeline's items): no per-field method call
            raw = list(map(_join_fields, map(_listing_fields, docs)))
        except (KeyError, TypeError):  # a field missing, None or not a str
            raw = [f"{doc.get('title') or ''}\x00{doc.get('description') or ''}\x00{doc.get('shop_name') or ''}"
                   for doc in docs]
        if len(docs) > 1 and sum(map(len, raw)) > BATCH_CHARS:  # long texts: keep the arrays bounded
            half = len(docs) // 2
            return self._scan_chunk(docs[:half]) + self._scan_chunk(docs[half:])
        # A text no longer than the limit has no field longer than it; a field with a NUL or SOH of
        # its own would shift the fields (fold_batch refuses): such a batch (rare, or hostile)
        # takes the per-listing fold.
        batch = fold_batch(raw, 3, self._coding) if max(map(len, raw)) <= MAX_FIELD_CHARS else None
        if batch is None:
            folded = [fold_joined(_fields(doc)) for doc in docs]
            batch = FoldedBatch(_BATCH_SEP.join(folded), [e - 1 for e in accumulate(len(f) + 1 for f in folded)], None)
        joined, ends, codes, kept, coded = batch
        out: list[list[Match]] = [[] for _ in docs]
        # the automaton reports byte offsets (two bytes per character: shift 1), the regex
        # baseline character offsets (shift 0)
        shift = 1 if coded is not None else 0
        by_doc = _by_listing(self._find_coded(coded) if coded is not None else self._find(joined), ends, shift)
        if not by_doc:
            return out
        # The offset maps come from the fold itself when it was one-to-one per character: the
        # index in the joined input of each kept character (a Python loop per field otherwise).
        positions = memoryview(kept) if kept is not None else None  # see FoldedBatch.positions
        for i, found in by_doc.items():
            base = ends[i - 1] + 1 if i else 0
            folded_fields = joined[base:ends[i]].split(_SEP)
            if positions is None:
                out[i] = _ListingScan(self, docs[i], list(_fields(docs[i])), folded_fields).run(found, shift, base)
                continue
            # where text i starts in the joined input: after the SOH that ends text i - 1 (kept by
            # the fold, so its input index is a position)
            out[i] = _ListingScan(self, docs[i], raw[i].split(_SEP), folded_fields,
                                  (positions, base, positions[base - 1] + 1 if i else 0)).run(found, shift, base)
        return out

    def candidate_count(self, doc: Mapping[str, Any]) -> int:
        """How many candidate terms the automaton finds in a listing (0 = the fast path)."""
        return len(self._find(fold_joined([doc.get(k) or "" for k in LISTING_FIELDS])))

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
    """The slow path for one listing that has candidates: verify them, map offsets, report.

    Checks that depend only on the position (negation before the hit, a hard break or a Latin
    word boundary in the original text) run once per candidate, not once per rule; the rule
    checks (exclusions, ``unless``, ``near``) come from the detector's per-term plan."""

    __slots__ = ("d", "doc", "texts", "folded", "_offsets", "_unless_cache", "_by_name", "positions", "_starts")

    def __init__(self, detector: Detector, doc: Mapping[str, Any], texts: list[str], folded: list[str],
                 batch: tuple[Any, int, int] | None = None) -> None:
        self.d, self.doc, self.texts, self.folded = detector, doc, texts, folded
        self._offsets: list[list[int] | None] = [None, None, None]  # per field, when not from a batch
        self._unless_cache: dict[tuple[int, int], bool] = {}
        self._by_name: tuple[dict[str, str], dict[str, str]] | None = None  # fields by name, for detectors
        #: from a one-to-one batch fold, (positions, base, raw start): ``positions[j]`` is the
        #: index in the batch's joined input of the character that became folded character j, so
        #: an original offset is one lookup (no ``fold_offsets`` loop, no per-field map)
        self.positions = None
        self._starts: tuple[int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0)
        if batch is not None:
            self.positions, base, raw = batch
            n0, n1, t0, t1 = len(folded[0]) + 1, len(folded[1]) + 1, len(texts[0]) + 1, len(texts[1]) + 1
            # per field: where it starts among the folded characters, and in the raw input
            self._starts = (base, base + n0, base + n0 + n1, raw, raw + t0, raw + t0 + t1)

    def span(self, f: int, s: int, e: int) -> tuple[int, int]:
        """Original ``(start, end)`` in field ``f`` of its folded span ``[s, e)``."""
        positions = self.positions
        if positions is None:
            offsets = self._offsets[f] or self.offsets(f)
            return offsets[s], offsets[e - 1] + 1
        j, r = self._starts[f], self._starts[f + 3]
        return positions[j + s] - r, positions[j + e - 1] + 1 - r

    def offsets(self, f: int) -> list[int]:
        found = self._offsets[f]
        if found is None:
            found = self._offsets[f] = fold_offsets(self.texts[f])
        return found

    def run(self, candidates: list[tuple[int, int, int]], shift: int = 0, base: int = 0) -> list[Match]:
        """Matches from ``candidates`` (term, start, end), at ``(offset >> shift) - base`` in
        this listing's folded text (a batch's offsets: ``_by_listing``)."""
        folded, texts = self.folded, self.texts
        b1 = len(folded[0]) + 1  # start of each field in the joined string
        b2 = b1 + len(folded[1]) + 1
        doc = self.doc
        platform, category = doc.get("platform"), doc.get("category")
        scope = self.d._scopes.get((platform, category)) or self.d._scope(platform, category)
        plan, latin = self.d._plan, self.d._latin
        spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
        detectors: set[int] = set()
        for k, start, end in candidates if len(candidates) <= MAX_CANDIDATES else candidates[:MAX_CANDIDATES]:
            start, end = (start >> shift) - base, (end >> shift) - base
            if start >= b2:
                f, s = 2, start - b2
            elif start >= b1:
                f, s = 1, start - b1
            else:
                f, s = 0, start
            anchored, term_rules = plan[k]
            for i, fields in anchored:
                if f in fields and scope[i]:
                    detectors.add(i)
            if not term_rules:
                continue
            text = folded[f]
            # a disclaimer ("不含烟草") voids every rule's hit here; the regex runs only when a
            # negation's last character is right before the hit (rare: a set test first)
            if s and not _NEG_LAST.isdisjoint(text[s - _NEG_TAIL if s > _NEG_TAIL else 0:s]) \
                    and _NEGATED.search(text, s - _NEG_LOOKBACK if s > _NEG_LOOKBACK else 0, s) is not None:
                continue
            e = s + end - start
            ok = None  # the position check (original text), once per candidate, when a rule needs it
            for i, fields, excl, unless, near, within, lead, lead_within in term_rules:
                if f not in fields or not scope[i]:
                    continue
                # cheapest first (all must hold): bounded regex searches for a context word before
                # or after the hit (not overlapping it; one search over both sides and the hit
                # first, which finds nothing for most candidates), one cached per field, and the
                # exclusions last (they may need the original offsets)
                if near is not None:
                    lo = s - within if s > within else 0
                    if near.search(text, lo, e + within) is None or (
                            near.search(text, lo, s) is None and near.search(text, e, e + within) is None):
                        continue
                if lead is not None and self._led(f, s, lead, lead_within):
                    continue
                if unless is not None and self._unless(i, unless, f):
                    continue
                if excl and self._excluded(excl, f, s, text):
                    continue
                if ok is None:
                    ok = self._position_ok(f, s, e, latin[k])
                if not ok:
                    break
                found = spans.get((i, f))
                if found is None:
                    spans[(i, f)] = [(s, e)]
                else:
                    found.append((s, e))
        out = [m for (i, f), found in spans.items() for m in self._term_matches(i, f, found)]
        for i in sorted(detectors):
            out.extend(self._detector_matches(i))
        return out

    def _position_ok(self, f: int, s: int, e: int, term: str | None) -> bool:
        """No hard break inside the hit, and Latin word boundaries (``term``: the term when it
        starts or ends with a Latin letter or digit, else None), in the ORIGINAL text."""
        a, b = self.span(f, s, e)
        # from a one-to-one batch fold, an original span as long as the folded one dropped nothing
        # (every hard break is dropped by the fold): no search
        if (b - a != e - s or self.positions is None) and HARD_BREAKS.search(self.texts[f], a, b):
            return False
        return term is None or latin_boundary_ok(self.texts[f], a, b, term)

    def _led(self, f: int, s: int, lead: re.Pattern[str], within: int) -> bool:
        """A ``not_after`` word ends shortly before the hit at ``s``, in the same sentence of the
        original text ("冰镇后口感最佳" is a usage tip; "冰镇。全网最好" is not)."""
        text = self.folded[f]
        last = None
        for last in lead.finditer(text, s - within if s > within else 0, s):
            pass
        if last is None:
            return False
        b = self.span(f, last.start(), last.end())[1]
        return LEAD_BREAKS.search(self.texts[f], b, self.span(f, s, s + 1)[0]) is None

    def _excluded(self, groups: tuple[tuple[int, int, frozenset[str]], ...], f: int, s: int, text: str) -> bool:
        """The hit overlaps a false-positive phrase of the rule."""
        for shift, length, phrases in groups:
            at = s + shift
            if at >= 0 and text[at:at + length] in phrases and self._unbroken(f, at, length):
                return True
        return False

    def _unbroken(self, f: int, s: int, length: int) -> bool:
        """An exclusion phrase counts only as written, not across a space or punctuation the fold
        removed ("销量第一 批发" does not contain 第一批)."""
        a, b = self.span(f, s, s + length)
        return b - a == length

    def _unless(self, i: int, unless: re.Pattern[str], f: int) -> bool:
        """The listing's context, not one field's: the title and the description (and the hit's own
        field, a shop name): a title "红双喜乒乓球" cancels "红双喜…一盒" in the description, a
        "数据来源" there the title's "销量第一"."""
        return self._unless_in(i, unless, 0) or self._unless_in(i, unless, 1) or (
            f == 2 and self._unless_in(i, unless, 2))

    def _unless_in(self, i: int, unless: re.Pattern[str], g: int) -> bool:
        """One field's search, cached per (rule, field): hits in every field share it."""
        key = (i, g)
        found = self._unless_cache.get(key)
        if found is None:
            found = self._unless_cache[key] = unless.search(self.folded[g]) is not None
        return found

    def _term_matches(self, i: int, f: int, found: list[tuple[int, int]]) -> list[Match]:
        """One match per occurrence; of overlapping terms (中华 / 软中华) the longest wins."""
        text = self.texts[f]
        kept: list[tuple[int, int]] = found  # one occurrence (the common case): nothing to choose
        if len(found) > 1:
            found.sort(key=_longest_first)
            kept = []
            for s, e in found:
                if kept and s < kept[-1][1]:
                    continue
                kept.append((s, e))
                if len(kept) >= MAX_MATCHES:
                    break
        campaign, rule, family, severity = self.d._heads[i]
        field = LISTING_FIELDS[f]
        out = []
        for s, e in kept:
            a, b = self.span(f, s, e)
            out.append(new_record(Match, (campaign, rule, family, severity, field, text[a:b], a, b,
                                          snippet(text, a, b), "")))
        return out

    def _detector_matches(self, i: int) -> list[Match]:
        if self._by_name is None:
            t, g = self.texts, self.folded  # LISTING_FIELDS
            self._by_name = ({"title": t[0], "description": t[1], "shop_name": t[2]},
                             {"title": g[0], "description": g[1], "shop_name": g[2]})
        texts, folded = self._by_name
        campaign, rule, family, severity = self.d._heads[i]
        out = []
        for f in self.d._scans[i](texts, folded, self.d.today):
            text = texts[f.field]
            if f.folded:
                a, b = self.span(LISTING_FIELDS.index(f.field), f.start, f.end)
            else:
                a, b = f.start, f.end
            out.append(new_record(Match, (campaign, rule, family, f.severity or severity, f.field, text[a:b], a, b,
                                          snippet(text, a, b), f.detail)))
        return out


def _by_listing(candidates: list[tuple[int, int, int]], ends: list[int], shift: int) -> dict[int, list[tuple[int, int, int]]]:
    """Candidates of a batch grouped by listing, as the automaton reported them (offsets in the
    batch, shifted left by ``shift``: ``_ListingScan.run`` makes them the listing's own, no new
    tuple per candidate). They come grouped (the automaton reports them by end position): bisect
    only when one falls before the current listing's span [lo, hi], else step forward."""
    by_doc: dict[int, list[tuple[int, int, int]]] = {}
    lo, hi, found, i = 1, 0, [], -1
    for candidate in candidates:
        start = candidate[1]
        start >>= shift
        if not lo <= start <= hi:
            if start > hi:  # a later listing, the usual way: a few steps (a bisect costs ~1.5k instructions)
                i += 1
                while ends[i] < start:
                    i += 1
            else:
                i = bisect_left(ends, start)
            lo, hi = ends[i - 1] + 1 if i else 0, ends[i]
            found = by_doc.setdefault(i, [])
        found.append(candidate)
    return by_doc


_listing_fields = itemgetter(*LISTING_FIELDS)
_join_fields = _SEP.join


def _longest_first(span: tuple[int, int]) -> tuple[int, int]:
    return span[0], span[0] - span[1]


def _fields(doc: Mapping[str, Any]) -> tuple[str, str, str]:
    """(title, description, shop name) of a listing, each cut to ``MAX_FIELD_CHARS``."""
    title, description, shop = doc.get("title") or "", doc.get("description") or "", doc.get("shop_name") or ""
    if len(title) > MAX_FIELD_CHARS or len(description) > MAX_FIELD_CHARS or len(shop) > MAX_FIELD_CHARS:
        return title[:MAX_FIELD_CHARS], description[:MAX_FIELD_CHARS], shop[:MAX_FIELD_CHARS]
    return title, description, shop


def _alternation(terms: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))


def _overlaps(exclusions: Iterable[str], term: str) -> Iterator[tuple[str, int]]:
    """(exclusion, shift) where the exclusion can overlap a hit of ``term`` and reach past it: one
    inside the term (烟斗 in the term 烟斗丝) would void every hit of it, which no guard means."""
    chars = set(term)
    for x in exclusions:
        if chars.isdisjoint(x):
            continue
        for shift in range(1 - len(x), len(term)):
            if shift >= 0 and shift + len(x) <= len(term):
                continue
            lo, hi = max(0, shift), min(len(term), shift + len(x))
            if term[lo:hi] == x[lo - shift:hi - shift]:
                yield x, shift


_NEGATED = re.compile("(?:" + "|".join(sorted(NEGATIONS, key=len, reverse=True)) + ")[^\x00]{0,%d}$" % NEGATION_GAP)
_NEG_LOOKBACK = max(map(len, NEGATIONS)) + NEGATION_GAP
#: A negation ends within the last ``_NEG_TAIL`` characters before a negated hit.
_NEG_LAST = frozenset(n[-1] for n in NEGATIONS)
_NEG_TAIL = NEGATION_GAP + 1

