"""Patent numbers: domain.md's worked check characters, and what the detector flags."""
from __future__ import annotations

from datetime import date

import pytest

from detect import patents
from tests.detect.conftest import TODAY


@pytest.mark.parametrize("digits, check", [
    ("95115608", "X"),  # ZL95115608.X: sum 186, 186 mod 11 = 10 -> X
    ("201710601862", "3"),
    ("201080063196", "9"),  # PCT national phase
    ("201920123456", "5"),  # the brief's ZL 2019 2 0123456.7 is invalid: .5
])
def test_check_character(digits, check):
    assert patents.check_char(digits) == check


def _problems(text, today=TODAY):
    numbers = patents.find_numbers(text)
    assert len(numbers) == 1, numbers
    return patents.problems(numbers[0], None, today)


@pytest.mark.parametrize("text", [
    "ZL95115608.X", "ZL 2017 1 0601862.3", "CN 2010 8 0063196.9", "专利号：ZL２０１７１０６０１８６２．３",
])
def test_valid_numbers_in_all_spellings(text):
    assert _problems(text, date(2025, 1, 1)) in ([], ["expired: a invention filed in 1995 lapsed by 2015"])


def test_problems_are_named():
    assert "bad check character 7: expected 5" in _problems("ZL 2019 2 0123456.7")[0]
    assert "future" in " ".join(_problems("ZL 2031 1 0601862.5"))
    assert "type digit 5" in " ".join(_problems("ZL 2019 5 0123456.1"))
    assert "that format began in 2003" in " ".join(_problems("ZL 1998 1 0601862.8"))
    assert "expired" in " ".join(_problems("ZL 2012 2 0123456.3"))  # utility model: 10 years


def test_order_and_phone_numbers_are_not_patents():
    assert patents.find_numbers("订单号 202405011234 电话 13800138000") == ()


def _fake_patent(detector, title, description=""):
    return [m for m in detector.scan_listing({"title": title, "description": description, "category": "household"})
            if m.family == "fake_patent"]


def test_detector_flags_bad_numbers_with_offsets(detector):
    title = "保温杯 实用新型专利 ZL 2019 2 0123456.7 正品"
    (m,) = _fake_patent(detector, title)
    assert m.matched == "ZL 2019 2 0123456.7" == title[m.start:m.end]
    assert "expected 5" in m.detail


def test_claimed_type_against_type_digit(detector):
    hits = _fake_patent(detector, "发明专利 ZL 2019 2 0123456.5 保温杯")
    assert hits and "claimed invention" in hits[0].detail
    assert _fake_patent(detector, "实用新型专利 ZL 2019 2 0123456.5 保温杯") == []


def test_national_patent_without_number(detector):
    (m,) = _fake_patent(detector, "国家专利产品 多功能锅")
    assert "without a patent number" in m.detail and m.matched == "专利"


def test_application_sold_as_granted(detector):
    assert _fake_patent(detector, "已获实用新型专利 申请号201920123456.5 收纳盒")
    assert _fake_patent(detector, "专利产品 专利申请中 201920123456.5")
    # correctly marked pending application (专利标识标注办法): no hit
    assert _fake_patent(detector, "实用新型专利申请，尚未授权 申请号：201920123456.5") == []


def test_masked_number(detector):
    assert "masked" in _fake_patent(detector, "专利号 ZL2019****** 防滑垫")[0].detail


def test_truncated_title_is_not_judged(detector):
    assert _fake_patent(detector, "外观设计产品 专利号 ZL：20233582") == []


def test_check_character_of_unnormalized_digits_takes_the_plain_way():
    # the digit loop is for ASCII digits only; other digits are still weighed correctly
    assert patents.check_char("２０１７１０６０１８６２") == "3" == patents.check_char("201710601862")
    assert patents.check_char("9511560") == str(sum(int(c) * w for c, w in zip("9511560", (2, 3, 4, 5, 6, 7, 8))) % 11)


