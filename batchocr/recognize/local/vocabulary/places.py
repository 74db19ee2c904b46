"""The cities an itinerary flies between, as its 自/至 cells print them (data).

Every mainland city with a civil airport, Hong Kong, Macau and Taiwan's, and the foreign
cities flown to from China most. A station is taken when it starts with one of them (so an
airport's name after its city, 北京首都 or 上海虹桥, is kept); one that starts with none is
taken for a misread (``复门`` for 厦门) and left out — a city missing here costs its field,
never a wrong value.

>>> known_city("北京首都 PEK"), known_city("上海"), known_city("复门")
(True, True, False)
"""

from __future__ import annotations

__all__ = ["AIRPORT_CODES", "CITIES", "cities_apart", "known_city", "registered_at", "trade_name",
           "two_cities"]

_MAINLAND = """
北京 天津 石家庄 秦皇岛 北戴河 邯郸 唐山 张家口 承德 邢台 太原 大同 长治 运城 吕梁 忻州 临汾
呼和浩特 包头 鄂尔多斯 赤峰 通辽 海拉尔 呼伦贝尔 满洲里 锡林浩特 乌兰浩特 乌海 巴彦淖尔 二连浩特
阿尔山 阿拉善 额济纳 乌兰察布 扎兰屯 霍林郭勒 沈阳 大连 丹东 锦州 朝阳 鞍山 营口 长海 长春 延吉
白山 长白山 通化 松原 白城 哈尔滨 齐齐哈尔 牡丹江 佳木斯 黑河 大庆 漠河 鸡西 伊春 抚远 加格达奇
五大连池 建三江 上海 南京 无锡 苏南 常州 徐州 南通 盐城 连云港 淮安 扬州 泰州 杭州 宁波 温州 义乌
舟山 台州 衢州 丽水 合肥 黄山 阜阳 安庆 池州 芜湖 宣城 蚌埠 福州 厦门 泉州 晋江 武夷山 龙岩 三明
南昌 赣州 景德镇 九江 井冈山 宜春 上饶 济南 青岛 烟台 威海 临沂 潍坊 济宁 东营 日照 菏泽 郑州
洛阳 南阳 信阳 安阳 商丘 武汉 宜昌 襄阳 恩施 十堰 神农架 荆州 长沙 张家界 常德 怀化 衡阳 永州
邵阳 岳阳 郴州 湘西 广州 深圳 珠海 汕头 揭阳 湛江 梅州 惠州 韶关 佛山 南宁 桂林 北海 柳州 梧州
百色 河池 玉林 贺州 海口 三亚 琼海 重庆 万州 黔江 巫山 武隆 仙女山 成都 绵阳 宜宾 泸州 南充 达州
西昌 攀枝花 广元 九寨 九寨沟 康定 稻城 甘孜 阿坝 红原 巴中 乐山 贵阳 遵义 铜仁 兴义 安顺 六盘水
毕节 黎平 凯里 荔波 昆明 丽江 西双版纳 景洪 大理 德宏 芒市 保山 腾冲 临沧 普洱 迪庆 香格里拉 昭通
文山 沧源 宁蒗 拉萨 林芝 昌都 阿里 日喀则 西安 榆林 延安 汉中 安康 兰州 敦煌 嘉峪关 庆阳 张掖
金昌 天水 夏河 甘南 陇南 西宁 格尔木 玉树 德令哈 果洛 花土沟 祁连 银川 固原 中卫 乌鲁木齐 喀什
伊宁 阿克苏 库尔勒 和田 阿勒泰 克拉玛依 哈密 吐鲁番 塔城 库车 博乐 且末 富蕴 喀纳斯 布尔津
石河子 若羌 莎车 于田 图木舒克 那拉提 昭苏 新源 香港 澳门 台北 高雄 台中 台南 花莲 金门
"""
_ABROAD = """
东京 大阪 名古屋 福冈 札幌 冲绳 那霸 首尔 釜山 济州 新加坡 曼谷 普吉 清迈 芭提雅 吉隆坡 槟城 亚庇
雅加达 巴厘岛 登巴萨 马尼拉 宿务 河内 胡志明市 岘港 芽庄 金边 暹粒 万象 仰光 加德满都 科伦坡 马累
新德里 孟买 迪拜 阿布扎比 多哈 伊斯坦布尔 莫斯科 圣彼得堡 伦敦 巴黎 法兰克福 慕尼黑 阿姆斯特丹
布鲁塞尔 罗马 米兰 马德里 巴塞罗那 苏黎世 维也纳 赫尔辛基 哥本哈根 斯德哥尔摩 雅典 布拉格 纽约
洛杉矶 旧金山 西雅图 芝加哥 波士顿 华盛顿 温哥华 多伦多 悉尼 墨尔本 奥克兰 布里斯班 珀斯
开罗 约翰内斯堡 内罗毕 亚的斯亚贝巴
"""
CITIES = frozenset((_MAINLAND + _ABROAD).split())

