"""Value cleaners: OCR text of one field → the value as the service prints it, or None.

Each cleaner knows the field's printed form and fixes only the confusions
that form makes unambiguous (``O`` where a digit must be, ``0`` where a month
letter must be, a star more or less in a masked ID whose length is fixed).
Anything still off-form is ``None``: the field is left out, never guessed.

>>> amount("CNY 1,190.00"), digits("9990O3348341S", 13), month_date("213UN")
('1190.00', '9990033483415', '21JUN')
"""

from __future__ import annotations

import re
import unicodedata

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# Glyphs OCR confuses, by what the position must hold.
_AS_DIGIT = str.maketrans("OoQDIlL|iZzSsBbGg", "00001111122558866")
_AS_LETTER = str.maketrans("0158264", "OISBZGA")
_SPACES = re.compile(r"[\s_]+")
_LONG = 11  # digits: a number this long has no punctuation of its own
_SPECK_IN_NUMBER = re.compile(r"(?<=\d)[.:,'`·](?=\d)")


def squeeze(text: str) -> str:
    """Drop spaces and normalize full-width punctuation.

    >>> squeeze(" CA 1401：")
    'CA1401:'
    """
    text = unicodedata.normalize("NFKC", text)  # full-width Ｈ１：（ → H1:(
    return _SPACES.sub("", text)


def digits(text: str, length: int) -> str | None:
    """Exactly ``length`` digits (letters that look like digits are read as digits; in a
    long number, a speck read between two digits is dropped: a worn head's gap, dust).

    >>> digits("No.0481800905Z", 11), digits("123", 4), digits("244422142:47813673804", 20)
    ('04818009052', None, '24442214247813673804')
    """
    text = squeeze(text)
    if length >= _LONG:
        text = _SPECK_IN_NUMBER.sub("", text)
    found: list[str] = re.findall(rf"[0-9OoQDIlL|iZzSsBbGg]{{{length},}}", text)
    runs = [r for r in found if sum(c.isdigit() for c in r) >= len(r) - 3]
    if len(runs) != 1 or len(runs[0]) != length:
        return None
    return runs[0].translate(_AS_DIGIT)


def amount(text: str) -> str | None:
    """A money amount with two decimals; currency codes (CNY, CN, YQ, ¥) and commas dropped.

    >>> amount("YQ0.00"), amount("¥42.94"), amount("CNY.2650:00"), amount("XXX")
    ('0.00', '42.94', '2650.00', None)
    >>> amount("YO.00"), amount("VO.00"), amount("CNY O.00.")  # ¥ read as Y or V, 0 as O
    ('0.00', '0.00', '0.00')
    >>> amount("CNY2.420.00"), amount("CNY 1,140.00")  # a thousands separator, read as a dot
    ('2420.00', '1140.00')
    >>> amount("CNY 2,O4O.00"), amount("CNY·1,210.00")  # (a speck after the code)
    ('2040.00', '1210.00')
    >>> amount("KS0.00"), amount("NY50.00"), amount("CNY S0.00")  # KS: a code or K and a 5?
    (None, '50.00', '50.00')
    """
    t = squeeze(text).upper().rstrip(".,:;")  # a speck after the cents
    t = re.sub(r",(?=[0-9OQDISBZ]{3}[.:])|\.(?=[0-9OQDISBZ]{3}[.:][0-9OQDISBZ]{2}$)", "",
               t)  # a thousands separator (its digits maybe read as look-alike letters)
    for sign in ("", r"(CNY|CN|YQ|RMB|¥|[A-Z]{2,3})[-.,:·]?", "Y", "V"):
        found = _amount(re.sub(f"^{sign}", "", t))
        if found is not None:
            return None if _code_or_digit(t, found) else found
    return None


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
    m = re.fullmatch(r"([0-9OQDISBZ]{1,6})[.,:]([0-9OQDISBZ]{2})", t)
    if m is None:
        return None
    whole, cents = m[1].translate(_AS_DIGIT), m[2].translate(_AS_DIGIT)
    return f"{int(whole)}.{cents}"


def month_date(text: str) -> str | None:
    """A ``DDMON`` flight date, with digits-for-letters fixed in the month.

    >>> month_date("O5FEB"), month_date("21JUN"), month_date("3lMAY"), month_date("31XYZ")
    ('05FEB', '21JUN', '31MAY', None)
    """
    t = _DAY_SPECK.sub(r"\1", squeeze(text).upper().rstrip(".,:;"))
    if len(t) != 5:
        return None
    day = t[:2].translate(_AS_DIGIT)
    mon = t[2:].translate(_AS_LETTER).replace("3", "J")
    if not day.isdigit() or not 1 <= int(day) <= 31:
        return None
    return day + mon if mon in MONTHS else None


