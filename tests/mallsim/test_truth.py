"""Ground truth agrees with what is served: labels are re-derived from the generated text with
this file's own regexes and word lists (taken from domain.md, not from mallsim.vocab)."""
from __future__ import annotations

import io
import json
import re
import unicodedata

import pytest

from mallsim import codes
from mallsim.model import LABELS, PLATFORMS, Listing
from mallsim.truth import canonical_url, truth_records, write_truth
from mallsim.world import World, WorldConfig


def base(platform: str) -> str:
    return f"http://{platform}.mallsim.test:8800"


@pytest.fixture(scope="module")
def world() -> World:
    return World(WorldConfig(merchants=800, day=2))


@pytest.fixture(scope="module")
def listings(world: World) -> list[Listing]:
    return [x for p in PLATFORMS for m in world.merchants(p) for x in world.listings(m)]


def text_of(x: Listing) -> str:
    return "\n".join([x.title, x.description, *(i.alt for i in x.images)])


# --- independent detectors ------------------------------------------------------------------------

_TRAD = str.maketrans("菸電彈捲條華雙黃鶴樓貨價發現實圖買賣專國產進稅細軟糧霧", "烟电弹卷条华双黄鹤楼货价发现实图买卖专国产进税细软粮雾")
_SEPARATORS = re.compile(r"(?<=[\u4e00-\u9fffa-z])[ *\/.\-_~·丶｜|❤+\u200b]+(?=[\u4e00-\u9fffa-z])")
_PINYIN = (("dianziyan", "电子烟"), ("xiangyan", "香烟"), ("yandan", "烟弹"), ("xy", "香烟"), ("yan", "烟"))
TOBACCO_STRONG = ("香烟", "卷烟", "烟草", "电子烟", "烟弹", "烟油", "雾化", "烟丝", "雪茄", "外烟", "免税烟", "出口烟",
                  "尼古丁", "烟碱", "换弹", "小烟", "烟叶", "滤嘴棒", "卷烟纸", "华子", "口粮", "烟民", "烟友")
BRANDS = ("中华", "玉溪", "芙蓉王", "黄鹤楼", "利群", "南京", "苏烟", "云烟", "大重九", "红塔山", "黄金叶", "荷花", "娇子",
          "白沙", "双喜", "七匹狼", "泰山", "长白山", "万宝路", "七星", "爱喜", "登喜路", "悦刻", "relx", "yooz", "iqos",
          "软华", "硬华", "蓝利", "九五", "1916", "和天下", "宽窄")
UNITS = re.compile(r"[条盒支颗]")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().translate(_TRAD).replace("🚬", "烟")
    text = _SEPARATORS.sub("", text)
    for py, han in _PINYIN:
        text = re.sub(rf"(?<![a-z]){py}(?![a-z])", han, text)
    return text


def tobacco_signal(text: str) -> bool:
    t = normalise(text)
    if any(w in t for w in TOBACCO_STRONG):
        return True
    return bool(UNITS.search(t)) and ("烟" in t or any(b in t for b in BRANDS))


ABSOLUTE = ("最", "第一", "no.1", "top1", "100%", "国家级", "世界级", "全球", "唯一", "首选", "独家", "顶级", "顶尖", "极品",
            "极致", "终极", "至尊", "王牌", "冠军", "领导品牌", "领先", "绝对", "万能", "永久", "独一无二", "绝无仅有",
            "史无前例", "填补国内空白", "史上")
MEDICAL = ("治疗", "治愈", "根治", "疗效", "抗癌", "防癌", "降血压", "降血糖", "降血脂", "降三高", "消炎", "杀菌", "抑菌",
           "排毒", "包治百病", "无副作用", "增强免疫力", "壮阳", "补肾", "活血", "祛斑", "生发", "药妆", "医学护肤品",
           "脱敏", "有效率", "无效退款", "治", "药物", "血管", "激素")
STATE = ("特供", "专供", "内供", "国宴", "国宾", "政府", "机关", "部队", "军供", "人民大会堂", "军区")
MINORS = ("学生", "儿童专用", "小学生", "校园", "开学必备", "爸妈", "爸爸妈妈", "妈妈", "初中生")
AD_TERMS = ABSOLUTE + MEDICAL + STATE + MINORS

PATENT_RE = re.compile(r"(?:(ZL|CN)[\s.:：]*)?(\d{4}\s?\d\s?\d{7}|\d{8})\s?\.\s?([\dX])")
KIND_WORDS = (("发明", "invention"), ("实用新型", "utility"), ("新型", "utility"), ("外观", "design"))


