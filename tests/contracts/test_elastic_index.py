"""The index contract bound to Elasticsearch, plus "FTS5 and Elasticsearch agree" on one corpus."""
from __future__ import annotations

import random
import uuid

import pytest

from crawler.config import open_index
from crawler.store.base import BackendError
from search.elastic import ElasticIndex
from search.fts5 import FTS5Index

from .index_contract import CORPUS, IndexContract, doc


@pytest.fixture
def es_alias_url(es_url):
    """A fresh alias per test; its indices and template are deleted afterwards."""
    url = f"{es_url.rstrip('/')}/shopwatch-test-{uuid.uuid4().hex[:10]}"
    yield url
    ix = ElasticIndex(url)
    ix.drop()
    ix.es.close()


class TestElasticIndex(IndexContract):
    @pytest.fixture
    def index_factory(self, es_alias_url):
        return lambda: ElasticIndex(es_alias_url)


def test_config_opens_http_urls(es_alias_url) -> None:
    with open_index(es_alias_url) as ix:
        assert isinstance(ix, ElasticIndex) and ix.alias.startswith("shopwatch-test-")


def test_unreachable_server_is_one_clear_line() -> None:
    with pytest.raises(BackendError) as err:
        open_index("http://127.0.0.1:1/shopwatch-listings")
    text = str(err.value)
    assert text.startswith("Elasticsearch at http://127.0.0.1:1/shopwatch-listings unreachable")
    assert "\n" not in text


def _corpus(n: int = 400, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    words = ["香烟", "香菸", "電子煙", "烟弹", "雪茄", "茶叶", "龙井", "正品", "批发", "代购", "私聊",
             "ＲＥＬＸ", "relx", "abc", "T恤", "全棉", "50%", "a_b", "(特价)", "\u200b", " ", "·", "烟"]
    platforms, categories = ["weishop", "vshop", "miniapp", "moments"], ["烟具配件", "茶叶", None, "服饰鞋包"]
    return [doc(rng.choice(platforms), f"e{i:04d}",
                "".join(rng.choice(words) for _ in range(rng.randint(1, 6))),
                "".join(rng.choice(words) for _ in range(rng.randint(0, 12))),
                category=rng.choice(categories), status=rng.choice(["active"] * 5 + ["delisted"]))
            for i in range(n)]


QUERIES = ["烟", "香烟", "香煙", "电子烟", "relx", "ＡＢＣ", "t恤", "%", "_", "a_b", "(特价)", "批发 香烟",
           "茶", "龙井 茶叶", "烟 私聊", "·", "不存在", "", "50", "代购 正品 烟弹"]


def test_fts5_and_elasticsearch_return_the_same_sets(es_alias_url, tmp_path) -> None:
    docs = _corpus()
    with FTS5Index(tmp_path / "index.sqlite") as fts, ElasticIndex(es_alias_url) as es:
        fts.index_listings(docs)
        es.index_listings(docs)
        es.flush()
        for query in QUERIES:
            for kw in ({}, {"status": None}, {"platform": "vshop"}, {"category": "茶叶", "status": None}):
                a, b = fts.search(query, limit=1000, **kw), es.search(query, limit=1000, **kw)
                assert {h.item_id for h in a.hits} == {h.item_id for h in b.hits}, (query, kw)
                assert a.total == b.total and a.facets == b.facets, (query, kw)
                snippets = {h.item_id: h.snippet for h in a.hits}
                assert all(snippets[h.item_id] == h.snippet for h in b.hits), (query, kw)
