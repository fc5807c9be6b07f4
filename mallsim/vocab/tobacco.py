"""Tobacco and e-cigarette vocabulary (domain.md section 3): brands, slang, disguises, units.

Brand names double as cities, landmarks and other businesses -- the traps module reuses them in
clean contexts; here they always come with a unit or a price, as real sellers write them.
"""
from __future__ import annotations

#: (brand, line variants, typical price per 条 lo/hi)
CIG_BRANDS: tuple[tuple[str, tuple[str, ...], int, int], ...] = (
    ("中华", ("软中华", "硬中华", "软华", "硬华", "细支中华", "中华(硬)", "中华双中支"), 420, 760),
    ("玉溪", ("软玉溪", "硬玉溪", "玉溪(初心)", "玉溪细支"), 180, 260),
    ("芙蓉王", ("硬芙蓉王", "蓝芙蓉王", "芙蓉王钻石", "芙蓉王(硬)"), 230, 400),
    ("黄鹤楼", ("黄鹤楼1916", "黄鹤楼硬雅香", "黄鹤楼天下名楼", "软蓝黄鹤楼"), 180, 1000),
    ("利群", ("新版利群", "利群阳光", "利群软红长嘴", "蓝利", "利群(休闲)"), 140, 360),
    ("南京", ("南京九五", "南京炫赫门", "南京十二钗", "南京(红)"), 120, 1000),
    ("苏烟", ("苏烟五星红杉树", "苏烟金砂", "软苏烟"), 260, 700),
    ("云烟", ("大重九", "云烟(紫)", "云烟软珍品", "云烟(印象)"), 110, 1000),
    ("红塔山", ("红塔山经典100", "红塔山(硬)", "红塔山大经典"), 90, 150),
    ("黄金叶", ("黄金叶天叶", "黄金叶乐途", "黄金叶(小目标)"), 120, 1000),
    ("荷花", ("荷花细支", "荷花(马尔斯绿)", "荷花中支"), 300, 380),
    ("娇子", ("娇子宽窄", "宽窄好运", "娇子(蓝)"), 110, 260),
    ("白沙", ("白沙和天下", "白沙(精品)", "白沙和天下细支"), 100, 1000),
    ("红双喜", ("红双喜(硬)", "双喜软经典", "红双喜上海"), 90, 160),
    ("七匹狼", ("七匹狼(红)", "七匹狼通仙"), 100, 300),
    ("泰山", ("泰山华贵", "泰山心悦", "泰山(红将军)"), 100, 1000),
    ("长白山", ("长白山777", "长白山(红)", "长白山天池"), 120, 200),
    ("万宝路", ("万宝路(红)", "万宝路薄荷", "万宝路冰爵"), 200, 400),
    ("七星", ("七星(蓝)", "七星5mg", "七星细支"), 200, 380),
    ("爱喜", ("爱喜(薄荷)", "爱喜幻变", "ESSE爱喜"), 150, 300),
    ("登喜路", ("登喜路(蓝)", "登喜路细支"), 250, 400),
)
CIG_WORDS = ("香烟", "卷烟", "烟草", "烟", "烟支")
CIG_SPECS = ("细支", "中支", "粗支", "爆珠", "焦油量8mg", "短支", "薄荷爆珠")
#: How sellers quantify: "{n}" is a count.
CIG_UNITS = ("一条", "整条", "条装", "10盒/条", "一盒", "20支/盒", "{n}条起", "一件50条", "{n}条", "散盒",
             "2条起发", "一条十盒", "{n}条包邮")
CIGAR = ("雪茄", "古巴雪茄", "手卷雪茄", "雪茄烟")
ROLLING = ("卷烟纸", "滤嘴棒", "手卷烟丝", "烟丝", "烟叶", "烟草叶子")

ECIG_WORDS = ("电子烟", "小烟", "雾化器", "雾化棒", "雾化杆", "一次性电子烟", "换弹电子烟", "大烟雾化器")
ECIG_PODS = ("烟弹", "换弹", "雾化弹", "烟油", "尼古丁盐烟油", "小烟弹")
ECIG_BRANDS = ("悦刻", "RELX", "柚子", "YOOZ", "雪加", "魔笛", "MOTI", "IQOS", "维刻", "铂德")
ECIG_FLAVOURS = ("西瓜冰", "绿豆冰", "薄荷", "葡萄", "百香果", "冰镇可乐", "芒果", "烟草味", "蓝莓", "荔枝")
ECIG_FEATURES = ("口感细腻", "雾化量大", "不漏油", "续航一周", "一颗抵一包", "尼古丁盐", "可替换", "小巧便携",
                 "一次性可抽3000口", "口感接近真烟", "加热不燃烧")
#: Disguised product names for e-cigarettes (经济参考报 2023; 法治日报 2025).
ECIG_DISGUISES = ("奶茶杯", "可乐罐", "星球杯", "电子咖啡", "雾化能量棒", "戒烟棒", "不含烟碱雾化器", "能量饮料杯",
                  "U盘", "口红", "荧光棒", "香薰棒")
#: Words that give a disguised listing away (one always accompanies a disguise).
ECIG_GIVEAWAYS = ("烟油", "口数", "换弹", "一次性", "尼古丁", "烟碱", "雾化", "抽", "吸")
ECIG_STRONG = ("烟油", "尼古丁", "雾化", "烟碱", "换弹")

#: Slang for cigarettes and their trade (each always paired with a brand/unit/price context).
SLANG = ("口粮", "华子", "荷花", "烟友", "老烟民", "烟民")
TRUST = ("一手货源", "正品保真", "原厂", "假一赔十", "可验货", "支持扫码", "厂家直发", "不是正品包退", "保真",
         "高仿", "越代", "云霄货", "一比一", "专柜货")
DUTY_FREE = ("外烟", "免税烟", "出口烟", "免税店货源", "海外版", "出口转内销", "港版", "越南代工")
SHIPPING = ("顺丰包邮", "可送货上门", "全国发货", "拆包发货", "抽真空包装发", "隐私包装", "快递不查", "同城闪送",
            "三天到", "可代发")
#: What they are called instead of 香烟 when the seller hides the word entirely.
CODE_NAMES = ("口粮", "华子", "好货", "那个", "老朋友都懂的", "🚬", "大家懂的", "你懂的", "Y", "xy", "yan", "茶叶（懂的来）")

#: Pinyin spellings (with the Chinese they stand for, used by tests to normalise).
PINYIN = {"xiang yan": "香烟", "xiangyan": "香烟", "xy": "香烟", "yan": "烟", "Yan": "烟", "YAN": "烟",
          "dian zi yan": "电子烟", "dianziyan": "电子烟", "yan dan": "烟弹", "yandan": "烟弹", "Y": "烟"}
#: Emoji that stand for smoking.
SMOKE_EMOJI = ("🚬", "💨", "🚬🚬", "🚬💨")
#: Misleading categories sellers file tobacco under.
COVER_CATEGORIES = ("household", "tea", "food", "smoking_accessories", "digital", "toys", "health_food")
