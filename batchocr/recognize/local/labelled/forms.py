"""Values whose form only one field has, named when their label went unread (pure).

A phone photo's small print loses labels its larger values survive: a page can read every
number of the ticket and none of the words that say what they are. Some fields need no
label: nothing else on either document is 13 digits starting with an airline's ticket
prefix (电子客票号码), 20 digits (发票号码, on the e-invoice), 11 digits (印刷序号, on the
paper itinerary; not a mobile number's 1[3-9]…), a masked ID number (``110101********5553``,
or a whole one whose check character holds), an 18-character 统一社会信用代码 with letters
whose check character holds (and no ID number's), a rate (``9%``, on a page that is an
e-invoice by other signs), 国内 or 国际 standing alone (the e-invoice's 国内国际标识). Such
a word is named for its field when the page's reading has no value of that field (its label
may be read, its value elsewhere) and the word is the only one of that form on the page
(the same value printed twice counts once). (Notes are not named by their terms:
restrictions named by 签转, 退票… were wrong 6 times in 29 on held-out heavy pages, prompts
by 机场, 登机… 7 in 22 on heavy pages: a long sentence read from a photo loses a glyph or
misreads one. A prompt read whole as one of the stock phrases is named by it:
:func:`stock_prompt`.) The form is read off the whole word, without
what is left of a label run into it (``码2444…``), its spaces and a speck after it: a
number inside a longer run names nothing. What no check character vouches for (the
numbers, the rate) is named this way only when the recognizer is all but sure of it
(:data:`.confirm.SURE`): on held-out heavy pages, numbers named below it were wrong 5
times in 12 even with the second reading of :mod:`.confirm`. Some values are named by
their neighbours instead: the 验证码, four digits like a time, is the number printed right
after the e-ticket number; the passenger's name the word before the ID number; the
填开单位 and 填开日期 the organization and the date after the sales office's code (an office
code may be read too unsure to be taken, and still say where its line is); the 保险费 the
one amount on the e-ticket number's line; the e-invoice's 购买方名称 the organization before
the buyer's 统一社会信用代码.

>>> from batchocr.documents.words import Word
>>> page = [Word("7316547279557", 0, 0, 130, 20), Word("9%", 0, 30, 20, 50),
...         Word("110101********5553", 0, 60, 180, 80), Word("2381", 0, 90, 40, 110)]
>>> [d["Name"] for d in by_form([], page + [Word("国内", 0, 150, 40, 170)], "einvoice")]
['电子客票号码', '有效身份证件号码', '增值税税率', '国内国际标识']
>>> [d["Name"] for d in by_form([], page + [Word("7316547279558", 0, 120, 130, 140)])]
['有效身份证件号码']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ....documents.words import Word, add, is_label, same_line
from ....models import NameValue
from ....outputs.fields import field_of
from ..validate import identity, repair
from ..vocabulary.airlines import AIRLINES, TICKET_PREFIXES
from ..vocabulary.phrases import PROMPTS
from ..vocabulary.places import known_city
from .confirm import SURE
from .values import clean

__all__ = ["FORMS", "Form", "after_office_code", "after_ticket_number", "buyer_beside",
           "by_form", "check_code_beside", "name_beside", "stock_prompt"]


Check = Callable[[str], bool]  # whether a word's key is so


def _digits(n: int, unless: str | None = None) -> Check:
    """``n`` digits, not starting as ``unless`` does."""
    return lambda key: bool(re.fullmatch(rf"\d{{{n}}}", key)) and not (
        unless and re.match(unless, key))


def _ticket_number(key: str) -> bool:
    """13 digits, the first three a carrier's ticket prefix (an airline's accounting code)."""
    return _digits(13)(key) and key[:3] in TICKET_PREFIXES


def _id_number(key: str) -> bool:
    """Masked, its six digits and four read around eight stars (some read as dots:
    ``500103***..***0521``; 6 + 8 + 4: the short mask may be a long one misread, a star too
    many a digit), or whole with its check character right.

    >>> _id_number("500103***..***0521"), _id_number("51010.....*.*8361"), _id_number("37*****5960")
    (True, False, False)
    """
    masked = identity.id_number(key) if len(key) == 18 and "*" in key else None
    return (masked is not None and len(masked) == 18 and key[:6] + key[-4:] == masked[:6]
            + masked[-4:]) or (bool(re.fullmatch(r"\d{17}[\dX]", key))
                               and identity.id_check_ok(key))  # fmt: skip


def _credit_code(key: str) -> bool:
    """Its check character right (after a unique repair), with a letter: an ID number is
    digits but for its X."""
    return identity.credit_code(key) is not None and bool(re.search(r"[A-WYZ]", key))



@dataclass(frozen=True)
class Form:
    """What a word must be to be named for a field without its label."""

    fits: Check  # its key has the field's form
    document: str | None = None  # only on this document ("paper", "einvoice")
    sure: bool = False  # only when the recognizer is all but sure of it (:data:`.confirm.SURE`)


# Label (as the full reader names it) → the form only that field has.
FORMS: dict[str, Form] = {
    # (numbers read unsure: see the module docstring)
    "电子客票号码": Form(_ticket_number, sure=True),
    "发票号码": Form(_digits(20), "einvoice", sure=True),
    "印刷序号": Form(_digits(11, unless=r"1[3-9]"), "paper", sure=True),
    "有效身份证件号码": Form(_id_number),
    "统一社会信用代码/纳税人识别号": Form(_credit_code),
    # (a rate read unsure was once 6% for 9%, on a held-out page)
    "增值税税率": Form(lambda key: bool(re.fullmatch(r"\d{1,2}%", key)), "einvoice", sure=True),
    "国内国际标识": Form(lambda key: key in ("国内", "国际"), "einvoice"),
}  # fmt: skip


def by_form(data: Sequence[NameValue], ws: Sequence[Word],
            document: str | None = None) -> list[NameValue]:  # fmt: skip
    """Entries for the fields ``data`` lacks whose form one value on the page alone has
    (see the module docstring), each with its word's score as its Confidence; ``document``
    is which one the page is, if something tells ("paper", "einvoice")."""
    present = {field_of(d["Name"]) for d in data}
    out: list[NameValue] = []
    for label, form in FORMS.items():
        if field_of(label) in present or form.document not in (None, document):
            continue
        found = [v for w in ws if not is_label(w) for v in (w, *_values(w)) if form.fits(v.key)]
        least = min(found, key=lambda w: w.score, default=None)
        if least and len({w.key for w in found}) == 1 and (not form.sure or least.score >= SURE):
            add(out, label, [least])
    return out


_LABEL_PIECE = re.compile(r"[\u4e00-\u9fff]+[:：]?")
_APART = re.compile(r"[\s\-]+|[.,:;·]+$")  # a number's spaces and dashes, a speck after it


def _values(w: Word) -> list[Word]:
    """The values in a word: its text parted where what is left of a label was read into
    it (``码24442524485151615670``, ``3247270826248证码6111``: a photo's small labels read
    down to a character or two, run into their values), each without its spaces, dashes
    and a speck after it (``01437712739.``).

    >>> [v.text for v in _values(Word("3247270826248证码 6111.", 0, 0, 200, 20))]
    ['3247270826248', '6111']
    """
    pieces = (_APART.sub("", p) for p in _LABEL_PIECE.split(w.text))
    return [w if p == w.text else replace(w, text=p) for p in pieces if p]


def _holding(value: str, ws: Sequence[Word],
             read: Callable[[str], str | None] = str) -> Word | None:  # fmt: skip
    """The one word of the page that holds ``value`` as one of its values (as ``read``
    cleans them: an ID number's stars read in part as dots), or None."""
    own = [w for w in ws if any(read(v.key) == value for v in _values(w))]
    return own[0] if len(own) == 1 else None


def check_code_beside(ticket_no: str, ws: Sequence[Word]) -> Word | None:
    """The 验证码 printed right after the e-ticket number on its line, as both documents
    print it (电子客票号码 | 验证码 | 提示信息): the first number after it, if four digits
    (with what is left of its label between: ``3247270826248证码6111``), else None.

    >>> page = [Word("3247270826248", 0, 0, 130, 20), Word("验证", 150, 0, 180, 20),
    ...         Word("6111", 200, 0, 240, 20), Word("本行程单", 300, 0, 380, 20)]
    >>> check_code_beside("3247270826248", page).text
    '6111'
    >>> check_code_beside("3247270826248", [page[0], Word("19:15", 150, 0, 200, 20)]) is None
    True
    """
    number = _holding(ticket_no, ws)
    if number is None:
        return None
    pieces = _values(number)
    line = sorted((w for w in ws if w.x0 >= number.x1 - number.height / 2
                   and same_line(w, number) and w is not number), key=lambda w: w.x0)  # fmt: skip
    at = next(i for i, v in enumerate(pieces) if v.key == ticket_no)
    after = [*pieces[at + 1 :], *(v for w in line for v in _values(w))]
    first = next((v for v in after if any(c.isdigit() for c in v.key)), None)
    return first if first is not None and re.fullmatch(r"\d{4}", first.key) else None


def after_office_code(name: str, ws: Sequence[Word]) -> Word | None:
    """The value of ``name`` (填开单位 or 填开日期) printed after the sales office's code on
    its line, as both documents print them (销售网点代号 | 填开单位 | 填开日期): the first
    word after the page's one word of an office code's form (an airport's code and three
    digits, its label maybe run into it) that reads as one (an organization registered at a
    place; a date), as it cleans; None when the page has no such code, or more than one, or
    no such word after it.

    >>> page = [Word("SYX645", 0, 0, 60, 20), Word("三亚中联票务代理有限公司", 100, 0, 340, 20),
    ...         Word("2024-06-02", 400, 0, 500, 20), Word("厦门华科贸易有限公司", 0, 40, 200, 60)]
    >>> after_office_code("填开单位", page).text, after_office_code("填开日期", page).text
    ('三亚中联票务代理有限公司', '2024-06-02')
    >>> after_office_code("填开单位", [page[0], *page[2:]]) is None  # the buyer's is below
    True
    """
    _, after = _beside(lambda key: repair.office_code(key) is not None, name, ws)
    return after[0] if after else None


def stock_prompt(ws: Sequence[Word]) -> Word | None:
    """The 提示信息 named by its text: the page's one word that is a stock prompt
    (:data:`.phrases.PROMPTS`) read whole, maybe after what is left of its label run into it
    (``信本行程单不作为登机凭证``); None when none or two differ. (A prompt is printed alone
    in its cell; an endorsement is not named so: a fare class before it, ``Q/``, may go
    unread and leave a wrong note.)

    >>> stock_prompt([Word("信本行程单不作为登机凭证", 0, 0, 200, 20)]).text
    '本行程单不作为登机凭证'
    >>> stock_prompt([Word("本行税单不作为登机凭证", 0, 0, 200, 20)]) is None  # a glyph off
    True
    """
    found = [replace(w, text=m[1]) for w in ws if not is_label(w)
             and (m := _PROMPT.fullmatch(w.key)) and m[1] in PROMPTS]  # fmt: skip
    return found[0] if len({w.text for w in found}) == 1 else None


_PROMPT = re.compile(r"[提示信息]{0,4}[:：]?(.+)")  # (no stock prompt starts with these)


def after_ticket_number(name: str, ws: Sequence[Word]) -> Word | None:
    """The 保险费 (``name``) printed on the e-ticket number's line, as both documents print
    them (电子客票号码 | 验证码 | 提示信息 | 保险费): the one word after the page's one
    number of an e-ticket number's form that reads as an amount (or ``XXX``), as it cleans;
    None when there is none, or the line holds more (another row's amounts on the line, a
    narrow form's row wrapped onto it: not its cells).

    >>> page = [Word("7845455256435", 0, 0, 130, 20), Word("5829", 200, 0, 240, 20),
    ...         Word("请于起飞前45分钟到达机场", 300, 0, 500, 20), Word("¥20.00", 600, 0, 660, 20)]
    >>> after_ticket_number("保险费", page).text
    '20.00'
    >>> after_ticket_number("保险费", [*page, Word("¥50.00", 700, 0, 760, 20)]) is None
    True
    """
    before, after = _beside(_ticket_number, name, ws)
    return after[0] if len(after) == 1 and not before else None


def _beside(anchor: Check, name: str, ws: Sequence[Word]) -> tuple[list[Word], list[Word]]:
    """The words before and after the page's one word whose key (or a value in it)
    ``anchor`` fits, on its line, that read as values of ``name``, as they clean, left to
    right; none when no word or more than one fits."""
    anchors = [w for w in ws if not is_label(w) and any(anchor(v.key) for v in _values(w))]
    if len(anchors) != 1:
        return [], []
    (at,) = anchors
    line = sorted((w for w in ws if w is not at and same_line(w, at) and not is_label(w)),
                  key=lambda w: w.x0)  # fmt: skip
    found = [replace(w, text=value) for w in line if (value := clean(name, w.text)) is not None]
    after = [w for w in found if w.x0 >= at.x1 - at.height / 2]
    return [w for w in found if w not in after], after


def buyer_beside(tax_id: str, ws: Sequence[Word]) -> Word | None:
    """The 购买方名称 printed just before the buyer's 统一社会信用代码 on its line, as the
    e-invoice prints them (购买方名称 | 统一社会信用代码/纳税人识别号), past the code's label
    if it was read: an organization registered at a place; None when the word there is
    anything else.

    >>> page = [Word("厦门华科贸易有限公司", 0, 0, 200, 20),
    ...         Word("91350203MA1PBMF234", 300, 0, 480, 20)]
    >>> buyer_beside("91350203MA1PBMF234", page).text
    '厦门华科贸易有限公司'
    >>> buyer_beside("91350203MA1PBMF234", [Word("2024-06-02", 0, 0, 100, 20), page[1]]) is None
    True
    """
    number = _holding(tax_id, ws, identity.credit_code)
    if number is None:
        return None
    before = sorted((w for w in ws if w.x1 <= number.x0 + number.height / 2
                     and same_line(w, number) and not is_label(w)), key=lambda w: w.x1)  # fmt: skip
    value = clean("购买方名称", before[-1].text) if before else None
    return replace(before[-1], text=value) if value is not None else None


_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


_ID_LABEL = frozenset("有效身份证件号码IDNOo.:：")  # the ID's label, either half


def name_beside(id_no: str, ws: Sequence[Word]) -> Word | None:
    """The passenger's name printed just before the ID number on its line, as both documents
    print them (旅客姓名 | 有效身份证件号码), past the ID's label if it was read: two to
    four Chinese characters starting with a common surname, and no city or airline. None
    when the word there is anything else (a label misread past naming, ``效分业件导码``).

    >>> page = [Word("吴强", 0, 0, 40, 20), Word("有效身份证件号码：", 60, 0, 200, 20),
    ...         Word("610113********9275", 210, 0, 400, 20)]
    >>> name_beside("610113********9275", page).text
    '吴强'
    >>> name_beside("610113********9275", [Word("武汉", 0, 0, 40, 20), *page[1:]]) is None
    True
    >>> name_beside("610113********9275", [*page[:2], Word("610113**..**.*9275", 210, 0, 400, 20)])
    Word(text='吴强', x0=0, top=0, x1=40, bottom=20, score=1.0)
    >>> name_beside("610113********9275", [page[0], Word("效", 60, 0, 80, 20), page[2]]).text
    '吴强'
    """
    number = _holding(id_no, ws, identity.id_number)
    if number is None:
        return None
    before = sorted((w for w in ws if w.x1 <= number.x0 + number.height / 2
                     and same_line(w, number) and not is_label(w)), key=lambda w: w.x1)  # fmt: skip
    while before and set(before[-1].key) <= _ID_LABEL:
        before.pop()  # what a photo left of the ID's label (``效``, ``证件``), or its English
    if not before:
        return None
    name = before[-1].key
    if not _NAME.fullmatch(name) or known_city(name) or name in AIRLINES:
        return None
    return before[-1] if repair.surnamed(name) else None

