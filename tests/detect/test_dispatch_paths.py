"""The streaming path's shortcuts give exactly the matches of the straight definitions: the batch
path (automaton byte offsets grouped by listing, candidates handled through the per-term plan) is
the per-listing path on simulator listings and on hand-written hard cases, and the patent regexes'
first-character lookahead changes no match."""
from __future__ import annotations

import re

import pytest

from detect import patents
from detect.campaign import load_campaign
from detect.engine import Detector
from tests.detect.conftest import TODAY


def _simulator_listings(merchants=80, seed=3):
    from mallsim.model import PLATFORMS
    from mallsim.world import World, WorldConfig

    world = World(WorldConfig(seed=seed, merchants=merchants))
    out = []
    for platform in PLATFORMS:
        for m in world.merchants(platform):
            for item in world.listings(m, include_delisted=False):
                out.append({"platform": platform, "category": None if platform == "moments" else item.category,
                            "title": item.title, "description": item.description, "shop_name": m.name,
                            "labels": item.labels})
    return out


def test_batch_path_is_the_per_listing_path_on_simulator_listings(detector):
    docs = _simulator_listings()
    straight = [detector.scan_listing(doc) for doc in docs]
    assert list(detector.scan_listings(docs)) == straight
    # the comparison covers every family's hits, not only empty results
    found = {m.family for matches in straight for m in matches}
    assert {"tobacco", "fake_patent", "misleading_ad"} <= found
    assert sum(map(bool, straight)) > len(docs) // 20


HARD = [
    # hits next to one another, in every field, across separators the fold removes
    {"title": "软中华2条 中华 1条，香 煙 整条", "description": "专利号ZL 2019 2 0123456.7 国家专利", "shop_name": "烟酒行"},
    {"title": "不含烟草 无烟锅 烟台苹果", "description": "最佳食用期 第一次 销量第一 批发", "category": "food"},
    {"title": "Ｒ Ｅ Ｌ Ｘ 悦刻 烟弹", "description": "xiang yan 1条 yancheng", "category": "digital"},
    {"title": "实用新型专利 申请号 201920123456.5 已授权", "description": "专利产品 申请中", "category": "household"},
    {"title": "ZL**** 专利 CN 123456789 U 外观", "description": "CN2019301234567.X", "category": "household"},
    {"title": "", "description": "", "shop_name": ""},
]


@pytest.mark.parametrize("batch", [1, 3, 512])
def test_batch_path_is_the_per_listing_path_on_hard_cases(detector, batch):
    straight = [detector.scan_listing(doc) for doc in HARD]
    assert list(detector.scan_listings(HARD, batch=batch)) == straight
    assert all(straight[:2]) and straight[-1] == []


def test_a_term_split_across_code_units_is_no_candidate(tmp_path):
    # UTF-16 bytes of 愀换d (00 61 62 63 64 00) hold those of 扡摣 (61 62 63 64) at an odd offset:
    # the batch path drops such automaton matches while it groups them by listing
    path = tmp_path / "c.yaml"
    path.write_text("id: t\nname: t\nrules:\n  - id: r\n    family: tobacco\n    severity: high\n"
                    "    terms: [扡摣]\n", encoding="utf-8")
    detector = Detector([load_campaign(path)], today=TODAY)
    docs = [{"title": "愀换d"}, {"title": "x扡摣"}, {"title": "愀换d 扡摣"}]
    found = [[(m.start, m.end) for m in matches] for matches in detector.scan_listings(docs)]
    assert found == [[], [(1, 3)], [(4, 6)]]
    assert found == [[(m.start, m.end) for m in detector.scan_listing(doc)] for doc in docs]


NUMBER_TEXTS = [
    "ZL 2019 2 0123456.7", "zl201920123456.5", "ＺＬ２０１９２０１２３４５６．５", "ABCZL 2019 2 0123456.5",
    "订单号2019201234565", "CN 2010 8 0063196.9", "CN123456789U", "ACN123456789U", "CN 123456789 Ａ1",
    "专利号：ZL95115608.X新款", "95115608.X", "x95115608.X", "ZL：2015 0 6727372.5 。", "2019 2 0123456 . 5",
    "ZL2019****1234", "专利号：20********12", "CN 20***** 专利", "价格 12345 元 电话 13800138000",
]


@pytest.mark.parametrize("name", ["_NUMBER", "_PUBLICATION", "_MASKED"])
def test_number_regexes_match_as_without_their_lookahead(name):
    fast = getattr(patents, name)
    assert fast.pattern.startswith("(?=[")
    plain = re.compile(fast.pattern[fast.pattern.index("])") + 2:])
    for text in NUMBER_TEXTS + ["  " + t for t in NUMBER_TEXTS] + [" ".join(NUMBER_TEXTS)]:
        assert [(m.span(), m.groupdict()) for m in fast.finditer(text)] == \
               [(m.span(), m.groupdict()) for m in plain.finditer(text)], text
