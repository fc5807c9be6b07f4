"""The fold: evasive spellings fold to the same string, and matches map back to the original."""
from __future__ import annotations

import pytest

from detect.text import fold, fold_offsets, latin_boundary_ok, to_original


@pytest.mark.parametrize("shown, folded", [
    ("香煙", "香烟"),  # traditional -> simplified
    ("香菸", "香烟"),
    ("ＲＥＬＸ", "relx"),  # full-width, upper case
    ("香 烟", "香烟"),  # space between CJK characters
    ("中.华", "中华"),  # punctuation
    ("中😀华", "中华"),  # emoji between characters
    ("中\u200b华", "中华"),  # zero-width space
    ("软·中·华！", "软中华"),
    ("烟丶油", "烟油"),  # a stroke character used as a separator
    ("🚬一条", "🚬一条"),  # the cigarette emoji is a term: kept
    ("100％", "100%"),
    ("No.1", "no1"),
])
def test_fold_undoes_evasions(shown, folded):
    assert fold(shown) == folded


def test_fold_of_nothing():
    assert fold("") == "" and fold(None) == ""


def test_offsets_map_folded_spans_to_the_original_text():
    text = "【特价】软 中.華 2條"
    folded = fold(text)
    offsets = fold_offsets(text)
    assert len(offsets) == len(folded)
    s = folded.index("软中华")
    a, b = to_original(offsets, s, s + 3)
    assert text[a:b] == "软 中.華"  # the original slice, separators included


def test_offsets_when_one_character_folds_to_several():
    text = "㎏中华"  # ㎏ folds to "kg"
    assert fold(text) == "kg中华"
    offsets = fold_offsets(text)
    assert offsets == [0, 0, 1, 2]


@pytest.mark.parametrize("text, start, end, ok", [
    ("xiang yan", 6, 9, True),
    ("yancheng", 0, 3, False),  # inside a longer Latin word (盐城)
    ("Bryan", 2, 5, False),
    ("no.10", 0, 4, False),  # "no1" in "no10" is not NO.1
])
def test_latin_terms_respect_word_boundaries(text, start, end, ok):
    term = fold(text[start:end])
    assert latin_boundary_ok(text, start, end, term) is ok
