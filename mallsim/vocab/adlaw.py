"""Advertising-law wording (domain.md section 4): absolute terms, medical claims, 特供, minors."""
from __future__ import annotations

#: Art. 9(3) absolute claims as sellers phrase them ({name} is the product noun).
ABSOLUTE = ("全网最低价", "全网最低", "销量第一", "行业第一品牌", "国家级品质", "最佳选择", "史上最强{name}",
            "NO.1", "TOP1", "顶级工艺", "极品{name}", "100%纯天然", "100%有效", "效果绝对好", "独一无二",
            "领导品牌", "遥遥领先", "世界领先技术", "填补国内空白", "首选品牌", "最好用的{name}", "最先进技术",
            "全球顶尖配方", "至尊版", "冠军品质", "销量冠军", "绝无仅有", "最便宜", "世界级品质", "唯一正宗",
            "极致体验", "王牌产品", "终极{name}", "第一品牌", "全国销量第一", "最高级", "顶尖品质", "史无前例低价",
            "万能{name}", "永久不坏")
ABSOLUTE_FRAMES = ("{term}", "{term}！", "【{term}】", "{term}，放心买", "号称{term}", "{term}，不服来比",
                   "真正的{term}", "{term}没有之一", "这就是{term}", "公认{term}")

#: Medical claims; which ones fit which category (food & cosmetics may claim none of them).
MEDICAL = {
    "food": ("降血压", "降血糖", "降血脂", "降三高", "抗癌防癌", "排毒养颜", "治疗便秘", "包治百病", "增强免疫力",
             "壮阳补肾", "活血化瘀", "治失眠", "消炎", "防癌抗癌", "清除血管垃圾"),
    "tea": ("降血压", "降血糖", "降三高", "刮油减肥治疗肥胖", "抗癌", "治疗失眠", "消炎降火", "排毒", "软化血管",
            "治痛风", "养肝护肝治脂肪肝", "增强免疫力"),
    "health_food": ("治疗糖尿病", "降血压效果明显", "抗癌", "根治失眠", "治愈关节炎", "替代药物", "有效率98%",
                    "无效退款", "包治百病", "三天见效治疗", "无副作用"),
    "cosmetics": ("祛斑根治", "根治痘痘", "消炎杀菌", "治疗脱发", "生发", "药妆", "医学护肤品", "抗敏脱敏",
                  "治疗湿疹", "杀菌抑菌", "根治黑头", "无效退款", "修复激素脸"),
    "liquor": ("壮阳补肾", "活血化瘀", "治风湿", "降血压", "养生治病"),
}
MEDICAL_FRAMES = ("{c}", "长期喝{c}", "坚持用{c}", "{c}，亲测有效", "很多顾客反馈{c}", "{c}效果好", "可{c}",
                  "能{c}", "辅助{c}", "{c}，不用吃药", "医生推荐，{c}", "{c}（老顾客见证）")
MEDICAL_CATEGORIES = tuple(MEDICAL)

#: 特供/专供/内供 liquor (SAMR 2024-09) and state-organ wording (Art. 9(2)).
TEGONG = ("部队特供", "军供", "政府内供", "人民大会堂专供", "国宴用酒", "机关专用", "特供酒", "内供酒", "专供军区",
          "政府接待指定用酒", "国宾特供", "中央机关特供", "部队内部特供", "人民大会堂宴会用酒", "政府指定")
TEGONG_FRAMES = ("{t}", "{t}{name}", "【{t}】", "原{t}渠道", "{t}同款", "{t}，市面少见", "{t} 正品")

#: Marketing to minors: cosmetics/liquor aimed at pupils, urging children to ask parents.
MINORS = ("学生专用", "儿童专用", "小学生也能用", "校园必备", "开学必备", "学生党必备", "初中生专用", "小学生专用")
MINORS_NAG = ("快让爸妈买", "小朋友快让爸爸妈妈下单", "告诉妈妈你想要", "让爸妈给你买", "快叫爸妈来抢")
MINORS_CATEGORIES = ("cosmetics", "liquor")
NAG_CATEGORIES = ("toys", "toys", "food")
#: Kid-oriented cosmetics/liquor product names that minors wording attaches to.
MINOR_PRODUCTS = {"cosmetics": ("儿童口红", "学生彩妆盘", "儿童指甲油", "小学生化妆品套装", "学生美白霜", "眼影盘"),
                  "liquor": ("果味预调酒", "水果酒", "梅子酒小瓶装", "甜米酒"),
                  "food": ("儿童零食大礼包", "卡通棒棒糖", "奥特曼卡片零食", "小猪佩奇饼干", "儿童果冻")}
