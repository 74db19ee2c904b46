"""What a value read in full must look like: each field's form, free text trimmed of what a
scan runs into it, never a label (pure). What fails is left out, never guessed.

>>> clean("旅客姓名", "承运人"), clean("填开单位", "ISSUEDBY杭州恒信旅行社"), clean("自", "武汉WUH")
(None, '杭州恒信旅行社', '武汉 WUH')
>>> clean("签注", "不得签转NDGOR"), clean("签注", "退改签收费8"), clean("提示信息", "贵阳云途公司")
('不得签转', '退改签收费', None)
>>> clean("签注", "/不得签转/变更退票收费") is None  # Q/ unread
True

"""

from __future__ import annotations

import difflib
import functools
import re

from ....documents import positioned
from ....models import NameValue
from ....outputs.fields import normalize
from ..template import table
from ..template.extract import CLEAN, Cleaner
from ..template.table import parted_carrier
from ..validate import identity, repair
from ..vocabulary.airlines import CARRIERS
from ..vocabulary.labels import LABELS, english_label, without_own_english
from ..vocabulary.places import CITIES, registered_at, trade_name

__all__ = ["FREE", "clean", "keep_checked"]


def _any_date(text: str) -> str | None:
    return (repair.iso_date(text) or repair.cn_date(text) or repair.month_date(text)
            or repair.month_year_date(text))


def _status(text: str) -> str | None:
    """开票状态: the first word, Chinese (正常, 红冲 …)."""
    m = re.match(r"\s*([\u4e00-\u9fff]{2,4})", text)
    return m[1] if m else None


_CLEAN: dict[str, Cleaner] = {
    **CLEAN,
    **table.cleaners("einvoice"),
    "日期": _any_date, "客票生效日期": _any_date, "有效截止日期": _any_date,
    "开票日期": _any_date, "填开日期": _any_date,
    "国内国际标识": CLEAN["国内国际标签"],
    "统一社会信用代码": identity.credit_code, "纳税人识别号": identity.credit_code,
    "开票状态": _status, "开具状态": _status,
}  # fmt: skip


FREE = frozenset({"旅客姓名", "签注", "提示信息", "填开单位", "购买方名称"})
_HEADS = frozenset(label[:3] for label in positioned.KNOWN_LABELS if len(label) >= 3)


def clean(name: str, value: str) -> str | None:
    """The value in its field's form, or None; a field with no cleaner keeps its text.

    An organization's name starts with a place (:func:`.places.registered_at`):

    >>> clean("购买方名称", "券南京启明文化传媒有限公司"), clean("填开单位", "都华程票务有限公司")
    ('南京启明文化传媒有限公司', None)

    and has a trade name of two characters or more (:func:`.places.trade_name`):

    >>> clean("填开单位", "南宁云国际旅行社有限公司") is None
    True
    """
    value = without_own_english(name, value)
    if name in positioned.STATIONS:
        return _station(value)
    if name in FREE:
        value = _free(value)
        if not value or _like_label(value):
            return None  # a label read where a value belongs
        if name in _NOTES and value.startswith("/"):
            return None  # its head lost (``/不得签转`` of Q/不得签转)
        if name in _ORGANIZATIONS and not re.search(_ORGANIZATION_END, value):
            return None  # the next cell's text, not an agency or a company
        if name in _ORGANIZATIONS and not registered_at(value):
            if not registered_at(value[1:]):
                return None  # its first characters lost (``都华程…`` for 成都华程…)
            value = value[1:]  # its label's last glyph misread, read into it (``券南京…``)
        if name in _ORGANIZATIONS and len(trade_name(value) or "known") < 2:
            return None  # a glyph of its trade name lost (南宁云国际旅行社… for 南宁云途…)
        if name in _NOTES and re.search(r"(公司|旅行社)$", value):
            return None  # the issuer's name, read from the line below an empty note
    if name == "承运人" and _like_label(value):
        return None
    clean = _CLEAN.get(name)
    if clean is None:
        return value
    found = clean(value)
    return found if found is not None or name not in _STRICT else _without_specks(value, clean)


