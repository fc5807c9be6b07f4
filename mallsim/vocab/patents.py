"""Patent-claim wording (domain.md section 2): kind names, number layouts, claim sentences."""
from __future__ import annotations

#: The simulator's "today" for patent terms. Future years start well after it, valid ones end
#: before it, so a detector using the real clock agrees with the truth for years to come.
SIM_YEAR = 2025
FUTURE_YEARS = range(2030, 2040)
EARLY_YEARS = range(1975, 1985)  # before the Patent Law took effect (1985)
VALID_YEARS = {"invention": range(2008, 2025), "utility": range(2017, 2025), "design": range(2017, 2025)}
EXPIRED_YEARS = {"utility": range(2005, 2013), "design": range(2003, 2009)}
PENDING_YEARS = range(2024, 2026)
TYPE_DIGITS = {"invention": "1", "utility": "2", "design": "3"}
PCT_DIGITS = {"invention": "8", "utility": "9"}
BAD_TYPE_DIGITS = "04567"

#: How the kind is named next to the number, per kind.
KIND_NAMES = {
    "invention": ("发明专利", "中国发明专利", "国内发明专利", "发明专利", "发明"),
    "utility": ("实用新型专利", "中国实用新型专利", "新型专利", "实用新型", "实用新型专利"),
    "design": ("外观设计专利", "外观专利", "中国外观设计专利", "外观设计"),
}
#: Layouts of a 12-digit number: y=year, t=type digit, s=serial, c=check.
LAYOUTS_12 = ("ZL {y} {t} {s}.{c}", "ZL{y}{t}{s}.{c}", "ZL {y}{t}{s}.{c}", "CN{y}{t}{s}.{c}", "{y}{t}{s}.{c}",
              "ZL{y} {t} {s}.{c}", "ZL {y}{t}{s}．{c}", "ZL：{y}{t}{s}.{c}", "ZL.{y}{t}{s}.{c}")
LAYOUTS_8 = ("ZL{yy}{t}{s}.{c}", "ZL {yy}{t}{s}.{c}", "ZL {yy} {t} {s}.{c}", "{yy}{t}{s}.{c}")
#: Claim sentences with {kind} (a KIND_NAMES entry) and {num}.
CLAIMS = ("本产品已获{kind}，专利号：{num}", "{kind} {num}", "{kind}：{num}", "{num}（{kind}）",
          "专利保护 仿冒必究｜{kind}{num}", "采用{kind}技术，专利号{num}", "拥有{kind}（{num}）",
          "{kind}产品 专利号 {num}", "专利信息：{kind} {num}", "已授权{kind}：{num}", "【{kind}】{num}",
          "结构获得{kind}，{num}", "{kind}号{num}，请认准", "{kind}号：{num}", "{kind}证书号 {num}",
          "{num} {kind}产品", "本品获{kind}授权（{num}）")
#: Puffery without any number or type (国家专利 is not a patent category).
NO_NUMBER = ("国家专利产品", "国家专利", "多项国家专利", "国家发明专利技术", "获得国家专利认证", "国家专利 仿冒必究",
             "拥有多项国家专利技术", "国家级专利产品", "专利技术 国家认证")
#: Pending applications passed off as patents (ZL prefix, 专利产品 with an application number).
PENDING_AS_GRANTED = ("专利产品 申请号：{app}", "已获专利（申请号{app}）", "专利号ZL{bare}（专利申请中）",
                      "ZL{bare} 专利申请中 专利产品", "已申请国家专利 ZL{bare}", "专利产品，专利申请中：{app}",
                      "{kind}产品（申请号 {app}）", "已获{kind} 申请号{app}")
#: Correctly marked pending application (专利标识标注办法: 专利申请，尚未授权) -- compliant.
PENDING_MARKED = ("中国{kind}申请，申请号：{app}（专利申请，尚未授权）", "{kind}申请号 {app}，专利申请，尚未授权",
                  "已提交{kind}申请（{app}），尚未授权")
MASKED = ("专利号：ZL{y}{t}******.*", "ZL{y}*******", "{kind} ZL{y}{t}****{s3}", "专利号ZL{y} {t} ***")
#: Numbers that look like patent numbers but are something else (orders, tracking, batches).
LOOKALIKES = ("订单号：{n15}", "快递单号 {track}", "批号{n8}", "生产日期{date} 批次{n8}", "型号：{y}-{t}-{s4}",
              "执行标准 GB/T {gb}", "货号 {n12}", "质检报告编号 {n12}", "物流单号{track}")
