"""Merchants: traits listings depend on (cheap) and the full record (name, licence and its truth)."""
from __future__ import annotations

import math
import random

from mallsim import codes, ids
from mallsim.model import Licence, Merchant
from mallsim.phrasing.base import MerchantTraits, pick
from mallsim.phrasing.text import gbk_safe
from mallsim.vocab import shops as V

#: Categories a shop mainly sells, weighted per platform (social sellers lean to food/beauty).
_CATEGORY_WEIGHTS = {
    "default": {"food": 14, "health_food": 6, "liquor": 6, "tea": 8, "cosmetics": 12, "appliances": 8,
                "digital": 10, "apparel": 12, "baby": 7, "household": 12, "toys": 5, "smoking_accessories": 2},
    "moments": {"food": 16, "health_food": 12, "liquor": 10, "tea": 12, "cosmetics": 16, "appliances": 2,
                "digital": 4, "apparel": 10, "baby": 6, "household": 8, "toys": 1, "smoking_accessories": 3},
}
#: How licence problems look (all labelled "license"; see compose_merchant).
_ISSUES = (("missing", 45), ("bad_check", 25), ("bad_org_check", 10), ("malformed", 10),
           ("image_bad_check", 10))
_GBK_PREFIXES = tuple(p for p in V.HANDLE_PREFIXES if gbk_safe(p) == p)
#: Catalogue size: log-normal (heavy tail), capped to leave room for growth within 1000 slots.
_SIZE_SIGMA = 1.1
_DAY0_CAP = 900


def merchant_traits(rng: random.Random, platform: str, index: int, mean_listings: int) -> MerchantTraits:
    """Traits listings draw on (categories, risk, charset, handle, size), deterministic for ``rng``."""
    weights = _CATEGORY_WEIGHTS["moments" if platform == "moments" else "default"]
    cats = list(weights)
    cat_weights = [weights[c] for c in cats]
    main = rng.choices(cats, cat_weights)[0]
    extra = rng.choices(cats, cat_weights, k=rng.randint(0, 2))
    categories = tuple(dict.fromkeys([main, *extra]))
    risk = rng.choices((0.3, 1.0, 3.6), (60, 25, 15))[0] / 0.97  # mean 1.0
    gbk = platform == "weishop" and rng.random() < 0.15
    prefix = pick(rng, _GBK_PREFIXES if gbk else V.HANDLE_PREFIXES)
    handle = prefix + pick(rng, V.HANDLE_STEMS) + rng.choice(("", "_", "-")) + \
        (pick(rng, V.HANDLE_STEMS) if rng.random() < 0.4 else "") + str(rng.randint(1, 99999))
    size = 0
    if mean_listings > 0:
        mu = math.log(mean_listings) - _SIZE_SIGMA**2 / 2
        size = max(1, min(_DAY0_CAP, round(rng.lognormvariate(mu, _SIZE_SIGMA))))
    return MerchantTraits(platform=platform, index=index, categories=categories, risk=risk, gbk=gbk,
                          handle=handle, day0_size=size)


def compose_merchant(rng: random.Random, traits: MerchantTraits, *, licence_issue_rate: float) -> Merchant:
    """The served merchant record, deterministic for ``rng`` and ``traits``.

    Labelling decision (ground truth): a shop is labelled ``license`` when the licence is absent
    (电子商务法 art. 15), or when the USCC it shows fails GB 32100 validation (bad position-17 or
    -18 check, wrong length, excluded letter) -- in text or in the image's alt text. A licence
    shown only as an image is compliant on its own (the law accepts an image or a link); the
    note ``licence:image_only`` marks it so detectors can be scored on not flagging it.
    """
    platform, main = traits.platform, traits.categories[0]
    province, city, division, districts = pick(rng, V.PLACES)
    district = pick(rng, districts)
    trade = pick(rng, V.TRADE_WORDS)
    nick = pick(rng, V.NICKNAMES)
    short_city = city.removesuffix("市")
    if platform == "moments":
        name = pick(rng, V.SOCIAL_NAME_TEMPLATES).format(nick=nick, city=short_city, trade=trade)
    else:
        name = pick(rng, V.SHOP_NAME_TEMPLATES).format(
            trade=trade, cat=V.CATEGORY_NOUNS[main], city=short_city, name=nick)

    kind = rng.choices("123", (70, 28, 2))[0]
    operator = pick(rng, V.SURNAMES) + pick(rng, V.GIVEN_NAMES)
    industry = pick(rng, V.INDUSTRY_WORDS[main])
    if kind == "2":
        company = f"{short_city}{district}{trade}{industry}{pick(rng, V.COMPANY_FORMS['2'])}"
    elif kind == "3":
        company = f"{short_city}{district}{trade}{pick(rng, V.COMPANY_FORMS['3'])}"
    else:
        company = f"{short_city}{trade}{industry}{pick(rng, V.COMPANY_FORMS['1'])}"
    address = (f"{province if province != city else ''}{city}{district}{pick(rng, V.ROADS)}"
               f"{rng.randint(1, 999)}号{pick(rng, V.BUILDINGS)}")
    if kind == "2":
        address += f"（经营者：{operator}）"
    uscc = codes.make_uscc(rng, kind=kind, division=division)
    scope = V.SCOPES[main]

    labels: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()
    shown_as = "image" if rng.random() < 0.3 else "text"
    if rng.random() < licence_issue_rate:
        issue = rng.choices([i for i, _ in _ISSUES], [w for _, w in _ISSUES])[0]
        labels = frozenset({"license"})
        notes = (f"licence:{issue}",)
        if issue == "missing":
            shown_as, company, uscc, address, scope = "missing", None, None, None, None
        elif issue == "bad_check":
            uscc = codes.break_uscc(rng, uscc, "check18")
        elif issue == "bad_org_check":
            uscc = codes.break_uscc(rng, uscc, "check17")
        elif issue == "malformed":
            uscc = codes.break_uscc(rng, uscc, rng.choice(("length", "charset")))
        else:
            shown_as = "image"
            uscc = codes.break_uscc(rng, uscc, "check18")
    elif shown_as == "image":
        notes = ("licence:image_only",)
    licence = Licence(shown_as=shown_as, company=company, uscc=uscc, address=address, scope=scope)

    followers = min(2_000_000, int(rng.paretovariate(1.05) * 40) - 30 + rng.randint(0, 30))
    rating = round(min(5.0, max(2.8, rng.gauss(4.6, 0.3))), 1)
    markup = rng.choices(("jsonld", "microdata", "none"), (50, 25, 25))[0] if platform == "weishop" else "none"
    return Merchant(
        platform=platform, shop_id=ids.shop_id(traits.index), index=traits.index,
        name=gbk_safe(name) if traits.gbk else name, licence=licence, followers=max(0, followers),
        rating=rating, handle=traits.handle, encoding="gbk" if traits.gbk else "utf-8", markup=markup,
        labels=labels, notes=notes,
    )
