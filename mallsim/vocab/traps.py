"""Hard negatives: clean listings that share words with violations (domain.md false positives).

Each trap names what it imitates in its note (``trap:<name>``); titles and sentences are
alternatives the composer mixes, so traps vary as much as the violations they resemble.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trap:
    name: str
    category: str
    lo: float
    hi: float
    titles: tuple[str, ...]  # title cores
    lines: tuple[str, ...]  # description sentences
    unit: str = "件"


def T(name: str, category: str, lo: float, hi: float, titles: str, lines: str, unit: str = "件") -> Trap:
    return Trap(name, category, lo, hi, tuple(titles.split("|")), tuple(lines.split("|")), unit)


TRAPS: tuple[Trap, ...] = (
    # --- tobacco look-alikes ---
    T("range_hood", "appliances", 899, 4999, "吸油烟机|油烟机 侧吸式|抽油烟机 家用|烟灶套装 油烟机+燃气灶|顶吸式吸油烟机",
      "大吸力，油烟不跑味|厨房油烟一扫而光|烟灶联动|免拆洗油烟机|含基础安装", "台"),
    T("niacinamide", "cosmetics", 49, 299, "烟酰胺精华液|5%烟酰胺原液|烟酰胺身体乳|烟酰胺美白面膜",
      "烟酰胺提亮肤色|烟酰胺浓度5%，建议先建立耐受|搭配防晒使用|烟酰胺+玻尿酸", "瓶"),
    T("yantai_apple", "food", 29.9, 129, "烟台红富士苹果|烟台苹果 脆甜|山东烟台栖霞苹果|烟台大樱桃",
      "烟台产地直发|果径80mm+|脆甜多汁|烟台栖霞果园现摘", "箱"),
    T("smoked_salmon", "food", 39, 199, "烟熏三文鱼切片|冷熏烟熏三文鱼|烟熏培根|烟熏鸡腿",
      "果木烟熏工艺|冷链发货|开袋即食|烟熏风味浓郁", "盒"),
    T("smoky_makeup", "cosmetics", 39, 159, "烟熏妆眼影盘|大地色烟熏眼影|烟熏妆眼线笔",
      "轻松画出烟熏妆|显色不飞粉|新手友好", "盒"),
    T("ashtray_lighter", "smoking_accessories", 19.9, 199, "陶瓷烟灰缸|防风打火机|充电打火机 刻字|水晶烟灰缸 客厅",
      "烟灰缸带盖防飞灰|打火机可刻字送男友|不含烟草制品|金属机身", "个"),
    T("smoke_alarm", "household", 29, 199, "烟雾报警器|烟感报警器 家用|独立式烟感",
      "消防检测认证|烟雾探测灵敏|电池续航长|厨房卧室可装", "个"),
    T("no_smoking_sign", "household", 5.9, 39, "禁止吸烟标识牌|吸烟区指示牌|请勿吸烟 亚克力牌",
      "亚克力材质|背胶免打孔|公共场所适用|禁止吸烟提示", "个"),
    T("kouliang_tea", "tea", 49, 398, "口粮茶 云南滇红|口粮茶 福鼎白茶|每日口粮茶|口粮岩茶 大红袍",
      "茶友的日常口粮茶|性价比高的口粮茶|每天一泡|耐泡回甘", "袋"),
    T("huazi_phone", "digital", 19.9, 99, "华子手机壳 Mate60|华子 Mate60 手机壳 华为|华子P70 保护壳|荣耀/华子 钢化膜",
      "花粉们的华子壳|适配华为Mate60系列|镜头全包防摔|华子用户必入", "个"),
    T("zhonghua_toothpaste", "household", 9.9, 49, "中华牙膏 家庭装|中华牙膏 草本|中华 健齿白牙膏",
      "中华牙膏老品牌|清新口气|家庭装实惠|120g*3支", "支"),
    T("zhonghua_books", "toys", 19.9, 199, "中华书局 古诗词|中华成语故事|中华上下五千年 儿童版",
      "中华书局出版|注音版|适合小学生阅读", "套"),
    T("nanjing_duck", "food", 39, 128, "南京盐水鸭|南京特产 盐水鸭 礼盒|南京鸭血粉丝汤",
      "南京老字号|真空包装|南京特产伴手礼|咸香不腻", "盒"),
    T("yellow_crane", "toys", 19.9, 99, "黄鹤楼文创冰箱贴|黄鹤楼 景区纪念品|武汉黄鹤楼 书签",
      "武汉旅游纪念|黄鹤楼造型|金属冰箱贴|送朋友", "个"),
    T("septwolves", "apparel", 99, 599, "七匹狼夹克 男|七匹狼 男士皮带|七匹狼 商务衬衫",
      "七匹狼男装|商务休闲|正品吊牌|M-4XL", "件"),
    T("double_happiness", "household", 9.9, 69, "红双喜 喜字贴|双喜窗花 婚庆|囍字 双喜门贴 结婚",
      "婚房布置|红双喜大号|植绒不掉色|一套20张", "套"),
    T("changbaishan", "food", 59, 398, "长白山人参|长白山 蓝莓果干|长白山 黑木耳",
      "长白山产区|林下种植|干货|礼盒装", "盒"),
    T("taishan", "household", 29, 199, "泰山石敢当 摆件|泰山 文创 茶杯|泰山 纪念品",
      "泰安泰山纪念|手工雕刻|送长辈|摆件", "个"),
    T("fleeting_cloud", "household", 39, 299, "过眼云烟 书法字画|烟雨江南 装饰画|人间烟火气 挂画",
      "手写书法|客厅装饰|实木画框|中式风格", "幅"),
    T("pomelo", "food", 19.9, 79, "红心柚子|琯溪蜜柚 柚子|柚子 当季|沙田柚子",
      "现摘现发|果肉饱满|单果2斤以上|坏果包赔", "箱"),
    T("yancheng", "food", 29, 128, "盐城特产 醉螺|盐城 大丰麻虾酱|盐城 东台鱼汤面",
      "盐城本地特产|家乡味道|真空包装|盐城发货", "盒"),
    T("humidifier_atomizer", "appliances", 9.9, 59, "加湿器雾化片 替换|超声波雾化片 配件|香薰机雾化片",
      "适配多款加湿器|雾化片直径20mm|更换简单|出雾细腻", "片"),
    T("cigar_cabinet", "smoking_accessories", 199, 1299, "雪松木雪茄保湿盒|雪茄柜 恒温|雪茄剪",
      "仅为收纳配件，不含雪茄|恒湿|西班牙雪松木|礼盒", "个"),
    T("filter_coffee", "food", 19.9, 59, "手冲咖啡滤嘴 滤纸100张|挂耳咖啡滤袋 滤嘴款|冷萃咖啡滤嘴",
      "原木浆|不掉渣|手冲适用|V60适用", "包"),
    # --- ad-law look-alikes ---
    T("newest_model", "digital", 59, 699, "2024最新款 蓝牙耳机|最新款 平板保护套|最新款 充电宝 磁吸",
      "本店最新款，适配新机型|最新款已到货|较上代续航提升", "个"),
    T("first_time", "baby", 19.9, 199, "宝宝第一次洗澡 浴盆|第一次做妈妈 礼盒|第一代 智能学习机 配件|宝宝第一双学步鞋",
      "记录宝宝的第一次|新手妈妈友好|第一步从学步鞋开始", "个"),
    T("min_order", "household", 0.5, 9.9, "最少起订10件 批发 袜子|最少起订50个 定制 帆布袋|小商品批发 最少起订",
      "最少起订量说明：10件起批|批发价，最少起订20件|量大另议", "件"),
    T("tea_grade", "tea", 58, 598, "特级 西湖龙井|特级 碧螺春|一级 铁观音|特级 黄山毛峰",
      "按国家标准分级：特级|特级茶青|一级品质说明见标签|执行标准GB/T 18650", "罐"),
    T("grade_oil", "food", 39, 129, "一级压榨花生油|特级初榨橄榄油|一级 大豆油",
      "一级压榨|执行国家标准|特级初榨冷压|5L桶装", "桶"),
    T("universal_glue", "household", 5.9, 39, "万能胶 强力|万能胶水 木工|万用表 数字|万向轮 静音",
      "万能胶适用木材金属|万用表自动量程|万向轮承重大|工具配件", "支"),
    T("tmall_channel", "household", 29, 299, "天猫专供款 保温杯|京东专供款 空气炸锅|专供出口 餐具套装",
      "渠道专供款，与门店款型号不同|外贸专供出口尾单|电商专供型号", "个"),
    T("intangible_heritage", "tea", 68, 698, "国家级非遗 武夷岩茶|国家级非遗 手工黑茶|国家级非遗 宣纸|国家级非遗 苏绣团扇",
      "入选国家级非物质文化遗产名录的技艺|非遗传承人手作|国家级自然保护区产区", "件"),
    T("best_before", "food", 19.9, 99, "鲜牛奶 最佳饮用温度 4℃|手工月饼 最佳赏味期7天|精酿啤酒 最佳赏味期",
      "最佳赏味期内发货|开封后最好冷藏保存|最佳饮用温度4-8℃", "箱"),
    T("school_name", "apparel", 59, 199, "第一中学 校服定制|实验小学 班服|第一中学 运动服",
      "学校统一款式|按学校要求定制|纯棉透气", "套"),
    T("last_items", "apparel", 29, 199, "最后3件 清仓 T恤|断码最后一批 运动鞋|最后一天 换季清仓",
      "断码清仓，最后几件|最后一批不补货|最终解释见店铺公告", "件"),
)
#: Traps that are patents or numbers (composed by mallsim.phrasing.patent).
PATENT_TRAPS = ("patent:valid", "patent:pending_marked", "trap:order_number")
