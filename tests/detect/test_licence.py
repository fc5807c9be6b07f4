"""USCC (GB 32100-2015) with domain.md's worked examples, and the merchant licence detector."""
from __future__ import annotations

import pytest

from detect.licence import org_check, uscc_problems


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91350200776049653A", "9135021359498494XQ",
                                  "９１３５０１００Ｍ０００１００Ｙ４３", "9135 0100 M000 100Y43"])
def test_valid_codes(code):
    assert uscc_problems(code) == []


def test_position_17_check_uses_the_full_alphabet():
    assert org_check("59498494") == "X"
    assert org_check("M000100Y") == "4"


def test_made_up_example_fails_both_checks():
    found = uscc_problems("91310115MA1H8R7C6D")
    assert [s for s, _ in found] == ["verify", "verify"]
    assert "expected 4" in found[0][1] and "expected 7" in found[1][1]


def test_genuine_early_code_is_a_flag_to_verify_not_proof():
    (found,) = uscc_problems("91350211M0000XUF46")
    assert found[0] == "verify" and "expected R" in found[1] and "国家企业信用信息公示系统" in found[1]


@pytest.mark.parametrize("code, reason", [
    ("9135010", "7 characters"),
    ("91350100M000100I43", "I, O, S, V, Z"),
    ("91A50100M000100Y43", "division code"),
    ("95350100M000100Y43", "organisation type 5"),
])
def test_malformed_codes(code, reason):
    ((severity, text),) = uscc_problems(code)
    assert severity == "high" and reason in text


def _licence(detector, **doc):
    return detector.scan_merchant({"platform": "weishop", "shop_id": "1", **doc})


def test_merchant_licence_findings(detector):
    (m,) = _licence(detector, licence_shown_as="missing")
    assert m.family == "license" and "no business licence" in m.detail
    assert _licence(detector, licence_shown_as="image") == []  # an image licence is compliant
    assert _licence(detector, licence_shown_as="text", licence_uscc="91350100M000100Y43") == []
    (m,) = _licence(detector, licence_shown_as="text", licence_uscc=" 91350211M0000XUF46")
    assert m.severity == "verify" and m.matched == "91350211M0000XUF46" and (m.start, m.end) == (1, 19)
    (m,) = _licence(detector, licence_shown_as="text", licence_company="某某商行")
    assert "without a unified social credit code" in m.detail
