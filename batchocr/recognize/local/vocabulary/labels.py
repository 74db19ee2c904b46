"""The labels of the itinerary forms, as printed and as read: the Chinese labels the readers
know (one misread character in three forgiven) and the English halves of bilingual labels, which
are never values (pure).

>>> label_text("旅客娃名"), english_label("VAMEOFPASSENGEF"), english_label("YOW")
('旅客姓名', True, False)
"""

from __future__ import annotations

import difflib
import functools
import re

from ....documents import positioned
from ....documents.words import ALIASES, HAN

__all__ = [
    "COLON", "ENGLISH", "ENGLISH_OF", "LABELS", "edits", "english_label", "english_length",
    "english_start", "fragment",
    "label_head", "label_text", "without_own_english",
]  # fmt: skip

# Every label text a form prints, the variants too (客票级别/类别): longest first, then in
# code-point order (a fixed order: a set's would change from run to run, and with it which
# of two labels a misread word that is as near both becomes).
LABELS = tuple(sorted(positioned.KNOWN_LABELS | set(ALIASES), key=lambda lb: (-len(lb), lb)))
_PRINTED = frozenset(LABELS)
_LONGEST = len(LABELS[0])


def _by_glyph(labels: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Each glyph → the labels that hold it."""
    return {glyph: tuple(lb for lb in labels if glyph in lb) for glyph in set("".join(labels))}


_WITH_GLYPH = _by_glyph(LABELS)
COLON = "：:"


@functools.lru_cache(maxsize=4096)  # a page asks of each word; pages repeat their labels
def label_text(text: str) -> str:
    """A word that reads like a known label (see :func:`_near`) becomes it, unless it reads
    as much like a label of another field (``开日期``: 开票日期 or 填开日期?).

    >>> label_text("开日期"), label_text("开票日"), label_text("请开日期：")
    ('开日期', '开票日期', '填开日期：')
    """
    key = text.rstrip(COLON).replace(" ", "")
    if not 3 <= len(key) <= _LONGEST + 1 or key in _PRINTED:
        return text  # (no label is near it by length: see _near; most lines hold a value too)
    # (only the labels that share a glyph with it can be near it: the others score 0; the
    # matches are ranked by score, then label, whatever the order they are given in)
    sharing = {label for glyph in set(key) for label in _WITH_GLYPH.get(glyph, ())}
    best = difflib.get_close_matches(key, sharing, n=2, cutoff=0.0)
    if not best or not _near(key, best[0], slips := _slips(key, best[0])):
        return text
    if len(best) == 2 and _slips(key, best[1]) == slips and _near(key, best[1], slips) and (
        ALIASES.get(best[0], best[0]) != ALIASES.get(best[1], best[1])
    ):
        # as near two fields' labels by what they share: the one a single slip away wins
        # (``请开日期`` is 填开日期 with one character misread, 开票日期 with two)
        ranked = sorted((edits(key, label), label) for label in best)
        if ranked[0][0] == ranked[1][0]:
            return text
        best = [ranked[0][1]]
    return best[0] + text[len(text.rstrip(COLON)) :]


def edits(a: str, b: str) -> int:
    """The Levenshtein distance: characters misread, lost or added to make ``a`` into ``b``.

    >>> edits("请开日期", "填开日期"), edits("请开日期", "开票日期"), edits("开日期", "开票日期")
    (1, 2, 1)
    """
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        diag, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            diag, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diag + (ca != cb))
    return row[-1]


def _slips(key: str, label: str) -> int:
    """How many characters of ``label`` ``key`` misreads (its ratio, counted on the longer)."""
    ratio = difflib.SequenceMatcher(None, key, label).ratio()
    return round((1 - ratio) * max(len(key), len(label)))


def _near(key: str, label: str, slips: int) -> bool:
    """Whether ``key`` is ``label`` with ``slips`` misread characters forgiven: one in three
    (a downscaled photo's small labels lose more than one in four), counted on the label, at
    most one character lost or added (电子发票, a title, is no 电子客票号码); a
    three-character label one substitution off; never a two-character one.

    >>> label_text("承您人"), label_text("航发展基益"), label_text("电子发票"), label_text("余强霞")
    ('承运人', '民航发展基金', '电子发票', '余强霞')
    """
    if len(label) == 3:
        return len(key) == 3 and slips <= 1
    reach = max(1, len(label) // 3)
    return len(label) >= 4 and slips <= reach and abs(len(key) - len(label)) <= 1


# Each label's English half, as the bilingual forms print it.
ENGLISH_OF = {
    "旅客姓名": "NAME OF PASSENGER", "有效身份证件号码": "ID.NO.",
    "签注": "ENDORSEMENTS/RESTRICTIONS", "承运人": "CARRIER", "航班号": "FLIGHT",
    "座位等级": "CLASS", "日期": "DATE", "时间": "TIME", "客票级别/客票类别": "FARE BASIS",
    "客票生效日期": "NOT VALID BEFORE", "有效截止日期": "NOT VALID AFTER", "免费行李": "ALLOW",
    "票价": "FARE", "民航发展基金": "CAAC DEVELOPMENT FUND", "燃油附加费": "FUEL SURCHARGE",
    "其他税费": "OTHER TAXES", "合计": "TOTAL", "电子客票号码": "E-TICKET NO.", "验证码": "CK.",
    "提示信息": "INFORMATION", "保险费": "INSURANCE", "销售单位代号": "AGENT CODE",
    "销售网点代号": "AGENT CODE", "填开单位": "ISSUED BY", "填开日期": "DATE OF ISSUE",
    "开票日期": "DATE OF ISSUE", "印刷序号": "SERIAL NUMBER", "发票号码": "INVOICE NO.",
    "国内国际标识": "DOMESTIC/INTERNATIONAL", "购买方名称": "BUYER", "增值税税率": "VAT RATE",
    "增值税税额": "VAT", "统一社会信用代码/纳税人识别号": "TAX ID", "自": "FROM", "至": "TO",
}  # fmt: skip
_LABEL_TEXTS = (*dict.fromkeys(ENGLISH_OF.values()),
                "ITINERARY/RECEIPT OF E-TICKET FOR AIR TRANSPORT")  # fmt: skip
ENGLISH = tuple(e.replace(" ", "") for e in _LABEL_TEXTS)


@functools.lru_cache(maxsize=4096)  # (pure: a page's readings ask it of the same words)
def label_head(text: str) -> tuple[str, int]:
    """The label a line starts with, misread by a slip in four, and how many characters of
    the line it takes (``电子客号码7314…`` starts with 电子客票号码, in five); ("", 0) if none.

    >>> label_head("电子客号码7314260282978"), label_head("销网点代号HGH6"), label_head("杭州恒信")
    (('电子客票号码', 5), ('销售网点代号', 5), ('', 0))
    >>> label_head("效身份证件码500103******0521"), label_head("填开日26AUG24")  # (the 5 not taken)
    (('有效身份证件号码', 6), ('填开日期', 3))
    >>> label_head("有效身你件号码")  # the whole label, misread: nothing left for a value
    ('', 0)
    """
    best: tuple[float, str, int] = (0.0, "", 0)
    if len(text) < 5 or not re.match(r"[\u4e00-\u9fff]{3}", text):
        return "", 0
    for label in LABELS:
        if len(label) < 4 or "/" in label or set(label).isdisjoint(text[: len(label) + 1]):
            continue  # (a window sharing no glyph with the label scores 0)
        for n in range(len(label) - max(1, len(label) // 4), len(label) + 2):
            if n >= len(text) or not HAN.match(text[n - 1]):
                continue  # (a label ends in Chinese: a window ending in its value overreaches)
            if n < len(label) - 1 and HAN.match(text[n]):
                continue  # two short and Chinese after: more of the label (有效身你件号码)
            ratio = difflib.SequenceMatcher(None, text[:n], label).ratio()
            slips = round((1 - ratio) * max(n, len(label)))
            if slips <= len(label) // 4 and ratio > best[0]:
                best = (ratio, label, n)
    return best[1], best[2]


def without_own_english(label: str, value: str) -> str:
    """``value`` without the end of its label's English half read at its start (``TME1540``
    for 时间, ``CODE NKG855`` for 销售单位代号, ``To 哈尔滨`` for 至): the longest run of
    Latin words at the start that reads as the end of that English, one slip in four forgiven;
    else the longest that reads as a stretch of it (a box that cut the English in two).

    >>> without_own_english("时间", "TME1540"), without_own_english("销售单位代号", "CODE NKG855")
    ('1540', 'NKG855')
    >>> without_own_english("时间", "TMEO605")
    'O605'
    >>> without_own_english("客票级别/客票类别", "BASIS L2"), without_own_english("票价", "CNY 3")
    ('L2', 'CNY 3')
    >>> without_own_english("民航发展基金", "CACDEVELOP FUNO CNY 100.00")
    'CNY 100.00'
    >>> without_own_english("国内国际标识", "TIC/INT 国内"), without_own_english("保险费", "XXX")
    ('国内', 'XXX')
    >>> without_own_english("填开日期", "DATE CFISUE")  # the English alone, misread
    ''
    >>> without_own_english("签注", "ENDORSEMENTS/RESTRICTONSQ/不得签转")
    'Q/不得签转'
    >>> without_own_english("免费行李", "ALL0W20K")  # a letter of the English read as a digit
    '20K'
    """
    # (the English's letters read as digits, 0 for O, are letters while it is looked for;
    # what is left of the value keeps its own characters)
    letters = _DIGIT_IN_WORD.sub(lambda m: _AS_LETTER[m[0]], value)
    rest = _without_english_start(label, letters)
    return value[len(value) - len(rest) :]


_AS_LETTER = {"0": "O", "1": "I", "5": "S"}
_DIGIT_IN_WORD = re.compile(r"(?<=[A-Za-z])[015](?=[A-Za-z])")


def _without_english_start(label: str, value: str) -> str:
    """:func:`without_own_english` of a value whose English reads as letters."""
    english = ENGLISH_OF.get(label, "").replace(" ", "").upper()
    stray = re.match(r"[^A-Za-z\s]\s?([A-Za-z]{4,})", value)  # 日RICTIONS: a stray glyph first
    if english and stray and english.endswith(stray[1].upper()):
        return value[stray.end() :].lstrip(" :：")
    m = re.match(r"[A-Za-z][A-Za-z.\-/]*(?:\s+[A-Za-z][A-Za-z.\-/]*)*", value)
    if not english or m is None:
        return value
    upper = value.upper()
    exact = [k for k in range(len(english), 2, -1) if upper.startswith(english[-k:])]
    if exact:  # BASISY: the label's end, then the value with no space
        return value[exact[0] :].lstrip(" :：")
    best, cut = 0.0, 0
    ends = [w.end() for w in re.finditer(r"[A-Za-z.\-/]+", m[0])]
    if ends and value[ends[-1] : ends[-1] + 1].isdigit():  # TMEO605: the value's 0 read as O
        digit_like = len(value[: ends[-1]]) - len(value[: ends[-1]].rstrip("OoQDISBZ"))
        ends = sorted({*ends, *range(ends[-1] - digit_like, ends[-1])})
    elif ends:  # RESTRICTONSQ/: the value's own letters run into the English, misread
        ends = sorted({*ends, _without_glued(value[: ends[-1]].upper(), english)})
    for end in ends:
        head = value[:end].replace(" ", "").upper()
        if len(head) < 2:
            continue
        ratio = max(difflib.SequenceMatcher(None, head, english[-n:]).ratio()  # a letter
                    for n in range(max(1, len(head) - 1), len(head) + 2))  # dropped or added
        if len(head) >= 3 and ratio >= 0.75 and ratio >= best:
            best, cut = max(ratio, best), end
    if not cut:  # the English read from its middle (CACDEVELOP, TIC/INT): the longest such run
        spans = [w.span() for w in re.finditer(r"[A-Za-z.\-/]+", m[0])]
        for start, end in spans:  # word by word: ``CACDEVELOP FUNO`` is two stretches of it
            if end >= len(value.rstrip()) or not _inside(value[start:end].upper(), english):
                break
            cut = end
    if not cut and m[0] == value.strip() and _english_start(m[0], english):
        return ""  # nothing but the English's start, misread (DATE CFISUE): no value beside
    return value[cut:].lstrip(" :：") if cut else value


_GLUED = 3  # letters of a value that may run into its label's misread English (Q/)


def _english_start(words: str, english: str) -> bool:
    """Whether Latin ``words`` (five letters or more) read as the start of ``english``, one
    slip in four forgiven.

    >>> _english_start("DATE CFISUE", "DATEOFISSUE"), _english_start("CNY", "FARE")
    (True, False)
    """
    head = re.sub(r"[^A-Z]", "", words.upper())
    return len(head) >= 5 and _start_ratio(head, english) >= 0.75


def _inside(word: str, english: str) -> bool:
    """Whether ``word`` (three letters or more) is a stretch of ``english``, one slip in four
    forgiven from four letters on (``FUNO`` of FUND)."""
    if len(word) < 3:
        return False
    if word in english:
        return True
    return len(word) >= 4 and any(
        difflib.SequenceMatcher(None, word, english[i : i + n]).ratio() >= 0.75
        for n in (len(word) - 1, len(word), len(word) + 1) for i in range(len(english) - n + 1)
    )


def english_length(run: str) -> int:
    """How much of a run of Latin letters is an English label: all of it when it is one
    (or the start of one, four letters or more), its head when a label runs into a value
    (``OTHERTAXESO`` of ``OTHERTAXESO.00``); 0 when it is none.

    >>> english_length("OTHERTAXESO"), english_length("NAMEOF"), english_length("YOW")
    (10, 6, 0)
    >>> english_length("DATEOFIS"), english_length("DATECFISUE")  # not DATE: DATE OF ISSUE
    (8, 10)
    """
    t = run.upper()
    if len(t) >= 4 and any(e.startswith(t) for e in ENGLISH):
        return len(run)
    if english_start(t):
        return _without_glued(t)
    heads = [e for e in ENGLISH if t.startswith(e)]
    if heads:
        return len(max(heads, key=len))
    return _without_glued(t) if english_label(run) else 0


def _without_glued(run: str, english: str = "") -> int:
    """How much of ``run``, an English label misread (``english``, or the one it reads
    closest to), is the label: all of it, or less when a value's letters run into it
    (``RESTRICTONSQ/``: cut after the label's last two letters when that reads closer to it;
    not PASSENGEF's F, the R misread).

    >>> _without_glued("ENDORSEMENTS/RESTRICTONSQ/"), _without_glued("NAMEOFPASSENGEF")
    (24, 15)
    """
    english = english or difflib.get_close_matches(run, ENGLISH, n=1, cutoff=0.0)[0]

    def ratio(k: int) -> float:
        return difflib.SequenceMatcher(None, run[:k], english).ratio()

    cuts = [k for k in range(len(run) - _GLUED, len(run)) if run[:k].endswith(english[-2:])]
    return max(cuts, key=ratio) if cuts and max(map(ratio, cuts)) > ratio(len(run)) else len(run)


def english_start(run: str) -> bool:
    """Whether a run of Latin letters (six or more) is the start of a longer English label
    with a letter misread (``DATECFISUE`` of DATE OF ISSUE).

    >>> english_start("DATECFISUE"), english_start("FLGHTFM")
    (True, False)
    """
    t = run.replace(" ", "").upper()
    return len(t) >= 6 and any(_start_ratio(t, e) >= 0.8 for e in ENGLISH if len(e) > len(t))


def _start_ratio(head: str, english: str) -> float:
    """How alike ``head`` and the start of ``english`` as long are (difflib's ratio)."""
    return difflib.SequenceMatcher(None, head, english[: len(head)]).ratio()


@functools.lru_cache(maxsize=4096)  # (pure: a page's readings ask it of the same words)
def english_label(text: str) -> bool:
    """The English half of a bilingual label (``VAMEOFPASSENGEF``), however OCR spaced it.

    >>> english_label("VAMEOFPASSENGEF"), english_label("NOT VALIDBEFORE"), english_label("YOW")
    (True, True, False)
    """
    t = text.replace(" ", "").upper()
    if len(t) < 4 or not re.fullmatch(r"[A-Z./\-,]+", t):
        return False
    return bool(difflib.get_close_matches(t, ENGLISH, n=1, cutoff=0.75))


@functools.lru_cache(maxsize=4096)  # (pure: a page's readings ask it of the same words)
def fragment(text: str) -> bool:
    """A piece of an English label (``NO.``, ``OF``, ``EMEN``, ``BASIS``, ``TME`` for TIME):
    Latin letters only, found inside one of the English labels or one misread from one of
    their words.

    >>> fragment("EMEN"), fragment("TME"), fragment("KOW"), fragment("Y")
    (True, True, False, False)
    """
    t = re.sub(r"[\s./\-]", "", text).upper()
    if not (t.isalpha() and t.isascii() and len(t) >= 2):
        return False
    if any(t in e.replace(".", "") for e in ENGLISH):
        return True
    return len(t) >= 3 and bool(difflib.get_close_matches(t, _WORDS, n=1, cutoff=0.8))


_WORDS = tuple({w for e in _LABEL_TEXTS for w in re.split(r"[\s./\-]+", e) if len(w) >= 3})
