"""Behaviour every search-index back end must show (FTS5 now, Elasticsearch next).

Bind it with one small file: subclass ``IndexContract`` and provide an ``index_factory`` fixture
returning a callable that opens the SAME, initially empty index each time it is called.
Only the public interface is used: queries, filters, facets, snippets, paging.
"""
from __future__ import annotations

import random
from decimal import Decimal
from typing import Any, Callable

import pytest

from crawler.normalize import search_key
from search.base import Index, QueryError


def doc(platform: str, item_id: str, title: str, description: str = "", **fields: Any) -> dict[str, Any]:
    base = {"platform": platform, "item_id": item_id, "shop_id": f"{platform}-shop",
            "url": f"https://{platform}.example/item/{item_id}", "title": title,
            "description": description, "category": "烟具配件", "price": Decimal("88.00"),
            "currency": "CNY", "status": "active"}
    base.update(fields)
    return base


CORPUS = [
    doc("weishop", "w1", "正品香烟批发 假一赔十", "各种品牌，量大从优"),
    doc("weishop", "w2", "RELX悦刻电子烟 五代", "烟弹 口味齐全", price=Decimal("199")),
    doc("vshop", "v1", "專利產品 香菸濾嘴", "国家专利 ZL2019 1 0123456.7 有效"),
    doc("vshop", "v2", "有机绿茶", "明前龙井 送礼佳品", category="茶叶"),
    doc("miniapp", "m1", "ＡＢＣ 全棉T恤", "全棉 透气", category="服饰鞋包", price=None, currency=None),
    doc("moments", "p1", "朋友圈 代购", "香\u200b烟 私聊 微信", category=None),
    doc("miniapp", "m2", "香烟烟灰缸", "", category="日用百货", status="delisted"),
    doc("vshop", "v3", 'C++ "限量版" 50%off (特价) a_b', "NEAR 香烟 AND OR NOT", category="数码配件"),
]


