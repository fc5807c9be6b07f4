"""Which listing gets which label, and dispatch to the generator that writes it."""
from __future__ import annotations

from mallsim import ids
from mallsim.phrasing.base import ListingContext, ListingDraft
from mallsim.phrasing.clean import clean_listing
from mallsim.phrasing.text import gbk_safe
from mallsim.phrasing.tobacco import tobacco_listing
from mallsim.phrasing.traps import trap_listing
from mallsim.phrasing.violations import ad_listing, add_secondary, patent_listing
from mallsim.vocab.products import EDIT_TAGS

#: Label mix among violating listings: tobacco lives mostly on social posts.
LABEL_MIX: dict[str, dict[str, int]] = {
    "moments": {"tobacco": 70, "misleading_ad": 20, "fake_patent": 10},
    "default": {"tobacco": 8, "misleading_ad": 50, "fake_patent": 42},
}
#: Share of violating listings that carry a second label.
SECOND_LABEL_RATE = 0.1
#: Share of clean listings built as hard negatives.
HARD_NEGATIVE_RATE = 0.12
_GENERATORS = {"tobacco": tobacco_listing, "misleading_ad": ad_listing, "fake_patent": patent_listing}


def compose_listing(ctx: ListingContext) -> ListingDraft:
    """The listing's draft; its label plan is fixed by (seed, platform, merchant, index)."""
    key = (ctx.seed, ctx.platform, ctx.merchant.index, ctx.index)
    facts = ids.rng("facts", *key)
    plan = facts  # the label plan is drawn first from the same stream (one RNG less per listing)
    words = ids.rng("words", *key, ctx.text_version)
    if plan.random() < min(0.95, ctx.violation_rate * ctx.merchant.risk):
        mix = LABEL_MIX.get(ctx.platform, LABEL_MIX["default"])
        label = plan.choices(list(mix), list(mix.values()))[0]
        draft = _GENERATORS[label](facts, words, ctx)
        if plan.random() < SECOND_LABEL_RATE:
            second = plan.choice([x for x in ("misleading_ad", "fake_patent") if x != label])
            add_secondary(draft, second, facts, words)
    elif plan.random() < HARD_NEGATIVE_RATE:
        draft = trap_listing(facts, words, ctx)
    else:
        cats = ctx.merchant.categories
        category = cats[0] if plan.random() < 0.6 else plan.choice(cats)
        draft = clean_listing(facts, words, ctx, category)
    if ctx.text_changes:
        _tag_edit(draft, EDIT_TAGS[(ctx.text_changes - 1) % len(EDIT_TAGS)])
    if ctx.merchant.gbk:
        draft.title, draft.description = gbk_safe(draft.title), gbk_safe(draft.description)
        draft.image_alts = tuple(gbk_safe(a) for a in draft.image_alts)
    if ctx.platform == "moments":
        draft.title = draft.description.split("\n", 1)[0][:30]
    return draft


def _tag_edit(draft: ListingDraft, tag: str) -> None:
    """Mark a reworded listing with the edit's tag so consecutive titles always differ."""
    draft.title = tag + draft.title
    head, sep, rest = draft.description.partition("\n")
    if head == draft.title[len(tag):]:  # social post: the first line is the title
        draft.description = tag + head + sep + rest
