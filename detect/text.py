"""The detection normalization ("fold") and its map back to the original text.

Sellers evade keyword filters with traditional or full-width characters, upper case, and spaces,
punctuation or emoji between the characters of a word (香 煙, 中.华, Ｒ Ｅ Ｌ Ｘ). ``fold`` undoes all of
that per character with one ``str.translate`` table: NFKC, lower case, no diacritics, traditional
-> simplified (the shared ``crawler.normalize.search_key``), then every character that is not a
letter or a digit is dropped -- except a few symbols that carry meaning on their own (🚬, 💨, %).
Terms go through the same function, so a term and its evasive spellings fold to the same string.

Dropping separators everywhere (not only between CJK characters) also joins Latin words
("r e l x" -> "relx"); term matching therefore checks Latin word boundaries in the ORIGINAL text
(``latin_boundary_ok``), where the spaces are still visible.

The offset map (folded index -> original index) is only computed for texts with a candidate hit:
a Python loop per character, which the fast path (translate + automaton in C) never runs.
"""
from __future__ import annotations

import unicodedata
from itertools import compress

from crawler.normalize import TranslateTable, search_key

#: Symbols kept by ``fold`` although they are not letters or digits: they are terms themselves.
KEEP_SYMBOLS = frozenset("🚬💨%")
#: Letters that sellers use as separators ("烟丶油", "中ノ华"): dropped like punctuation.
SEPARATOR_LETTERS = frozenset("丶丿乀乁ノヽゝ〆亻")


def _fold_char(c: str) -> str:
    """Folded form of one character: '' for separators, punctuation, symbols and controls."""
    if c in KEEP_SYMBOLS:
        return c
    if c in SEPARATOR_LETTERS:
        return ""
    out = []
    for x in search_key(c):
        if x in KEEP_SYMBOLS or unicodedata.category(x)[0] in "LN":
            out.append(x)
    return "".join(out)


#: The fold as a ``str.translate`` table.
TABLE = TranslateTable(_fold_char)
#: chr(len(folded form)), capped at 2, for ``fold_offsets``.
_MARKS = TranslateTable(lambda c: chr(min(len(TABLE[ord(c)]), 2)))


def fold(text: str) -> str:
    """The matching form of ``text`` (see the module docstring); '' for None or ''."""
    return text.translate(TABLE) if text else ""


def fold_offsets(text: str) -> list[int]:
    """``offsets[i]`` = index in ``text`` of the character that produced ``fold(text)[i]``.

    A folded span ``[s, e)`` maps back to ``text[offsets[s]:offsets[e - 1] + 1]``; the original
    slice therefore includes the separators the seller put between the characters.
    """
    marks = text.translate(_MARKS)
    if "\x02" not in marks:  # every character folds to at most one: select in C
        return list(compress(range(len(text)), marks.encode("latin-1")))
    offsets: list[int] = []
    table = TABLE
    for i, c in enumerate(text):
        n = len(table[ord(c)])
        if n == 1:
            offsets.append(i)
        elif n:
            offsets.extend([i] * n)
    return offsets


def to_original(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """Original ``(start, end)`` of the folded span ``[start, end)``."""
    return offsets[start], offsets[end - 1] + 1


def _word_class(c: str) -> str:
    """'a' for an ASCII letter, '0' for a digit, '' otherwise (CJK has no word boundaries)."""
    if c.isascii() and c.isalpha():
        return "a"
    return "0" if c.isdigit() else ""


def latin_boundary_ok(original: str, start: int, end: int, term: str) -> bool:
    """A term that begins (ends) with a Latin letter or a digit must not continue a Latin word or
    a number in the original text: 'yan' is no hit inside 'yancheng' or 'Bryan', 'no1' none in
    'No.10'; 'xiang yan' still contains 'yan'."""
    first, last = _word_class(term[:1]), _word_class(term[-1:])
    if first and start > 0:
        before = fold(original[start - 1])
        if before and _word_class(before[-1]) == first:
            return False
    if last and end < len(original):
        after = fold(original[end])
        if after and _word_class(after[0]) == last:
            return False
    return True


def snippet(original: str, start: int, end: int, context: int = 20) -> str:
    """Short original-text context around a match (evidence for the reviewer)."""
    lo, hi = max(0, start - context), min(len(original), end + context)
    return ("…" if lo else "") + original[lo:hi] + ("…" if hi < len(original) else "")
