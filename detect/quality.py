"""Detection quality: precision and recall per family, against the simulator's ground truth and
against listings labelled by hand outside it (``tests/detect/corpus``, ``bench/corpus.py``).

Why per record, not per match: the truth labels a listing (or, for the licence family, a
merchant) as violating or not; a monitor reviews records. So a listing counts as flagged for a
family when at least one hit of that family was found in its title or description.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

#: Families whose truth labels sit on merchants rather than listings.
MERCHANT_FAMILIES = frozenset({"license"})
FAMILIES = ("tobacco", "fake_patent", "misleading_ad", "license")

#: Families a labelled listing file can carry (the licence family labels merchants).
LISTING_FAMILIES = ("tobacco", "fake_patent", "misleading_ad")
#: Keys every line of a labelled listing file needs (``tests/detect/corpus``, bench/corpus.py).
LABELLED_KEYS = ("id", "title", "description", "families")

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


# --- listings labelled by hand (families per listing), outside the simulator --------------------


def split_of(record_id: str) -> str:
    """'held-out' for ids whose last number is a multiple of 3, else 'dev'."""
    digits = re.findall(r"\d+", record_id)
    if not digits:
        raise ValueError(f"corpus id {record_id!r} has no number")
    return "held-out" if int(digits[-1]) % 3 == 0 else "dev"


def read_labelled(path: Path) -> list[dict[str, Any]]:
    """The records of one JSONL file, each with ``_labelled``: the families the file labels (those
    some record of it carries: a tobacco file says nothing of ad-law wording in its listings)."""
    records = list(_records(path))
    labelled = tuple(f for f in LISTING_FAMILIES if any(f in r["families"] for r in records))
    for record in records:
        record["_labelled"] = labelled
    return records


def _records(path: Path) -> Iterator[dict[str, Any]]:
    """A broken line is an error naming the file and line."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
            missing = [k for k in LABELLED_KEYS if k not in record]
            unknown = set(record.get("families") or ()) - set(LISTING_FAMILIES)
            if missing or unknown:
                raise ValueError(f"{path}:{number}: missing {missing}" if missing else
                                 f"{path}:{number}: unknown families {sorted(unknown)}")
            yield record


def evaluate_labelled(detector: Any, records: list[dict[str, Any]]) -> tuple[dict[str, Quality], list[tuple[str, str, dict, list]]]:
    """Quality per family over ``records`` (a record counts for the families its file labels),
    and the (family, 'fp'|'fn', record, hits) errors."""
    counts = {f: [0, 0, 0] for f in LISTING_FAMILIES}
    errors = []
    for record in records:
        hits = detector.scan_listing(record)
        found = {m.family for m in hits}
        for family in record["_labelled"]:
            truth, flagged = family in record["families"], family in found
            if truth and flagged:
                counts[family][0] += 1
            elif flagged:
                counts[family][1] += 1
                errors.append((family, "fp", record, [m for m in hits if m.family == family]))
            elif truth:
                counts[family][2] += 1
                errors.append((family, "fn", record, []))
    return {f: Quality(f, *c) for f, c in counts.items() if any(f in r["_labelled"] for r in records)}, errors