@pytest.mark.parametrize("text", [
    "", "no digits 1234", "12345", "专利号ZL 2019 2 0123456.5，订单 123456789", "CN 123456789 A 和 CN123456789U",
    "ＣＮ１２３４５６７８９Ｓ", "n123456789", "N  123456789", "１２３４５x67890", "电话13800138000 ZL95115608.X",
])
def test_digit_run_loop_is_the_regex_scan(text, monkeypatch):
    """Compiled, the digit runs come from one loop over the text; interpreted, from a regex:
    the same bounds, the same publication hint, the same numbers."""
    monkeypatch.setattr(patents, "COMPILED", False)
    by_regex = patents._digit_runs(text), patents.find_numbers.__wrapped__(text)
    monkeypatch.setattr(patents, "COMPILED", True)
    by_loop = patents._digit_runs(text), patents.find_numbers.__wrapped__(text)
    assert by_regex == by_loop
    if "CN" in text or "ＣＮ" in text:
        assert by_loop[0][2] and any(n.publication_kind for n in by_loop[1])


@pytest.mark.parametrize("text, claimed", [
    ("发明专利，外观设计 ZL 2019 2 0123456.5", "design"),  # the nearest word before the number
    ("外观设计 实用新型专利 ZL 2019 2 0123456.5", "utility"),
    ("ZL 2019 2 0123456.5 外观 发明", "design"),  # none before: the first one after
    ("发明" + "x" * 40 + "ZL 2019 2 0123456.5", None),  # too far before, nothing after
    ("ZL 2019 2 0123456.5", None),
])
def test_claimed_type_is_the_nearest_claim_word(text, claimed):
    from detect.detectors import _claimed_type

    (number,) = patents.find_numbers(text)
    assert _claimed_type(text, number.start, number.end) == claimed


@pytest.mark.parametrize("text", [
    "發 明 专利 ZL 2019 2 0123456.5",  # another kind, traditional and spaced: must be looked up
    "实用新型专利 ZL 2019 2 0123456.5",  # the number's own kind: nothing to report either way
    "外观设计 实用新型专利 ZL 2019 2 0123456.5",
    "ZL 2019 2 0123456.5 外．观",  # after the number, with punctuation inside
    "ZL 2019 1 0123456.X 新型",
    "发明" + "x" * 40 + "ZL 2019 3 0123456.5",
    "专利号 2019 9 0123456.5 实 用 新 型",  # type digit 9: utility
    "CN 201912345 U 發明",  # publication number, kind code U
    "ZL 2019 7 0123456.5 发明",  # unknown type digit
])
def test_claim_shortcut_reports_what_the_full_lookup_reports(text):
    """``_claim_for`` skips the fold when no claim word of another kind can be near: the problems
    reported must be exactly those of the full lookup."""
    from detect.detectors import _claim_for, _claimed_type

    numbers = patents.find_numbers(text)
    assert numbers
    for number in numbers:
        full = patents.problems(number, _claimed_type(text, number.start, number.end), TODAY)
        assert patents.problems(number, _claim_for(number, text), TODAY) == full


@pytest.mark.parametrize("text", ["发明专利 ZL 2019 2 0123456.5", "外观设计 实用新型专利 ZL 2019 2 0123456.5 外观",
                                  "ZL 2019 3 0123456.5 發明 新型", "𠀀 ZL 2019 1 0123456.5", "abc ZL 2019 1 0123456.5 xyz"])
def test_claim_window_loop_is_the_regex_search(text, monkeypatch):
    """Compiled, whether a claim window can name another patent type is one table loop;
    interpreted, a regex search: the same answer for every window and kind."""
    from detect import detectors

    numbers = patents.find_numbers(text)
    assert numbers
    for number in numbers:
        for kind in ("invention", "utility", "design"):
            for lo, hi in ((0, number.start), (number.end, number.end + 12), (-3, 5), (len(text) - 2, len(text) + 10)):
                monkeypatch.setattr(detectors, "COMPILED", False)
                by_regex = detectors._may_claim_other_in(text, lo, hi, kind)
                monkeypatch.setattr(detectors, "COMPILED", True)
                assert detectors._may_claim_other_in(text, lo, hi, kind) == by_regex, (kind, lo, hi)


def test_every_pending_word_holds_a_hint():
    """scan_patent_claims tests PENDING_HINTS before the pending regex: a word without one would
    never be found."""
    from detect import detectors

    assert all(any(h in w for h in detectors.PENDING_HINTS) for w in detectors.PENDING_WORDS)
    assert all(detectors._says_pending(f"产品{w}，欢迎咨询") for w in detectors.PENDING_WORDS)
    assert not detectors._says_pending("专利产品 申请人 审美 受理点")


