"""The speed tricks of the streaming path give the same results as the plain definitions."""
from __future__ import annotations

import pytest

from detect.model import Match, new_match
from detect.text import _MARKS, TABLE, fold, fold_joined, fold_offsets

SAMPLES = ["香煙 中.华 Ｒ Ｅ Ｌ Ｘ", "🚬💨% 😍 ﬁ㎏ ÉCOLE", "𠀀\U0002F800 abc", "\U000E0041a\U000F0000b", "a\x00b", "", "　\n\t"]


@pytest.mark.parametrize("text", SAMPLES)
def test_dense_fold_is_the_table_fold(text):
    assert fold(text) == text.translate(TABLE)


@pytest.mark.parametrize("text", SAMPLES)
def test_offsets_from_dense_marks(text):
    marks = text.translate(_MARKS)
    expected = [i for i, m in enumerate(marks) for _ in range(ord(m))] if "\x02" not in marks else None
    offsets = fold_offsets(text)
    assert len(offsets) == len(fold(text))
    if expected is not None:
        assert offsets == expected


@pytest.mark.parametrize("fields", [tuple(SAMPLES[i:i + 3]) for i in range(len(SAMPLES))])
def test_fold_joined_is_joined_folds(fields):
    assert fold_joined(fields) == "\x00".join(fold(t) for t in fields)


def test_new_match_is_a_match():
    args = ("c", "r", "tobacco", "high", "title", "中华", 1, 3, "…中华…")
    fast, plain = new_match(*args, detail="d"), Match(*args, detail="d")
    assert fast == plain and hash(fast) == hash(plain) and type(fast) is Match
    assert new_match(*args).detail == ""
