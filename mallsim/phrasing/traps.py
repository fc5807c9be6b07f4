"""Hard negatives: clean listings built to look like violations (each noted ``trap:<name>``)."""
from __future__ import annotations

import random

from mallsim.phrasing.base import ListingContext, ListingDraft, base_price, pick, reprice, sample
from mallsim.phrasing.clean import clean_listing, render
from mallsim.phrasing.patent import PATENT_CATEGORIES, lookalike, pending_marked, valid_claim
from mallsim.vocab.traps import TRAPS

#: Share of hard negatives that are patent/number traps rather than word traps.
PATENT_TRAP_SHARE = 0.3


def trap_listing(facts: random.Random, words: random.Random, ctx: ListingContext) -> ListingDraft:
    if facts.random() < PATENT_TRAP_SHARE:
        return _patent_trap(facts, words, ctx)
    own = [t for t in TRAPS if t.category in ctx.merchant.categories]
    trap = facts.choice(own) if own and facts.random() < 0.6 else facts.choice(TRAPS)
    name = facts.choice(trap.titles)
    lines = sample(facts, trap.lines, 2, 3)
    price = reprice(base_price(facts, trap.lo, trap.hi), ctx.price_factor)
    title, description, alts = render(words, ctx, name=name, points=lines, spec="", price=price, unit=trap.unit,
                                      lead="")
    return ListingDraft(title=title, description=description, category=trap.category, price=price,
                        image_alts=alts, hard_negative=True, notes=(f"trap:{trap.name}",))


def _patent_trap(facts: random.Random, words: random.Random, ctx: ListingContext) -> ListingDraft:
    own = [c for c in ctx.merchant.categories if c in PATENT_CATEGORIES]
    category = facts.choice(own) if own and facts.random() < 0.7 else facts.choice(PATENT_CATEGORIES)
    kind = facts.choices(("valid", "pending_marked", "order_number"), (60, 15, 25))[0]
    if kind == "valid":
        claim, note = valid_claim(facts, words), "patent:valid"
    elif kind == "pending_marked":
        claim, note = pending_marked(facts, words), "patent:pending_marked"
    else:
        claim, note = lookalike(facts, words), "trap:order_number"
    in_title = kind == "valid" and facts.random() < 0.35
    draft = clean_listing(facts, words, ctx, category, title_bits=[claim] if in_title else (),
                          desc_bits=() if in_title else [claim])
    draft.hard_negative = True
    draft.notes = (note,)
    return draft