@pytest.mark.parametrize("title, description", [
    ("原创设计茶几", "已提交外观设计专利申请，还没授权，实木岩板"),  # honest pending, no granted claim
    ("出 无线充电器", "朋友说是在申请专利，我也不清楚，20块出"),
    ("专利检索服务", "提供国内外专利检索、FTO分析报告"),  # a service, not a claim about goods
    ("专利申请代理 发明/实用新型", "专业代理人一对一服务"),
    ("原创手机挂绳", "外观设计专利已经提交申请，所以暂时不敢写专利产品"),  # a refused claim
    ("经典折叠伞", "伞骨的实用新型专利（ZL200520118376.9）早已到期，现在不再作为专利产品宣传"),
])
def test_honest_patent_statements_are_not_flagged(detector, title, description):
    assert _fake_patent(detector, title, description) == []


def test_acceptance_notice_or_examination_is_still_an_application(detector):
    hits = _fake_patent(detector, "专利美容仪", "已经拿到专利受理通知书，等于是专利产品了 受理号 202410973528.0")
    assert any("application presented as a granted patent" in h.detail for h in hits)
    hits = _fake_patent(detector, "已获专利 静音挂钟", "专利号ZL202510638274.1（目前实审阶段）")
    assert any("ZL (granted) on a number the text calls an application" in h.detail for h in hits)


def test_patent_scope_misuse(detector):
    # a design patent (type digit 3) sold as protecting a technique or structure
    (hit,) = _fake_patent(detector, "外观设计专利 防滑宠物碗", "外观设计专利号：ZL202330642189.4 专利防滑结构，不推碗")
    assert "design patent protects appearance only" in hit.detail and hit.matched == "专利防滑结构"
    # a utility model (type digit 2) sold as protecting a recipe
    hits = _fake_patent(detector, "手工芝麻丸", "配方已获实用新型专利 ZL 202020783451.8 九蒸九晒")
    assert any("not a recipe or process" in h.detail for h in hits)
    # the type named as it is ("外观设计专利技术") is no claim of a function
    assert _fake_patent(detector, "儿童座椅 采用外观设计专利技术，专利号ZL 2020 3 2456446.4") == []


def test_claims_read_the_way_outside_authors_wrote_them(detector):
    # a design patent sold for a function right after "专利"
    hits = _fake_patent(detector, "无线吸尘器", "外观专利号ZL 2020 3 2222954.6 专利防缠绕刷头 头发不缠")
    assert any("design patent protects appearance only" in h.detail for h in hits)
    # a utility model claimed for a method
    hits = _fake_patent(detector, "手工米酒", "我们家的酿造方法有实用新型专利 ZL 2020 2 0118734.0")
    assert any("not a recipe or process" in h.detail for h in hits)
    # a published application (kind A) sold as a granted invention
    hits = _fake_patent(detector, "发明专利 祛痘精华", "公开号 CN 118234567 A 发明专利产品")
    assert any("application presented as a granted patent" in h.detail for h in hits)
    # a masked number whose ZL sits a few characters before the mask
    assert any("masked" in h.detail for h in _fake_patent(detector, "折叠菜篮", "实用新型专利 ZL2019 2 07****.X"))


@pytest.mark.parametrize("title, description", [
    ("真空收纳袋", "发明专利申请号 202410567901.2 申请公布阶段 尚未获得专利授权"),  # a negated grant
    ("桌面暖风机", "出风口结构已申请实用新型专利 目前尚未授权 请勿理解为专利产品"),
    ("专利年费代缴 法律状态查询", "专利年费忘了交是会失效的"),
    ("《专利法》条文释义 二手", "考专利代理师买的"),
])
def test_more_honest_statements(detector, title, description):
    assert _fake_patent(detector, title, description) == []


def test_function_claims_on_a_design_patent_and_what_is_not_one(detector):
    hits = _fake_patent(detector, "宠物饮水机", "外观专利号 ZL 2024 3 0515078.1，专利四重过滤，活水让猫咪爱喝水")
    assert any("design patent protects appearance only" in h.detail for h in hits)
    assert _fake_patent(detector, "婴儿洗澡盆", "外观设计专利（ZL 2023 3 0366159.5），这个专利只管外观造型哦") == []
    # a recipe and a utility model in two separate statements are no claim that one covers the other
    assert _fake_patent(detector, "儿童牙膏 低氟配方！已提交实用新型专利申请，尚未授权") == []


