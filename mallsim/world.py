"""The simulated world: merchants and listings on every platform, with ground-truth labels.

Nothing is stored per listing. Every record is recomputed from ``(seed, platform, merchant
index, listing index, day)`` through keyed RNGs (``mallsim.ids.rng``), so a world of 100,000
merchants and millions of listings is served with flat memory and any record is O(day) to build.
Content (names, titles, violations, traps) comes from ``mallsim.phrasing``.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Iterator

from mallsim import ids
from mallsim.model import PLATFORMS, Image, Listing, Merchant
from mallsim.phrasing import ListingContext, MerchantTraits, compose_listing, compose_merchant, merchant_traits

#: Share of merchants on each platform (sums to 1; counts use largest remainders).
PLATFORM_SHARES: dict[str, float] = {"weishop": 0.35, "miniapp": 0.25, "vshop": 0.20, "moments": 0.20}


@dataclass(frozen=True)
class WorldConfig:
    seed: int = 7
    merchants: int = 2000
    day: int = 0
    mean_listings: int = 30
    violation_rate: float = 0.12  # share of listings carrying a violation label
    licence_issue_rate: float = 0.15  # share of merchants labelled "license"
    change_rate: float = 0.08  # share of listings changing price or title per day
    delist_rate: float = 0.03  # share of listings delisted per day
    new_rate: float = 0.04  # new listings per day, relative to a merchant's day-0 size


def split_merchants(total: int) -> dict[str, int]:
    """Merchants per platform: PLATFORM_SHARES applied to ``total`` by largest remainder."""
    raw = {p: total * PLATFORM_SHARES[p] for p in PLATFORMS}
    counts = {p: int(math.floor(v)) for p, v in raw.items()}
    left = total - sum(counts.values())
    by_remainder = sorted(PLATFORMS, key=lambda p: (-(raw[p] - counts[p]), PLATFORMS.index(p)))
    for p in by_remainder[:left]:
        counts[p] += 1
    return counts


@dataclass(frozen=True)
class _Profile:
    """What listings need from their merchant (cached; the full record is built separately)."""

    traits: MerchantTraits
    shop_id: str
    slots: tuple[int, ...]  # cumulative listing count at the end of each day 0..config.day


@dataclass
class _Life:
    """A listing's lifecycle on the world's day (status and what changed when)."""

    first_day: int
    changed_day: int
    text_version: int
    end_day: int  # the world's day, or the day it was delisted
    delist_style: str
    sales0: int
    sales_rate: float
    status: str = "active"
    text_changes: int = 0
    price_changes: int = 0
    price_draw: float = 0.0


class World:
    """Deterministic world for one ``WorldConfig``; cheap to build, cheap to re-date."""

    def __init__(self, config: WorldConfig) -> None:
        if config.merchants < 0 or config.day < 0:
            raise ValueError("merchants and day must be >= 0")
        self.config = config
        self._counts = split_merchants(config.merchants)
        self._profile = lru_cache(maxsize=8192)(self._build_profile)
        self._merchant = lru_cache(maxsize=4096)(self._build_merchant)

    # --- merchants ----------------------------------------------------------------------------

    def merchant_count(self, platform: str) -> int:
        return self._counts.get(platform, 0)

    def merchant(self, platform: str, index: int) -> Merchant:
        if not 0 <= index < self.merchant_count(platform):
            raise IndexError(f"{platform} merchant {index} out of range")
        return self._merchant(platform, index)

    def merchant_by_id(self, platform: str, shop_id: str) -> Merchant | None:
        index = ids.parse_shop_id(shop_id)
        if index is None or index >= self.merchant_count(platform) or ids.shop_id(index) != shop_id:
            return None
        return self.merchant(platform, index)

    def merchants(self, platform: str) -> Iterator[Merchant]:
        for index in range(self.merchant_count(platform)):
            yield self.merchant(platform, index)

    # --- listings -----------------------------------------------------------------------------

    def listing_slots(self, merchant: Merchant) -> int:
        return self._profile(merchant.platform, merchant.index).slots[-1]

    def listing(self, platform: str, item_id: str) -> Listing | None:
        parsed = ids.parse_item_id(item_id)
        if parsed is None:
            return None
        m_index, l_index = parsed
        if m_index >= self.merchant_count(platform):
            return None
        if ids.item_id(ids.shop_id(m_index), l_index) != item_id:
            return None
        profile = self._profile(platform, m_index)
        if l_index >= profile.slots[-1]:
            return None
        return self._build_listing(profile, l_index, self._lifecycle(profile, l_index))

    def listings(self, merchant: Merchant, include_delisted: bool = True) -> Iterator[Listing]:
        profile = self._profile(merchant.platform, merchant.index)
        for l_index in range(profile.slots[-1]):
            life = self._lifecycle(profile, l_index)
            if include_delisted or life.status == "active":
                yield self._build_listing(profile, l_index, life)

    def active_listings(self, merchant: Merchant) -> list[Listing]:
        return list(self.listings(merchant, include_delisted=False))

    def active_indexes(self, merchant: Merchant) -> list[int]:
        """Listing indexes active on this day, without composing any text (cheap paging)."""
        profile = self._profile(merchant.platform, merchant.index)
        return [i for i in range(profile.slots[-1]) if self._lifecycle(profile, i).status == "active"]

    def with_day(self, day: int) -> "World":
        return World(replace(self.config, day=day))

    # --- construction -------------------------------------------------------------------------

    def _build_profile(self, platform: str, index: int) -> _Profile:
        cfg = self.config
        traits = merchant_traits(ids.rng(cfg.seed, "traits", platform, index), platform, index, cfg.mean_listings)
        slots = [traits.day0_size]
        growth = ids.rng(cfg.seed, "new", platform, index)  # one draw per day, in day order
        expected = cfg.new_rate * slots[0]
        for _day in range(1, cfg.day + 1):
            new = int(expected) + (growth.random() < expected % 1)
            slots.append(min(ids.MAX_LISTINGS, slots[-1] + new))
        return _Profile(traits, ids.shop_id(index), tuple(slots))

    def _build_merchant(self, platform: str, index: int) -> Merchant:
        traits = self._profile(platform, index).traits
        return compose_merchant(ids.rng(self.config.seed, "merchant", platform, index), traits,
                                licence_issue_rate=_licence_rate(platform, self.config.licence_issue_rate))

    def _lifecycle(self, profile: _Profile, l_index: int) -> _Life:
        """The listing's history up to config.day, replayed from its own event stream.

        Three draws per day from the first day on (event, kind of change, price draw), so day
        d's event does not depend on which day the world is asked about.
        """
        cfg = self.config
        traits = profile.traits
        first_day = bisect_right(profile.slots, l_index)  # first day whose count exceeds index
        events = ids.rng(cfg.seed, "days", traits.platform, traits.index, l_index)
        life = _Life(first_day=first_day, changed_day=first_day, text_version=first_day, end_day=cfg.day,
                     delist_style=events.choices(("404", "410", "page"), (4, 2, 3))[0],
                     sales0=int(events.paretovariate(1.3) * 8) - 8, sales_rate=events.random() * 6)
        for day in range(first_day + 1, cfg.day + 1):
            x, what, price_x = events.random(), events.random(), events.random()
            if x < cfg.delist_rate:
                life.status, life.end_day = "delisted", day
                break
            if x < cfg.delist_rate + cfg.change_rate:
                life.changed_day = day
                if what < 0.5:
                    life.price_changes, life.price_draw = life.price_changes + 1, price_x
                else:
                    life.text_changes, life.text_version = life.text_changes + 1, day
        return life

    def _build_listing(self, profile: _Profile, l_index: int, life: _Life) -> Listing:
        cfg = self.config
        platform, m_index, shop = profile.traits.platform, profile.traits.index, profile.shop_id
        ctx = ListingContext(
            seed=cfg.seed, platform=platform, merchant=profile.traits, index=l_index,
            violation_rate=cfg.violation_rate, text_version=life.text_version, text_changes=life.text_changes,
            price_factor=_price_factor(life.price_changes, life.price_draw),
        )
        draft = compose_listing(ctx)
        item = ids.item_id(shop, l_index)
        images = tuple(Image(src=f"/img/{item}_{k}.jpg", alt=alt) for k, alt in enumerate(draft.image_alts))
        return Listing(
            platform=platform, item_id=item, shop_id=shop, index=l_index,
            title=draft.title, description=draft.description, category=draft.category,
            price=draft.price, currency="CNY",
            sales=max(0, life.sales0 + int(life.sales_rate * (life.end_day - life.first_day))),
            images=images, labels=draft.labels, status=life.status, delist_style=life.delist_style,
            first_day=life.first_day, changed_day=life.changed_day, hard_negative=draft.hard_negative,
            notes=draft.notes,
        )


def _licence_rate(platform: str, rate: float) -> float:
    """Social sellers skip the licence twice as often; others less, so the mean stays ``rate``."""
    moments = PLATFORM_SHARES["moments"]
    if platform == "moments":
        return min(1.0, 2 * rate)
    return max(0.0, (rate - moments * min(1.0, 2 * rate)) / (1 - moments))


def _price_factor(changes: int, x: float) -> Decimal:
    """Multiplier after the ``changes``-th price change: odd ones cut 5-25%, even ones raise
    5-20% over the base, so consecutive prices always differ."""
    if changes == 0:
        return Decimal(1)
    factor = 0.75 + 0.2 * x if changes % 2 else 1.05 + 0.15 * x
    return Decimal(str(round(factor, 2)))
