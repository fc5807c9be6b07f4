"""The speed tricks of the streaming path give the same results as the plain definitions."""
from __future__ import annotations

import pytest

from detect.model import Match
from detect.text import _MARKS, TABLE, fold, fold_batch, fold_joined, fold_offsets

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


def test_match_is_an_immutable_record():
    m = Match("c", "r", "tobacco", "high", "title", "中华", 1, 3, "…中华…")
    assert m.detail == "" and m == Match("c", "r", "tobacco", "high", "title", "中华", 1, 3, "…中华…", "")
    assert list(m.to_dict()) == ["campaign", "rule", "family", "severity", "field", "matched", "start", "end",
                                 "snippet", "detail"]
    assert len({m, Match(*m)}) == 1  # hashable by value: hits de-duplicate
    with pytest.raises(AttributeError):
        m.start = 0


def test_fold_batch_is_fold_joined_per_text():
    texts = [tuple((SAMPLES + ["", ""])[i:i + 3]) for i in range(len(SAMPLES))] + [("\ud800香煙", "", ""), ("⼂丶", "", "")]
    raw = ["\x00".join(t) for t in texts if "\x00" not in "".join(t)]
    folded, ends = fold_batch(raw, 3)[:2]
    assert folded.split("\x01") == [fold_joined(t.split("\x00")) for t in raw]
    assert ends == [i for i, c in enumerate(folded) if c == "\x01"] + [len(folded)]
    clean = ["香煙 中.华\x00Ｒ Ｅ Ｌ Ｘ\x00🚬", "\x00\x00", "ÉCOLE\x00abc\x00x"]  # no multi-character fold
    folded, ends, codes, kept = fold_batch(clean, 3)[:4]
    assert folded.split("\x01") == [fold_joined(t.split("\x00")) for t in clean] and ends == [11, 14, 26]
    assert "".join(map(chr, codes.tolist())) == folded  # the code points the automaton is fed
    assert kept.tolist() == [i for i, c in enumerate("\x01".join(clean)) if fold(c) or c in "\x00\x01"]
    assert fold_batch(["a\x01b\x00\x00", "c\x00\x00"], 3) is None  # a text's own SOH: the caller's slow way
    assert fold_batch(["a\x00b\x00\x00", "c\x00\x00"], 3) is None  # or a NUL: it would shift the fields
    assert fold_batch(["a\x00b\x00", "c\x00\x00"], 3) is not None


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
    {"title": "软中华\x01 2条", "description": "⼂最好", "category": "food"},
    {"title": "中华 2条 " + "x" * 20_000, "description": "最佳", "category": "food"},
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


def _codes(text):
    import numpy

    return numpy.frombuffer(text.encode("utf-32-le"), dtype=numpy.uint32)


def test_code_automaton_reports_character_positions():
    import ahocorasick_rs

    from detect.units import CodeAutomaton

    terms = ["🚬", "烟弹", "relx", "𐐨x", "💨烟"]
    text = "a🚬烟弹\x00𐐀relx𠀀💨烟\x01𐐨x🚬"  # astral characters in and out of the terms
    plain = ahocorasick_rs.AhoCorasick(terms).find_matches_as_indexes(text, overlapping=True)
    assert CodeAutomaton(terms).find(_codes(text)) == plain and len(plain) == 6


def test_code_automaton_finds_what_the_plain_automaton_finds():
    """Random texts over the terms' own characters (where a match across two characters' codes
    would show) and others, astral ones included."""
    import random

    import ahocorasick_rs

    from detect.units import CodeAutomaton

    rng = random.Random(5)
    alphabet = "烟弹中华扡摣愀换🚬💨ab\x00"
    terms = sorted({"".join(rng.choice(alphabet[:-1]) for _ in range(rng.randint(1, 4))) for _ in range(40)})
    automaton, plain = CodeAutomaton(terms), ahocorasick_rs.AhoCorasick(terms)
    for _ in range(300):
        text = "".join(rng.choice(alphabet + "好x𠀀") for _ in range(rng.randint(0, 30)))
        assert sorted(automaton.find(_codes(text))) == sorted(plain.find_matches_as_indexes(text, overlapping=True))
    assert CodeAutomaton(["扡摣"]).find(_codes("愀换d")) == []  # UTF-16 bytes would hold it at an odd offset


def test_batches_of_long_texts_are_split(detector, monkeypatch):
    import detect.engine as engine

    docs = [{"title": f"中华 {i}条", "description": "好" * 300, "category": "food"} for i in range(1, 9)]
    expected = [detector.scan_listing(doc) for doc in docs]
    monkeypatch.setattr(engine, "BATCH_CHARS", 1000)  # about three listings' worth
    folded_sizes = []
    real = engine.fold_batch
    monkeypatch.setattr(engine, "fold_batch", lambda texts, fields, coding=None: folded_sizes.append(len(texts)) or real(texts, fields, coding))
    assert list(detector.scan_listings(docs)) == expected and all(expected)
    assert max(folded_sizes) <= 3 and sum(folded_sizes) == len(docs)


@pytest.mark.parametrize("raw", [
    ["香煙 中.华\x00Ｒ Ｅ Ｌ Ｘ 🚬\x00店", "，。！\x00\x00", "abc 中华\x00\U000E0041x\x00y"],  # one-to-one folds
    ["ﬁ㎏ ÉCOLE\x00中华\x00", "𠀀\U0002F800 abc\x00a\x00b"],  # multi-character folds, astral code points
])
def test_fold_loop_is_the_vectorized_fold(raw, monkeypatch):
    """The compiled module folds a batch in one loop (``_fold_loop``), the interpreted one with
    numpy passes: the same text, ends, code points, positions and automaton input."""
    import numpy

    from detect import text
    from detect.units import CodeAutomaton

    coding = CodeAutomaton(["中华", "relx", "🚬", "店", "abc"]).table
    monkeypatch.setattr(text, "COMPILED", False)
    vectorized = text.fold_batch(raw, 3, coding)
    monkeypatch.setattr(text, "COMPILED", True)
    looped = text.fold_batch(raw, 3, coding)
    assert vectorized.text == looped.text == "\x01".join(fold_joined(t.split("\x00")) for t in raw)
    assert vectorized.ends == looped.ends and vectorized.coded == looped.coded
    for a, b in ((vectorized.codes, looped.codes), (vectorized.positions, looped.positions)):
        assert (a is None and b is None) or numpy.array_equal(a, b)
    if vectorized.codes is not None:
        assert looped.coded == coding.take(looped.codes).tobytes() and len(looped.coded) == 2 * len(looped.text)
