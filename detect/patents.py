"""Chinese patent numbers in listing text: find them, check them, say what is wrong.

Application numbers (ZC 0006-2003): 8 digits + check before 2003-10-01 (YY T SSSSS.C), 12 digits +
check after (YYYY T SSSSSSS.C); ``ZL`` marks a granted patent, ``CN`` may prefix an application;
single spaces after the year and the type digit are allowed. The check character is the weighted
sum (weights 2..9 repeating) mod 11, 10 -> X (domain.md §2 has worked examples). Publication
numbers (``CN`` + 9 digits + kind code) are a different series; only their kind code is checked
against the claimed type. The regexes run on the ORIGINAL text (``\\d`` is not used: full-width
digits are listed explicitly), so offsets need no mapping.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from operator import mul
from typing import NamedTuple

from detect import native
from detect.model import new_record

_D = "[0-9０-９]"
_LEFT = r"(?<![0-9０-９A-Za-zＡ-Ｚａ-ｚ])"
#: Each regex opens with a lookahead on the characters a match can start with: sre cannot skip
#: ahead past a leading lookbehind, but it can past a character-set lookahead (measured: the
#: number regex over a whole text ~2.8x faster), and the matches are the same.
_NUMBER = re.compile(
    "(?=[0-9０-９ZzＺｚCcＣｃ])" + _LEFT
    + r"(?:(?P<pre>[ZzＺｚ][LlＬｌ]|[CcＣｃ][NnＮｎ])[ \t:：]{0,2})?"
    # a line break may split a number as a space does ("ZL 2020 1\n0507801.2": a title's wrap)
    + rf"(?:(?P<y4>{_D}{{4}})[ 　\n]?(?P<t12>{_D})[ 　\n]?(?P<s7>{_D}{{7}})|(?P<y2>{_D}{{2}})[ 　]?(?P<t8>{_D})[ 　]?(?P<s5>{_D}{{5}}))"
    # the check character may be followed by more digits (titles run "….32024新款" together)
    # ... or be an X written straight after the serial ("ZL202221100509X": no digit could be told apart)
    + r"(?:[ 　]?(?P<dot>[.．。·])[ 　]?(?P<chk>[0-9０-９XxＸｘ])|(?P<xchk>[XxＸｘ])(?![A-Za-zＡ-Ｚａ-ｚ])|(?![0-9０-９]))"
)
_PUBLICATION = re.compile(
    "(?=[CcＣｃ])" + _LEFT + rf"(?P<pre>[CcＣｃ][NnＮｎ])[ 　]?(?P<num>{_D}{{9}})[ 　]?(?P<kind>[ABCUYSabcuysＡ-Ｚ])(?P<ver>{_D})?(?![0-9０-９A-Za-z])"
)
#: Every number format has a run of 5+ digits (the serial); most texts have none: skip them fast.
_RUN_LEAD = 16  # prefix (2) + separators (2) + year (4) + space + type digit + space = 11, with margin
_DIGIT_RUNS = re.compile("[0-9０-９]{5,}")
_RUN_TAIL = 8  # space, dot, space, check character (4) + one lookahead character = 5, with margin
_MASK_CHARS = "*＊×xX"
_MASK_RUN = re.compile(f"[{_MASK_CHARS}]{{3}}")
_MASKED = re.compile("(?=[ZzＺｚCcＣｃ 　:：0-9０-９])" + _LEFT + rf"(?P<pre>[ZzＺｚ][LlＬｌ]|[CcＣｃ][NnＮｎ])?[ 　:：]{{0,2}}{_D}{{2,8}}[*＊×xX]{{3,}}")

#: Type digit -> (name, protection term in years from filing; designs 15 years from 2021).
TYPES: dict[str, str] = {"1": "invention", "2": "utility", "3": "design", "8": "invention", "9": "utility"}
_KINDS: dict[str, str] = {"A": "invention", "B": "invention", "C": "invention", "U": "utility", "Y": "utility", "S": "design"}
#: Claimed-type words (folded) -> type; the nearest one before a number is the claim.
CLAIM_WORDS: dict[str, str] = {"发明": "invention", "实用新型": "utility", "新型专利": "utility",
                               "外观": "design"}
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)


_WEIGHTS12 = _WEIGHTS + _WEIGHTS[:4]


def check_char(digits: str) -> str:
    """The check character of an 8- or 12-digit application number ('X' for remainder 10)."""
    total = 0
    i = 0
    for c in digits:  # compiled: a C loop (patents.pxd), no int object per digit
        if not "0" <= c <= "9":  # another Unicode digit (full-width ...): int() knows its value
            total = sum(map(mul, map(int, digits), _WEIGHTS12))
            break
        if i == 12:
            break
        total += (ord(c) - 48) * (2 + i % 8)  # the weights 2..9, repeating
        i += 1
    r = total % 11
    return "X" if r == 10 else str(r)


def term_years(type_digit: str, year: int) -> int:
    if TYPES[type_digit] == "invention":
        return 20
    if TYPES[type_digit] == "design":
        return 15 if year >= 2021 else 10
    return 10


class PatentNumber(NamedTuple):
    """One number found in a text (a named tuple: built for every number in every listing that
    mentions patents, and a frozen dataclass costs ~1.3 µs to construct, this ~0.4)."""

    start: int
    end: int
    text: str
    prefix: str  # "ZL", "CN" or ""
    digits: str  # the 8 or 12 body digits, ASCII
    check: str  # as written ('' when missing)
    publication_kind: str = ""  # for publication numbers: the kind code

    @property
    def year(self) -> int:
        if len(self.digits) == 12:
            return int(self.digits[:4])
        yy = int(self.digits[:2])
        return 1900 + yy if yy >= 80 else 2000 + yy

    @property
    def type_digit(self) -> str:
        return self.digits[4] if len(self.digits) == 12 else self.digits[2]

    @property
    def kind(self) -> str | None:
        """invention / utility / design (from the type digit or the kind code), None if unknown."""
        if self.publication_kind:
            return _KINDS.get(self.publication_kind)
        return TYPES.get(self.type_digit)


def _ascii(s: str | None) -> str:
    if not s:
        return ""
    return s.upper() if s.isascii() else unicodedata.normalize("NFKC", s).upper()


#: True when this module is the compiled one (``_digit_runs`` then loops in C).
COMPILED = native.compiled(__file__)
_N = "NnＮｎ"


def _digit_runs(text: str) -> tuple[int, int, bool]:
    """Where the first maximal run of 5+ digits (ASCII or full-width) starts, where the last one
    ends, and whether a publication number can be there: a run of exactly 9 right after an N
    (``CN`` and an optional space). (-1, -1, False) for none, the common case. Compiled: one C
    loop (patents.pxd; a regex scan costs ~16 ns per character of Chinese text, this ~1);
    interpreted, the regex is the faster way."""
    first, last, publication = -1, -1, False
    if not COMPILED:
        for m in _DIGIT_RUNS.finditer(text):
            s, last = m.span()
            first = s if first < 0 else first
            publication = publication or (last - s == 9 and _after_n(text, s))
        return first, last, publication
    start = -1
    n = len(text)
    for i in range(n + 1):  # one step past the end: a run there ends like any other
        c = text[i] if i < n else " "
        if "0" <= c <= "9" or "０" <= c <= "９":
            if start < 0:
                start = i
        elif start >= 0:
            if i - start >= 5:
                first = start if first < 0 else first
                last = i
                publication = publication or (i - start == 9 and _after_n(text, start))
            start = -1
    return first, last, publication


def _after_n(text: str, start: int) -> bool:
    """An N right before ``start``, or before the one space there (``_PUBLICATION``'s layout)."""
    before = text[start - 1] if start >= 1 else ""
    if before in (" ", "　") and start >= 2:
        before = text[start - 2]
    return before != "" and before in _N


@lru_cache(maxsize=256)
def find_numbers(text: str) -> tuple[PatentNumber, ...]:
    """Patent-number-shaped strings in ``text``: with a dot and check character, or with a ZL/CN
    prefix (order numbers and phone numbers have neither)."""
    # No number starts more than _RUN_LEAD characters before its first 5-digit run ("ZL： 2015 0
    # 6727372" has it 11 in): the regexes start there (lookbehinds still see the text before).
    # Every number ends within _RUN_TAIL characters after the end of a maximal digit run of 5+
    # (the serial, then at most " . X" and one character of lookahead): no regex looks past the
    # last such run + _RUN_TAIL (the seller's text after the last number is most of a description).
    # One pass over the runs gives both ends (most texts have one run, or none: return at once).
    first, last, publication = _digit_runs(text)
    if first < 0:
        return ()
    pos = max(0, first - _RUN_LEAD)
    endpos = min(len(text), last + _RUN_TAIL)
    out: list[PatentNumber] = []
    taken: list[tuple[int, int]] = []
    for m in _PUBLICATION.finditer(text, pos, endpos) if publication else ():
        pre, num, kind = m.group("pre", "num", "kind")
        out.append(new_record(PatentNumber, (m.start(), m.end(), m.group(0), _ascii(pre), _ascii(num), "", _ascii(kind))))
        taken.append(m.span())
    for m in _NUMBER.finditer(text, pos, endpos):
        if taken and any(s <= m.start() < e for s, e in taken):
            continue
        pre, chk, y4, t12, s7, y2, t8, s5, xchk = m.group("pre", "chk", "y4", "t12", "s7", "y2", "t8", "s5", "xchk")
        chk = chk or xchk
        if not chk and not pre:
            continue
        body = f"{y4}{t12}{s7}" if y4 else f"{y2}{t8}{s5}"
        start, end = m.span()
        out.append(new_record(PatentNumber, (start, end, text[start:end], _ascii(pre) if pre else "",
                                       body if body.isascii() else _ascii(body), _ascii(chk) if chk else "", "")))
    return tuple(sorted(out)) if len(out) > 1 else tuple(out)  # by start (no two share one)


@lru_cache(maxsize=256)
def find_masked(text: str) -> tuple[re.Match[str], ...]:
    # every masked number has 3+ mask characters (_MASK_CHARS) in a row; most texts hold none
    # at all, and five substring tests (C scans) cost an eighth of the regex search
    if not ("*" in text or "x" in text or "X" in text or "＊" in text or "×" in text) or not _MASK_RUN.search(text):
        return ()
    return tuple(_MASKED.finditer(text))


def problems(number: PatentNumber, claimed: str | None, today: date) -> list[str]:
    """What is wrong with one number ([] = nothing this text can show)."""
    if number.publication_kind:
        kind = number.kind
        if kind is None:
            return [f"unknown publication kind code {number.publication_kind}"]
        if claimed and claimed != kind:
            return [f"claimed {claimed} but kind code {number.publication_kind} is a {kind} publication"]
        return []
    found: list[str] = []
    if not number.check:
        found.append("no check character")
    else:
        expected = check_char(number.digits)
        if number.check != expected:
            found.append(f"bad check character {number.check}: expected {expected}")
    year, type_digit = number.year, number.type_digit
    twelve = len(number.digits) == 12
    if twelve and year < 2003:
        found.append(f"12-digit number with year {year} (that format began in 2003)")
    elif not twelve and not (1985 <= year <= 2003):
        found.append(f"8-digit number with year {year} (that format was used 1985-2003)")
    if year > today.year:
        found.append(f"filing year {year} is in the future")
    if type_digit not in TYPES:
        found.append(f"type digit {type_digit} is not a patent type (1, 2, 3, 8, 9)")
    elif claimed and claimed != TYPES[type_digit]:
        found.append(f"claimed {claimed} but type digit {type_digit} is a {TYPES[type_digit]} number")
    if not found and year + term_years(type_digit, year) < today.year:
        found.append(f"expired: a {TYPES[type_digit]} filed in {year} lapsed by {year + term_years(type_digit, year)}")
    return found
