"""USCC (GB 32100-2015) and Chinese patent-number check characters, valid and broken on purpose.

Algorithms follow /work/shared/docs/domain.md sections 1 and 2 exactly; the simulator uses them
to print licences and patent claims whose validity is known ground truth.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

# --- USCC -------------------------------------------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1,3,9,27,19,26,16,...
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def _latin_value(ch: str) -> int:
    """GB 11714 character value: digits as is, full Latin alphabet A=10 .. Z=35."""
    if ch.isdigit():
        return int(ch)
    return ord(ch) - ord("A") + 10


def org_check(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation-code body (position 17)."""
    total = sum(_latin_value(c) * w for c, w in zip(body8, ORG_WEIGHTS))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def uscc_check(first17: str) -> str:
    """Position-18 check character (mod 31) of the first 17 characters."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS))
    value = 31 - total % 31
    return USCC_CHARSET[0 if value == 31 else value]


def uscc_is_valid(code: str) -> bool:
    """True when ``code`` is well formed and both check characters (17 and 18) match."""
    code = code.strip().upper()
    if not USCC_RE.match(code):
        return False
    if org_check(code[8:16]) != code[16]:
        return False
    return uscc_check(code[:17]) == code[17]


def make_uscc(rng: random.Random, *, authority: str = "9", kind: str = "1",
              division: str = "350100") -> str:
    """A valid USCC: ``authority``+``kind`` (91 enterprise, 92 individual, 93 co-op), division."""
    while True:
        body = "".join(rng.choice(USCC_CHARSET) for _ in range(8))
        check17 = org_check(body)
        if check17 in USCC_CHARSET:  # always true: X and digits are in the set
            break
    first17 = f"{authority}{kind}{division}{body}{check17}"
    return first17 + uscc_check(first17)


def break_uscc(rng: random.Random, valid: str, how: str = "check18") -> str:
    """A deliberately invalid variant of ``valid``.

    ``check18``: wrong final character; ``check17``: wrong organisation-code check (and a
    recomputed, "consistent-looking" position 18); ``length``: a character dropped;
    ``charset``: an excluded letter (I/O/S/V/Z) inside the body.
    """
    if how == "check18":
        wrong = rng.choice([c for c in USCC_CHARSET if c != valid[17]])
        return valid[:17] + wrong
    if how == "check17":
        wrong = rng.choice([c for c in "0123456789X" if c != valid[16]])
        first17 = valid[:16] + wrong
        return first17 + uscc_check(first17)
    if how == "length":
        cut = rng.randrange(8, 17)
        return valid[:cut] + valid[cut + 1:]
    if how == "charset":
        pos = rng.randrange(8, 16)
        return valid[:pos] + rng.choice("IOSVZ") + valid[pos + 1:]
    raise ValueError(how)


# --- Patents ----------------------------------------------------------------------------------

PATENT_TYPES = {"1": "invention", "2": "utility", "3": "design", "8": "invention", "9": "utility"}
PATENT_TYPE_NAMES = {"invention": "发明专利", "utility": "实用新型专利", "design": "外观设计专利"}


def patent_check(digits: str) -> str:
    """Check character of an 8- or 12-digit application number: weights 2..9, mod 11, 10→X."""
    total = sum(int(d) * (2 + i % 8) for i, d in enumerate(digits))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


@dataclass(frozen=True)
class PatentNumber:
    """An application number: ``digits`` (8 or 12) and the check character as printed."""

    digits: str
    check: str

    @property
    def year(self) -> int:
        if len(self.digits) == 12:
            return int(self.digits[:4])
        yy = int(self.digits[:2])
        return 1900 + yy if yy >= 85 else 2000 + yy

    @property
    def type_digit(self) -> str:
        return self.digits[4] if len(self.digits) == 12 else self.digits[2]

    @property
    def kind(self) -> str | None:
        """invention / utility / design, or None for a type digit that does not exist."""
        return PATENT_TYPES.get(self.type_digit)

    @property
    def check_ok(self) -> bool:
        return patent_check(self.digits) == self.check

    def text(self) -> str:
        return f"{self.digits}.{self.check}"


def parse_patent(text: str) -> PatentNumber | None:
    """Parse ``ZL 2019 2 0123456.5`` / ``CN201920123456.5`` / ``95115608.X`` style numbers."""
    s = re.sub(r"^(ZL|CN)\s*", "", text.strip().upper())
    m = re.fullmatch(r"(\d{4})\s?(\d)\s?(\d{7})\s?[.．·]\s?([\dX])|(\d{8})\s?[.．·]\s?([\dX])", s)
    if not m:
        return None
    if m.group(5):
        return PatentNumber(m.group(5), m.group(6))
    return PatentNumber(m.group(1) + m.group(2) + m.group(3), m.group(4))


def make_patent(rng: random.Random, year: int, type_digit: str) -> PatentNumber:
    """A well-formed number with the correct check (12 digits from 2003, else 8)."""
    if year >= 2003:
        digits = f"{year:04d}{type_digit}{rng.randrange(10**7):07d}"
    else:
        digits = f"{year % 100:02d}{type_digit}{rng.randrange(10**5):05d}"
    return PatentNumber(digits, patent_check(digits))


def with_bad_check(rng: random.Random, number: PatentNumber) -> PatentNumber:
    """Same digits, a wrong check character."""
    wrong = rng.choice([c for c in "0123456789X" if c != number.check])
    return PatentNumber(number.digits, wrong)