def patents_in(text: str) -> list[tuple[str | None, codes.PatentNumber]]:
    text = unicodedata.normalize("NFKC", text)
    out = []
    for m in PATENT_RE.finditer(text):
        number = codes.parse_patent(f"{m.group(2)}.{m.group(3)}")
        assert number is not None, m.group(0)
        out.append((m.group(1), number))
    return out


def stated_kinds(text: str) -> set[str]:
    kinds = set()
    for word, kind in KIND_WORDS:
        if word in text and not (word == "新型" and "实用新型" in text):
            kinds.add(kind)
    return kinds


TERM = {"invention": 20, "utility": 10, "design": 10}


def patent_ok(n: codes.PatentNumber, sim_year: int = 2025) -> bool:
    return (n.check_ok and n.kind is not None and 1985 <= n.year < sim_year
            and n.year + TERM[n.kind] > sim_year)


# --- tests ----------------------------------------------------------------------------------------

def test_tobacco_listings_carry_a_signal(listings: list[Listing]) -> None:
    bad = [text_of(x) for x in listings if "tobacco" in x.labels and not tobacco_signal(text_of(x))]
    assert not bad, bad[:5]


def test_clean_listings_have_no_tobacco_words(listings: list[Listing]) -> None:
    clean = [x for x in listings if not x.labels and not x.hard_negative]
    assert len(clean) > 10_000
    bad = [text_of(x) for x in clean if "烟" in normalise(text_of(x)) or tobacco_signal(text_of(x))]
    assert not bad, bad[:5]
    bad = [text_of(x) for x in listings if "tobacco" not in x.labels and not x.hard_negative
           and "tobacco:" in " ".join(x.notes)]
    assert not bad


def test_tobacco_hard_negatives_look_like_tobacco(listings: list[Listing]) -> None:
    traps = [x for x in listings if x.hard_negative and any(
        n.split(":")[1] in ("range_hood", "niacinamide", "yantai_apple", "smoked_salmon", "smoking_accessory",
                            "kouliang_tea", "huazi_phone", "ashtray_lighter") for n in x.notes)]
    assert len(traps) > 100
    bad = [text_of(x) for x in traps if not re.search("烟|口粮|华子|打火机", text_of(x))]
    assert not bad, bad[:3]


def test_misleading_ads_contain_a_term(listings: list[Listing]) -> None:
    ads = [x for x in listings if "misleading_ad" in x.labels]
    assert len(ads) > 200
    bad = [text_of(x) for x in ads if not any(t in unicodedata.normalize("NFKC", text_of(x)).lower() for t in AD_TERMS)]
    assert not bad, bad[:5]


def test_clean_listings_have_no_ad_terms(listings: list[Listing]) -> None:
    strong = [t for t in ABSOLUTE + MEDICAL + STATE if t not in ("治", "血管", "药物")] + ["学生专用", "爸妈"]
    bad = []
    for x in listings:
        if x.labels or x.hard_negative:
            continue
        t = unicodedata.normalize("NFKC", text_of(x)).lower()
        hits = [w for w in strong if w in t]
        if hits:
            bad.append((hits, text_of(x)))
    assert not bad, bad[:5]


def test_fake_patents_show_the_noted_defect(listings: list[Listing]) -> None:
    fakes = [x for x in listings if "fake_patent" in x.labels]
    assert len(fakes) > 150
    for x in fakes:
        text = text_of(x)
        numbers = patents_in(text)
        defects = [n.split(":")[1] for n in x.notes if n.startswith("patent:")]
        assert defects, x.notes
        for defect in defects:
            if defect == "bad_check":
                ok = any(not n.check_ok for _, n in numbers)
            elif defect == "future_year":
                ok = any(n.year > 2026 for _, n in numbers)
            elif defect == "early_year":
                ok = any(n.year < 1985 for _, n in numbers)
            elif defect == "bad_type":
                ok = any(n.kind is None for _, n in numbers)
            elif defect == "type_mismatch":
                ok = "发明" in text and any(n.kind in ("utility", "design") and n.check_ok for _, n in numbers)
            elif defect == "pending_as_granted":
                ok = bool(re.search("申请号|申请中|已申请", text)) and bool(re.search("ZL|专利产品|已获", text))
            elif defect == "expired":
                ok = any(n.check_ok and n.kind and n.year + TERM[n.kind] <= 2025 for _, n in numbers)
            elif defect == "masked":
                ok = bool(re.search(r"ZL\s?\d{0,5}[\d ]*\*", text))
            elif defect == "no_number":
                ok = "专利" in text and bool(re.search("国家|多项", text))
            else:
                raise AssertionError(defect)
            assert ok, (defect, text)


