"""Patent claims: false ones (label fake_patent, note naming the defect) and valid ones (traps).

The printed number is built with mallsim.codes so exactly the intended defect is present:
a ``bad_check`` number has a plausible year and type, a ``future_year`` one a correct check, etc.
"""
from __future__ import annotations

import random

from mallsim import codes
from mallsim.phrasing.base import pick
from mallsim.vocab import patents as V

#: Defects of fake_patent listings and their weights.
DEFECTS: dict[str, int] = {"bad_check": 22, "future_year": 10, "early_year": 6, "bad_type": 10,
                           "pending_as_granted": 16, "type_mismatch": 14, "no_number": 14, "expired": 5,
                           "masked": 3}
#: Categories where patent claims appear.
_BARE_KIND = {"invention": "发明专利", "utility": "实用新型专利", "design": "外观设计专利"}
PATENT_CATEGORIES = ("household", "appliances", "baby", "digital", "toys", "household", "appliances",
                     "cosmetics", "apparel", "health_food")


def layout(words: random.Random, number: codes.PatentNumber, zl: bool = True) -> str:
    """One printed form of ``number``; ``zl`` False drops the ZL/CN prefix."""
    d, c = number.digits, number.check
    if len(d) == 12:
        form = pick(words, V.LAYOUTS_12)
        text = form.format(y=d[:4], t=d[4], s=d[5:], c=c)
    else:
        form = pick(words, V.LAYOUTS_8)
        text = form.format(yy=d[:2], t=d[2], s=d[3:], c=c)
    if not zl:
        text = text.removeprefix("ZL.").removeprefix("ZL：").removeprefix("ZL").removeprefix("CN").strip()
    return text


def _kind_name(words: random.Random, kind: str) -> str:
    return pick(words, V.KIND_NAMES[kind])


def _claim(words: random.Random, kind_name: str, num: str) -> str:
    return pick(words, V.CLAIMS).format(kind=kind_name, num=num)


def fake_claim(facts: random.Random, words: random.Random) -> tuple[str, str]:
    """(claim text, note) for one false patent claim."""
    defect = facts.choices(list(DEFECTS), list(DEFECTS.values()))[0]
    kind = facts.choice(("invention", "utility", "utility", "design"))
    t = V.TYPE_DIGITS[kind]
    year = facts.choice(V.VALID_YEARS[kind])
    if defect == "bad_check":
        number = codes.with_bad_check(facts, codes.make_patent(facts, year, t))
        text = _claim(words, _kind_name(words, kind), layout(words, number))
    elif defect == "future_year":
        number = codes.make_patent(facts, facts.choice(V.FUTURE_YEARS), t)
        text = _claim(words, _kind_name(words, kind), layout(words, number))
    elif defect == "early_year":
        number = codes.make_patent(facts, 2003, t)  # 12-digit layout, then an impossible year
        digits = f"{facts.choice(V.EARLY_YEARS)}{number.digits[4:]}"
        number = codes.PatentNumber(digits, codes.patent_check(digits))
        text = _claim(words, _kind_name(words, kind), layout(words, number))
    elif defect == "bad_type":
        digits = f"{year}{facts.choice(V.BAD_TYPE_DIGITS)}{facts.randrange(10**7):07d}"
        number = codes.PatentNumber(digits, codes.patent_check(digits))
        text = _claim(words, pick(words, ("专利", "国家专利", "中国专利", "专利")), layout(words, number))
    elif defect == "type_mismatch":
        wrong = facts.choice(("3", "3", "2"))
        number = codes.make_patent(facts, facts.choice(V.VALID_YEARS["design"]), wrong)
        text = _claim(words, _kind_name(words, "invention"), layout(words, number))
    elif defect == "pending_as_granted":
        number = codes.make_patent(facts, facts.choice(V.PENDING_YEARS), t)
        text = pick(words, V.PENDING_AS_GRANTED).format(
            app=layout(words, number, zl=False), bare=number.text(), kind=_BARE_KIND[kind])
    elif defect == "expired":
        old_kind = facts.choice(("utility", "design"))
        number = codes.make_patent(facts, facts.choice(V.EXPIRED_YEARS[old_kind]), V.TYPE_DIGITS[old_kind])
        text = _claim(words, _kind_name(words, old_kind), layout(words, number))
    elif defect == "masked":
        text = pick(words, V.MASKED).format(y=year, t=t, s3=f"{facts.randrange(1000):03d}",
                                            kind=_kind_name(words, kind))
    else:  # no_number
        text = pick(words, V.NO_NUMBER)
    return text, f"patent:{defect}"


def valid_claim(facts: random.Random, words: random.Random) -> str:
    """A correct claim: right check, in-term year, stated kind matching the type digit."""
    kind = facts.choice(("invention", "utility", "utility", "design"))
    digit = V.PCT_DIGITS[kind] if kind in V.PCT_DIGITS and facts.random() < 0.05 else V.TYPE_DIGITS[kind]
    number = codes.make_patent(facts, facts.choice(V.VALID_YEARS[kind]), digit)
    return _claim(words, _kind_name(words, kind), layout(words, number))


def pending_marked(facts: random.Random, words: random.Random) -> str:
    """A pending application marked the compliant way (专利申请，尚未授权)."""
    kind = facts.choice(("invention", "utility", "design"))
    number = codes.make_patent(facts, facts.choice(V.PENDING_YEARS), V.TYPE_DIGITS[kind])
    return pick(words, V.PENDING_MARKED).format(kind=_BARE_KIND[kind],
                                                app=layout(words, number, zl=False))


def lookalike(facts: random.Random, words: random.Random) -> str:
    """An order/tracking/batch number that resembles a patent number but is not one."""
    y = facts.randrange(2018, 2025)
    return pick(words, V.LOOKALIKES).format(
        n15=f"{y}{facts.randrange(10**11):011d}", n12=f"{y}{facts.randrange(10**8):08d}",
        n8=f"{y}{facts.randrange(1, 13):02d}{facts.randrange(1, 29):02d}",
        track=pick(words, ("SF", "YT", "ZTO", "JD")) + f"{facts.randrange(10**12):012d}",
        date=f"{y}.{facts.randrange(1, 13):02d}.{facts.randrange(1, 29):02d}",
        y=y, t=facts.randrange(1, 4), s4=f"{facts.randrange(10**4):04d}",
        gb=f"{facts.randrange(1000, 40000)}-{y}")
