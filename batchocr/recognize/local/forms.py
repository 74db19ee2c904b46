"""Values whose form only one field has, named when their label went unread (pure).

A phone photo's small print loses labels its larger values survive: a page can read every
number of the ticket and none of the words that say what they are. Some fields need no
label: nothing else on either document is 13 digits starting with an airline's ticket
prefix (电子客票号码), 20 digits (发票号码, on the e-invoice), 11 digits (印刷序号, on the
paper itinerary; not a mobile number's 1[3-9]…), a masked ID number (``110101********5553``,
or a whole one whose check character holds), an 18-character 统一社会信用代码 with letters
whose check character holds (and no ID number's), a rate (``9%``, on a page that is an
e-invoice by other signs), a ticket's restrictions in their own terms (签转, 退票, 改期,
变更, 退改: 签注) or advice in its own (机场, 登机, 起飞, 凭证, 公告: 提示信息). Such a word is named for its field when the page's reading has
no value of that field (its label may be read, its value elsewhere) and the word is the only
one of that form on the page (the same value printed twice counts once). The form is read
off the whole word, without what is left of a label run into it (``码2444…``), its spaces
and a speck after it: a number inside a longer run names nothing. A value named this way
is as sure as one read beside its label: the numbers nothing checks are read again
stretched by the engine (:mod:`.confirm`), like any other.

>>> from batchocr.documents.words import Word
>>> page = [Word("7316547279557", 0, 0, 130, 20), Word("9%", 0, 30, 20, 50),
...         Word("110101********5553", 0, 60, 180, 80), Word("2381", 0, 90, 40, 110)]
>>> [d["Name"] for d in by_form([], page, "einvoice")]
['电子客票号码', '有效身份证件号码', '增值税税率']
>>> [d["Name"] for d in by_form([], page + [Word("7316547279558", 0, 120, 130, 140)])]
['有效身份证件号码']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ...documents.words import Word, add, is_label
from ...models import NameValue
from ...outputs.fields import field_of
from . import repair
from .airlines import CARRIERS

__all__ = ["FORMS", "Form", "by_form"]


Check = Callable[[str], bool]  # whether a word's key is so


def _digits(n: int, unless: str | None = None) -> Check:
    """``n`` digits, not starting as ``unless`` does."""
    return lambda key: bool(re.fullmatch(rf"\d{{{n}}}", key)) and not (
        unless and re.match(unless, key))


def _ticket_number(key: str) -> bool:
    """13 digits, the first three a carrier's ticket prefix (an airline's accounting code)."""
    return _digits(13)(key) and key[:3] in _PREFIXES


def _id_number(key: str) -> bool:
    """Masked with its stars read (6 + 8 + 4: the short mask may be a long one misread), or
    whole with its check character right."""
    return (len(key) == 18 and "*" in key and repair.id_number(key) == key) or (
        bool(re.fullmatch(r"\d{17}[\dX]", key)) and repair.id_check_ok(key))


def _credit_code(key: str) -> bool:
    """Its check character right (after a unique repair), with a letter: an ID number is
    digits but for its X."""
    return repair.credit_code(key) is not None and bool(re.search(r"[A-WYZ]", key))


_PREFIXES = frozenset(prefix for _, prefix in CARRIERS.values())
# The terms of a ticket's restrictions (不得签转, 变更退票收费, 退改签收费), and of the advice a
# prompt gives (请于起飞前45分钟到达机场, 本行程单不作为登机凭证): no other field uses either.
_RULES = re.compile(r"签转|退票|改期|变更|退改")
_ADVICE = re.compile(r"机场|登机|起飞|凭证|公告")


def _restrictions(key: str) -> bool:
    return bool(_RULES.search(key)) and not _ADVICE.search(key)


def _advice(key: str) -> bool:
    return bool(_ADVICE.search(key)) and not _RULES.search(key)


@dataclass(frozen=True)
class Form:
    """What a word must be to be named for a field without its label."""

    fits: Check  # its key has the field's form
    document: str | None = None  # only on this document ("paper", "einvoice")


# Label (as the full reader names it) → the form only that field has.
FORMS: dict[str, Form] = {
    "电子客票号码": Form(_ticket_number),
    "发票号码": Form(_digits(20), document="einvoice"),
    "印刷序号": Form(_digits(11, unless=r"1[3-9]"), document="paper"),
    "有效身份证件号码": Form(_id_number),
    "统一社会信用代码/纳税人识别号": Form(_credit_code),
    "增值税税率": Form(lambda key: bool(re.fullmatch(r"\d{1,2}%", key)), document="einvoice"),
    "签注": Form(_restrictions),
    "提示信息": Form(_advice),
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
        if found and len({w.key for w in found}) == 1:
            add(out, label, [min(found, key=lambda w: w.score)])
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
