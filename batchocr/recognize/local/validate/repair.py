"""Value cleaners: OCR text of one field → the value as the service prints it, or None.

Each cleaner knows the field's printed form and fixes only the confusions
that form makes unambiguous (``O`` where a digit must be, ``0`` where a month
letter must be). ID numbers and credit codes: :mod:`.identity`.
Anything still off-form is ``None``: the field is left out, never guessed.

>>> amount("CNY 1,190.00"), digits("9990O3348341S", 13), month_date("213UN")
('1190.00', '9990033483415', '21JUN')
"""

from __future__ import annotations

import re
import unicodedata

from ..vocabulary.airlines import AIRLINE_CODES
from ..vocabulary.phrases import phrased
from ..vocabulary.places import AIRPORT_CODES

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Glyphs OCR confuses, by what the position must hold.
AS_DIGIT = str.maketrans("OoQDIlL|iZzSsBbGg", "00001111122558866")
_AS_LETTER = str.maketrans("0158264", "OISBZGA")
_SPACES = re.compile(r"[\s_]+")
_LONG = 11  # digits: a number this long has no punctuation of its own
SPECK_IN_NUMBER = re.compile(r"(?<=\d)[.:,'`·](?=\d)")


def squeeze(text: str) -> str:
    """Drop spaces and normalize full-width punctuation.

    >>> squeeze(" CA 1401：")
    'CA1401:'
    """
    text = unicodedata.normalize("NFKC", text)  # full-width Ｈ１：（ → H1:(
    return _SPACES.sub("", text)


_LOOK_ALIKES = "OoQDIlL|iZzSsBbGg"  # read for digits
_LATIN = re.compile("[A-Za-z]")


def digits(text: str, length: int) -> str | None:
    """Exactly ``length`` digits (letters that look like digits are read as digits; in a
    long number, a speck read between two digits is dropped: a worn head's gap, dust).

    >>> digits("No.0481800905Z", 11), digits("123", 4), digits("244422142:47813673804", 20)
    ('04818009052', None, '24442214247813673804')
    >>> digits("EmnOKETNo7316547279557", 13)  # the o of its label's NO. run into it
    '7316547279557'
    """
    text = squeeze(text)
    if length >= _LONG:
        text = SPECK_IN_NUMBER.sub("", text)
    found = [m[0] if m.start() == 0 or not _LATIN.match(text[m.start() - 1])
             else m[0].lstrip(_LOOK_ALIKES)  # (letters that end a word: not the number's)
             for m in re.finditer(rf"[0-9{_LOOK_ALIKES}]{{{length},}}", text)]  # fmt: skip
    runs = [r for r in found if sum(c.isdigit() for c in r) >= len(r) - 3]
    if len(runs) != 1 or len(runs[0]) != length:
        return None
    return runs[0].translate(AS_DIGIT)


