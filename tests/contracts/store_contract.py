"""Behaviour every store back end must show (SQLite now, MongoDB next).

Bind it with one small file: subclass ``StoreContract`` and provide a ``store_factory`` fixture
returning a callable that opens the SAME, initially empty store each time it is called (so
persistence across close/reopen and visibility between two open handles can be checked).
Only the public interface is used here: no SQL, no back-end specifics.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable

import pytest

from crawler.store.base import Store

DAY1 = "2024-05-01T08:00:00.000Z"
DAY2 = "2024-05-02T08:00:00.000Z"
DAY3 = "2024-05-03T08:00:00.000Z"


def listing(item_id: str = "i1", platform: str = "weishop", **fields: Any) -> dict[str, Any]:
    base = {
        "platform": platform, "item_id": item_id, "url": f"https://{platform}.example/item/{item_id}",
        "shop_id": "s1", "title": "正品香烟 批发", "description": "量大从优", "category": "烟具配件",
        "price": Decimal("12.50"), "currency": "CNY", "price_text": "¥12.50", "sales": 10,
        "images": [{"url": "https://img.example/1.jpg", "alt": "图"}], "status": "active",
        "extra": {"tags": ["a", "b"]},
    }
    base.update(fields)
    return base


def merchant(shop_id: str = "s1", platform: str = "weishop", **fields: Any) -> dict[str, Any]:
    base = {
        "platform": platform, "shop_id": shop_id, "url": f"https://{platform}.example/shop/{shop_id}",
        "name": "好货小店", "licence_company": "某某贸易有限公司", "licence_uscc": "91310000MA1K000000",
        "licence_shown_as": "text", "followers": 100, "rating": 4.8,
    }
    base.update(fields)
    return base


class StoreContract:
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        raise NotImplementedError("bind the contract: provide a store_factory fixture")

    @pytest.fixture
    def store(self, store_factory: Callable[[], Store]):
        s = store_factory()
        yield s
        s.close()

    # --- listings: new / unchanged / changed -----------------------------------------------
    def test_new_listing_round_trip(self, store: Store) -> None:
        r = store.upsert_listing(listing(), DAY1, "job1")
        assert (r.outcome, r.version) == ("new", 1)
        got = store.get_listing("weishop", "i1")
        assert got is not None
        assert got["title"] == "正品香烟 批发" and got["description"] == "量大从优"
        assert got["price"] == Decimal("12.50") and isinstance(got["price"], Decimal)
        assert got["currency"] == "CNY" and got["sales"] == 10 and got["status"] == "active"
        assert got["images"] == [{"url": "https://img.example/1.jpg", "alt": "图"}]
        assert got["extra"] == {"tags": ["a", "b"]}
        assert got["first_seen"] == got["last_seen"] == DAY1
        assert got["version"] == 1 and got["job_id"] == "job1" and got["content_hash"]
        assert store.get_listing("weishop", "nope") is None
        assert store.get_listing("vshop", "i1") is None

    def test_unchanged_moves_last_seen_only(self, store: Store) -> None:
        store.upsert_listing(listing(), DAY1, "job1")
        r = store.upsert_listing(listing(), DAY2, "job2")
        assert (r.outcome, r.version) == ("unchanged", 1)
        got = store.get_listing("weishop", "i1")
        assert got["first_seen"] == DAY1 and got["last_seen"] == DAY2 and got["job_id"] == "job2"
        assert [v["version"] for v in store.listing_versions("weishop", "i1")] == [1]

    def test_whitespace_and_price_format_are_not_changes(self, store: Store) -> None:
        store.upsert_listing(listing(), DAY1, "job1")
        r = store.upsert_listing(listing(title="  正品香烟   批发 ", price=Decimal("12.5")), DAY2, "job2")
        assert r.outcome == "unchanged"
        assert store.get_listing("weishop", "i1")["title"] == "正品香烟 批发"

    def test_counters_refresh_without_a_version(self, store: Store) -> None:
        store.upsert_listing(listing(sales=10), DAY1, "job1")
        r = store.upsert_listing(listing(sales=99), DAY2, "job2")
        assert r.outcome == "unchanged" and r.version == 1
        assert store.get_listing("weishop", "i1")["sales"] == 99

    @pytest.mark.parametrize("field,value", [
        ("title", "正品香烟 特价"), ("description", "新描述"), ("price", Decimal("9.90")),
        ("currency", "USD"), ("status", "delisted"),
    ])
    def test_each_versioned_field_makes_a_version(self, store: Store, field: str, value: Any) -> None:
        store.upsert_listing(listing(), DAY1, "job1")
        r = store.upsert_listing(listing(**{field: value}), DAY2, "job2")
        assert (r.outcome, r.version) == ("changed", 2)
        versions = store.listing_versions("weishop", "i1")
        assert [v["version"] for v in versions] == [1, 2]
        last = versions[-1]
        assert last["fields"] == {field: value}
        assert last["previous"] == {field: listing()[field]}
        assert last["changed_at"] == DAY2 and last["job_id"] == "job2"
        got = store.get_listing("weishop", "i1")
        assert got[field] == value and got["version"] == 2 and got["first_seen"] == DAY1

    def test_first_version_holds_the_first_observation(self, store: Store) -> None:
        store.upsert_listing(listing(), DAY1, "job1")
        (v1,) = store.listing_versions("weishop", "i1")
        assert v1["changed_at"] == DAY1 and v1["job_id"] == "job1"
        assert v1["fields"]["title"] == "正品香烟 批发" and v1["fields"]["price"] == Decimal("12.50")

    def test_history_over_three_days(self, store: Store) -> None:
        store.upsert_listing(listing(), DAY1, "j1")
        store.upsert_listing(listing(price=Decimal("11")), DAY2, "j2")
        r = store.upsert_listing(listing(price=Decimal("10"), title="新标题"), DAY3, "j3")
        assert (r.outcome, r.version) == ("changed", 3)
        versions = store.listing_versions("weishop", "i1")
        assert [v["changed_at"] for v in versions] == [DAY1, DAY2, DAY3]
        assert versions[2]["fields"] == {"title": "新标题", "price": Decimal("10")}
        assert store.listing_versions("weishop", "nope") == []

    # --- delisting -------------------------------------------------------------------------
    def test_delisted_is_marked_and_data_kept(self, store: Store) -> None:
        store.upsert_listing(listing(), DAY1, "job1")
        gone = {"platform": "weishop", "item_id": "i1", "url": listing()["url"], "status": "delisted"}
        r = store.upsert_listing(gone, DAY2, "job2")
        assert (r.outcome, r.version) == ("changed", 2)
        got = store.get_listing("weishop", "i1")
        assert got["status"] == "delisted"
        assert got["title"] == "正品香烟 批发" and got["price"] == Decimal("12.50")
        assert got["images"] and got["shop_id"] == "s1" and got["first_seen"] == DAY1
        assert store.listing_versions("weishop", "i1")[-1]["fields"] == {"status": "delisted"}
        assert store.count_listings(status="delisted") == 1
        assert store.count_listings(status="active") == 0
        # seen delisted again: nothing new
        assert store.upsert_listing(gone, DAY3, "job3").outcome == "unchanged"
        # relisted
        r = store.upsert_listing(listing(), DAY3, "job3")
        assert (r.outcome, r.version) == ("changed", 3)
        assert store.get_listing("weishop", "i1")["status"] == "active"

    def test_first_seen_already_delisted(self, store: Store) -> None:
        gone = {"platform": "weishop", "item_id": "x9", "url": "https://weishop.example/item/x9",
                "status": "delisted"}
        r = store.upsert_listing(gone, DAY1, "job1")
        assert (r.outcome, r.version) == ("new", 1)
        got = store.get_listing("weishop", "x9")
        assert got["status"] == "delisted" and got["title"] is None

    # --- counts and filters ----------------------------------------------------------------
    def _fill(self, store: Store) -> None:
        for i in range(5):
            store.upsert_listing(listing(f"w{i}", "weishop"), DAY1, "j1")
        for i in range(3):
            store.upsert_listing(listing(f"v{i}", "vshop"), DAY2, "j2")
        store.upsert_listing(listing("v9", "vshop", status="delisted"), DAY2, "j2")
        store.flush()

    def test_counts_and_filters(self, store: Store) -> None:
        self._fill(store)
        assert store.count_listings() == 9
        assert store.count_listings(platform="weishop") == 5
        assert store.count_listings(platform="vshop") == 4
        assert store.count_listings(platform="vshop", status="active") == 3
        assert store.count_listings(status="delisted") == 1
        assert store.count_listings(platform="nope") == 0

    def test_iter_listings_filters_and_order(self, store: Store) -> None:
        self._fill(store)
        keys = [(r["platform"], r["item_id"]) for r in store.iter_listings()]
        assert keys == sorted(keys) and len(keys) == 9
        assert {r["item_id"] for r in store.iter_listings(platform="vshop", status="active")} == {"v0", "v1", "v2"}
        assert {r["item_id"] for r in store.iter_listings(since=DAY2)} == {"v0", "v1", "v2", "v9"}
        since = datetime(2024, 5, 2, 16, 0, tzinfo=timezone(timedelta(hours=8)))  # = DAY2 in UTC
        assert len(list(store.iter_listings(since=since))) == 4
        assert list(store.iter_listings(since="2024-06-01T00:00:00Z")) == []
        assert all(isinstance(r["price"], Decimal) for r in store.iter_listings())

    def test_iter_listings_beyond_one_page(self, store: Store) -> None:
        for i in range(2345):
            store.upsert_listing(listing(f"{i:05d}"), DAY1, "j1")
        store.flush()
        ids = [r["item_id"] for r in store.iter_listings(platform="weishop")]
        assert ids == [f"{i:05d}" for i in range(2345)]
        assert store.count_listings() == 2345

    def test_timestamps_are_canonical_utc(self, store: Store) -> None:
        local = datetime(2024, 5, 1, 16, 0, 0, tzinfo=timezone(timedelta(hours=8)))
        store.upsert_listing(listing(), local, "j1")
        assert store.get_listing("weishop", "i1")["first_seen"] == DAY1
        store.upsert_listing(listing("i2"), "2024-05-01T08:00:00+00:00", "j1")
        assert store.get_listing("weishop", "i2")["last_seen"] == DAY1

    def test_unknown_fields_round_trip(self, store: Store) -> None:
        store.upsert_listing(listing(seller_phone="138-0000-0000"), DAY1, "j1")
        assert store.get_listing("weishop", "i1")["seller_phone"] == "138-0000-0000"

    def test_search_text_is_not_required(self, store: Store) -> None:
        item = listing(search_text="正品香烟 批发\n量大从优", content_hash="bogus", version=77)
        r = store.upsert_listing(item, DAY1, "j1")
        assert r.version == 1 and store.get_listing("weishop", "i1")["content_hash"] != "bogus"

    def test_missing_key_is_an_error(self, store: Store) -> None:
        with pytest.raises(ValueError):
            store.upsert_listing({"platform": "weishop", "title": "x"}, DAY1, "j1")
        with pytest.raises(ValueError):
            store.upsert_merchant({"platform": "weishop"}, DAY1, "j1")

    # --- merchants -------------------------------------------------------------------------
    def test_merchant_new_unchanged_changed(self, store: Store) -> None:
        assert store.upsert_merchant(merchant(), DAY1, "j1").outcome == "new"
        r = store.upsert_merchant(merchant(followers=250), DAY2, "j2")
        assert (r.outcome, r.version) == ("unchanged", 1)
        got = store.get_merchant("weishop", "s1")
        assert got["followers"] == 250 and got["first_seen"] == DAY1 and got["last_seen"] == DAY2
        r = store.upsert_merchant(merchant(licence_shown_as="missing", licence_company=None), DAY3, "j3")
        assert (r.outcome, r.version) == ("changed", 2)
        got = store.get_merchant("weishop", "s1")
        assert got["licence_shown_as"] == "missing" and got["licence_company"] is None
        assert got["name"] == "好货小店" and got["rating"] == 4.8 and got["job_id"] == "j3"
        assert store.get_merchant("weishop", "nope") is None

    def test_merchant_counts_and_iteration(self, store: Store) -> None:
        for i in range(4):
            store.upsert_merchant(merchant(f"s{i}"), DAY1, "j1")
        store.upsert_merchant(merchant("s0", platform="vshop"), DAY1, "j1")
        store.flush()
        assert store.count_merchants() == 5
        assert store.count_merchants(platform="weishop") == 4
        assert [m["shop_id"] for m in store.iter_merchants(platform="weishop")] == ["s0", "s1", "s2", "s3"]
        assert [(m["platform"], m["shop_id"]) for m in store.iter_merchants()][0] == ("vshop", "s0")

    # --- pages and jobs ----------------------------------------------------------------------
    def test_pages(self, store: Store) -> None:
        pages = [{"url": f"https://weishop.example/item/{i}", "status": 200, "fetched_at": DAY1,
                  "body_sha256": "ab" * 32, "size": 1000 + i, "content_type": "text/html",
                  "platform": "weishop", "job_id": "j1"} for i in range(3)]
        store.put_pages(pages)
        store.put_pages(pages)  # a replay does not duplicate
        store.put_pages([dict(pages[0], fetched_at=DAY2, job_id="j2", status=404)])
        store.put_pages([])
        store.flush()
        assert store.count_pages() == 4
        assert store.count_pages(job_id="j1") == 3
        (p,) = list(store.iter_pages(job_id="j2"))
        assert p["status"] == 404 and p["fetched_at"] == DAY2 and p["size"] == 1000
        assert p["body_sha256"] == "ab" * 32 and p["content_type"] == "text/html"

    def test_jobs(self, store: Store) -> None:
        job = {"id": "j1", "spider": "weishop", "profile": None, "args": {"day": 1},
               "started_at": DAY1, "finished_at": None, "state": "running",
               "counts": {}, "errors": {}}
        store.save_job(job)
        store.save_job({**job, "id": "j2", "started_at": DAY2})
        store.save_job({**job, "state": "finished", "finished_at": DAY2,
                        "counts": {"listings/new": 3}, "errors": {"missing_title": 2}})
        store.flush()
        got = store.get_job("j1")
        assert got["state"] == "finished" and got["finished_at"] == DAY2
        assert got["counts"] == {"listings/new": 3} and got["errors"] == {"missing_title": 2}
        assert got["args"] == {"day": 1} and got["spider"] == "weishop"
        assert [j["id"] for j in store.list_jobs()] == ["j2", "j1"]
        assert [j["id"] for j in store.list_jobs(limit=1)] == ["j2"]
        assert store.get_job("nope") is None
        with pytest.raises(ValueError):
            store.save_job({"spider": "x"})

    # --- durability and re-runs ---------------------------------------------------------------
    def test_flush_makes_writes_visible_to_another_handle(self, store: Store, store_factory) -> None:
        store.upsert_listing(listing(), DAY1, "j1")
        store.flush()
        other = store_factory()
        try:
            assert other.get_listing("weishop", "i1")["title"] == "正品香烟 批发"
        finally:
            other.close()

    def test_close_and_reopen_keeps_everything(self, store_factory) -> None:
        with store_factory() as s:
            s.upsert_listing(listing(), DAY1, "j1")
            s.upsert_listing(listing(price=Decimal("1")), DAY2, "j2")
            s.upsert_merchant(merchant(), DAY1, "j1")
            s.save_job({"id": "j1", "started_at": DAY1, "state": "finished"})
            s.put_pages([{"url": "https://a.example/", "status": 200, "fetched_at": DAY1,
                          "body_sha256": "0" * 64, "size": 1}])
        with store_factory() as s:
            assert s.get_listing("weishop", "i1")["price"] == Decimal("1")
            assert len(s.listing_versions("weishop", "i1")) == 2
            assert s.get_merchant("weishop", "s1")["name"] == "好货小店"
            assert s.get_job("j1")["state"] == "finished"
            assert s.count_pages() == 1
            r = s.upsert_listing(listing(price=Decimal("1")), DAY3, "j3")
            assert (r.outcome, r.version) == ("unchanged", 2)

    def test_close_is_idempotent(self, store_factory) -> None:
        s = store_factory()
        s.close()
        s.close()

    def test_rerunning_a_crawl_is_idempotent(self, store: Store) -> None:
        def crawl(day: str) -> list[str]:
            return [store.upsert_listing(listing(f"i{i}", price=Decimal(i)), day, "j").outcome
                    for i in range(20)]
        assert crawl(DAY1) == ["new"] * 20
        assert crawl(DAY2) == ["unchanged"] * 20
        assert crawl(DAY3) == ["unchanged"] * 20
        assert store.count_listings() == 20
        assert all(len(store.listing_versions("weishop", f"i{i}")) == 1 for i in range(20))

    def test_many_writes_then_flush(self, store: Store) -> None:
        for i in range(1200):  # crosses the batch bound more than once
            store.upsert_listing(listing(f"b{i}"), DAY1, "j1")
        store.flush()
        assert store.count_listings() == 1200

    # --- detection hits ---------------------------------------------------------------------
    @staticmethod
    def _hit(item_id: str | None = "i1", **fields: Any) -> dict[str, Any]:
        base = {"campaign": "tobacco-online", "rule": "cigarette-terms", "family": "tobacco",
                "severity": "high", "field": "title", "matched": "香烟", "start": 2, "end": 4,
                "snippet": "正品【香烟】 批发", "platform": "weishop", "item_id": item_id,
                "shop_id": "s1", "url": "https://weishop.example/item/i1"}
        base.update(fields)
        return base

    def test_hit_round_trip_and_rerun_does_not_duplicate(self, store: Store) -> None:
        assert store.upsert_hits([self._hit()], DAY1, "j1") == {"new": 1, "seen": 0}
        assert store.upsert_hits([self._hit()], DAY2, "j2") == {"new": 0, "seen": 1}
        [hit] = list(store.iter_hits())
        assert (hit["matched"], hit["start"], hit["end"], hit["field"]) == ("香烟", 2, 4, "title")
        assert (hit["first_seen"], hit["last_seen"], hit["job_id"]) == (DAY1, DAY2, "j2")
        assert store.get_hit(hit["id"]) == hit
        assert store.count_hits() == 1

    def test_hits_differ_by_offset_rule_and_record(self, store: Store) -> None:
        hits = [self._hit(), self._hit(start=10, end=12), self._hit(rule="brand-with-unit"),
                self._hit("i2"), self._hit(campaign="other", family="misleading_ad")]
        assert store.upsert_hits(hits, DAY1) == {"new": 5, "seen": 0}
        assert len({h["id"] for h in store.iter_hits()}) == 5
        assert store.count_hits(campaign="tobacco-online") == 4
        assert store.count_hits(family="misleading_ad") == 1
        assert [h["item_id"] for h in store.iter_hits(campaign="other")] == ["i1"]

    def test_merchant_hit_has_no_item(self, store: Store) -> None:
        store.upsert_hits([self._hit(None, family="license", rule="uscc-check", field="licence_uscc",
                                     matched="91310000MA1K000000", start=0, end=18)], DAY1)
        [hit] = list(store.iter_hits(family="license"))
        assert hit["item_id"] is None and hit["shop_id"] == "s1"

    def test_hits_since_and_many(self, store: Store) -> None:
        store.upsert_hits([self._hit(f"i{i}") for i in range(1100)], DAY1)
        store.upsert_hits([self._hit("i5")], DAY3)
        assert store.count_hits() == 1100
        assert len(list(store.iter_hits())) == 1100  # more than one page
        assert [h["item_id"] for h in store.iter_hits(since=DAY2)] == ["i5"]

    def test_incomplete_hit_is_rejected(self, store: Store) -> None:
        with pytest.raises(ValueError, match="rule"):
            store.upsert_hits([self._hit(rule="")], DAY1)
        with pytest.raises(ValueError, match="item_id nor shop_id"):
            store.upsert_hits([self._hit(None, shop_id=None)], DAY1)

    def test_hits_survive_reopen(self, store_factory) -> None:
        with store_factory() as s:
            s.upsert_hits([self._hit()], DAY1, "j1")
        with store_factory() as s:
            assert s.upsert_hits([self._hit()], DAY2, "j2") == {"new": 0, "seen": 1}
            assert s.get_hit(next(s.iter_hits())["id"])["first_seen"] == DAY1