# The IATA codes of China's civil airports and cities (Hong Kong, Macau and Taiwan's too): a
# sales office's code (销售单位代号, ``CAN267``) starts with its city's. A code missing here
# costs an agent code, never a wrong one; ``KNG182`` (KMG read with N for M) is none of them.
_CODES = """
BJS PEK PKX NAY SHA PVG CAN SZX CTU TFU KMG TSN XIY HGH CKG NKG WUH CSX XMN TAO DLC SHE HRB
URC SYX HAK KWE CGO TNA FOC NNG LHW HET BAV SJW TYN CGQ YNT WEH JJN NGB WNZ YIW HFE TXN KHN
KOW JDZ NTG WUX CZX YNZ LYG XUZ HIA YTY KWL BHY LZH WUZ SWA ZUH ZHA MXZ HUZ HSC FUO WUS LCX
SQJ JGS KNC JIU YIC SQD AQG JUH WHA FUG BFU HNY DYG CGD HJJ LLF WGN YIH XFN ENH WDS SHS LYA
NNY XAI AYN DOY JNG LYI WEF RIZ HZA BSD LJG JHG DLU LUM TCZ LNJ SYM DIG ZAT WNH NLH YUA LXA
LZY BPX NGQ RKZ INC GYU ZHY XNN GOQ YUS HXD GMQ HTT DSN WUA CIF TGO HLD NZH XIL HLH ERL YIE
AXF EJN UCB RLK DDG JNZ CHG AOG YKH YNJ NBS TNH YSQ DBC NDG MDG JMU HEK DQA OHE JXA LDS FYJ
JGD DTU JSJ HDG BPE ZQZ CDE XNT DAT CIH YCU LLV WUT LFQ JUZ HSN HYN LNY DNH JGN IQN YZY JIC
THQ GXH LNL ENY UYN HZG AKA MIG YBP LZO NAO DAX XIC PZI GYS JZH KGT DCY BZX AHJ LPF ZYI TEN
ACX AVA BFJ HZH KJH LLB WXN JIQ WSK CBQ KHG YIN AKU KRL HTN AAT KRY HMI TLQ TCG KCA BPL IQM
FYN KJI SHF RQA QSZ YTW NLT ZFL XYQ AEB HCJ YLX HZZ BAR HKG MFM TPE TSA KHH RMQ TNN HUN KNH
MZG WMT SZV RHT HPG GHN SXJ
"""
AIRPORT_CODES = frozenset(_CODES.split())


def known_city(station: str) -> bool:
    """Whether ``station`` (a city, maybe its airport's name and code after it) starts with
    a city of :data:`CITIES`."""
    head = station.split()[0] if station.split() else ""
    return any(head.startswith(city) for city in CITIES)


def cities_apart(station: str) -> tuple[str, str] | None:
    """The two cities of ``station`` when it is exactly two run together (and nothing after
    them), parted one way only; else None.

    >>> cities_apart("兰州北京"), cities_apart("北京首都"), cities_apart("厦门长沙 CSX")
    (('兰州', '北京'), None, None)
    """
    parts = _partings(station)
    return parts[0] if len(parts) == 1 else None


def two_cities(station: str) -> bool:
    """Whether ``station`` is two cities run together (a line's origin and destination, its
    至 mark unread), not a city and its airport's name (北京首都, 延吉朝阳川).

    >>> two_cities("厦门长沙"), two_cities("北京首都"), two_cities("延吉朝阳川")
    (True, False, False)
    """
    head = station.split()[0] if station.split() else ""
    return bool(_partings(head))


def _partings(text: str) -> list[tuple[str, str]]:
    """Each way ``text`` parts into two cities of :data:`CITIES` (a city has two glyphs or
    more)."""
    return [(text[:k], text[k:]) for k in range(2, len(text) - 1)
            if text[:k] in CITIES and text[k:] in CITIES]  # fmt: skip


# A Chinese enterprise's name starts with the place it is registered in (企业名称登记管理
# 规定: 行政区划 + 字号 + 行业 + 组织形式); only a few national ones start with 中国 or 中.
_PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏",
              "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南",
              "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏",
              "宁夏", "新疆", "香港", "澳门", "中国", "中")  # fmt: skip


def registered_at(name: str) -> bool:
    """Whether an organization's name starts with a place: a province or a city flown to.

    >>> registered_at("成都华程航空服务有限公司"), registered_at("都华程航空服务有限公司")
    (True, False)
    """
    return name.startswith(_PROVINCES) or known_city(name)



# What follows an enterprise's trade name (字号): its trade (行业) and its legal form (组织形式),
# as agencies and the companies that buy tickets name them.
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司")
_TRADES = ("国际旅行社", "旅行社", "国际旅游", "旅游服务", "航空服务", "航空票务", "票务代理",
           "客运代理", "商务服务", "商旅服务", "文化传媒", "国际贸易", "贸易", "商贸", "网络科技",
           "信息技术", "科技", "管理咨询", "咨询", "工程", "实业", "电子商务")  # fmt: skip
_PLACES = sorted({*_PROVINCES, *CITIES}, key=len, reverse=True)


def trade_name(name: str) -> str | None:
    """The trade name (字号) in an enterprise's name: what lies between the place it is
    registered in and a trade and legal form this knows; None when the name has none of them.
    The rules (企业名称登记管理规定实施办法) ask two characters or more: a trade name of one is
    a name read with a glyph lost.

    >>> trade_name("南宁云途国际旅行社有限公司"), trade_name("南宁云国际旅行社有限公司")
    ('云途', '云')
    >>> trade_name("厦门航空有限公司") is None  # an airline: no trade of this list
    True
    """
    place = next((p for p in _PLACES if name.startswith(p)), None)
    form = next((f for f in _LEGAL_FORMS if name.endswith(f)), None)
    if place is None or form is None:
        return None
    rest = name[len(place) : -len(form)]
    trade = next((t for t in _TRADES if rest.endswith(t)), None)
    return rest[: -len(trade)].removeprefix("市") if trade else None