def amount(text: str) -> str | None:
    """A money amount with two decimals; currency codes (CNY, CN, YQ, ¥) and commas dropped.

    >>> amount("YQ0.00"), amount("¥42.94"), amount("CNY.2650:00"), amount("XXX")
    ('0.00', '42.94', '2650.00', None)
    >>> amount("YO.00"), amount("VO.00"), amount("CNY O.00."), amount("NYO.00")  # 0 as O
    ('0.00', '0.00', '0.00', '0.00')
    >>> amount("CNY2.420.00"), amount("CNY 1,140.00")  # a thousands separator, read as a dot
    ('2420.00', '1140.00')
    >>> amount("CNY 2,O4O.00"), amount("CNY·1,210.00")  # (a speck after the code)
    ('2040.00', '1210.00')
    >>> amount("KS0.00"), amount("NY50.00"), amount("CNY S0.00")  # KS: a code or K and a 5?
    (None, '50.00', '50.00')
    >>> amount("ToACNY2,500.00"), amount("FCNY 1980.00"), amount("2040.00>")
    ('2500.00', '1980.00', '2040.00')
    >>> amount("至40.00")  # a dotted ¥ read as a Chinese glyph
    '40.00'
    >>> amount("501C.00"), amount("522C.00"), amount("C0.00")  # a faded 0 read as C
    ('5010.00', '5220.00', None)
    >>> amount("10TALCNY960.00"), amount("FUESURCHARGECNY”O.OO")  # English halves misread
    ('960.00', '0.00')
    """
    t = re.sub(r"[^0-9A-Z]+$", "", squeeze(text).upper())  # a speck or a pen's mark after it
    t = re.sub(r",(?=[0-9OQDISBZ]{3}[.:])|\.(?=[0-9OQDISBZ]{3}[.:][0-9OQDISBZ]{2}$)", "",
               t)  # a thousands separator (its digits maybe read as look-alike letters)
    # (letters run into CNY are a label's English, misread maybe: ``ToACNY2,500.00``,
    # ``FCNY 1980.00``, ``10TALCNY960.00``)
    # (two letters alone too: ``NYO.00``, CNY's tail and a 0 read as O, is no three-letter code)
    for sign in ("", r"([A-Z0-9]*?(CNY|RMB)|CN|YQ|¥|[A-Z]{2,3})[-.,:·”“\"']?", "[A-Z]{2}", "Y",
                 "V", _HAN_SIGN):  # fmt: skip
        found = _amount(re.sub(f"^{sign}", "", t))
        if found is not None:
            return None if _code_or_digit(t, found) else found
    return None


_HAN_SIGN = "[\u4e00-\u9fff]"  # a ¥ of dots read as one Chinese glyph (至40.00)


def _code_or_digit(t: str, found: str) -> bool:
    """Whether the letters before ``found`` may end in a digit read as a letter (``KS0.00``:
    a currency code and 0.00, or K and 50.00?) that makes another amount: neither is taken.
    """
    m = re.match(r"([A-Z]{2,3})[-.,:·]?(?=[0-9OQDISBZ]{1,6}[.,:])", t)
    if m is None or m[1] in ("CNY", "RMB") or m[1][-1] not in "OQDISBZ":
        return False
    other = _amount(m[1][-1] + t[m.end() :])
    return other is not None and other != found


def _amount(t: str) -> str | None:
    m = re.fullmatch(r"([0-9OQDISBZ]{1,6}?(?:(?<=\d)C[0-9OQDISBZ]*)?)[.,:]([0-9OQDISBZ]{2})", t)
    if m is None:
        return None
    # (a C after a digit is a faded 0: ``501C.00``; the sum checks it as any amount)
    whole, cents = m[1].replace("C", "0").translate(AS_DIGIT), m[2].translate(AS_DIGIT)
    return f"{int(whole)}.{cents}"


def month_date(text: str, rest: str = "") -> str | None:
    """A ``DDMON`` flight date, with digits-for-letters fixed in the month; a month one letter
    off one month's name and no other's is read as that month (a dot-matrix head's ``NAR``,
    ``PEB``; ``JUI`` may be June or July: no month) when the day, and ``rest`` (the year
    after it), read as digits: one misread glyph in a date is mended, not two (``0IDBC``
    for 04DEC read 01DEC).

    >>> month_date("O5FEB"), month_date("21JUN"), month_date("3lMAY"), month_date("31XYZ")
    ('05FEB', '21JUN', '31MAY', None)
    >>> month_date("01NAR"), month_date("22PEB"), month_date("04JUI"), month_date("0IDBC")
    ('01MAR', '22FEB', None, None)
    """
    t = _DAY_SPECK.sub(r"\1", squeeze(text).upper().rstrip(".,:;"))
    if len(t) != 5:
        return None
    day = t[:2].translate(AS_DIGIT)
    mon = t[2:].translate(_AS_LETTER).replace("3", "J")
    if not day.isdigit() or not 1 <= int(day) <= 31:
        return None
    if mon in MONTHS:
        return day + mon
    near = [m for m in MONTHS if sum(a != b for a, b in zip(m, mon, strict=True)) == 1]
    return day + near[0] if len(near) == 1 and (t[:2] + rest).isdigit() else None


