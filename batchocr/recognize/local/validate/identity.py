"""ID numbers and 统一社会信用代码 read off a scan (pure): their shape, their regions and
their check characters.

A masked ID number keeps its fixed shape, so a star more or less is restored; a whole one,
and a credit code, must pass its check character; a masked one has only its region digits
to vouch for it (GB/T 2260). Anything else is ``None``: the field is left out.

>>> id_number("530102*******4819"), credit_code("91350100M000100Y43")
('530102********4819', '91350100M000100Y43')
"""

from __future__ import annotations

import re

from .repair import AS_DIGIT, SPECK_IN_NUMBER, squeeze

__all__ = ["CREDIT_CHARS", "credit_code", "id_check_ok", "id_number"]

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(text: str) -> str | None:
    """An ID number as printed: masked (``37*****5960``, ``530102********4819``) or whole.

    A masked number keeps its fixed shape (2+5+4 or 6+8+4 characters), so a star
    read twice or missed is restored, and 6 or 10 digits alone (stars too faint
    to read) can only be that shape, unless the 6 name a county (a long mask's head,
    its stars and tail unread); an unmasked one must pass its check digit. Its
    first two digits name a province (GB/T 2260), Hong Kong, Macau or Taiwan, or (a 9)
    a foreigner's permanent residence: ``85…`` is a misread ``35…``.

    >>> id_number("530102*******4819"), id_number("37******5960"), id_number("11010119900307797X")
    ('530102********4819', '37*****5960', None)
    >>> id_number("850203********140X"), id_number("$10107********8361")  # $: a 5, 6 or 3?
    (None, None)
    >>> id_number("500103***..***0521"), id_number("110101*.....5553"), id_number("11010*·5553")
    ('500103********0521', '110101********5553', None)
    >>> id_number("61.0113********2910"), id_number("375960"), id_number("110108")
    ('610113********2910', '37*****5960', None)
    >>> id_number("IoNo.510107******8361"), id_number("IDNO510107********8361")
    ('510107********8361', '510107********8361')
    >>> id_number("110108半*点串*治**8020"), id_number("320102+*******9300")  # dot-matrix stars
    ('110108********8020', '320102********9300')
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
_MUNICIPALITIES = {"11": 2, "12": 2, "31": 2, "50": 3}  # Beijing…Chongqing: last prefecture


# The first two digits of a Chinese ID number (GB/T 2260 provinces; 71, 81-83: Taiwan, Hong
# Kong, Macau and their residents' permits; 9x: a foreigner's permanent residence card).
_REGIONS = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", *(f"9{d}" for d in range(10)),
})  # fmt: skip


# The label's English (``ID.NO.``, read ``IoNo.`` or ``IDNO``) run into the number: letters
# ending in a dot or colon before a digit, or letters right before a masked number's six.
_ENGLISH_LABEL = re.compile(r"^[A-Z][A-Z.]*[.:](?=\d)|^[A-Z]{2,}(?=\d{6}[*.·])")


# A mask's stars as read: dots where a photo runs them together, and where a dot-matrix
# head prints them, a plus or a Chinese glyph (``320102**中*****4227``, ``110108半*点串*治**8020``).
_MASK = r"[.·+\u4e00-\u9fff]*\*[*.·+\u4e00-\u9fff]*"


def _mask_ok(run: str) -> bool:
    """Whether ``run`` reads as a mask's stars: mostly stars and dots, its glyphs no more
    than a short mask's five stars (the shape, not the run, says how many were printed).

    >>> _mask_ok("********"), _mask_ok("**中*****"), _mask_ok("半*点串*治**"), _mask_ok("中国*人")
    (True, True, True, False)
    """
    glyphs = sum(c not in "*.·" for c in run)
    return glyphs <= 5 and len(run) - glyphs >= glyphs


def _id_shape(text: str) -> str | None:
    """An ID number's shape, masked or whole (see :func:`id_number`)."""
    t = re.sub(r"^[^0-9A-Z*]+|[^0-9A-Z*]+$", "", squeeze(text).upper().replace("×", "X"))
    t = SPECK_IN_NUMBER.sub("", t)  # 61.0113********2910: a speck between two digits
    t = _ENGLISH_LABEL.sub("", t)  # IoNo.510107…: the label's English half run into it
    # (a photo's stars run together and read in part as dots: ``510107**.*.*.*8361``)
    m = re.fullmatch(rf"([0-9A-Z]+)({_MASK})([0-9OIL]{{3}}[0-9X])", t)
    if m is not None and _mask_ok(m[2]):
        head = m[1][1:] if len(m[1]) in (3, 7) and not m[1][0].isdigit() else m[1]  # a stray mark
        head, tail = head.translate(AS_DIGIT), m[3][:3].translate(AS_DIGIT) + m[3][3]
        if not (head + tail[:3]).isdigit():
            return None
        if len(head) == 6:
            return head + "*" * 8 + tail
        return head + "*" * 5 + tail if len(head) == 2 else None
    if re.fullmatch(r"\d{6}|\d{10}|\d{9}X|\d{5}X", t):  # the stars too faint to read
        if len(t) == 6 and _region_ok(t + "*" * 8 + "0000"):
            return None  # a county's code: a long mask's head, its tail unread (``110108``)
        head = t[:2] if len(t) == 6 else t[:6]
        return head + ("*" * 5 if len(t) == 6 else "*" * 8) + t[-4:]
    t = t[:17].translate(AS_DIGIT) + t[17:]
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
    >>> credit_code("91440106MA519FUEXW")  # a P read F (a stamp's frame through it)
    '91440106MA519PUEXW'
    """
    t = squeeze(text).upper().translate(str.maketrans("IOSVZ", "10502"))
    if len(t) != 18 or any(c not in CREDIT_CHARS for c in t):
        return None
    if _credit_ok(t):
        return t
    swaps = {"0": "D", "D": "0", "8": "B", "B": "8", "1": "T", "T": "1", "2": "Z", "6": "G",
             "G": "6", "U": "W", "W": "U", "5": "S", "F": "P", "P": "F"}  # fmt: skip
    fixes = set()
    for i, c in enumerate(t):
        alt = swaps.get(c)
        if alt is not None and alt in CREDIT_CHARS:
            cand = t[:i] + alt + t[i + 1 :]
            if _credit_ok(cand):
                fixes.add(cand)
    return fixes.pop() if len(fixes) == 1 else None


def _credit_ok(code: str) -> bool:
    """The check character right, the six characters after the first two a division's
    code (digits, a province's first: ``35D225`` is a misread 350203), and the nine after
    those an organization code with its own check character (GB 11714): a misread passes
    the first check one time in 31, both one time in 341.

    >>> _credit_ok("91610113MATT5B783N"), _credit_ok("916101133AT15B753N")
    (True, False)
    """
    if not (code[2:8].isdigit() and (code[2:4] in _REGIONS or code[2:4] == "10")):
        return False
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31] == code[17] and _org_ok(code[8:17])


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_ok(org: str) -> bool:
    """GB 11714's check: digits and A=10 … Z=35 weighted, 11 less the sum mod 11 (10 is X,
    11 is 0)."""
    check = 11 - sum(int(c, 36) * w for c, w in zip(org[:8], _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check)) == org[8]