_DAY_SPECK = re.compile(r"^(\w{2})[.,:·](?=[A-Z0-9]{3})")  # 26.JUL24: a speck after the day
_YEAR_SPECK = re.compile(r"(?<=^\w{5})[.,:·](?=\w{2}$)")  # 17JUL.24: one before the year


def month_year_date(text: str) -> str | None:
    """A ``DDMONYY`` date (``31OCT25``), as ISO: the year printed makes it certain.

    >>> month_year_date("310CT25"), month_year_date("05MAR24"), month_year_date("05MAR")
    ('2025-10-31', '2024-03-05', None)
    >>> month_year_date("26.JUL24"), month_date("05.FEB"), month_year_date("17JUL.24")
    ('2024-07-26', '05FEB', '2024-07-17')
    """
    t = _DAY_SPECK.sub(r"\1", squeeze(text).upper().rstrip(".,:;"))
    t = _YEAR_SPECK.sub("", t)
    if len(t) != 7:
        return None
    day, year = month_date(t[:5]), t[5:].translate(_AS_DIGIT)
    if day is None or not year.isdigit():
        return None
    return f"20{year}-{MONTHS.index(day[2:]) + 1:02d}-{day[:2]}"


def clock(text: str) -> str | None:
    """A time as ``HH:MM`` (printed ``0700`` or ``07:00``).

    >>> clock("0815"), clock("15:05"), clock("2561")
    ('08:15', '15:05', None)
    """
    t = squeeze(text).rstrip(".,:;").replace(".", ":").translate(_AS_DIGIT)
    m = re.fullmatch(r"(\d\d):?(\d\d)", t)
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        return None
    return f"{m[1]}:{m[2]}"


def iso_date(text: str) -> str | None:
    """A ``YYYY-MM-DD`` date.

    A dot-matrix head's dash reads as two, as dots or as 一: ``2024--08-04``, ``202408…01``.

    >>> iso_date("2024-O6-02"), iso_date("2024-13-02"), iso_date("202408…01")
    ('2024-06-02', None, '2024-08-01')
    """
    t = squeeze(text).rstrip(".,:;").translate(_AS_DIGIT)
    m = re.fullmatch(r"(20\d\d)[-.:·~—–一/]{0,3}(\d\d)[-.:·~—–一/]{0,3}(\d\d)", t)
    if m is None or not (1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31):
        return None
    return f"{m[1]}-{m[2]}-{m[3]}"


def cn_date(text: str) -> str | None:
    """A ``YYYY年MM月DD日`` date, as the e-invoice prints it.

    >>> cn_date("2024年1O月04日")
    '2024年10月04日'
    """
    t = squeeze(text)
    m = re.fullmatch(r"([0-9O]{4})年([0-9OIl]{2})月([0-9OIl]{2})日?", t)
    if m is None:
        return None
    y, mo, d = (g.translate(_AS_DIGIT) for g in m.groups())
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    return f"{y}年{mo}月{d}日"


def office_code(text: str) -> str | None:
    """A sales office code: three letters (a city code) and three digits.

    >>> office_code("CAN267"), office_code("5HE1O4"), office_code("SHE1")
    ('CAN267', 'SHE104', None)
    """
    t = squeeze(text).upper().strip(".,:;'、")
    if len(t) != 6:
        return None
    code = t[:3].translate(_AS_LETTER) + t[3:].translate(_AS_DIGIT)
    return code if re.fullmatch(r"[A-Z]{3}\d{3}", code) else None


def id_number(text: str) -> str | None:
    """An ID number as printed: masked (``37*****5960``, ``530102********4819``) or whole.

    A masked number keeps its fixed shape (2+5+4 or 6+8+4 characters), so a star
    read twice or missed is restored, and 6 or 10 digits alone (stars too faint
    to read) can only be that shape; an unmasked one must pass its check digit. Its
    first two digits name a province (GB/T 2260), Hong Kong, Macau or Taiwan, or (a 9)
    a foreigner's permanent residence: ``85…`` is a misread ``35…``.

    >>> id_number("530102*******4819"), id_number("37******5960"), id_number("11010119900307797X")
    ('530102********4819', '37*****5960', None)
    >>> id_number("850203********140X"), id_number("$10107********8361")  # $: a 5, 6 or 3?
    (None, None)
    >>> id_number("500103***..***0521"), id_number("110101*.....5553"), id_number("11010*·5553")
    ('500103********0521', '110101********5553', None)
    >>> id_number("61.0113********2910")
    '610113********2910'
    """
    found = _id_shape(text)
    return found if found is not None and _region_ok(found) else None