def test_a_number_wrapped_across_lines_is_still_read(detector):
    (number,) = patents.find_numbers("专利标识：中国发明专利\nZL 2020 1\n0507801.2\n刀组拆下来就能洗")
    assert number.digits == "202010507801" and number.check == "2"
    assert _fake_patent(detector, "手摇绞肉机", "专利标识：中国发明专利\nZL 2020 1\n0507801.2\n刀组拆下来就能洗") == []


def test_round_three_patent_cases(detector):
    # an X check character written straight after the serial
    (number,) = patents.find_numbers("升降机构中国实用新型专利ZL202221100509X（数字后面那个X是校验位）")
    assert number.check == "X"
    # an old 8-digit number written with spaces, and the lapse said
    (old,) = patents.find_numbers("外观设计专利 99 3 70515.4")
    assert old.digits == "99370515"
    # a filing date is no pending statement
    assert _fake_patent(detector, "不锈钢蒸笼", "结构获得了中国实用新型专利（申请日2022年，专利号ZL 2022 2 1674806.5）") == []
    # a function right after a design patent's number, but not the next feature of a title list
    hits = _fake_patent(detector, "三折自动雨伞", "外观专利 ZL 2020 3 0714006.1 抗风骨架，十级大风都吹不翻")
    assert any("design patent protects appearance only" in h.detail for h in hits)
    assert _fake_patent(detector, "防晒霜·外观设计产品 专利号 ZL：202338066833.9·防水防汗") == []
    # someone else's patents, a certificate frame
    assert _fake_patent(detector, "专利检索 FTO", "别做出来才发现踩了别人专利") == []
    assert _fake_patent(detector, "专利证书框 A4 实木", "可放专利证书、营业执照") == []


def test_round_four_patent_cases(detector):
    # a design number beside an invention or utility model: the function may be theirs
    both = "发明专利 ZL 2019 1 0826341.7\n外观设计 ZL 2020 3 0714006.1"
    assert not any("design patent protects" in h.detail for h in _fake_patent(detector, "电动牙刷 专利刷头", both))
    alone = _fake_patent(detector, "电动牙刷 专利刷头", "外观设计 ZL 2020 3 0714006.1")
    assert any("design patent protects" in h.detail for h in alone)
    # services, drawings, courses and old prints are about patents, not claims for goods
    for title, description in [("专利附图代画", "外观六视图 结构图"), ("专利申请流程 网课", "举例讲解 ZL201710601862.3 的校验位"),
                               ("个体户能申请专利吗", "我们是备案代理机构 不承诺授权"),
                               ("老搪瓷缸", "缸底印着“专利”字样 是七十年代的老物件"),
                               ("Patent leather 漆皮包", "九成新"), ("老式木梯", "有人问是不是专利 不是")]:
        assert _fake_patent(detector, title, description) == [], title
    # a certificate still awaited is an application
    hits = _fake_patent(detector, "专利护颈枕", "专利号 2025 2 0663918.8 专利产品\n客服：还没下证")
    assert any("application presented as a granted patent" in h.detail for h in hits)
    # an agency's short code after 专利 is no masked patent number
    assert _fake_patent(detector, "专利代理", "本所为备案专利代理机构 机构代码：11xxx") == []
    # round 5: idioms, lapses said, certificate displays and IP services, copies marked with the
    # original's number, a freshly filed application sold as granted
    for title, description in [("健步鞋", "运动可不是年轻人的专利"), ("S型挂钩", "原外观设计专利早年申请 已过保护期 按普通款卖"),
                               ("亚克力荣誉墙 定制", "企业专利证书展示"), ("高新认定 知识产权", "软著、专利、商标一站式")]:
        assert _fake_patent(detector, title, description) == [], title
    hits = _fake_patent(detector, "钥匙套 副厂", "跟原厂一模一样 专利号 ZL 2021 3 0754128.8 用的原厂的号")
    assert any("another's patent number" in h.detail for h in hits)
    assert not any("another's patent number" in h.detail
                   for h in _fake_patent(detector, "原厂正品 钥匙套", "原厂专利号 ZL 2021 3 0754128.8"))
    # round 7: "无专利" said, a how-to post
    assert _fake_patent(detector, "普通款电暖桌（无专利）", "本款为普通款 无专利") == []
    assert _fake_patent(detector, "专利怎么申请 整理一下", "分享流程 需要代理找正规机构") == []
    hits = _fake_patent(detector, "雨棚 专利产品", "专利号 CN 2026 2 0148863.1 已经递交了")
    assert any("application presented as a granted patent" in h.detail for h in hits)
