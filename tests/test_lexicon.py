"""A misread label, city or carrier told by the recognizer's own probabilities
(``lexicon.known_word``)."""

from __future__ import annotations

import numpy as np

from batchocr.recognize.local.vocabulary.labels import LABELS
from batchocr.recognize.local.vocabulary.lexicon import known_word

CHARSET = ["blank", *sorted(set("".join(LABELS)) | set("城上海厦航复杨慧MF8："))]


def steps(*frames: dict[str, float]) -> np.ndarray:
    """The recognizer's output for a line: one row a time step, the probability of each
    character named (``""`` the blank), the rest of the step's mass on the blank."""
    out = np.zeros((len(frames), len(CHARSET)))
    for t, frame in enumerate(frames):
        for char, p in frame.items():
            out[t, CHARSET.index(char) if char else 0] = p
        out[t, 0] += 1 - out[t].sum()
    return out


def test_a_garbled_label_becomes_the_label_its_probabilities_make_likeliest() -> None:
    # read 城单位: 填 a little less likely than 城, 开 than a blank
    probs = steps({"城": 0.55, "填": 0.4}, {"开": 0.35}, {"单": 0.9}, {"位": 0.9})
    assert known_word(probs, "城单位", CHARSET) == "填开单位"
    colon = np.vstack([probs, steps({"：": 0.9})])
    assert known_word(colon, "城单位：", CHARSET) == "填开单位："  # its colon kept


def test_a_garbled_label_read_with_its_value_becomes_the_label_before_the_value() -> None:
    # 航号MF: 班 a little less likely than a blank; only the steps before M are weighed
    probs = steps({"航": 0.9}, {"班": 0.35}, {"号": 0.9}, {"M": 0.9}, {"F": 0.9})
    assert known_word(probs, "航号MF", CHARSET) == "航班号MF"
    assert known_word(probs, "航号MF8", CHARSET) == "航号MF8"  # the steps spell another text


def test_a_value_read_as_chinese_stays_what_it_reads() -> None:
    assert known_word(steps({"杨": 0.95}, {"慧": 0.95}), "杨慧", CHARSET) == "杨慧"  # a name


def test_a_label_read_with_its_value_keeps_the_value() -> None:
    # 承运人 alone is nearly as likely (厦 and 航 nearly blanks), but the line holds more
    probs = steps({"承": 0.9}, {"运": 0.9}, {"人": 0.9}, {"厦": 0.55}, {"航": 0.55})
    assert known_word(probs, "承运人厦航", CHARSET) == "承运人厦航"


def test_a_word_as_likely_two_labels_stays_what_it_reads() -> None:
    # 开日期: 填开日期 and 开票日期 each one unread character away, as likely
    probs = steps({"填": 0.4}, {"开": 0.9}, {"票": 0.4}, {"日": 0.9}, {"期": 0.9})
    assert known_word(probs, "开日期", CHARSET) == "开日期"


def test_known_labels_numbers_and_latin_are_not_looked_at() -> None:
    probs = steps({"票": 0.9}, {"价": 0.9})
    assert known_word(probs, "票价", CHARSET) == "票价"
    assert known_word(probs, "1225", CHARSET) == "1225"
    assert known_word(probs, "VOID", CHARSET) == "VOID"


def test_a_misread_carrier_becomes_the_carrier_its_probabilities_make_likeliest() -> None:
    probs = steps({"复": 0.55, "厦": 0.4}, {"航": 0.9})
    assert known_word(probs, "复航", CHARSET) == "厦航"
