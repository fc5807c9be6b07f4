"""The detection normalization ("fold") and its map back to the original text.

Sellers evade keyword filters with traditional or full-width characters, upper case, and spaces,
punctuation or emoji between the characters of a word (香 煙, 中.华, Ｒ Ｅ Ｌ Ｘ). ``fold`` undoes all of
that per character with one ``str.translate`` table: NFKC, lower case, no diacritics, traditional
-> simplified (the shared ``crawler.normalize.search_key``), then every character that is not a
letter or a digit is dropped -- except a few symbols that carry meaning on their own (🚬, 💨, %;
🐼 and 🐉 stand for the 熊猫 and 真龙 brands).
Terms go through the same function, so a term and its evasive spellings fold to the same string.

Dropping separators everywhere (not only between CJK characters) also joins Latin words
("r e l x" -> "relx"); term matching therefore checks Latin word boundaries in the ORIGINAL text
(``latin_boundary_ok``), where the spaces are still visible.

The offset map (folded index -> original index) is only computed for texts with a candidate hit:
a Python loop per character, which the fast path (translate + automaton in C) never runs.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import accumulate, compress
from typing import Any, NamedTuple

from crawler.normalize import TranslateTable, search_key
from detect import native

#: Symbols kept by ``fold`` although they are not letters or digits: they are terms themselves.
KEEP_SYMBOLS = frozenset("🚬💨🐼🐉%")
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


#: ``TABLE`` as a list for code points below ``DENSE_LIMIT`` (BMP and the emoji plane):
#: ``str.translate`` indexes a list ~40% faster than it looks a code point up in a dict (no hash,
#: no int comparison). Built on first use (~0.5 s: OpenCC per code point), then shared.
DENSE_LIMIT = 0x20000
_dense: list[str] = []
#: Code points past the dense table (CJK extensions, compatibility ideographs, tags, private use):
#: a text holding one is folded with the dict table, which knows every code point.
_BEYOND_DENSE = re.compile("[\U00020000-\U0010ffff]")


_dense_marks: list[str] = []


def dense_table() -> list[str]:
    if not _dense:
        _dense.extend(TABLE[cp] for cp in range(DENSE_LIMIT))
    return _dense


def _marks_table(text: str) -> list[str] | TranslateTable:
    """``_MARKS`` as a dense list when ``text`` allows it (as for ``TABLE`` in ``fold``)."""
    if _BEYOND_DENSE.search(text):
        return _MARKS
    if not _dense_marks:
        _dense_marks.extend(chr(min(len(v), 2)) for v in dense_table())
    return _dense_marks


def fold(text: str) -> str:
    """The matching form of ``text`` (see the module docstring); '' for None or ''."""
    if not text:
        return ""
    if _BEYOND_DENSE.search(text):
        return text.translate(TABLE)
    return text.translate(_dense or dense_table())


_dense_nul: list[str] = []


def fold_joined(texts: tuple[str, ...] | list[str]) -> str:
    """``"\\x00".join(fold(t) for t in texts)`` with one ``str.translate`` call: the dense table
    with NUL kept (``fold`` drops it, so it separates fields; texts that hold one take the slow
    way)."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1 or _BEYOND_DENSE.search(joined):
        return "\x00".join([fold(t) for t in texts])
    if not _dense_nul:
        _dense_nul.extend(dense_table())
        _dense_nul[0] = "\x00"
    return joined.translate(_dense_nul)


#: ``fold_batch``: what a code point becomes, as one UTF-32 code unit: itself or its one-character
#: fold; ``_DROP`` for characters the fold removes; ``_MULTI`` (a control the fold never emits)
#: for the few whose fold is longer than one character (ﬁ, ㎏, ⑩) or that lie past the dense
#: table -- texts holding one are folded again with ``fold``. NUL and SOH are kept: separators.
_DROP = 0xFFFFFFFF
_MULTI = 0x02
_unit_table: list = []


def _units() -> "numpy.ndarray":
    if not _unit_table:
        import numpy

        units = numpy.full(0x110000, _MULTI, dtype=numpy.uint32)
        units[:DENSE_LIMIT] = [_DROP if not v else ord(v) if len(v) == 1 else _MULTI for v in dense_table()]
        units[0], units[1] = 0, 1
        _unit_table.append(units)
    return _unit_table[0]


class FoldedBatch(NamedTuple):
    text: str  # the folded texts joined by SOH
    ends: list[int]  # ends[i]: index of the SOH after text i (len(text) for the last)
    codes: Any  # ``text`` as a numpy array of code points (None when some text was refolded)
    #: numpy array: ``positions[j]`` is the index in the joined input of the character that
    #: became folded character j (the fold was one-to-one per character; None otherwise)
    positions: Any = None
    #: ``coding`` (see ``fold_batch``) applied to ``codes``, as bytes (None without a coding)
    coded: bytes | None = None


