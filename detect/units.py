"""The streaming automaton over a batch's folded code points, as two bytes of a small alphabet each.

Why: ahocorasick_rs on a ``str`` reports character indexes, which it derives from UTF-8 byte
offsets match by match -- about a third of its time on Chinese text here. The batch fold
(``detect.text.fold_batch``) already holds the folded text as an array of code points, so the
automaton gets bytes from one numpy table lookup instead: every character of a term gets its own
two-byte code (a "high" byte from 1..H, then a "low" byte from H+1..H+L), every other character
the code 0 0. A character index is half the byte offset, and a term cannot match across two
characters' codes (its first byte is a high byte; the byte in that place would be a low one).
Why not UTF-16: ~1,000 distinct term characters need all 256 byte values in UTF-16, and the
automaton's DFA (states x byte classes) outgrows the CPU cache; with ~70 byte values it is a
quarter of that, and measured 0.45 -> 0.28 µs per listing. Astral characters (🚬, 💨) are
ordinary table entries.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import ahocorasick_rs

#: Most distinct term characters: H and L stay <= 127, so the codes are bytes.
MAX_CHARS = 127 * 127


class CodeAutomaton:
    """Overlapping Aho-Corasick matches of ``terms`` in a folded code-point array."""

    def __init__(self, terms: Sequence[str]) -> None:
        import numpy

        chars = sorted({c for t in terms for c in t})
        if len(chars) > MAX_CHARS:
            raise ValueError(f"{len(chars)} distinct characters in the terms: more than {MAX_CHARS}")
        low = max(1, math.isqrt(max(0, len(chars) - 1)) + 1)  # L, and H = ceil(n / L) <= L
        high = -(-len(chars) // low)
        points = numpy.array([ord(c) for c in chars], dtype=numpy.int64)
        index = numpy.arange(len(chars))
        # little-endian uint16: the first byte is the high one
        self.table = numpy.zeros(0x110000, dtype=numpy.uint16)
        self.table[points] = (1 + index // low) | ((1 + high + index % low) << 8)
        code = {c: int(v).to_bytes(2, "little") for c, v in zip(chars, self.table[points].tolist())}
        self._find_coded = ahocorasick_rs.BytesAhoCorasick(
            [b"".join(code[c] for c in t) for t in terms], matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=ahocorasick_rs.Implementation.DFA).find_matches_as_indexes

    def find(self, codes: Any) -> list[tuple[int, int, int]]:
        """(term index, start, end) in character positions of ``codes`` (a numpy uint32 array of
        folded code points), ordered as the automaton reports them."""
        return [(k, s >> 1, e >> 1) for k, s, e in self.find_bytes(codes)]

    def find_bytes(self, codes: Any) -> list[tuple[int, int, int]]:
        """``find`` before its last step: byte offsets (twice the character positions), as the
        streaming engine groups them by listing."""
        return self.find_coded(self.table.take(codes).tobytes())

    def find_coded(self, coded: bytes) -> list[tuple[int, int, int]]:
        """``find_bytes`` of codes already mapped through ``table`` (``fold_batch(coding=table)``
        does it while folding)."""
        return self._find_coded(coded, overlapping=True)
