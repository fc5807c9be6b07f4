"""The streaming automaton over a batch's folded code points, fed as UTF-16 code units.

Why: ahocorasick_rs on a ``str`` reports character indexes, which it derives from UTF-8 byte
offsets match by match -- about a third of its time on Chinese text here. The batch fold
(``detect.text.fold_batch``) already holds the folded text as an array of code points; as
UTF-16 code units with no surrogate pairs a character index is half the byte offset, and the
bytes cost one numpy conversion. The few code points past U+FFFF that terms contain (🚬, 💨) are
given private-use code units (the fold drops private-use characters, so no folded text holds
one); every other such code point becomes one private-use unit that no term contains.
"""
from __future__ import annotations

from typing import Any, Sequence

import ahocorasick_rs

#: First private-use code unit: U+E000 stands for any astral character no term contains.
_PUA = 0xE000
_PUA_END = 0xF8FF


class Utf16Automaton:
    """Overlapping Aho-Corasick matches of ``terms`` in a folded code-point array."""

    def __init__(self, terms: Sequence[str]) -> None:
        astral = sorted({c for t in terms for c in t if ord(c) > 0xFFFF})
        if _PUA + len(astral) > _PUA_END:
            raise ValueError(f"{len(astral)} distinct characters past U+FFFF in the terms: too many")
        self.astral = {ord(c): _PUA + 1 + i for i, c in enumerate(astral)}
        patterns = ["".join(chr(self.astral.get(ord(c), ord(c))) for c in t).encode("utf-16-le") for t in terms]
        self._find = ahocorasick_rs.BytesAhoCorasick(
            patterns, matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=ahocorasick_rs.Implementation.DFA).find_matches_as_indexes

    def find(self, codes: Any) -> list[tuple[int, int, int]]:
        """(term index, start, end) in character positions of ``codes`` (a numpy uint32 array of
        folded code points), ordered as the automaton reports them."""
        # a byte pattern can also occur across two code units (odd offset): not a match
        return [(k, s >> 1, e >> 1) for k, s, e in self.find_bytes(codes) if not s & 1]

    def find_bytes(self, codes: Any) -> list[tuple[int, int, int]]:
        """``find`` before its last step: byte offsets (twice the character positions), and
        matches at odd offsets still in -- the streaming engine drops those while it groups the
        matches by listing (one Python loop per candidate, not two)."""
        import numpy

        units = codes
        astral = codes > 0xFFFF
        if astral.any():
            units = codes.copy()
            units[astral] = [self.astral.get(c, _PUA) for c in codes[astral].tolist()]
        return self._find(units.astype(numpy.uint16).tobytes(), overlapping=True)
