"""A misread word told by the recognizer's own output (pure numpy): of the words a form
prints from a closed list (its labels; the cities and carriers of its flights), the one the
line's glyph probabilities make likeliest, when it is far likelier than the others and
nearly as likely as what was read.

A phone photo prints a form's labels ten pixels tall, and the recognizer's best reading of
one is garble (``城单位`` for 填开单位, ``其地权营`` for 其他税费, ``子号`` for 电子客票号码);
the words alone cannot say which label it was. Its output can: the recognizer scores every
character at every step, and the probability it gives a whole text is the sum over the ways
of spelling it out in those steps (CTC's forward pass). A label read as garble is still
likely (a few nats under the garble, per character), every other label far less so; a value
(a city, a name, an amount) makes every label thousands of times less likely per character.
The Chinese a line starts with is weighed against the labels (a value may follow it:
``航号MF8358``); a short line that is all Chinese and no label, against the cities and the
carriers too (``复航`` for 厦航).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from .airlines import AIRLINES
from .labels import LABELS
from .places import CITIES

__all__ = ["known_word"]

# Nats per character by which a word may be less likely than the text read: the labels
# garbled on heavy tuning photos (seeds 1600000-1, 452 lines) were 0.01-3.0 below it, the
# lines holding a value read as Chinese (cities, names, carriers) 8 and more below any label.
PER_GLYPH = 3.0
MARGIN = 3.0  # nats by which the likeliest word must beat the next one
PLACES = 4  # characters at most of a line weighed against the cities and carriers
_NAMES = tuple(sorted(frozenset(AIRLINES) | CITIES))
_HEAD = re.compile(r"[\u4e00-\u9fff/]+")  # the Chinese a line starts with
_FLOOR = 1e-12  # a probability's floor before its logarithm
_IMPOSSIBLE = 1e-300  # the likelihood of a word the line has too few steps for


def known_word(probs: Any, text: str, charset: Sequence[str]) -> str:
    """``text``, or with the Chinese it starts with read as the label that ``probs`` (time
    steps x classes, class 0 the blank, as the recognizer output them for this line) makes
    likeliest, when it passes the two bars above and is no shorter (a line read longer than
    the label holds more, its value: ``承运人厦航``); what follows the Chinese (a colon, a
    number) stays, and only the steps that spelled the Chinese out are weighed. A line of a
    few Chinese characters that is no label may be a city or a carrier instead."""
    import numpy as np

    head = _HEAD.match(text)
    key = head[0] if head else ""
    if not key or key in LABELS or key in AIRLINES or key in CITIES:
        return text
    if len(key) < len(text):
        steps = _steps_before(probs, text, len(key))
        if steps is None:
            return text
        probs = probs[:steps]
    probs = np.maximum(probs, _FLOOR)
    read = float(np.log(probs.max(axis=1)).sum())  # the text read: its likeliest path
    label, best, second = _likeliest(probs, charset, LABELS)
    if _fits(key, read, label, best, second):
        return label + text[len(key) :]
    if key != text or len(key) > PLACES:
        return text
    name, likely, other = _likeliest(probs, charset, _NAMES)
    return name if _fits(key, read, name, likely, max(other, best)) else text


def _fits(key: str, read: float, word: str, likely: float, rival: float) -> bool:
    """Whether ``word`` (log-likelihood ``likely``) is nearly as likely as the text read
    (``read``), far likelier than its rival, and no shorter than ``key``."""
    return read - likely <= PER_GLYPH * len(word) and likely - rival >= MARGIN and len(
        key) <= len(word)  # fmt: skip


def _likeliest(probs: Any, charset: Sequence[str], words: tuple[str, ...]
               ) -> tuple[str, float, float]:  # fmt: skip
    """The word of ``words`` likeliest under ``probs``, its log-likelihood and the next one's."""
    import numpy as np

    known, codes = _encoded(tuple(charset), words)
    scores = _likelihoods(probs, codes)
    order = np.argsort(scores)[::-1]
    return known[int(order[0])], float(scores[order[0]]), float(scores[order[1]])


def _steps_before(probs: Any, text: str, n: int) -> int | None:
    """The time step at which the recognizer's likeliest path starts spelling out the
    character after the first ``n`` of ``text`` (None when that path spells another text)."""
    best = probs.argmax(axis=1)
    starts = [t for t in range(len(best)) if best[t] and (t == 0 or best[t] != best[t - 1])]
    return starts[n] if len(starts) == len(text) else None


@functools.cache
def _encoded(charset: tuple[str, ...], words: tuple[str, ...]) -> tuple[list[str], Any]:
    """The words whose characters the recognizer knows, and each as its CTC state sequence
    (a blank around every character: 2n + 1 states), padded with -1 to the longest."""
    import numpy as np

    index = {c: i for i, c in enumerate(charset)}
    known = [w for w in words if all(c in index for c in w)]
    width = 2 * max(map(len, known)) + 1
    codes = np.full((len(known), width), -1, np.int64)
    for n, word in enumerate(known):
        states = [0]
        for c in word:
            states += [index[c], 0]
        codes[n, : len(states)] = states
    return known, codes


def _likelihoods(probs: Any, codes: Any) -> Any:
    """log P(word | line) of each word (rows of ``codes``): CTC's forward pass, all the
    words at once, in probabilities rescaled at every step (their logarithms' sums cost ten
    times as much: ``np.logaddexp``)."""
    import numpy as np

    n, width = codes.shape
    valid = codes >= 0
    classes = np.where(valid, codes, 0)
    # a state may be reached from two back when it is a character unlike the one two back
    skip = np.zeros_like(valid)
    skip[:, 2:] = (classes[:, 2:] != 0) & (classes[:, 2:] != classes[:, :-2]) & valid[:, 2:]
    alpha = np.zeros((n, width))
    alpha[:, 0] = probs[0, 0]
    alpha[:, 1] = np.where(valid[:, 1], probs[0, classes[:, 1]], 0.0)
    scale = np.zeros(n)  # the logarithm of what each row was divided by so far
    for t in range(1, probs.shape[0]):
        step = alpha.copy()
        step[:, 1:] += alpha[:, :-1]
        step[:, 2:] += np.where(skip[:, 2:], alpha[:, :-2], 0.0)
        alpha = np.where(valid, step * probs[t, classes], 0.0)
        top = alpha.max(axis=1)
        alpha /= top[:, None]
        scale += np.log(top)
    ends = valid.sum(axis=1) - 1  # the last blank, and the last character before it
    rows = np.arange(n)
    last = alpha[rows, ends] + alpha[rows, ends - 1]  # (none: a word too long for the line)
    return np.log(np.maximum(last, _IMPOSSIBLE)) + scale
