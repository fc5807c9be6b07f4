"""Store and index pipelines: versioning across two simulated days, pages, stats, search."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from scrapy import signals
from scrapy.http import HtmlResponse, Request
from scrapy.utils.misc import load_object

import crawler.settings as project
from crawler.config import open_index, open_store
from crawler.items import Listing, Merchant
from pipelines.index import IndexPipeline

DAY1 = "2024-05-01T08:00:00.000Z"
DAY2 = "2024-05-02T08:00:00.000Z"


def L(item_id: str, **kw) -> Listing:
    base = dict(platform="weishop", item_id=item_id, url=f"https://weishop.example/item/{item_id}",
                shop_id="s1", title=f"正品香菸 {item_id}", description="量大从优", price_text="¥12.50",
                category="烟具配件")
    base.update(kw)
    return Listing(**base)


def M(**kw) -> Merchant:
    return Merchant(**{**dict(platform="weishop", shop_id="s1", url="https://weishop.example/shop/s1",
                              name="好货小店", licence_shown_as="text"), **kw})


def respond(chain, url: str, body: bytes = b"<html>hi</html>", status: int = 200) -> None:
    request = Request(url, meta={"platform": "weishop"})
    response = HtmlResponse(url, body=body, status=status, request=request,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    chain.crawler.signals.send_catch_log(signals.response_received, response=response,
                                         request=request, spider=chain.crawler.spider)


def test_pipeline_order_and_import() -> None:
    order = sorted(project.ITEM_PIPELINES.items(), key=lambda kv: kv[1])
    assert [path.rsplit(".", 1)[-1] for path, _ in order] == [
        "ValidatePipeline", "NormalizePipeline", "DedupePipeline", "StorePipeline", "DetectPipeline",
        "IndexPipeline"]
    for path, _ in order:
        assert hasattr(load_object(path), "from_crawler")


def test_two_days_of_versioning(make_chain, tmp_path: Path) -> None:
    day1 = make_chain(job_id="day1", SHOPWATCH_SEEN_AT=DAY1)
    out = day1.feed_all([M(), L("1"), L("2"), L("4"), L("1")])  # the repeat is a duplicate
    respond(day1, "https://weishop.example/item/1")
    respond(day1, "https://weishop.example/item/9", status=404)
    day1.close()
    assert out[1].version == 1 and out[1].first_seen == DAY1 and out[1].job_id == "day1"
    assert out[1].price == Decimal("12.50") and out[1].currency == "CNY"
    assert day1.stats["shopwatch/listings/new"] == 3 and day1.stats["shopwatch/merchants/new"] == 1
    assert day1.stats["shopwatch/duplicates"] == 1 and day1.stats["shopwatch/indexed"] == 3
    assert day1.stats["shopwatch/pages"] == 2

    day2 = make_chain(job_id="day2", SHOPWATCH_SEEN_AT=DAY2)
    gone = Listing(platform="weishop", item_id="2", url="https://weishop.example/item/2", status="delisted")
    out = day2.feed_all([M(followers=5), L("1", price_text="¥9.90"), gone, L("3"), L("4")])
    day2.close()
    st = day2.stats
    assert (st["shopwatch/listings/new"], st["shopwatch/listings/changed"], st["shopwatch/listings/unchanged"]) == (1, 2, 1)
    assert st["shopwatch/merchants/unchanged"] == 1
    assert out[1].version == 2 and out[1].first_seen == DAY1 and out[1].last_seen == DAY2
    assert out[2].title == "正品香菸 2" and out[2].status == "delisted"  # filled from the store

    with open_store(None, tmp_path / "data") as store:
        assert store.count_listings() == 4 and store.count_listings(status="delisted") == 1
        versions = store.listing_versions("weishop", "1")
        assert [v["version"] for v in versions] == [1, 2]
        assert versions[1]["fields"] == {"price": Decimal("9.90")} and versions[1]["job_id"] == "day2"
        unchanged = store.get_listing("weishop", "4")
        assert (unchanged["version"], unchanged["first_seen"], unchanged["last_seen"]) == (1, DAY1, DAY2)
        delisted = store.get_listing("weishop", "2")
        assert delisted["title"] == "正品香菸 2" and delisted["price"] == Decimal("12.50")
        assert store.get_merchant("weishop", "s1")["followers"] == 5
        pages = list(store.iter_pages(job_id="day1"))
        assert sorted(p["status"] for p in pages) == [200, 404]
        assert all(len(p["body_sha256"]) == 64 and p["platform"] == "weishop" for p in pages)

    with open_index(None, tmp_path / "data") as index:
        assert index.count() == 4
        assert {h.item_id for h in index.search("香烟").hits} == {"1", "3", "4"}
        (hit,) = index.search("正品香烟 2", status="delisted").hits
        assert hit.item_id == "2" and "<em>正品香菸</em>" in hit.snippet
        assert index.search("正品香烟 1").hits[0].price == Decimal("9.90")


def test_rerun_same_day_is_idempotent(make_chain, tmp_path: Path) -> None:
    for run in range(2):
        chain = make_chain(job_id=f"run{run}", SHOPWATCH_SEEN_AT=DAY1)
        chain.feed_all([L(str(i)) for i in range(10)])
        chain.close()
        key = "shopwatch/listings/new" if run == 0 else "shopwatch/listings/unchanged"
        assert chain.stats[key] == 10
    with open_store(None, tmp_path / "data") as store, open_index(None, tmp_path / "data") as index:
        assert store.count_listings() == 10 and index.count() == 10


def test_pipelines_switch_off(make_chain, tmp_path: Path) -> None:
    pipelines = dict(project.ITEM_PIPELINES, **{"pipelines.index.IndexPipeline": None})
    chain = make_chain(ITEM_PIPELINES=pipelines)
    chain.feed_all([L("1"), L("2")])
    chain.close()
    assert "shopwatch/indexed" not in chain.stats
    assert not (tmp_path / "data" / "index.sqlite").exists()
    with open_store(None, tmp_path / "data") as store:
        assert store.count_listings() == 2


def test_page_recording_can_be_off(make_chain, tmp_path: Path) -> None:
    chain = make_chain(SHOPWATCH_RECORD_PAGES=False)
    respond(chain, "https://weishop.example/item/1")
    chain.close()
    with open_store(None, tmp_path / "data") as store:
        assert store.count_pages() == 0


@pytest.mark.parametrize("threaded", [False, True], ids=["inline", "writer-thread"])
def test_index_batches_and_time_bound(make_chain, tmp_path: Path, threaded: bool) -> None:
    chain = make_chain(SHOPWATCH_INDEX_BATCH=3, SHOPWATCH_INDEX_BATCH_SECONDS=3600,
                       SHOPWATCH_INDEX_THREAD=threaded)
    chain.feed_all([L(str(i)) for i in range(7)])
    index_pipe = next(p for p in chain.pipes if isinstance(p, IndexPipeline))
    assert (index_pipe.writer is not None) is threaded
    if threaded:
        index_pipe.writer.drain()  # the two full batches were handed to the writer thread
    with open_index(None, tmp_path / "data") as other:
        assert other.count() == 6  # two full batches are visible, the 7th waits
    chain.close()
    with open_index(None, tmp_path / "data") as other:
        assert other.count() == 7


@pytest.mark.parametrize("threaded", [False, True], ids=["inline", "writer-thread"])
def test_outputs_commit_makes_every_buffered_write_visible(make_chain, tmp_path: Path, threaded: bool) -> None:
    """What a cluster worker relies on before it acknowledges a request: after ``outputs_commit``
    another process sees the listings, the page records, the hits and the index entries, even
    though no batch bound was reached (a SIGKILL right after the ack loses nothing)."""
    from crawler.signals import outputs_commit

    chain = make_chain(SHOPWATCH_STORE_BATCH=10_000, SHOPWATCH_STORE_BATCH_SECONDS=3600,
                       SHOPWATCH_INDEX_BATCH=10_000, SHOPWATCH_INDEX_BATCH_SECONDS=3600,
                       SHOPWATCH_HITS_BATCH=10_000, SHOPWATCH_HITS_BATCH_SECONDS=3600,
                       SHOPWATCH_PAGE_BUFFER=10_000, SHOPWATCH_INDEX_THREAD=threaded)
    chain.feed_all([M(), L("1", title="软中华 香烟 整条批发"), L("2")])
    respond(chain, "https://weishop.example/item/1")
    with open_store(None, tmp_path / "data", existing=True) as store, \
            open_index(None, tmp_path / "data", existing=True) as index:
        assert (store.count_listings(), store.count_pages(), store.count_hits(), index.count()) == (0, 0, 0, 0)
    failures = [r for _, r in chain.crawler.signals.send_catch_log(outputs_commit) if r is not None]
    assert failures == []
    with open_store(None, tmp_path / "data", existing=True) as store, \
            open_index(None, tmp_path / "data", existing=True) as index:
        assert store.count_listings() == 2 and store.count_merchants() == 1 and store.count_pages() == 1
        assert store.count_hits(family="tobacco") >= 1
        assert [h.item_id for h in index.search("软中华").hits] == ["1"] and index.count() == 2
    chain.close()


def test_detect_scans_listings_in_batches(make_chain, tmp_path: Path) -> None:
    """Listings are scanned SHOPWATCH_DETECT_BATCH at a time (the batch path); a partial batch
    waits for the next item, idle or close, and its hits are stored then, none lost."""
    chain = make_chain(SHOPWATCH_DETECT_BATCH=3, SHOPWATCH_HITS_BATCH=1, SHOPWATCH_HITS_BATCH_SECONDS=3600)
    chain.feed_all([L(str(i)) for i in range(4)] + [L("5", title="绿茶 250g", category="茶叶")])
    assert chain.stats["shopwatch/hits/tobacco"] == 3  # one full batch scanned; "3" and "5" wait
    chain.close()
    with open_store(None, tmp_path / "data") as store:
        assert {h["item_id"] for h in store.iter_hits(family="tobacco")} == {"0", "1", "2", "3"}
    assert chain.stats["shopwatch/hits/tobacco"] == 4


def test_hits_are_stamped_with_the_crawl_time_setting(make_chain, tmp_path: Path) -> None:
    """A replayed day (SHOPWATCH_SEEN_AT) dates its hits like its listings, not with the clock."""
    chain = make_chain(SHOPWATCH_SEEN_AT=DAY1)
    chain.feed_all([L("1", title="软中华 香烟 整条批发")])
    chain.close()
    with open_store(None, tmp_path / "data") as store:
        hits = list(store.iter_hits(family="tobacco"))
    assert hits and {(h["first_seen"], h["last_seen"]) for h in hits} == {(DAY1, DAY1)}


def test_index_thread_default_follows_the_index(make_chain, tmp_path: Path) -> None:
    """SHOPWATCH_INDEX_THREAD = None: FTS5 batches are written inline (the thread cost CPU and no
    pages/s), Elasticsearch bulk requests on the writer thread; the listings arrive either way."""
    import uuid

    from search.elastic import ElasticIndex
    from tests.servers import server_url

    chain = make_chain(SHOPWATCH_INDEX_BATCH=2)
    pipe = next(p for p in chain.pipes if isinstance(p, IndexPipeline))
    assert pipe.threaded is None and pipe.writer is None
    chain.feed_all([L(str(i)) for i in range(3)])
    chain.close()
    with open_index(None, tmp_path / "data") as other:
        assert other.count() == 3

    alias = f"{server_url('es').rstrip('/')}/shopwatch-test-{uuid.uuid4().hex[:10]}"
    try:
        chain = make_chain(SHOPWATCH_INDEX=alias, SHOPWATCH_INDEX_BATCH=2)
        pipe = next(p for p in chain.pipes if isinstance(p, IndexPipeline))
        assert isinstance(pipe.index, ElasticIndex) and pipe.writer is not None
        chain.feed_all([L(str(i)) for i in range(3)])
        chain.close()
        with open_index(alias) as es:
            assert es.count() == 3
    finally:
        ix = ElasticIndex(alias)
        ix.drop()
        ix.es.close()