def _region_ok(number: str) -> bool:
    """Its first two digits name a region (:data:`_REGIONS`), and when six are printed, they
    are a county's code: Hong Kong's, Macau's and Taiwan's permits print ``810000``,
    ``820000``, ``830000`` (``810113`` is a misread ``610113``), a province's a prefecture
    (GB/T 2260, old codes too: 01-45, or 90 for the counties a province runs itself), a
    municipality's its districts (01, up to 60) or counties (02; Chongqing's cities, 03).
    A digit misread in a masked number is caught no other way: ``118101``, ``110181``,
    ``616113``, ``506145`` were read so on heavy tuning photos.

    >>> _region_ok("810000********9275"), _region_ok("810113********9275"), _region_ok("11*****1")
    (True, False, True)
    >>> [_region_ok(f"{h}********5553") for h in ("110000", "118101", "110181", "616113")]
    [False, False, False, False]
    >>> [_region_ok(f"{h}********5553") for h in ("110108", "500156", "654301", "429004")]
    [True, True, True, True]
    """
    head = number.split("*")[0][:6]
    if number[:2] not in _REGIONS:
        return False
    if len(head) < 6 or number[0] == "9":
        return True
    if number[:2] in _PERMITS:
        return head[2:] == "0000"
    prefecture, county = int(head[2:4]), int(head[4:])
    if number[:2] in _MUNICIPALITIES:
        return (prefecture == 1 and county <= 60) or 2 <= prefecture <= _MUNICIPALITIES[head[:2]]
    return 1 <= prefecture <= 45 or prefecture == 90


_PERMITS = frozenset({"71", "81", "82", "83"})  # Taiwan, Hong Kong, Macau: no county
# Beijing, Tianjin, Shanghai, Chongqing: their last prefecture code (districts 01, counties 02)
_MUNICIPALITIES = {"11": 2, "12": 2, "31": 2, "50": 3}


# The first two digits of a Chinese ID number (GB/T 2260 provinces; 71, 81-83: Taiwan, Hong
# Kong, Macau and their residents' permits; 9x: a foreigner's permanent residence card).
_REGIONS = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", *(f"9{d}" for d in range(10)),
})  # fmt: skip


def _id_shape(text: str) -> str | None:
    """An ID number's shape, masked or whole (see :func:`id_number`)."""
    t = re.sub(r"^[^0-9A-Z*]+|[^0-9A-Z*]+$", "", squeeze(text).upper().replace("×", "X"))
    t = _SPECK_IN_NUMBER.sub("", t)  # 61.0113********2910: a speck between two digits
    # (a photo's stars run together and read in part as dots: ``510107**.*.*.*8361``)
    m = re.fullmatch(r"([0-9A-Z]+)[.·]*\*[*.·]*([0-9OIL]{3}[0-9X])", t)
    if m is not None:
        head = m[1][1:] if len(m[1]) in (3, 7) and not m[1][0].isdigit() else m[1]  # a stray mark
        head, tail = head.translate(_AS_DIGIT), m[2][:3].translate(_AS_DIGIT) + m[2][3]
        if not (head + tail[:3]).isdigit():
            return None
        if len(head) == 6:
            return head + "*" * 8 + tail
        return head + "*" * 5 + tail if len(head) == 2 else None
    if re.fullmatch(r"\d{6}|\d{10}|\d{9}X|\d{5}X", t):  # the stars too faint to read
        head = t[:2] if len(t) == 6 else t[:6]
        return head + ("*" * 5 if len(t) == 6 else "*" * 8) + t[-4:]
    t = t[:17].translate(_AS_DIGIT) + t[17:]
    return t if re.fullmatch(r"\d{17}[\dX]", t) and id_check_ok(t) else None


def id_check_ok(number: str) -> bool:
    """The GB 11643 check character of an 18-character ID number.

    >>> id_check_ok("11010519491231002X"), id_check_ok("110105194912310021")
    (True, False)
    """
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17]