#: True when this module is the compiled one (``detect.native``): ``fold_batch`` then folds in
#: one C loop (``_fold_loop``) instead of numpy passes.
COMPILED = native.compiled(__file__)


def fold_batch(texts: list[str], fields: int = 1, coding: Any = None) -> FoldedBatch | None:
    """``"\\x01".join(fold_joined(t.split("\\x00")) for t in texts)`` and where each text's part
    ends, as arrays (one code-point table lookup per character): ``str.translate`` costs ~60 ns
    per character through Python objects, this a few ns. Why a batch: the per-call overhead is
    paid once per batch, not per listing. ``texts`` are NUL-joined fields; a text holding a
    multi-character fold is folded again with ``fold``. ``coding`` (a uint16 array indexed by
    folded code point, ``detect.units.CodeAutomaton.table``) also gives the automaton's input,
    in the same pass. None if some text holds an SOH, or more than ``fields - 1`` NULs, of its
    own (the caller folds that batch the plain way)."""
    import numpy

    joined = "\x01".join(texts)
    coded = None
    if COMPILED:
        # one loop over the str itself: no UTF-32 copy, no intermediate arrays (~9 -> ~2 ns per
        # character, measured); interpreted, the same loop would be the slowest way
        n = len(joined)
        positions = numpy.empty(n, dtype=numpy.intp)
        codes = numpy.empty(n, dtype=numpy.uint32)
        if coding is None:  # nothing to code: an empty output (the loop skips it) and a dummy table
            coding, coded_units = numpy.zeros(1, dtype=numpy.uint16), numpy.empty(0, dtype=numpy.uint16)
        else:
            coded_units = numpy.empty(n, dtype=numpy.uint16)
        kept = _fold_loop(joined, _units(), coding, positions, codes, coded_units)
        positions, codes = positions[:kept], codes[:kept]
        if len(coded_units):
            coded = coded_units[:kept].tobytes()
    else:
        codes = numpy.take(_units(), numpy.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32))
        # the kept characters' indexes, then a take: cheaper than a boolean mask and its compress,
        # and the engine's offset maps need the indexes anyway
        positions = numpy.flatnonzero(codes != _DROP)
        codes = codes.take(positions)
        if coding is not None:
            coded = coding.take(codes).tobytes()
    # NUL and SOH are kept as themselves and no other character folds to either: counted on the
    # folded codes (the SOHs are the ends anyway) instead of two more passes over the input
    soh = numpy.flatnonzero(codes == 1)
    if len(soh) != len(texts) - 1 or numpy.count_nonzero(codes == 0) != (fields - 1) * len(texts):
        return None
    folded = codes.tobytes().decode("utf-32-le", "surrogatepass")
    if "\x02" not in folded:
        ends = soh.tolist()
        ends.append(len(folded))
        return FoldedBatch(folded, ends, codes, positions, coded)
    parts = folded.split("\x01")
    for i, part in enumerate(parts):
        if "\x02" in part:
            parts[i] = fold_joined(texts[i].split("\x00"))
    return FoldedBatch("\x01".join(parts), [end - 1 for end in accumulate(len(p) + 1 for p in parts)], None)


def _fold_loop(joined: str, units: Any, coding: Any, positions: Any, codes: Any, coded: Any) -> int:
    """``fold_batch``'s arrays (compiled only; typed in text.pxd): for each character of
    ``joined`` that the fold keeps, its index and folded code point, then, when ``coded`` has
    room, ``coding`` of each kept one. Returns how many were kept. Branch-free: every character is written
    and a dropped one is overwritten by the next (a branch on "dropped" mispredicts on every
    space and punctuation mark: measured 3.5 -> ~2 ns per character)."""
    kept = 0
    drop = _DROP  # a C constant in the loop, not a module-global lookup per character
    i = 0
    for c in joined:
        u = units[ord(c)]
        positions[kept] = i
        codes[kept] = u
        kept += u != drop
        i += 1
    if len(coded) > 0:
        for i in range(kept):
            coded[i] = coding[codes[i]]
    return kept


def fold_offsets(text: str) -> list[int]:
    """``offsets[i]`` = index in ``text`` of the character that produced ``fold(text)[i]``.

    A folded span ``[s, e)`` maps back to ``text[offsets[s]:offsets[e - 1] + 1]``; the original
    slice therefore includes the separators the seller put between the characters.
    """
    marks = text.translate(_marks_table(text))
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
    lo, hi, n = start - context, end + context, len(original)
    return ("…" + original[lo:hi] if lo > 0 else original[:hi]) + ("…" if hi < n else "")