_DAY_SPECK = re.compile(r"^(\w{2})[.,:·](?=[A-Z0-9]{3})")  # 26.JUL24: a speck after the day
_YEAR_SPECK = re.compile(r"(?<=^\w{5})[.,:·](?=\w{2}$)")  # 17JUL.24: one before the year


def month_year_date(text: str) -> str | None:
    """A ``DDMONYY`` date (``31OCT25``), as ISO: the year printed makes it certain.

    >>> month_year_date("310CT25"), month_year_date("05MAR24"), month_year_date("05MAR")
    ('2025-10-31', '2024-03-05', None)
    >>> month_year_date("26.JUL24"), month_date("05.FEB"), month_year_date("17JUL.24")
    ('2024-07-26', '05FEB', '2024-07-17')
    >>> month_year_date("01NAR25"), month_year_date("01NAR2S")
    ('2025-03-01', None)
    """
    t = _DAY_SPECK.sub(r"\1", squeeze(text).upper().rstrip(".,:;"))
    t = _YEAR_SPECK.sub("", t)
    if len(t) != 7:
        return None
    day, year = month_date(t[:5], t[5:]), t[5:].translate(AS_DIGIT)
    if day is None or not year.isdigit():
        return None
    return f"20{year}-{MONTHS.index(day[2:]) + 1:02d}-{day[:2]}"


def clock(text: str) -> str | None:
    """A time as ``HH:MM`` (printed ``0700`` or ``07:00``).

    >>> clock("0815"), clock("15:05"), clock("2561")
    ('08:15', '15:05', None)
    >>> clock("130C"), clock("13C0")  # a faded 0 read as C: where a schedule's 0 stands
    ('13:00', None)
    >>> clock("(1100)"), clock("（820")  # a reviewer's ring; a dotted 0's left arc
    ('11:00', '08:20')
    """
    t = re.sub(r"^[（(](?=\d{3}\)?$)", "0", squeeze(text)).strip("()（）")
    t = t.rstrip(".,:;").replace(".", ":")
    t = re.sub(r"(?<=\d)C$", "0", t).translate(AS_DIGIT)  # (flights leave on the 5 minutes)
    m = re.fullmatch(r"(\d\d):?(\d\d)", t)
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        return None
    return f"{m[1]}:{m[2]}"


_EDGE_MARKS = "[]()|:;"  # read at a value's edge: a bracket, a highlighter's or a rule's edge
# A year is 20xx: a C where its 0 stands is that 0 (elsewhere a C may be a cut 0 or a 6)
_CENTURY = re.compile(r"^2[Cc](?=\d\d)")


def iso_date(text: str) -> str | None:
    """A ``YYYY-MM-DD`` date.

    A dot-matrix head's dash reads as two, as dots or as 一: ``2024--08-04``, ``202408…01``;
    a faded print's month as two glyphs with a speck between: ``2024-1:2-04``.

    >>> iso_date("2024-O6-02"), iso_date("2024-13-02"), iso_date("202408…01")
    ('2024-06-02', None, '2024-08-01')
    >>> iso_date("2024-1:2-04"), iso_date("2024-1:22-04")
    ('2024-12-04', None)
    >>> iso_date("[2024-07-04"), iso_date(":2024-07-12")  # a highlighter's edge, a colon
    ('2024-07-04', '2024-07-12')
    >>> iso_date("2C24--01-15")  # a faded 0 read as C: only where the year's 0 stands
    '2024-01-15'
    """
    t = _CENTURY.sub("20", squeeze(text).strip(_EDGE_MARKS).rstrip(".,;"))
    t = SPECK_IN_NUMBER.sub("", t.translate(AS_DIGIT))
    m = re.fullmatch(r"(20\d\d)[-.:·~—–一/]{0,3}(\d\d)[-.:·~—–一/]{0,3}(\d\d)", t)
    if m is None or not (1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31):
        return None
    return f"{m[1]}-{m[2]}-{m[3]}"


