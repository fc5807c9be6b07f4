"""Check-digit algorithms against the worked examples in domain.md."""
from __future__ import annotations

import random

import pytest

from mallsim import codes


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91350200776049653A", "9135021359498494XQ"])
def test_uscc_valid_examples(code: str) -> None:
    assert codes.uscc_is_valid(code)


def test_uscc_invalid_examples() -> None:
    assert not codes.uscc_is_valid("91310115MA1H8R7C6D")
    assert codes.org_check("MA1H8R7C") == "4"
    assert codes.uscc_check("91310115MA1H8R7C6") == "7"
    # genuine pilot-region code that fails pos-18 (domain.md caveat): computed check is R
    assert codes.uscc_check("91350211M0000XUF4") == "R"


def test_uscc_weights() -> None:
    assert codes.USCC_WEIGHTS[:6] == (1, 3, 9, 27, 19, 26)
    assert codes.USCC_WEIGHTS[-1] == 28


def test_uscc_generators() -> None:
    rng = random.Random(1)
    for kind in "123":
        for _ in range(200):
            code = codes.make_uscc(rng, kind=kind, division="320900")
            assert codes.uscc_is_valid(code), code
            assert code.startswith("9" + kind + "320900")
            for how in ("check18", "check17", "length", "charset"):
                assert not codes.uscc_is_valid(codes.break_uscc(rng, code, how)), (code, how)


@pytest.mark.parametrize("text,check", [("ZL95115608.X", "X"), ("201710601862.3", "3"),
                                        ("CN 2010 8 0063196.9", "9"), ("ZL 2019 2 0123456.5", "5")])
def test_patent_examples(text: str, check: str) -> None:
    number = codes.parse_patent(text)
    assert number is not None and number.check == check and number.check_ok


def test_patent_bad_examples() -> None:
    assert codes.patent_check("201920123456") == "5"
    number = codes.parse_patent("ZL 2019 2 0123456.7")
    assert number is not None and not number.check_ok
    assert codes.parse_patent("ZL95115608.X").year == 1995
    assert codes.parse_patent("ZL95115608.X").kind == "invention"
    assert codes.parse_patent("ZL 2019 2 0123456.5").kind == "utility"
    assert codes.parse_patent("ZL 2019 4 0123456.5").kind is None
    assert codes.parse_patent("ZL2019******") is None


def test_patent_generators() -> None:
    rng = random.Random(2)
    for _ in range(300):
        year = rng.choice([1995, 2001, 2010, 2019, 2024])
        number = codes.make_patent(rng, year, rng.choice("12389"))
        assert number.check_ok and number.year == year
        again = codes.parse_patent("ZL" + number.text())
        assert again == number
        assert not codes.with_bad_check(rng, number).check_ok