# Fields whose form is strict enough that a lone character dropped from either end cannot
# turn one value into another (amounts have cents, numbers a length, dates a shape); dropped
# from ``1 9:15`` or ``2 0K`` it would leave another time, another allowance.
_STRICT = frozenset({*positioned.AMOUNT_LABELS, "保险费", "有效身份证件号码", "电子客票号码",
                     "发票号码", "印刷序号", "填开日期", "开票日期"})  # fmt: skip


def _without_specks(value: str, clean: Cleaner) -> str | None:
    """The value cleaned without a lone character at either end that keeps it from its form
    (``1 610113******9275``, ``CNY 0.00 O``: a speck or a stroke of the form read beside it).

    >>> _without_specks("CNY 0.00 O", CLEAN["票价"]), _without_specks("CNY 0 O", CLEAN["票价"])
    ('0.00', None)
    """
    words = value.split()
    while len(words) > 1 and (len(words[0]) == 1 or len(words[-1]) == 1):
        words = words[1:] if len(words[0]) == 1 else words[:-1]
        if (found := clean(" ".join(words))) is not None:
            return found
    return None


_TRAILING_DATE_OR_AMOUNT = r"\s*(?:\d{4}[-年.]\d{1,2}[-月.]\d{1,2}日?|(?:CNY|¥)?\s?[\d,]+\.\d{2})$"


_ORGANIZATIONS = frozenset({"填开单位", "购买方名称"})
_NOTES = frozenset({"签注", "提示信息"})
# How the names of Chinese agencies, companies and offices end.
_ORGANIZATION_END = r"(公司|旅行社|[部处社所站店行厂会局院馆校园心室队]|\))$"


@functools.lru_cache(maxsize=4096)  # (pure: a page's readings ask it of the same words)
def _like_label(value: str) -> bool:
    """A label (or most of one: ``承人``, ``汉承运人``) read where a value belongs."""
    v = re.sub(r"[\W_]", "", value)  # 保验费、 is 保险费
    if re.match(r"航段\d", v):  # a slip's segment heading (航段 1 SEGMENT 1)
        return True
    return any(difflib.SequenceMatcher(None, v, label).ratio() >= 0.6 for label in LABELS)


def _free(text: str) -> str:
    """Free text without what a scan runs into it: the English half of its label before it,
    the next label, or the next cell's date or amount after it; a date or an amount alone
    is not free text.

    >>> _free("ISSUEDBY杭州恒信国际旅行社"), _free("广州鹏程国际旅行社2024年06月27日")
    ('杭州恒信国际旅行社', '广州鹏程国际旅行社')
    >>> _free("CNY30.00"), _free("Q/不得签转"), _free("o长沙瑞丰国际旅行社有限公司")
    ('', 'Q/不得签转', '长沙瑞丰国际旅行社有限公司')
    """
    m = re.match(r"[A-Za-z./,\-\s]{4,}", text)
    if m and english_label(m[0]):
        text = text[m.end() :]
    text = re.sub(r"^[A-Za-z]{1,3}\s*(?=[\u4e00-\u9fff])", "", text)  # what is left of ISSUED BY
    text = re.sub(_TRAILING_DATE_OR_AMOUNT, "", text)
    if not re.search(r"[\u4e00-\u9fff]", text):
        return ""
    return _before_label(text.strip())


def _before_label(text: str) -> str:
    """Free text up to where the next label begins (a scan's line can run into it): the first
    three characters of a label, one of them possibly misread.

    >>> _before_label("济南安途贸易有限公司统一社会他用"), _before_label("到达机场保验费40")
    ('济南安途贸易有限公司', '到达机场')
    """
    for i in range(2, len(text) - 2):
        window = text[i : i + 3]
        if any(sum(a != b for a, b in zip(window, h, strict=True)) <= 1 for h in _HEADS):
            return text[:i]
    return text


