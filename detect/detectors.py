"""Built-in detectors that a campaign rule names by id (``detector: patent_number``).

Term lists cannot check a check character or notice that a number is missing; these can. Each
declares its family, whether it scans listings or merchants, and its anchors: folded strings one
of which is in the folded text of every listing it can report (the streaming engine only calls it
then; the retroactive engine turns them into index prefilters). Merchant detectors have no
anchors: a missing licence has no words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Mapping, NamedTuple

from detect import native, patents
from detect.licence import uscc_problems
from detect.model import new_record
from detect.text import dense_table, fold, fold_offsets


class Finding(NamedTuple):
    """What a detector found (a named tuple: cheap to build on the streaming path)."""

    field: str
    start: int
    end: int  # ORIGINAL offsets, unless ``folded`` (then the engine maps them)
    detail: str
    severity: str | None = None  # overrides the rule's severity (e.g. "verify")
    folded: bool = False


ListingScan = Callable[[Mapping[str, str], Mapping[str, str], date], list[Finding]]
MerchantScan = Callable[[Mapping[str, object]], list[Finding]]


@dataclass(frozen=True)
class BuiltinDetector:
    id: str
    family: str
    target: str  # "listing" or "merchant"
    anchors: frozenset[str] | None
    scan: Callable[..., list[Finding]]
    doc: str


#: Listing fields the patent detectors read (a shop name is no patent claim).
PATENT_FIELDS = ("title", "description")
_PATENT_WORDS = ("专利", "patent")
#: Folded words that say the patent is only applied for / granted (专利标识标注办法).
PENDING_WORDS = ("申请中", "已申请", "正在申请", "在申请", "提交申请", "专利申请", "申请号", "已受理", "受理中", "受理号",
                 "受理通知", "受理了", "已经受理", "审查中", "审核中", "实审", "实质审查", "未授权", "没授权", "待授权", "等待授权",
                 "没下证", "未下证", "等下证", "下证中", "已递交", "递交了", "刚递交", "刚提交", "已提交", "patentpending")
GRANTED_WORDS = ("专利产品", "专利款", "专利号", "已授权", "已下证", "国家专利", "专利保护", "专利证书", "证书号")
#: "已获 / 获得 / 取得 ... 专利" with a few characters between (已获实用新型专利).
_GRANTED_CLAIM = re.compile(r"(?:已获|获得|取得|拥有|荣获|获|拿到|申请下来)[^，。,.]{0,6}?专利")
PENDING_OK = "尚未授权"
#: ... but a filing date (专利申请日 2022年) says nothing about the patent's state
_PENDING = re.compile("(?:" + "|".join(PENDING_WORDS) + ")(?!日)")
#: Every PENDING_WORDS entry holds one of these: four substring tests (C scans, ~1 ns per
#: character) rule out most texts before the regex (~100 instructions per character).
PENDING_HINTS = ("申请", "受理", "审", "授权", "下证", "递交", "提交", "pending")


def _says_pending(folded: str) -> bool:
    """A PENDING_WORDS entry is in the folded text."""
    for hint in PENDING_HINTS:
        if hint in folded:
            return _PENDING.search(folded) is not None
    return False


#: The claim word nearest before a number is the last one in the window (greedy ``.*``: the
#: rightmost start, as ``rfind`` per word gave); after the number, the first one.
_CLAIM_LAST = re.compile("(?s:.*)(" + "|".join(patents.CLAIM_WORDS) + ")")
_CLAIM_FIRST = re.compile("|".join(patents.CLAIM_WORDS))


#: Characters before (after) a number where its claimed type is looked for.
CLAIM_BEFORE, CLAIM_AFTER = 30, 12


def _claimed_type(text: str, start: int, end: int) -> str | None:
    """The patent type the seller claims right before (else right after) a number."""
    m = _CLAIM_LAST.match(fold(text[start - CLAIM_BEFORE if start > CLAIM_BEFORE else 0:start]))
    if m is None:
        m = _CLAIM_FIRST.search(fold(text[end:end + CLAIM_AFTER]))
        if m is None:
            return None
        return patents.CLAIM_WORDS[m.group()]
    return patents.CLAIM_WORDS[m.group(1)]


#: True when this module is the compiled one (``_may_claim_other_in`` then loops in C).
COMPILED = native.compiled(__file__)
#: kind -> a regex for the characters whose fold holds the first character of a claim word of
#: ANOTHER kind (and any character past the dense fold table, to be safe); built on first use.
_OTHER_CLAIMS: dict[str, re.Pattern[str]] = {}
#: The same as one byte per dense code point, bit ``_KIND_BITS[kind]`` set for the characters of
#: that kind's regex (the compiled module's loop, ``_may_claim_other_in``); built on first use.
_OTHER_CLAIM_BITS: list = []
_KIND_BITS = {kind: 1 << i for i, kind in enumerate(sorted(set(patents.CLAIM_WORDS.values())))}


def _may_claim_other(kind: str) -> re.Pattern[str]:
    if not _OTHER_CLAIMS:
        dense = dense_table()
        bits = bytearray(len(dense))
        for own in set(patents.CLAIM_WORDS.values()):
            firsts = {w[0] for w, other in patents.CLAIM_WORDS.items() if other != own}
            points = [cp for cp, f in enumerate(dense) if f and not firsts.isdisjoint(f)]
            chars = "".join(re.escape(chr(cp)) for cp in points)
            _OTHER_CLAIMS[own] = re.compile(f"[{chars}\U00020000-\U0010ffff]")
            for cp in points:
                bits[cp] |= _KIND_BITS[own]
        _OTHER_CLAIM_BITS.append(bytes(bits))
    return _OTHER_CLAIMS[kind]


def _may_claim_other_in(text: str, lo: int, hi: int, kind: str) -> bool:
    """``_may_claim_other(kind).search(text, lo, hi)`` finds something. Compiled: a C loop over
    the window with one table lookup per character (the regex's charset search costs ~100
    instructions per character); interpreted, the regex."""
    other = _may_claim_other(kind)
    if not COMPILED:
        return other.search(text, lo, hi) is not None
    bits = _OTHER_CLAIM_BITS[0]
    bit = _KIND_BITS[kind]
    dense = len(bits)
    for i in range(max(lo, 0), min(hi, len(text))):
        cp = ord(text[i])
        if cp >= dense or bits[cp] & bit:
            return True
    return False


def _claim_for(number: patents.PatentNumber, text: str) -> str | None:
    """The claimed type as far as ``patents.problems`` can tell: a claim only matters when it names
    another kind than the number's own. A window (``_claimed_type``'s) without a character that
    folds to the start of such a claim word cannot hold one, and needs no fold (most numbers)."""
    kind = number.kind
    if kind is None:
        return None  # problems() reports the unknown type whatever the claim
    start, end = number.start, number.end
    if not _may_claim_other_in(text, start - CLAIM_BEFORE if start > CLAIM_BEFORE else 0, start, kind) \
            and not _may_claim_other_in(text, end, end + CLAIM_AFTER, kind):
        return None
    return _claimed_type(text, start, end)


def scan_patent_numbers(texts: Mapping[str, str], folded: Mapping[str, str], today: date) -> list[Finding]:
    """Malformed, impossible, mistyped, masked or expired patent numbers."""
    out: list[Finding] = []
    for field in PATENT_FIELDS:
        text = texts.get(field) or ""
        for number in patents.find_numbers(text):
            if not number.check and not text[number.end:].rstrip().strip(" .．。·"):
                continue  # cut off by a title length limit: nothing to judge
            found = patents.problems(number, _claim_for(number, text), today)
            if found and found[0].startswith("expired") and len(found) == 1 and _LAPSE_ADMITTED.search(
                    fold(text[number.end:number.end + LAPSE_WINDOW])):
                continue  # the seller says so: no claim of a live patent
            if found:
                out.append(new_record(Finding, (field, number.start, number.end, "; ".join(found), None, False)))
        for m in patents.find_masked(text):
            before = fold(text[max(0, m.start() - MASK_LOOKBACK):m.start()])
            # after a bare 专利, a year's worth of digits at least: "专利代理机构 机构代码：11xxx" is no number
            if m.group("pre") or "zl" in before or ("专利" in before and sum(map(str.isdigit, m.group())) >= 4):
                out.append(Finding(field, m.start(), m.end(), "masked patent number (cannot be verified)"))
    return out


#: 专利 in a service offer or a risk warning is no claim about the goods (专利检索服务, 专利代理).
#: A question ("能申请专利吗"), drawings, courses, frames and old certificates are about patents too;
#: "patent leather" is a material.
_NOT_A_CLAIM = re.compile(r"专利(?:申请)?(?:检索|代理|事务|律师|服务|查询|侵权|布局|撰写|分析|转让|交易|运营|许可|咨询|年费|"
                          r"代缴|法|审查|翻译|证书框|证书相框|证书装裱|证书收藏|附图|代画|绘图|制图|流程|网课|课程|教程|培训|"
                          r"字样|怎么|如何|怎样|吗|呢)|patentleather")
#: A granted-claim word right after a negation or a refusal ("不敢写专利产品", "不是专利产品").
_NEGATED_CLAIM = re.compile(r"(?:不敢写?|不能写?|不写|不标注?|是不是|不是|并非|没有|不算|不属于|理解为|尚未|未|没|无|别人|他人|别家)$")
#: What before "专利" makes it no function claim: the type named ("外观设计专利…"), or a question or
#: a denial ("是不是专利", "没有专利").
_NOT_A_FUNCTION_LEAD = ("外观设计", "外观", "是不是", "不是", "没有", "非")
#: What right after "专利" makes it no function claim: a number, a type, a mark, a certificate, a
#: warning, a lapse ("专利号", "专利：发明专利", "专利侵权必究", "专利早就过期").
_NOT_A_FUNCTION_NEXT = ("号", "证", "产品", "外观", "设计", "申请", "权", "局", "zl", "cn", "[0-9]", "标识", "保护", "侵权",
                        "仿冒", "所有", "必究", "在", "已", "为", "是", "的", "了", "图", "款", "认证", "查询", "信息",
                        "详情", "标注", "只", "发明", "实用", "新型", "早", "过期", "到期", "还")
#: A design patent protects appearance only, a utility model a product's shape or structure: a
#: technique or function sold on the first (searched in the folded text), a recipe or process on
#: the second, misuses it.
_FUNCTION_CLAIM = re.compile(r"专利(?:.{0,6}?(?:技术|结构|工艺|配方|功能|原理|科技|疗效|效果)|(?!"
                             + "|".join(_NOT_A_FUNCTION_NEXT) + ")..)")
#: Searched in the ORIGINAL text: the gap may not cross a sentence or list break ("低氟配方！已提交
#: 实用新型…" and "A类面料·护肚·…实用新型" are two statements).
_PROCESS_CLAIM = re.compile(r"(?:配方|工艺|制法|方法|成分|材料|面料|算法|软件|程序)[^，。,.;；!！?？、·|｜/\n]{0,10}?"
                            r"(?:实用新型|新型专利)|(?:实用新型|新型专利)(?:专利)?(?:配方|工艺|制法|制作方法)")
#: Every _PROCESS_CLAIM match holds one of these: substring tests (C scans) before the regex, whose
#: alternation has no literal prefix to skip ahead with.
_PROCESS_WORDS = ("配方", "工艺", "制法", "方法", "成分", "材料", "面料", "算法", "软件", "程序")
_DESIGN_WORDS = ("外观设计专利", "外观专利")
#: Right after a design patent's number (a space between, no list separator: "…·防水防汗" is the next
#: feature of a title), a function it cannot protect ("ZL 2020 3 0714006.1 抗风骨架").
_FUNCTION_AFTER = re.compile(r"[ 　]{0,2}(?:技术|结构|骨架|抗|防|功能|性能|加持)")
FUNCTION_AFTER_WINDOW = 8
_UTILITY_WORDS = ("实用新型", "新型专利")
_TECHNICAL_WORDS = ("发明专利", *_UTILITY_WORDS)
#: A seller who says the patent has lapsed is not claiming it ("早已到期，不再作为专利产品宣传").
_LAPSE_ADMITTED = re.compile(r"到期|过期|失效|终止|不再|期满|过保护期|过了保护期")
LAPSE_WINDOW = 40
#: "运动可不是年轻人的专利": the idiom (someone's privilege), not a patent; searched in the folded
#: text right before 专利.
_IDIOM = re.compile(r"(?:不是|并非|不再是|不只是|不仅是|不光是)\w{0,10}?的$")
IDIOM_LOOKBACK = 16
#: A title about patent work, IP services or certificate displays: its 专利 claims nothing.
_ABOUT_PATENTS = re.compile(r"证书框|相框|荣誉墙|专利墙|展示墙|维权|知识产权|高新认定|高企认定")
#: Another's number marked on copies ("外观专利直接用原厂的", "专利号…是原品牌的，我们直接沿用").
_BORROWED_NUMBER = re.compile(r"(?:原厂|原品牌|大牌|别人家?|他人|别家)的?(?:专利|号)|沿用|借用|套用")
_COPY_WORDS = ("同款", "副厂", "仿", "一模一样", "复刻", "尾货", "代工")
#: Characters before a masked number searched for 专利 or ZL ("ZL2019 2 07****.X").
MASK_LOOKBACK = 16


def _first(folded: Mapping[str, str], words: tuple[str, ...]) -> tuple[str, int, int] | None:
    """The first claim word in the patent fields, skipping service phrases and negated claims."""
    for field in PATENT_FIELDS:
        text = folded.get(field) or ""
        hits = []
        for w in words:
            at = text.find(w)
            while at >= 0:
                if not _NOT_A_CLAIM.match(text, at) and not _NEGATED_CLAIM.search(text, max(0, at - 4), at) \
                        and not _IDIOM.search(text, max(0, at - IDIOM_LOOKBACK), at):
                    hits.append((at, w))
                    break
                at = text.find(w, at + 1)
        if hits:
            i, w = min(hits)
            return field, i, i + len(w)
    return None


def _first_claim(folded: Mapping[str, str]) -> tuple[str, int, int] | None:
    """The first "已获…专利" that no negation precedes ("尚未获得专利授权" is no claim)."""
    for field in PATENT_FIELDS:
        text = folded.get(field) or ""
        for m in _GRANTED_CLAIM.finditer(text):
            if not _NEGATED_CLAIM.search(text, max(0, m.start() - 4), m.start()):
                return field, m.start(), m.end()
    return None


def scan_patent_claims(texts: Mapping[str, str], folded: Mapping[str, str], today: date) -> list[Finding]:
    """A patent claimed with no number (Ad Law art. 12), or an application sold as granted."""
    numbers = {f: patents.find_numbers(texts.get(f) or "") for f in PATENT_FIELDS}
    masked = any(patents.find_masked(texts.get(f) or "") for f in PATENT_FIELDS)
    out: list[Finding] = []
    joined = (folded.get("title") or "") + (folded.get("description") or "")  # PATENT_FIELDS
    # a kind-A publication (CN…A) is an application laid open, not a grant
    pending = _says_pending(joined) or any(n.publication_kind == "A" for ns in numbers.values() for n in ns)
    # the granted-claim search only where a pending statement makes it matter (most listings have none)
    granted = (_first(folded, GRANTED_WORDS) or _first_claim(folded)) if pending else None
    # a listing whose title sells a patent service, book or frame is about patents, not patented
    title = folded.get("title") or ""
    about_patents = _NOT_A_CLAIM.search(title) is not None or _ABOUT_PATENTS.search(title) is not None
    if not any(numbers.values()) and not masked and (granted or not pending) and not about_patents \
            and not _LAPSE_ADMITTED.search(joined):
        # an honest "专利申请中, 还没授权" with no granted claim is what the rules ask for
        at = _first(folded, _PATENT_WORDS)
        if at:
            out.append(Finding(at[0], at[1], at[2], "patent claimed without a patent number and type", folded=True))
    misuse = None if about_patents else _scope_misuse(texts, folded, numbers, joined)
    if misuse:
        out.append(misuse)
    if any(numbers.values()) and any(w in joined for w in _COPY_WORDS):
        borrowed = next(((f, m) for f in PATENT_FIELDS if (m := _BORROWED_NUMBER.search(folded.get(f) or ""))), None)
        if borrowed:
            f, m = borrowed
            out.append(Finding(f, m.start(), m.end(), "another's patent number marked on copies", folded=True))
    if PENDING_OK not in joined and pending and not about_patents:
        zl = [(f, n) for f, ns in numbers.items() for n in ns if n.prefix == "ZL"]
        if zl:
            f, n = zl[0]
            out.append(Finding(f, n.start, n.end, "ZL (granted) on a number the text calls an application"))
        elif granted:
            out.append(Finding(granted[0], granted[1], granted[2], "application presented as a granted patent", folded=True))
    return out


def _scope_misuse(texts: Mapping[str, str], folded: Mapping[str, str], numbers: Mapping[str, tuple],
                  joined: str) -> Finding | None:
    """A technique or function sold on a design patent, a recipe or process on a utility model
    (``joined``: the folded title and description)."""
    kinds = {n.kind for ns in numbers.values() for n in ns}
    # an invention or utility model named beside the design patent may well cover the function
    technical = bool(kinds & {"invention", "utility"}) or any(w in joined for w in _TECHNICAL_WORDS)
    for field in PATENT_FIELDS:
        text = folded.get(field) or ""
        original = texts.get(field) or ""
        for n in numbers.get(field) or ():
            if n.kind == "design" and _FUNCTION_AFTER.match(original, n.end, n.end + FUNCTION_AFTER_WINDOW):
                return Finding(field, n.start, n.end, "a design patent protects appearance only, not the "
                               "technique or function claimed")
        if not technical and ("design" in kinds or any(w in text for w in _DESIGN_WORDS)):
            # "外观设计专利技术" names the type it is: only a function sold on "专利…" elsewhere counts
            m = next((m for m in _FUNCTION_CLAIM.finditer(text) if not text.endswith(_NOT_A_FUNCTION_LEAD, 0, m.start())
                      and not _NOT_A_CLAIM.match(text, m.start())), None)
            if m:
                return Finding(field, m.start(), m.end(), "a design patent protects appearance only, not the "
                               "technique or function claimed", folded=True)
        if ("utility" in kinds or any(w in text for w in _UTILITY_WORDS)) and any(w in text for w in _PROCESS_WORDS):
            m = _PROCESS_CLAIM.search(original)
            if m:
                return Finding(field, m.start(), m.end(), "a utility model protects a product's shape or "
                               "structure, not a recipe or process")
    return None


def scan_licence(doc: Mapping[str, object]) -> list[Finding]:
    """电子商务法 art. 15: licence missing, or its USCC malformed / failing a check (= verify)."""
    shown = str(doc.get("licence_shown_as") or "")
    uscc = str(doc.get("licence_uscc") or "").strip()
    if shown == "missing":
        return [Finding("licence_shown_as", 0, len(shown), "no business licence shown on the shop home page")]
    if not uscc:
        if shown == "image":
            return []  # an image licence is compliant; its code may simply be unreadable
        return [Finding("licence_uscc", 0, 0, "licence shown without a unified social credit code")]
    original = str(doc.get("licence_uscc"))
    offset = len(original) - len(original.lstrip())
    return [Finding("licence_uscc", offset, offset + len(uscc), reason, severity)
            for severity, reason in uscc_problems(uscc)]


BUILTINS: dict[str, BuiltinDetector] = {
    d.id: d for d in (
        BuiltinDetector("patent_number", "fake_patent", "listing",
                        frozenset({"专利", "zl", "patent", "申请号", "发明", "新型", "外观设计", "证书号"}), scan_patent_numbers,
                        "patent numbers: check character, year, type digit, claimed type, masked, expired"),
        BuiltinDetector("patent_claim", "fake_patent", "listing", frozenset(_PATENT_WORDS), scan_patent_claims,
                        "patent claimed without a number (国家专利 ...), application sold as granted"),
        BuiltinDetector("uscc", "license", "merchant", None, scan_licence,
                        "merchant licence missing, USCC malformed or failing its check characters"),
    )
}


def map_folded(text: str, finding: Finding) -> tuple[int, int]:
    """Original offsets of a finding (folded findings are mapped through the offset map)."""
    if not finding.folded:
        return finding.start, finding.end
    offsets = fold_offsets(text)
    return offsets[finding.start], offsets[finding.end - 1] + 1