def cn_date(text: str) -> str | None:
    """A ``YYYY年MM月DD日`` date, as the e-invoice prints it.

    >>> cn_date("2024年1O月04日")
    '2024年10月04日'
    """
    t = _CENTURY.sub("20", squeeze(text))
    m = re.fullmatch(r"([0-9O]{4})年([0-9OIl]{2})月([0-9OIl]{2})日?", t)
    if m is None:
        return None
    y, mo, d = (g.translate(AS_DIGIT) for g in m.groups())
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    return f"{y}年{mo}月{d}日"


def office_code(text: str) -> str | None:
    """A sales office code: three letters (a city's airport code, :data:`.places.AIRPORT_CODES`)
    and three digits.

    >>> office_code("CAN267"), office_code("5HE1O4"), office_code("SHE1"), office_code("KNG182")
    ('CAN267', 'SHE104', None, None)
    >>> office_code("coDCAN471"), office_code("（CGO742"), office_code("WUHIO30")  # CODE run in
    ('CAN471', 'CGO742', None)
    >>> office_code("TAC705")  # a round letter misread
    'TAO705'
    >>> office_code("ZH4811") is None  # a flight number (Shenzhen Airlines'), not ZHA811
    True
    """
    t = re.sub(r"^[^0-9A-Z]+|[^0-9A-Z]+$", "", squeeze(text).upper())
    if len(t) > 6 and t[:-6].isalpha():
        t = t[-6:]  # (the end of its label's English, AGENT CODE, run into it)
    if len(t) != 6 or (t[:2] in AIRLINE_CODES and t[2:].isdigit()):
        return None
    code = t[:3].translate(_AS_LETTER) + t[3:].translate(AS_DIGIT)
    if not re.fullmatch(r"[A-Z]{3}\d{3}", code):
        return None
    if code[:3] not in AIRPORT_CODES:
        # a round letter read as another (TAC for TAO): taken when only one such reading is
        # a city's code
        near = {code[:i] + o + code[i + 1 : 3] for i, c in enumerate(code[:3])
                for o in _ROUND.get(c, "")} & AIRPORT_CODES  # fmt: skip
        return next(iter(near)) + code[3:] if len(near) == 1 else None
    return code


_ROUND = {"O": "CDQ", "C": "O", "D": "O", "Q": "O"}  # letters a faded or dotted O reads as


# ---------------------------------------------------------------------- free text

_FREE = re.compile(r"[\u4e00-\u9fff0-9A-Za-z/（）()·,，.、\-]+")


_LOOSE_ENDS = "/、,.;:'\"`-·"  # specks and rules OCR reads at the ends of a line


def free_text(text: str) -> str | None:
    """Printed free text (a name, an endorsement, an agency), spaces dropped."""
    t = squeeze(text).replace(":", "").strip(_LOOSE_ENDS)
    return t if t and _FREE.fullmatch(t) else None


def organization(text: str) -> str | None:
    """An agency's or a company's name: free text with Chinese in it (a Latin run alone
    where it belongs is the label's English half read off a misregistered page: ``ISSUEDBY``),
    without the Latin run read after its last character (the next labels' English halves).

    >>> organization("海口远航航空服务有限公司"), organization("ISSUED BY")
    ('海口远航航空服务有限公司', None)
    >>> organization("北京恒信商务服务有限公司SSUEDBY26JAN24DATEOFISSUE")
    '北京恒信商务服务有限公司'
    """
    t = free_text(text)
    return _TRAILING_LATIN.sub("", t) if t and re.search(r"[\u4e00-\u9fff]", t) else None


# Latin letters (and digits among them) after a name's last Chinese character: no agency's
# name ends so; its next labels' English halves (ISSUED BY, DATE OF ISSUE) read into it do.
_TRAILING_LATIN = re.compile(r"(?<=[\u4e00-\u9fff])(?=[A-Za-z0-9]*[A-Za-z]{2})[A-Za-z0-9]+$")


# What a scan leaves after a note's last character: Latin letters (a piece of the next
# label's English) or a lone digit.
_TRAILING_SPECK = re.compile(r"(?<=[\u4e00-\u9fff])(?:[A-Za-z]{2,}|\d)$")


