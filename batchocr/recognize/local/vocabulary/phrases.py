"""The stock phrases of an itinerary's notes (data): its endorsements (签注) and prompts
(提示信息) are printed from a short list, and a note one glyph off one of them is that one.

An endorsement is a few phrases joined by ``/`` after the fare class (``Q/不得签转/变更退票
收费``); a prompt is one sentence. A scan misreads a glyph of them (``坏得签转``, ``请干起飞前
…``) or loses the first (``行程单不作为登机凭证``): each ``/``-part of a note that is within
one glyph of exactly one phrase, and is no phrase itself, is that phrase (:func:`phrased`); one
that is a phrase's tail, more than a glyph lost, is a note cut short. A note that is none of
them (an issuer may print its own) stays as it was read.
"""

from __future__ import annotations

from .labels import edits

__all__ = ["ENDORSEMENTS", "PHRASES", "PROMPTS", "phrased"]

_MINUTES = (30, 40, 45, 60, 90, 120)
ENDORSEMENTS = frozenset({
    "不得签转", "不得退票", "不得变更", "不得改期", "不得转签", "不得退改", "不得签转变更",
    "变更退票收费", "退改签收费", "退票收费", "变更收费", "改期收费", "签转收费", "退改收费",
    "退票费按规定收取", "变更费按规定收取", "仅限本人使用",
})  # fmt: skip
PROMPTS = frozenset({
    "本行程单不作为登机凭证", "航班信息以机场公告为准", "请携带有效身份证件",
    "本行程单仅作报销凭证",
    *(f"请于起飞前{m}分钟到达机场" for m in _MINUTES),
    *(f"请于航班起飞前{m}分钟到达机场" for m in _MINUTES),
})  # fmt: skip
PHRASES = ENDORSEMENTS | PROMPTS
SHORTEST = 4  # characters: a part shorter than this is not mended (one glyph is too much of it)


def phrased(note: str) -> str | None:
    """``note`` with each ``/``-part one glyph off exactly one stock phrase made that phrase;
    None when a part is the tail of a phrase with more than one glyph lost (``以机场公告为准``
    of 航班信息以机场公告为准): a note cut short, as likely another phrase's as not.

    >>> phrased("Q/坏得签转/变更退票收费"), phrased("0于起飞前45分钟到达机场")
    ('Q/不得签转/变更退票收费', '请于起飞前45分钟到达机场')
    >>> phrased("行程单不作为登机凭证"), phrased("得签转更退票收费"), phrased("不得签")
    ('本行程单不作为登机凭证', '得签转更退票收费', '不得签')
    >>> phrased("以机场公告为准"), phrased("变更退票收费/退票收费")
    (None, '变更退票收费/退票收费')
    """
    parts = [_phrase(part) for part in note.split("/")]
    return None if None in parts else "/".join(p for p in parts if p is not None)


def _phrase(part: str) -> str | None:
    if len(part) < SHORTEST or part in PHRASES:
        return part
    if any(p.endswith(part) and len(p) - len(part) > 1 for p in PHRASES):
        return None
    near = [p for p in PHRASES if abs(len(p) - len(part)) <= 1 and edits(part, p) == 1]
    return near[0] if len(near) == 1 else part
