"""The store contract bound to MongoDB (FerretDB on the test machine), plus outage behaviour."""
from __future__ import annotations

import uuid
from decimal import Decimal

import pymongo
import pytest

from crawler.config import open_store
from crawler.store.base import BackendError
from crawler.store.mongo import MongoStore

from .store_contract import DAY1, StoreContract, listing


def _db_url(base: str, name: str) -> str:
    root, _, _ = base.rpartition("/")
    return f"{root}/{name}"


@pytest.fixture
def mongo_db(mongo_url):
    """A fresh database per test, dropped afterwards."""
    name = f"shopwatch_test_{uuid.uuid4().hex[:10]}"
    yield _db_url(mongo_url, name)
    client = pymongo.MongoClient(mongo_url, serverSelectionTimeoutMS=3000)
    client.drop_database(name)
    client.close()


class TestMongoStore(StoreContract):
    @pytest.fixture
    def store_factory(self, mongo_db):
        return lambda: MongoStore(mongo_db)


def test_config_opens_mongodb_urls(mongo_db) -> None:
    with open_store(mongo_db) as store:
        assert isinstance(store, MongoStore)


def test_unreachable_server_is_one_clear_line() -> None:
    with pytest.raises(BackendError) as err:
        open_store("mongodb://127.0.0.1:1/shopwatch?serverSelectionTimeoutMS=300")
    text = str(err.value)
    assert text.startswith("MongoDB at mongodb://127.0.0.1:1/shopwatch") and "unreachable" in text
    assert "\n" not in text


class _Flaky:
    """A collection stand-in whose bulk_write fails with AutoReconnect while ``down`` is set."""

    def __init__(self, real, state):
        self.real, self.state = real, state

    def __getattr__(self, name):
        return getattr(self.real, name)

    def bulk_write(self, ops, ordered=True):
        if self.state["down"]:
            raise pymongo.errors.AutoReconnect("connection refused (simulated outage)")
        return self.real.bulk_write(ops, ordered=ordered)


class _FlakyDB:
    def __init__(self, real, state):
        self.real, self.state = real, state

    def __getitem__(self, name):
        return _Flaky(self.real[name], self.state)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_outage_keeps_writes_buffered_and_delivers_them(mongo_db) -> None:
    store = MongoStore(mongo_db, batch_size=10, retries=1, outage_wait=1.0)
    state = {"down": True}
    real_db = store.db
    store.db = _FlakyDB(real_db, state)
    for i in range(25):  # crosses batch_size twice while "down": no exception, nothing lost
        store.upsert_listing(listing(f"o{i}", price=Decimal(i)), DAY1, "j1")
    with pytest.raises(BackendError, match="unreachable.*kept buffered"):
        store.flush()
    assert real_db.listings.count_documents({}) == 0
    assert store.get_listing("weishop", "o3")["price"] == Decimal(3)  # read from the buffer
    state["down"] = False
    store.flush()
    assert real_db.listings.count_documents({}) == 25
    assert real_db.listing_versions.count_documents({}) == 25
    store.close()


def test_buffer_is_bounded(mongo_db) -> None:
    store = MongoStore(mongo_db, batch_size=5, max_buffered=12, retries=0)
    store.db = _FlakyDB(store.db, {"down": True})
    with pytest.raises(BackendError, match=r"unreachable .*max_buffered=12.*refusing more rather than dropping"):
        for i in range(20):
            store.upsert_listing(listing(f"b{i}"), DAY1, "j1")
    assert 12 <= store._buffered() < 20 * 2  # documents waiting + observations queued