def test_clean_patent_numbers_are_valid(listings: list[Listing]) -> None:
    shown = 0
    for x in listings:
        if "fake_patent" in x.labels:
            continue
        text = text_of(x)
        numbers = patents_in(text)
        if "patent:pending_marked" in x.notes:
            assert "尚未授权" in text and numbers and all(n.check_ok for _, n in numbers), text
            assert "ZL" not in text
            continue
        for prefix, n in numbers:
            shown += 1
            assert patent_ok(n), (n, text)
            kinds = stated_kinds(text)
            assert kinds == {n.kind}, (kinds, n, text)
        if "patent:valid" in x.notes:
            assert numbers, text
        if "trap:order_number" in x.notes:
            assert not numbers, text
    assert shown > 30


def test_licence_labels(world: World) -> None:
    for p in PLATFORMS:
        for m in world.merchants(p):
            lic = m.licence
            broken = lic.shown_as == "missing" or not lic.uscc or not codes.uscc_is_valid(lic.uscc)
            assert ("license" in m.labels) == broken, m
            if lic.shown_as != "missing":
                assert lic.company and lic.address and lic.scope
                if codes.uscc_is_valid(lic.uscc):
                    kind = lic.uscc[1]
                    assert (kind == "1") == ("公司" in lic.company)


def test_truth_file() -> None:
    world = World(WorldConfig(merchants=200, day=2))
    buf = io.StringIO()
    counts = write_truth(world, buf, base)
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    merchants = [r for r in lines if r["kind"] == "merchant"]
    items = [r for r in lines if r["kind"] == "listing"]
    assert counts["merchants"] == len(merchants) == 200
    assert counts["listings"] == len(items)
    assert counts["active"] == sum(r["status"] == "active" for r in items)
    assert set(counts["by_label"]) == set(LABELS) and all(counts["by_label"][k] > 0 for k in LABELS)
    keys = {"kind", "platform", "shop_id", "item_id", "url", "title", "category", "price", "status", "labels",
            "hard_negative", "notes", "first_day", "changed_day"}
    assert all(keys <= set(r) for r in items)
    assert all(re.fullmatch(r"\d+\.\d\d", r["price"]) for r in items)
    assert {"kind", "platform", "shop_id", "url", "name", "labels", "licence"} <= set(merchants[0])
    assert lines == list(truth_records(world, base))


def test_canonical_urls() -> None:
    assert canonical_url("weishop", "listing", "100001002", base) == "http://weishop.mallsim.test:8800/item/100001002"
    assert canonical_url("weishop", "merchant", "100001", base) == "http://weishop.mallsim.test:8800/shop/100001"
    assert canonical_url("miniapp", "listing", "100001002", base) == \
        "http://miniapp.mallsim.test:8800/api/v1/item?item_id=100001002"
    assert canonical_url("miniapp", "merchant", "100001", base) == \
        "http://miniapp.mallsim.test:8800/api/v1/shop?shop_id=100001"
    assert canonical_url("vshop", "listing", "100001002", base) == "http://vshop.mallsim.test:8800/item/100001002"
    assert canonical_url("vshop", "merchant", "100001", base) == "http://vshop.mallsim.test:8800/shop/100001"
    assert canonical_url("moments", "listing", "100001002", base) == "http://moments.mallsim.test:8800/p/100001002"
    assert canonical_url("moments", "merchant", "100001", base) == "http://moments.mallsim.test:8800/u/100001"
    with pytest.raises(ValueError):
        canonical_url("weishop", "post", "1", base)


def test_moments_title_is_first_line(listings: list[Listing]) -> None:
    for x in listings:
        if x.platform == "moments":
            assert x.title == x.description.split("\n", 1)[0][:30]


def test_moments_posts_quote_their_price(listings: list[Listing]) -> None:
    from mallsim.phrasing.base import fmt_price
    from mallsim.phrasing.layout import spoken_number

    for x in listings:
        if x.platform != "moments":
            continue
        text = unicodedata.normalize("NFKC", x.description)
        shown = fmt_price(x.price)
        assert shown in text or (x.price == int(x.price) and spoken_number(int(x.price)) in text), (x.price, text)
