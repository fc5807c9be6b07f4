"""Campaign files: a valid file loads with folded terms and anchors; a malformed one is rejected
with the file, the line and the reason."""
from __future__ import annotations

import textwrap
from datetime import date

import pytest

from crawler.errors import UserError
from detect.campaign import CampaignError, load_campaign
from detect.engine import Detector

VALID = """\
id: summer-618
name: 618 促销专项
period: {start: 2025-06-01, end: 2025-06-30}
scope:
  platforms: [weishop, moments]
  categories: [liquor]
rules:
  - id: brand-unit
    family: tobacco
    severity: high
    fields: [title]
    terms: [中華, ＲＥＬＸ]
    exclude: [中华书局]
    near: {terms: [條], within: 4}
  - id: fake-numbers
    family: fake_patent
    detector: patent_number
"""


def write(tmp_path, text, name="c.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_valid_campaign(tmp_path):
    c = load_campaign(write(tmp_path, VALID))
    assert c.id == "summer-618" and c.period == (date(2025, 6, 1), date(2025, 6, 30))
    assert c.platforms == {"weishop", "moments"} and c.categories == {"liquor"}
    brand, numbers = c.rules
    assert brand.terms == ("中华", "relx")  # folded like the text they are matched on
    assert brand.near.terms == ("条",) and brand.exclude == ("中华书局",)
    assert brand.anchors == {"中华", "relx"}
    assert numbers.detector == "patent_number" and "专利" in numbers.anchors
    assert c.active_on(date(2025, 6, 18)) and not c.active_on(date(2025, 7, 1))


def test_rules_apply_scope_period_fields_and_near(tmp_path):
    c = load_campaign(write(tmp_path, VALID))
    d = Detector([c], today=date(2025, 6, 18))
    hit = {"title": "中华 2条", "category": "liquor", "platform": "weishop"}
    assert [m.rule for m in d.scan_listing(hit)] == ["brand-unit"]
    assert d.scan_listing({**hit, "platform": "vshop"}) == []  # platform out of scope
    assert d.scan_listing({**hit, "category": "tea"}) == []  # category out of scope
    assert d.scan_listing({**hit, "title": "中华 大礼包 特价 2条"}) == []  # unit too far away
    assert d.scan_listing({"description": "中华 2条", "category": "liquor", "platform": "weishop"}) == []
    assert Detector([c], today=date(2025, 7, 1)).scan_listing(hit) == []  # period over


def test_not_after_voids_a_hit_right_after_its_words_in_the_same_sentence(tmp_path):
    c = load_campaign(write(tmp_path, "id: x\nname: y\nrules:\n  - id: best\n    family: misleading_ad\n"
                                      "    terms: [最好吃]\n    not_after: {terms: [冰镇], within: 6}\n"))
    assert c.rules[0].to_dict()["not_after"] == {"terms": ["冰镇"], "within": 6}
    d = Detector([c])
    assert d.scan_listing({"title": "西瓜 冰镇后最好吃"}) == []
    assert [m.matched for m in d.scan_listing({"title": "西瓜 冰镇。最好吃"})] == ["最好吃"]  # another sentence
    assert [m.matched for m in d.scan_listing({"title": "冰镇 西瓜 来自海南的全国最好吃"})] == ["最好吃"]  # too far


@pytest.mark.parametrize("text, line, reason", [
    ("id: x\nname: y\nrules: []\n", 3, "non-empty list"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobaco\n    terms: [烟]\n", 5, "unknown family 'tobaco'"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobacco\n    trems: [烟]\n", 6, "unknown key 'trems'"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobacco\n", 4, "needs 'terms'"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobacco\n    terms: [烟]\n  - id: a\n    family: tobacco\n"
     "    terms: [烟]\n", 7, "duplicate rule id 'a' (first at line 4)"),
    ("id: x\nname: y\nid: z\nrules: []\n", 3, "duplicate key 'id'"),
    ("id: X Y\nname: y\nrules: []\n", 1, "lower-case"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobacco\n    terms: [烟, '！！']\n", 6, "no letters or digits"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobacco\n    terms: [烟]\n    near: {terms: [条], within: 0}\n",
     7, "near.within: must be 1..200"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobacco\n    terms: [烟]\n    not_after: {terms: [冰镇]}\n",
     7, "within"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobacco\n    detector: uscc\n", 6, "reports family 'license'"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: fake_patent\n    detector: patent_number\n    terms: [a]\n",
     7, "does not apply to a built-in detector"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobacco\n    detector: nope\n", 6, "unknown detector 'nope'"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobacco\n    terms: [烟]\n    fields: [body]\n", 7, "unknown field 'body'"),
    ("id: x\nname: y\nperiod: {start: 2025-07-01, end: 2025-06-01}\nrules: []\n", 3, "ends (2025-06-01) before"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: tobacco\n    severity: urgent\n    terms: [烟]\n", 6, "unknown severity"),
    ("id: x\nname: [y\nrules: []\n", 3, "not valid YAML"),
    ("id: x\nrules: []\n", 1, "missing name"),
    ("- just\n- a list\n", 1, "campaign must be a mapping"),
    ("", 1, "the file is empty"),
    ("id: x\nname: y\nrules:\n  - id: a\n    family: license\n    terms: [烟]\n", 4, "'uscc' detector"),
    ("id: x\nname: y\nenabled: no\nrules:\n  - id: a\n    family: tobacco\n    terms: [no]\n", 7, "must be a str or int, got False"),
])
def test_malformed_files_name_line_and_reason(tmp_path, text, line, reason):
    path = write(tmp_path, text)
    with pytest.raises(CampaignError) as err:
        load_campaign(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert reason in message, message
    assert isinstance(err.value, UserError)  # the CLI prints it as "shopwatch: ..." and exits 2


def test_unreadable_files(tmp_path):
    with pytest.raises(CampaignError, match="cannot read"):
        load_campaign(tmp_path / "missing.yaml")
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9".encode("latin-1"))
    with pytest.raises(CampaignError, match=r":1: not UTF-8"):
        load_campaign(path)


def test_shipped_campaigns_are_real_and_large(campaigns):
    ids = {c.id for c in campaigns}
    assert ids == {"tobacco", "fake-patent", "misleading-ad", "licence"}
    assert {r.family for c in campaigns for r in c.rules} == {"tobacco", "fake_patent", "misleading_ad", "license"}
    distinct = set()
    for c in campaigns:
        for r in c.rules:
            distinct.update(r.terms, r.exclude, r.unless, r.near.terms if r.near else ())
    assert len(distinct) >= 2000
    for c in campaigns:  # the legal basis is cited in each file
        assert "Legal basis" in c.source.read_text(encoding="utf-8")


def test_anchor_contract(campaigns, detector):
    """Every listing hit's folded field text contains one of its rule's anchors (what the
    retroactive engine relies on to prefilter with index queries)."""
    from detect.text import fold

    rules = {(c.id, r.id): r for c in campaigns for r in c.rules}
    docs = [{"title": "软 中.華 2條", "description": "国家专利 ZL 2019 2 0123456.7"},
            {"title": "降血压茶", "description": "全网最低价", "category": "tea"},
            {"title": "R E L X 烟弹", "description": "部队特供"}]
    for doc in docs:
        for m in detector.scan_listing(doc):
            anchors = rules[(m.campaign, m.rule)].anchors
            assert anchors is not None
            assert any(a in fold(doc.get(m.field) or "") for a in anchors), m
    assert rules[("licence", "licence-disclosure")].anchors is None


def test_campaign_scope_also_limits_built_in_detectors(tmp_path):
    c = load_campaign(write(tmp_path, VALID))
    d = Detector([c], today=date(2025, 6, 18))
    doc = {"title": "专利号 ZL 2019 2 0123456.7", "category": "liquor", "platform": "weishop"}
    assert [m.rule for m in d.scan_listing(doc)] == ["fake-numbers"]
    assert d.scan_listing({**doc, "platform": "vshop"}) == []
