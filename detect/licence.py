"""Business-licence checks for merchants (电子商务法 art. 15; USCC per GB 32100-2015).

A failed check character is a flag to verify in 国家企业信用信息公示系统, not proof: some genuine
early pilot-region codes fail it (domain.md §1). ``stdnum.cn.uscc`` computes the position-18
check; the structure (authority and type codes) and the position-17 organisation-code check
(GB 11714, full Latin alphabet A=10..Z=35) are checked here.
"""
from __future__ import annotations

import re
import unicodedata

from stdnum.cn import uscc as stdnum_uscc

_STRICT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
#: Registration authority -> the organisation-type codes it issues (GB 32100-2015 table).
_TYPES: dict[str, str] = {"1": "1239", "2": "1239", "3": "1234589", "4": "1239", "5": "1239", "6": "1239",
                          "7": "1239", "8": "1239", "9": "123", "A": "19", "N": "1239", "Y": "1"}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_REG15 = re.compile(r"^\d{15}$")


def clean_code(text: str) -> str:
    """NFKC, upper case, no spaces or hyphens: how a code is shown is not what it is."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).upper()


def org_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation-code body."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def mod11_10(digits: str) -> bool:
    """ISO 7064 MOD 11,10 (15-digit 注册号 of older licences)."""
    p = 10
    for d in digits[:-1]:
        s = (p + int(d)) % 10 or 10
        p = (2 * s) % 11
    return (p + int(digits[-1])) % 10 == 1


def uscc_problems(shown: str) -> list[tuple[str, str]]:
    """``[(severity, reason)]`` for a code as shown; [] when it passes every check."""
    code = clean_code(shown)
    if len(code) == 15 and _REG15.match(code):
        return [] if mod11_10(code) else [("verify", "15-digit registration number fails its MOD 11,10 check")]
    if len(code) != 18:
        return [("high", f"not a USCC: {len(code)} characters, expected 18")]
    if not _STRICT.match(code):
        return [("high", "not a USCC: characters outside the GB 32100 set (I, O, S, V, Z never occur) or letters in the division code")]
    if code[0] not in _TYPES or code[1] not in _TYPES[code[0]]:
        return [("high", f"not a USCC: authority {code[0]} issues no organisation type {code[1]}")]
    found: list[tuple[str, str]] = []
    if code[16] != org_check(code[8:16]):
        found.append(("verify", f"organisation-code check character {code[16]} fails (expected {org_check(code[8:16])}); verify in 国家企业信用信息公示系统"))
    expected = stdnum_uscc.calc_check_digit(code)
    if code[17] != expected:
        found.append(("verify", f"check character {code[17]} fails (expected {expected}); verify in 国家企业信用信息公示系统"))
    return found
