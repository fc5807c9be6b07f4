"""Detection quality against the simulator's ground truth: precision and recall per family.

Why per record, not per match: the truth labels a listing (or, for the licence family, a
merchant) as violating or not; a monitor reviews records. So a listing counts as flagged for a
family when at least one hit of that family was found in its title or description.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

#: Families whose truth labels sit on merchants rather than listings.
MERCHANT_FAMILIES = frozenset({"license"})
FAMILIES = ("tobacco", "fake_patent", "misleading_ad", "license")

Key = tuple[str, str]


@dataclass(frozen=True)
class Quality:
    family: str
    true_pos: int
    false_pos: int
    false_neg: int

    @property
    def precision(self) -> float:
        flagged = self.true_pos + self.false_pos
        return self.true_pos / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_pos + self.false_neg
        return self.true_pos / labelled if labelled else 1.0


def truth_labels(records: Iterable[Mapping[str, Any]],
                 platforms: Iterable[str] | None = None) -> tuple[dict[str, set[Key]], set[Key], set[Key]]:
    """(family -> labelled keys, all active listing keys, all merchant keys) from truth records
    (``mallsim.truth.truth_records``); delisted listings are left out (nothing to review)."""
    wanted = None if platforms is None else set(platforms)
    labelled: dict[str, set[Key]] = {f: set() for f in FAMILIES}
    listings: set[Key] = set()
    merchants: set[Key] = set()
    for rec in records:
        if wanted is not None and rec["platform"] not in wanted:
            continue
        if rec["kind"] == "merchant":
            key = (rec["platform"], rec["shop_id"])
            merchants.add(key)
        elif rec.get("status") == "active":
            key = (rec["platform"], rec["item_id"])
            listings.add(key)
        else:
            continue
        for label in rec.get("labels") or ():
            labelled.setdefault(label, set()).add(key)
    return labelled, listings, merchants


def flagged_by_family(hits: Iterable[Mapping[str, Any]]) -> dict[str, set[Key]]:
    """family -> flagged keys: listing keys, or merchant keys for the merchant families."""
    out: dict[str, set[Key]] = {f: set() for f in FAMILIES}
    for hit in hits:
        family = hit["family"]
        if family in MERCHANT_FAMILIES:
            if hit.get("item_id") is None:
                out.setdefault(family, set()).add((hit["platform"], hit["shop_id"]))
        elif hit.get("item_id") is not None:
            out.setdefault(family, set()).add((hit["platform"], hit["item_id"]))
    return out


def score(labelled: Mapping[str, set[Key]], flagged: Mapping[str, set[Key]],
          population: Mapping[str, set[Key]]) -> dict[str, Quality]:
    """Quality per family; ``population[family]`` is the set of keys the truth covers (flags
    outside it, e.g. a listing delisted since, are not counted either way)."""
    out = {}
    for family in FAMILIES:
        universe = population[family]
        want = labelled.get(family, set()) & universe
        got = flagged.get(family, set()) & universe
        out[family] = Quality(family, len(want & got), len(got - want), len(want - got))
    return out
