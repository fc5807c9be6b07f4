"""Content generation: merchant and listing drafts with their ground-truth labels.

``compose_merchant`` and ``compose_listing`` are the only entry points used by
``mallsim.world``; the per-label generators live in sibling modules and the word lists in
``mallsim.vocab``. Facts (product, brand, patent number, base price) are drawn from an RNG keyed
by the listing alone, wording from an RNG that also includes the text version, so a title change
rephrases the same product and the same violation.
"""
from __future__ import annotations

from mallsim.phrasing.base import ListingContext, ListingDraft, MerchantTraits
from mallsim.phrasing.listing import compose_listing
from mallsim.phrasing.merchant import compose_merchant, merchant_traits

__all__ = ["ListingContext", "ListingDraft", "MerchantTraits", "compose_listing", "compose_merchant",
           "merchant_traits"]