def credit_code(text: str) -> str | None:
    """An 18-character 统一社会信用代码 whose GB 32100 check character is right.

    Letters the code never uses (I, O, S, V, Z) are read as the digits they
    resemble; if the check still fails, a single confusable character is
    tried both ways, and only a unique valid repair is kept.

    >>> credit_code("91110101MAHLG86N2N"), credit_code("9111O1O1MAHLG86N2N")
    ('91110101MAHLG86N2N', '91110101MAHLG86N2N')
    >>> credit_code("9135D225MAE3AR4W5M") is None  # its check character right by chance
    True
    """
    t = squeeze(text).upper().translate(str.maketrans("IOSVZ", "10502"))
    if len(t) != 18 or any(c not in CREDIT_CHARS for c in t):
        return None
    if _credit_ok(t):
        return t
    swaps = {"0": "D", "D": "0", "8": "B", "B": "8", "1": "T", "T": "1", "2": "Z", "6": "G",
             "G": "6", "U": "W", "W": "U", "5": "S"}  # fmt: skip
    fixes = set()
    for i, c in enumerate(t):
        alt = swaps.get(c)
        if alt is not None and alt in CREDIT_CHARS:
            cand = t[:i] + alt + t[i + 1 :]
            if _credit_ok(cand):
                fixes.add(cand)
    return fixes.pop() if len(fixes) == 1 else None


def _credit_ok(code: str) -> bool:
    """The check character right, and the six characters after the first two a division's
    code (digits, a province's first: ``35D225`` is a misread 350203)."""
    if not (code[2:8].isdigit() and (code[2:4] in _REGIONS or code[2:4] == "10")):
        return False
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31] == code[17]


# ---------------------------------------------------------------------- free text

_FREE = re.compile(r"[\u4e00-\u9fff0-9A-Za-z/（）()·,，.、\-]+")


_LOOSE_ENDS = "/、,.;:'\"`-·"  # specks and rules OCR reads at the ends of a line


def free_text(text: str) -> str | None:
    """Printed free text (a name, an endorsement, an agency), spaces dropped."""
    t = squeeze(text).replace(":", "").strip(_LOOSE_ENDS)
    return t if t and _FREE.fullmatch(t) else None


def organization(text: str) -> str | None:
    """An agency's or a company's name: free text with Chinese in it (a Latin run alone
    where it belongs is the label's English half read off a misregistered page: ``ISSUEDBY``).

    >>> organization("海口远航航空服务有限公司"), organization("ISSUED BY")
    ('海口远航航空服务有限公司', None)
    """
    t = free_text(text)
    return t if t and re.search(r"[\u4e00-\u9fff]", t) else None


# What a scan leaves after a note's last character: Latin letters (a piece of the next
# label's English) or a lone digit.
_TRAILING_SPECK = re.compile(r"(?<=[\u4e00-\u9fff])(?:[A-Za-z]{2,}|\d)$")


def note(text: str) -> str | None:
    """An endorsement or a prompt: free text without a speck after its last character.

    >>> note("不得签转NDGOR"), note("退改签收费8"), note("NON-END/不得签转")
    ('不得签转', '退改签收费', 'NON-END/不得签转')
    """
    t = free_text(text)
    return _TRAILING_SPECK.sub("", t) if t else None


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


def surnamed(name: str) -> bool:
    """Whether ``name`` starts with a common surname (:data:`SURNAMES`)."""
    return name[:1] in SURNAMES or name[:2] in SURNAMES


def person(text: str) -> str | None:
    """A passenger name: two to five Chinese characters (more only with ·, a transliterated
    name), or LATIN/NAME; a longer run is a label or a line read where the name belongs.
    A name whose first character is no common surname but whose second starts one is a
    speck or a stroke read before the name (``享郭刚``): none, as a guess at which it is.

    >>> person("欧阳明辉"), person("阿依古丽·买买提"), person("存效身价证行可码")
    ('欧阳明辉', '阿依古丽·买买提', None)
    >>> person("享郭刚"), person("艾郭刚"), person("晁明")
    (None, '艾郭刚', '晁明')
    """
    t = squeeze(text).strip(_LOOSE_ENDS)
    cjk = r"[\u4e00-\u9fff]{2,5}|[\u4e00-\u9fff]+(?:·[\u4e00-\u9fff]+)+"
    if not re.fullmatch(cjk + r"|[A-Z]+/[A-Z]+", t):
        return None
    return None if len(t) >= 3 and not surnamed(t) and surnamed(t[1:]) else t
