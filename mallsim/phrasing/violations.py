"""Listings that break a rule: fake patent claims and misleading ads inside ordinary copy,
plus secondary violations layered onto a listing that already has one."""
from __future__ import annotations

import random

from mallsim.phrasing.adlaw import SUBKINDS, absolute_phrase, ad_claim, subkind_category
from mallsim.phrasing.base import ListingContext, ListingDraft, pick
from mallsim.phrasing.clean import clean_listing
from mallsim.phrasing.patent import PATENT_CATEGORIES, fake_claim
from mallsim.vocab import adlaw as AV
from mallsim.vocab import patents as PV
from mallsim.vocab.products import CATALOGUE


def _placement(facts: random.Random, claim: str) -> tuple[list[str], list[str]]:
    """Where the claim goes: title (sometimes repeated below) or only the description."""
    x = facts.random()
    if x < 0.4:
        return [claim], []
    if x < 0.55:
        return [claim], [claim]
    return [], [claim]


def patent_listing(facts: random.Random, words: random.Random, ctx: ListingContext) -> ListingDraft:
    own = [c for c in ctx.merchant.categories if c in PATENT_CATEGORIES]
    category = facts.choice(own) if own and facts.random() < 0.7 else facts.choice(PATENT_CATEGORIES)
    claim, note = fake_claim(facts, words)
    title_bits, desc_bits = _placement(facts, claim)
    draft = clean_listing(facts, words, ctx, category, title_bits=title_bits, desc_bits=desc_bits)
    draft.labels, draft.notes, draft.hard_negative = frozenset({"fake_patent"}), (note,), False
    return draft


def ad_listing(facts: random.Random, words: random.Random, ctx: ListingContext) -> ListingDraft:
    subkind = facts.choices(list(SUBKINDS), list(SUBKINDS.values()))[0]
    category = subkind_category(facts, subkind, ctx.merchant.categories)
    name = None
    if subkind == "minors" and category in AV.MINOR_PRODUCTS:
        name = facts.choice(AV.MINOR_PRODUCTS[category])
    product = facts.choice(CATALOGUE[category])
    product_name = name or product.name
    claim = ad_claim(facts, words, subkind, category, product_name)
    title_bits, desc_bits = _placement(facts, claim)
    if subkind == "medical" and facts.random() < 0.4:  # several claims, as such copy usually has
        desc_bits.append(ad_claim(facts, words, subkind, category, product_name))
    draft = clean_listing(facts, words, ctx, category, title_bits=title_bits, desc_bits=desc_bits, name=name,
                          product=product)
    draft.labels, draft.notes, draft.hard_negative = frozenset({"misleading_ad"}), (f"ad:{subkind}",), False
    return draft


def add_secondary(draft: ListingDraft, label: str, facts: random.Random, words: random.Random) -> None:
    """Layer a second violation onto ``draft`` (a phrase in its description, kept off line 1)."""
    if label == "misleading_ad":
        phrase = absolute_phrase(words, pick(words, ("产品", "好货", "品质")))
        if "tobacco" in draft.labels and facts.random() < 0.4:
            phrase, note = pick(words, ("学生党必备", "学生党专用", "开学必备", "校园必备")), "ad:minors"
        else:
            note = "ad:absolute"
    elif label == "fake_patent":
        if facts.random() < 0.5:
            phrase, note = facts.choice(PV.NO_NUMBER), "patent:no_number"
        else:
            phrase, note = fake_claim(facts, words)
    else:
        raise ValueError(label)
    lines = draft.description.split("\n")
    lines.insert(words.randint(1, len(lines)), phrase)
    draft.description = "\n".join(lines)
    draft.labels = draft.labels | {label}
    draft.notes = (*draft.notes, note)