class IndexContract:
    @pytest.fixture
    def index_factory(self) -> Callable[[], Index]:
        raise NotImplementedError("bind the contract: provide an index_factory fixture")

    @pytest.fixture
    def index(self, index_factory: Callable[[], Index]):
        ix = index_factory()
        ix.index_listings(CORPUS)
        ix.flush()
        yield ix
        ix.close()

    @staticmethod
    def ids(index: Index, query: str, **kw: Any) -> set[str]:
        result = index.search(query, limit=100, **kw)
        assert result.total == len(result.hits)
        return {h.item_id for h in result.hits}

    # --- term lengths --------------------------------------------------------------------------
    def test_one_character(self, index: Index) -> None:
        assert self.ids(index, "烟") == {"w1", "w2", "v1", "p1", "v3"}
        assert self.ids(index, "茶") == {"v2"}

    def test_two_characters(self, index: Index) -> None:
        assert self.ids(index, "香烟") == {"w1", "v1", "p1", "v3"}
        assert self.ids(index, "龙井") == {"v2"}
        assert self.ids(index, "全棉") == {"m1"}

    def test_three_characters(self, index: Index) -> None:
        assert self.ids(index, "电子烟") == {"w2"}
        assert self.ids(index, "香烟批") == {"w1"}

    def test_four_and_more_characters(self, index: Index) -> None:
        assert self.ids(index, "正品香烟批发") == {"w1"}
        assert self.ids(index, "明前龙井") == {"v2"}
        assert self.ids(index, "正品香烟批发X") == set()

    def test_latin_and_digits(self, index: Index) -> None:
        assert self.ids(index, "RELX") == {"w2"}
        assert self.ids(index, "relx") == {"w2"}
        assert self.ids(index, "ZL2019") == {"v1"}
        assert self.ids(index, "zl2019") == {"v1"}
        assert self.ids(index, "0123456.7") == {"v1"}
        assert self.ids(index, "2019") == {"v1"}
        assert self.ids(index, "t恤") == {"m1"}

    def test_traditional_query_finds_simplified_text(self, index: Index) -> None:
        expected = {"w1", "v1", "p1", "v3"}
        assert self.ids(index, "香菸") == expected
        assert self.ids(index, "香煙") == expected
        assert self.ids(index, "專利") == {"v1"}
        assert self.ids(index, "专利") == {"v1"}
        assert self.ids(index, "濾嘴") == self.ids(index, "滤嘴") == {"v1"}

    def test_full_width_query_and_text(self, index: Index) -> None:
        assert self.ids(index, "ＡＢＣ") == {"m1"}
        assert self.ids(index, "abc") == {"m1"}
        assert self.ids(index, "ＲＥＬＸ") == {"w2"}

    def test_zero_width_characters_do_not_hide_words(self, index: Index) -> None:
        assert "p1" in self.ids(index, "香烟")
        assert self.ids(index, "香烟 私聊") == {"p1"}

    # --- boolean semantics -----------------------------------------------------------------------
    def test_terms_are_anded(self, index: Index) -> None:
        assert self.ids(index, "香烟 批发") == {"w1"}
        assert self.ids(index, "香烟 量大") == {"w1"}  # one term in the title, one in the description
        assert self.ids(index, "香烟 茶") == set()
        assert self.ids(index, "电子烟 五代") == {"w2"}
        assert self.ids(index, "电子烟 烟弹 relx") == {"w2"}
        assert self.ids(index, "  香烟\u3000\u3000批发  ") == {"w1"}

    @pytest.mark.parametrize("query", [
        '"香烟"', "香烟*", "NEAR(香烟 批发)", "-香烟", "(香烟)", "AND", "OR 香烟", '"', "'", "^香烟",
        "title:香烟", "香烟 NOT 批发", "*", ")(", "\\", "%", "_", "%烟%", "{}", "[", ":", "a:b",
        '"a" OR "b"', "NEAR", "香烟 -", "---", '""""', "'; DROP TABLE docs; --", "\x00", "香\x00烟",
    ])
    def test_syntax_characters_are_literal_and_never_raise(self, index: Index, query: str) -> None:
        result = index.search(query)
        assert isinstance(result.total, int) and result.total >= 0
        assert len(result.hits) == min(result.total, 20)

    def test_literal_special_characters(self, index: Index) -> None:
        assert self.ids(index, '"限量版"') == {"v3"}
        assert self.ids(index, "c++") == {"v3"}
        assert self.ids(index, "50%") == {"v3"}
        assert self.ids(index, "%") == {"v3"}  # not a LIKE wildcard
        assert self.ids(index, "_") == {"v3"}
        assert self.ids(index, "a_b") == {"v3"}
        assert self.ids(index, "(特价)") == {"v3"}
        assert self.ids(index, "香烟 NOT") == {"v3"}  # NOT is a word, not an operator
        assert self.ids(index, "香烟*") == set()
        assert self.ids(index, "-香烟") == set()

    def test_no_match(self, index: Index) -> None:
        result = index.search("不存在的词语")
        assert result.total == 0 and result.hits == []
        assert sum(result.facets.get("platform", {}).values()) == 0
        assert index.search("qq").total == 0

    def test_empty_query_lists_everything_filtered(self, index: Index) -> None:
        assert self.ids(index, "") == {d["item_id"] for d in CORPUS if d["status"] == "active"}
        assert self.ids(index, "   ", platform="vshop") == {"v1", "v2", "v3"}

    # --- filters and facets ----------------------------------------------------------------------
    def test_filters_are_exact(self, index: Index) -> None:
        assert self.ids(index, "香烟", platform="vshop") == {"v1", "v3"}
        assert self.ids(index, "香烟", platform="VSHOP") == set()
        assert self.ids(index, "", category="茶叶") == {"v2"}
        assert self.ids(index, "", category="茶") == set()
        assert self.ids(index, "香烟", platform="weishop", category="烟具配件") == {"w1"}

    def test_status_defaults_to_active(self, index: Index) -> None:
        assert "m2" not in self.ids(index, "烟灰缸")
        assert self.ids(index, "烟灰缸", status="delisted") == {"m2"}
        assert self.ids(index, "烟灰缸", status=None) == {"m2"}
        assert len(self.ids(index, "烟", status=None)) == 6

    def test_facets_cover_the_whole_match_set(self, index: Index) -> None:
        result = index.search("烟", limit=2)
        assert result.total == 5 and len(result.hits) == 2
        assert result.facets["platform"] == {"weishop": 2, "vshop": 2, "moments": 1}
        assert result.facets["category"] == {"烟具配件": 3, "数码配件": 1}
        assert sum(result.facets["platform"].values()) == result.total
        filtered = index.search("烟", platform="vshop")
        assert filtered.facets["platform"] == {"vshop": 2}

    def test_facets_of_a_long_term_query(self, index: Index) -> None:
        result = index.search("电子烟", limit=0)
        assert result.total == 1 and result.hits == []
        assert result.facets["platform"] == {"weishop": 1}

    # --- hits, ranking, paging ----------------------------------------------------------------------
    def test_hit_fields(self, index: Index) -> None:
        (hit,) = index.search("电子烟").hits
        assert (hit.platform, hit.item_id, hit.shop_id) == ("weishop", "w2", "weishop-shop")
        assert hit.title == "RELX悦刻电子烟 五代" and hit.url == "https://weishop.example/item/w2"
        assert hit.price == Decimal("199") and isinstance(hit.price, Decimal)
        assert hit.currency == "CNY" and hit.category == "烟具配件" and hit.status == "active"
        assert isinstance(hit.score, float)
        (m1,) = index.search("abc").hits
        assert m1.price is None and m1.currency is None

    @pytest.mark.parametrize("query", ["香烟", "香烟批发"])
    def test_title_match_ranks_above_description_match(self, index_factory, query: str) -> None:
        with index_factory() as ix:
            ix.index_listings([
                doc("a", "in-desc", "普通商品一件", f"这里提到{query}一次而已"),
                doc("z", "in-title", f"{query}专卖", "普通描述一段而已"),
            ] + [doc("f", f"filler{i}", "其他商品", "无关内容") for i in range(20)])
            hits = ix.search(query).hits
            assert [h.item_id for h in hits] == ["in-title", "in-desc"]
            assert hits[0].score > hits[1].score

    @pytest.mark.parametrize("query", ["茶叶", "龙井绿茶"])
    def test_ties_break_by_platform_then_item_id(self, index_factory, query: str) -> None:
        with index_factory() as ix:
            same = [doc(p, i, f"{query}礼盒", "同样的描述") for p, i in
                    [("vshop", "b"), ("miniapp", "z"), ("vshop", "a"), ("miniapp", "c")]]
            ix.index_listings(same)
            hits = ix.search(query).hits
            assert [(h.platform, h.item_id) for h in hits] == [
                ("miniapp", "c"), ("miniapp", "z"), ("vshop", "a"), ("vshop", "b")]

    @pytest.mark.parametrize("query", ["测试", "测试商品", ""])
    def test_pagination_is_stable(self, index_factory, query: str) -> None:
        with index_factory() as ix:
            ix.index_listings([doc("weishop" if i % 2 else "vshop", f"p{i:02d}",
                                   "测试商品" + "测试" * (i % 3), "描述" + "测试商品" * (i % 4))
                               for i in range(45)])
            ix.flush()
            full = [(h.platform, h.item_id) for h in ix.search(query, limit=100).hits]
            assert len(full) == 45
            paged = []
            for offset in range(0, 50, 10):
                page = ix.search(query, limit=10, offset=offset)
                assert page.total == 45
                paged += [(h.platform, h.item_id) for h in page.hits]
            assert paged == full

    def test_bad_paging_is_a_query_error(self, index: Index) -> None:
        with pytest.raises(QueryError):
            index.search("烟", limit=-1)
        with pytest.raises(QueryError):
            index.search("烟", offset=-5)
        with pytest.raises(ValueError):
            index.search("烟", limit=5000)

    # --- snippets --------------------------------------------------------------------------------
    def test_snippet_highlights_the_original_text(self, index: Index) -> None:
        (hit,) = index.search("香烟", platform="vshop", category="烟具配件").hits[:1]
        assert "<em>香菸</em>" in hit.snippet  # traditional original, simplified query
        (m1,) = index.search("abc").hits
        assert "<em>ＡＢＣ</em>" in m1.snippet
        (w2,) = index.search("relx").hits
        assert "<em>RELX</em>" in w2.snippet

    def test_snippet_from_description_when_title_has_no_match(self, index: Index) -> None:
        (p1,) = index.search("私聊").hits
        assert "<em>私聊</em>" in p1.snippet
        (p1,) = index.search("香烟", platform="moments").hits
        assert "<em>香\u200b烟</em>" in p1.snippet

    def test_snippet_marks_every_term(self, index: Index) -> None:
        (w1,) = index.search("香烟 批发").hits
        assert "<em>香烟</em>" in w1.snippet and "<em>批发</em>" in w1.snippet

    def test_snippet_is_short_and_escaped(self, index_factory) -> None:
        with index_factory() as ix:
            long_desc = "前文" * 500 + "<b>香烟</b>&" + "后文" * 500
            ix.index_listings([doc("weishop", "long", "普通标题", long_desc)])
            (hit,) = ix.search("香烟").hits
            text = hit.snippet.replace("<em>", "").replace("</em>", "")
            assert len(text) < 120
            assert "<em>香烟</em>" in hit.snippet
            assert "&lt;b&gt;" in hit.snippet and "<b>" not in hit.snippet

    # --- writes ----------------------------------------------------------------------------------
    def test_reindex_replaces_without_duplicates(self, index: Index) -> None:
        before = index.count()
        index.index_listings([doc("weishop", "w1", "全新标题 雪茄", "新的描述")])
        index.index_listings([doc("weishop", "w1", "全新标题 雪茄", "新的描述")])
        index.flush()
        assert index.count() == before == len(CORPUS)
        assert self.ids(index, "正品香烟批发") == set()
        assert self.ids(index, "雪茄") == {"w1"}
        assert index.search("全新标题").total == 1

    def test_delisted_update_keeps_the_text(self, index: Index) -> None:
        index.index_listings([{"platform": "weishop", "item_id": "w1", "status": "delisted"}])
        index.flush()
        assert "w1" not in self.ids(index, "正品香烟批发")
        (hit,) = index.search("正品香烟批发", status="delisted").hits
        assert hit.title == "正品香烟批发 假一赔十" and hit.status == "delisted"
        assert hit.price == Decimal("88.00")

    def test_count(self, index: Index) -> None:
        assert index.count() == len(CORPUS)

    def test_persistence_across_reopen(self, index_factory) -> None:
        with index_factory() as ix:
            ix.index_listings(CORPUS)
        with index_factory() as ix:
            assert ix.count() == len(CORPUS)
            assert self.ids(ix, "香烟 批发") == {"w1"}

    def test_flushed_writes_visible_to_another_handle(self, index: Index, index_factory) -> None:
        index.index_listings([doc("weishop", "new1", "新品雪茄", "")])
        index.flush()
        with index_factory() as other:
            assert self.ids(other, "雪茄") == {"new1"}

    # --- exactness against brute force -----------------------------------------------------------
    def test_matches_equal_brute_force_substring_search(self, index_factory) -> None:
        """Random texts and random substrings of 1-5 characters (any script, any width)."""
        rng = random.Random(11)
        alphabet = list("香烟菸煙电子專利专利正品批发茶叶龙井ＡＢＣabcXYZ0123４５%_\"*-() ·，。") + ["\u200b", "\u3000"]
        docs = [doc(rng.choice(["weishop", "vshop"]), f"r{i}",
                    "".join(rng.choice(alphabet) for _ in range(rng.randint(3, 25))),
                    "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))))
                for i in range(150)]
        with index_factory() as ix:
            ix.index_listings(docs)
            for _ in range(150):
                source = rng.choice(docs)[rng.choice(["title", "description"])] or "香烟"
                start = rng.randrange(len(source))
                query = source[start:start + rng.randint(1, 5)]
                if rng.random() < 0.3:
                    query += " " + rng.choice(alphabet)
                terms = search_key(query).split()
                expected = {d["item_id"] for d in docs
                            if all(t in search_key(d["title"]) or t in search_key(d["description"]) for t in terms)}
                result = ix.search(query, limit=1000)
                assert {h.item_id for h in result.hits} == expected, query
                assert result.total == len(expected)

    # --- campaign prefilter: candidates over the detection-folded text ------------------------
    @staticmethod
    def _expected(anchors: set[str], docs: list[dict[str, Any]] = CORPUS, **only: Any) -> set[tuple[str, str]]:
        """Reference: a plain substring scan of the folded fields."""
        from search.text import listing_fold_keys

        out = set()
        for d in docs:
            if any(v is not None and d.get(k) not in v for k, v in only.items()):
                continue
            fields = listing_fold_keys(d)
            if any(a in f for a in anchors for f in fields):
                out.add((d["platform"], d["item_id"]))
        return out

    def test_candidates_find_folded_text(self, index: Index) -> None:
        from detect.text import fold

        anchors = {fold("香烟"), fold("专利")}
        got = index.candidates(anchors)
        assert got == self._expected(anchors)
        assert ("moments", "p1") in got  # 香\u200b烟: the zero-width space is folded away
        assert ("vshop", "v1") in got  # 專利 is traditional

    def test_candidates_short_long_and_filters(self, index: Index) -> None:
        from detect.text import fold

        for anchors in ({fold("烟")}, {fold("龙井")}, {fold("电子烟")}, {fold("ＡＢＣ")}, {"不存在的词"}):
            assert index.candidates(anchors) == self._expected(anchors), anchors
        anchors = {fold("烟")}
        assert index.candidates(anchors, platforms={"vshop"}) == self._expected(anchors, category=None, platform={"vshop"})
        assert index.candidates(anchors, categories={"烟具配件"}) == self._expected(anchors, category={"烟具配件"})
        assert index.candidates(anchors, status="active") == self._expected(anchors, status={"active"})
        assert index.candidates(set()) == set()

    def test_candidates_never_span_title_and_description(self, index_factory) -> None:
        ix = index_factory()
        try:
            ix.index_listings([doc("weishop", "x1", "买一送香", "烟雾报警器")])
            ix.flush()
            assert ix.candidates({"香烟"}) == set()
        finally:
            ix.close()

    def test_candidates_with_many_anchors(self, index: Index) -> None:
        from detect.text import fold

        rng = random.Random(5)
        texts = [fold(d["title"]) + fold(d["description"]) for d in CORPUS]
        anchors = {f"无关词{i}" for i in range(900)}  # more than one query's worth
        for _ in range(40):
            t = rng.choice([t for t in texts if len(t) > 4])
            i = rng.randrange(len(t) - 3)
            anchors.add(t[i:i + rng.choice([1, 2, 3, 4])])
        assert index.candidates(anchors) == self._expected(anchors)
