"""The speed tricks of the streaming path give the same results as the plain definitions."""
from __future__ import annotations

import pytest

from detect.model import Match, new_match
from detect.text import _MARKS, TABLE, fold, fold_joined, fold_many, fold_offsets

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


def test_fold_many_is_fold_joined_per_text():
    texts = [tuple(SAMPLES[i:i + 3]) for i in range(len(SAMPLES))] + [("a\x01b", "c", "d"), ("\ud800香煙", "", "")]
    assert fold_many(texts) == [fold_joined(t) for t in texts]
    clean = [("香煙 中.华", "Ｒ Ｅ Ｌ Ｘ", "🚬"), ("", "", ""), ("ÉCOLE", "abc", "x")]  # the vectorized path
    assert fold_many(clean) == [fold_joined(t) for t in clean]
    assert fold_many([]) == []


# Listings whose hits, misses and offsets the batch path must reproduce exactly: hits in every
# field, two listings with hits side by side, separators and multi-character folds in the text.
BATCH_DOCS = [
    {"title": "软中华 2条 特价", "description": "正品", "category": "food", "shop_name": "烟酒店"},
    {"title": "油烟机 清洗", "description": "", "category": "home"},
    {"title": "國家級 最佳 降血压", "description": "专利号 ZL201520123456.0", "category": "food"},
    {"title": "Ｒ Ｅ Ｌ Ｘ 悦刻 烟弹", "description": "ﬁ㎏ 香\x00烟 1条", "shop_name": "a\x01b 电子烟"},
    {"title": "plain tea", "description": "绿茶 250g", "category": "tea"},
    {"title": "", "description": None},
    {"title": "\U0002F800 中华 5条", "description": "最好的", "category": "food"},
]


@pytest.mark.parametrize("matcher", ["automaton", "regex"])
@pytest.mark.parametrize("batch", [1, 2, 512])
def test_scan_listings_is_scan_listing_per_doc(campaigns, matcher, batch):
    from detect.engine import Detector
    from tests.detect.conftest import TODAY

    detector = Detector(campaigns, today=TODAY, matcher=matcher)
    expected = [detector.scan_listing(doc) for doc in BATCH_DOCS]
    assert sum(map(len, expected)) >= 8 and expected[4] == [] and expected[1] == []
    assert list(detector.scan_listings(iter(BATCH_DOCS), batch=batch)) == expected
