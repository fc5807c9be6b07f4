"""Per-process server state: the config, the day clock, the world of that day, bounded caches
and the API rate-limit buckets. One instance lives in the aiohttp app (``server.STATE``)."""
from __future__ import annotations

import time
from collections import OrderedDict

from mallsim.config import SimConfig
from mallsim.faults import Faults
from mallsim.ids import parse_item_id, parse_shop_id
from mallsim.model import Listing, Merchant
from mallsim.world import World, WorldConfig

#: Cache bounds (listings, ~1.2 KB each): item pages, and active lists of merchants.
ITEM_CACHE = 20_000
ACTIVE_CACHE = 30_000
ITEMS_REMEMBERED = 200


class SimState:
    """Per-process server state: config, the day clock, the world of that day, caches."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.port = config.port  # the bound port once listening (port=0 picks one)
        self.faults = Faults(config)
        self.buckets: dict[str, tuple[float, float]] = {}  # app_key -> (tokens, last refill)
        self.world = World(WorldConfig(seed=config.seed, merchants=config.merchants,
                                       day=config.day))
        self.day = config.day
        # Building a listing costs ~0.1 ms, so the pages a crawler fetches together (a list page,
        # then its items) share cached records. Both caches are bounded: memory stays flat.
        self._active: OrderedDict[tuple[str, str], list[Listing]] = OrderedDict()
        self._active_size = 0
        self._items: OrderedDict[tuple[str, str], Listing | None] = OrderedDict()

    def set_day(self, day: int) -> None:
        """Move the clock: a new world view for ``day`` and fresh caches."""
        if day < 0:
            raise ValueError("day must be >= 0")
        if day != self.day:
            self.world = self.world.with_day(day)
            self.day = day
            self._active.clear()
            self._active_size = 0
            self._items.clear()

    def merchant(self, platform: str, shop_id: str) -> Merchant | None:
        if parse_shop_id(shop_id) is None:
            return None
        return self.world.merchant_by_id(platform, shop_id)

    def listing(self, platform: str, item_id: str) -> Listing | None:
        """The listing of the day, delisted included; None if it never existed."""
        if parse_item_id(item_id) is None:
            return None
        key = (platform, item_id)
        try:
            value = self._items[key]
        except KeyError:
            value = self.world.listing(platform, item_id)
            self._remember(key, value)
        else:
            self._items.move_to_end(key)
        return value

    def _remember(self, key: tuple[str, str], value: Listing | None) -> None:
        self._items[key] = value
        if len(self._items) > ITEM_CACHE:
            self._items.popitem(last=False)

    def active(self, merchant: Merchant) -> list[Listing]:
        """The merchant's active listings of the day, in catalogue order."""
        key = (merchant.platform, merchant.shop_id)
        hit = self._active.get(key)
        if hit is not None:
            self._active.move_to_end(key)
            return hit
        value = list(self.world.active_listings(merchant))
        for listing in value[:ITEMS_REMEMBERED]:  # the items the crawler will fetch next
            self._remember((listing.platform, listing.item_id), listing)
        self._active[key] = value
        self._active_size += len(value)
        while self._active_size > ACTIVE_CACHE and len(self._active) > 1:
            _, old = self._active.popitem(last=False)
            self._active_size -= len(old)
        return value

    def take_token(self, app_key: str) -> bool:
        """Token bucket per app_key: False when the caller is over ``api_rate``."""
        now = time.monotonic()
        size = self.config.bucket_size
        tokens, last = self.buckets.get(app_key, (size, now))
        tokens = min(size, tokens + (now - last) * self.config.api_rate)
        if tokens < 1.0:
            self.buckets[app_key] = (tokens, now)
            return False
        self.buckets[app_key] = (tokens - 1.0, now)
        return True
