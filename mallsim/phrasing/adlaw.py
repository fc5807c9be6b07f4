"""Misleading-ad listings: absolute terms, medical claims, 特供 liquor and pitches to minors."""
from __future__ import annotations

import random

from mallsim.phrasing.base import pick
from mallsim.vocab import adlaw as V

#: Subkinds of misleading_ad and their weights.
SUBKINDS: dict[str, int] = {"absolute": 45, "medical": 30, "tegong": 12, "minors": 13}


def subkind_category(facts: random.Random, subkind: str, merchant_categories: tuple[str, ...]) -> str:
    """A category the claim fits, preferring the merchant's own."""
    allowed = {"medical": V.MEDICAL_CATEGORIES, "tegong": ("liquor", "liquor", "liquor", "tea"),
               "minors": V.MINORS_CATEGORIES + V.NAG_CATEGORIES}.get(subkind)
    if allowed is None:
        return facts.choice(merchant_categories)
    own = [c for c in merchant_categories if c in allowed]
    return facts.choice(own) if own and facts.random() < 0.7 else facts.choice(allowed)


def absolute_phrase(words: random.Random, name: str) -> str:
    term = pick(words, V.ABSOLUTE).format(name=name)
    return pick(words, V.ABSOLUTE_FRAMES).format(term=term)


def ad_claim(facts: random.Random, words: random.Random, subkind: str, category: str, name: str) -> str:
    """One offending phrase for ``subkind`` (the term itself is a fact, its framing is wording)."""
    if subkind == "absolute":
        term = facts.choice(V.ABSOLUTE).format(name=name)
        return pick(words, V.ABSOLUTE_FRAMES).format(term=term)
    if subkind == "medical":
        claims = V.MEDICAL.get(category, V.MEDICAL["food"])
        return pick(words, V.MEDICAL_FRAMES).format(c=facts.choice(claims))
    if subkind == "tegong":
        return pick(words, V.TEGONG_FRAMES).format(t=facts.choice(V.TEGONG), name=name)
    if category in V.MINORS_CATEGORIES:
        return facts.choice(V.MINORS)
    return facts.choice(V.MINORS_NAG)