_CARRIER_RUN_IN = re.compile("([\u4e00-\u9fff]{2,})[\u4e00-\u9fff]航")


def _station(text: str) -> str | None:
    """``武汉WUH`` → ``武汉 WUH`` (OCR drops the space the form prints between city and
    code); a city alone is kept; anything else is no station.

    >>> _station("武汉WUH"), _station("北京首都 PEK"), _station("上海"), _station("青岛TAO 液航")
    ('武汉 WUH', '北京首都 PEK', '上海', None)
    >>> _station("厦门至长沙"), _station("上海每承运人厦航"), _station("长沙上航")
    (None, None, '长沙')
    >>> _station("M武汉"), _station("哈尔滨丨川航")  # its mark's English (FROM); a rule read
    ('武汉', '哈尔滨')
    >>> _station("广州夏航"), _station("上海虹桥")  # a carrier misread, run into the city
    ('广州', '上海虹桥')
    >>> _station("海□")  # 口 read as a white square (U+25A1), which no itinerary prints
    '海口'
    >>> _station("(昆明)"), _station("重庆）")  # a reviewer's ring read as brackets
    ('昆明', '重庆')
    """
    t = re.sub("[ 丨|｜]", "", text).rstrip(".,:;'`").replace("□", "口")
    t = re.sub(r"^[(（《〈]|[)）》〉]$", "", t)
    t = re.sub(r"^[A-Za-z]{1,4}(?=[\u4e00-\u9fff])", "", t)  # its mark's English (FROM: M武汉)
    if re.search("[自至]", t[1:]) or _before_label(t) != t:
        return None  # the next station or the next cell's label run into this one
    parted = parted_carrier(t)
    if parted is not None:
        t = parted[0]  # the carrier's cell run into the city's (长沙上航)
    elif (run := _CARRIER_RUN_IN.fullmatch(t)) and run[1] in CITIES:
        t = run[1]  # ... a carrier misread (广州夏航): no city or airport name ends in 航
    elif len(t) >= 4 and any(t.endswith(name) for name in CARRIERS):
        return None  # a carrier named like a city (成都, 首都): which is which is unclear
    m = re.fullmatch(r"([\u4e00-\u9fff]{2,8})([A-Za-z]{3})?", t)
    if m is None:
        return None
    if not m[2] and (city := _city_and_label_piece(m[1])):
        return city  # the next cell's label, its first glyph lost, run into the city
    return f"{m[1]} {m[2].upper()}" if m[2] else m[1]


def _city_and_label_piece(text: str) -> str | None:
    """The city ``text`` starts with when what follows it begins with two glyphs a label
    prints side by side (``北京运人海``: 承运人 with its first glyph lost, and a speck), else
    None: an airport's name after a city (北京首都, 上海虹桥) is no label's.

    >>> _city_and_label_piece("北京运人海"), _city_and_label_piece("北京首都")
    ('北京', None)
    """
    for city in sorted((c for c in CITIES if text.startswith(c)), key=len, reverse=True):
        rest = text[len(city) :]
        if len(rest) >= 2 and any(rest[:2] in label for label in positioned.KNOWN_LABELS):
            return city
    return None


def keep_checked(data: list[NameValue]) -> list[NameValue]:
    """Drop the entries whose value the normalizer cannot parse as its field's form (a date
    that is no date, an amount that is no amount): a field left out is never wrong.

    >>> keep_checked([{"Name": "合计", "Value": "CNY 4130.00", "Row": -1},
    ...               {"Name": "票价", "Value": "CNY 36A2.2O", "Row": -1}])
    [{'Name': '合计', 'Value': 'CNY 4130.00', 'Row': -1}]
    """
    _, warnings = normalize(data)
    bad = {w.field for w in warnings if w.code.startswith("bad_") and w.field}
    if not bad:
        return data
    drop: set[int] = set()
    for i, entry in enumerate(data):
        _, found = normalize([entry])
        if any(w.code.startswith("bad_") for w in found):
            drop.add(i)
    return [e for i, e in enumerate(data) if i not in drop]