# Latin letters run into a note's first Chinese character: no note starts so (a code before
# one is set apart, Q/不得签转), its label's English half (INFORMATION) read into it does.
_LEADING_LATIN = re.compile(r"^[A-Za-z]{2,}(?=[\u4e00-\u9fff])")


def note(text: str) -> str | None:
    """An endorsement or a prompt: free text without a speck after its last character or
    Latin letters run into its first (the end of its label's English half, INFORMATION), a
    stock phrase read a glyph off made that phrase (:func:`.phrases.phrased`).

    >>> note("不得签转NDGOR"), note("退改签收费8"), note("NON-END/不得签转")
    ('不得签转', '退改签收费', 'NON-END/不得签转')
    >>> note("FORMON本行程单不作为登机凭证")
    '本行程单不作为登机凭证'

    A lone digit before the first slash is a code's letter misread (``0/不得签转`` for
    Q/不得签转: no fare code is one digit), which nothing tells: the note is left out.

    >>> note("0/不得签转/变更退票收费") is None
    True
    >>> note("请干起飞前30分钟到达机场")
    '请于起飞前30分钟到达机场'
    """
    t = free_text(text)
    t = t and _LEADING_LATIN.sub("", _TRAILING_SPECK.sub("", t))
    if not t or re.match(r"\d/", t):
        return None
    return phrased(t)  # (a phrase cut short: None)


# The commonest Chinese surnames (together some nine in ten people), the compound ones too.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左"
    "柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶"
    "解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬"
    "边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
) | {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
     "宇文", "夏侯", "轩辕", "端木", "独孤"}  # fmt: skip


# The surnames of the Hundred Family Surnames (百家姓), its single ones: rarer ones too.
_HUNDRED_SURNAMES = frozenset(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎"
    "鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄"
    "和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭"
    "梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚"
    "程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫"
    "宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻"
    "莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向"
    "古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾"
    "毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公"
)  # fmt: skip

# Surnames in neither list that a Chinese ticket still prints (Cantonese and other regional
# ones, 付 as 傅 is written today).
_ANY_SURNAME = _HUNDRED_SURNAMES | frozenset("冼麦区谌佘付闫揭覃粟练蔺禤")


def surnamed(name: str) -> bool:
    """Whether ``name`` starts with a common surname (:data:`SURNAMES`)."""
    return name[:1] in SURNAMES or name[:2] in SURNAMES


def person(text: str) -> str | None:
    """A passenger name: two to five Chinese characters (more only with ·, a transliterated
    name), or LATIN/NAME; a longer run is a label or a line read where the name belongs.
    A name whose first character is no common surname but whose second starts one is a
    speck or a stroke read before the name (``享郭刚``): none, as a guess at which it is. Nor
    is a name of two characters whose first is no surname at all (``玉勇``, read from a phone
    photo of 曹玉勇: the crop cut the surname off), nor one of three or more whose first is
    none either (``啊子强`` for 何子强: a misread surname); one that is a rare surname
    stays (``国然`` may be a name, as 晁明 is).

    >>> person("欧阳明辉"), person("阿依古丽·买买提"), person("存效身价证行可码")
    ('欧阳明辉', '阿依古丽·买买提', None)
    >>> person("享郭刚"), person("艾郭刚"), person("晁明"), person("玉勇"), person("国然")
    (None, '艾郭刚', '晁明', None, '国然')
    >>> person("啊子强"), person("冼子强"), person("ZHANG/SAN")
    (None, '冼子强', 'ZHANG/SAN')
    """
    t = squeeze(text).strip(_LOOSE_ENDS)
    cjk = r"[\u4e00-\u9fff]{2,5}|[\u4e00-\u9fff]+(?:·[\u4e00-\u9fff]+)+"
    if not re.fullmatch(cjk + r"|[A-Z]+/[A-Z]+", t):
        return None
    if re.fullmatch(r"[\u4e00-\u9fff]+", t) and not surnamed(t) and t[0] not in _ANY_SURNAME:
        return None  # its surname lost, or misread
    return None if len(t) >= 3 and not surnamed(t) and surnamed(t[1:]) else t
