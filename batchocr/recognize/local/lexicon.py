"""A misread label told by the recognizer's own output (pure numpy): of all the labels the
forms print, the one the line's glyph probabilities make likeliest, when it is far likelier
than the others and nearly as likely as what was read.

A phone photo prints a form's labels ten pixels tall, and the recognizer's best reading of
one is garble (``城单位`` for 填开单位, ``其地权营`` for 其他税费, ``子号`` for 电子客票号码);
the words alone cannot say which label it was. Its output can: the recognizer scores every
character at every step, and the probability it gives a whole text is the sum over the ways
of spelling it out in those steps (CTC's forward pass). A label read as garble is still
likely (a few nats under the garble, per character), every other label far less so; a value
(a city, a name, an amount) makes every label thousands of times less likely per character.
Only words that start as Chinese and no label are looked at: the Chinese they start with.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from .labels import LABELS

__all__ = ["relabel"]

# Nats per character of a label by which it may be less likely than the text read: the
# labels garbled on heavy tuning photos were 1.2-3.0 below it, values read as Chinese words
# (cities, names, carriers) 8 and more.
PER_GLYPH = 3.0
MARGIN = 3.0  # nats by which the likeliest label must beat the next one
_HEAD = re.compile(r"[\u4e00-\u9fff/]+")  # the Chinese a line starts with
_FLOOR = 1e-12  # a probability's floor before its logarithm


def relabel(probs: Any, text: str, charset: Sequence[str]) -> str:
    """``text``, or the label that ``probs`` (time steps x classes, class 0 the blank, as the
    recognizer output them for this line) makes likeliest in place of the Chinese it starts
    with, when it passes the two bars above (and is no shorter: a line read longer than the
    label holds more, its value: ``承运人厦航``). What follows the Chinese (a colon, a number:
    ``航号MF8358``) stays; only the steps that spelled out the Chinese are weighed."""
    import numpy as np

    head = _HEAD.match(text)
    key = head[0] if head else ""
    if not key or key in LABELS:
        return text
    if len(key) < len(text):
        steps = _steps_before(probs, text, len(key))
        if steps is None:
            return text
        probs = probs[:steps]
    labels, codes = _encoded(tuple(charset))
    logp = np.log(np.maximum(probs, _FLOOR))
    read = float(logp.max(axis=1).sum())  # the text read: its likeliest path
    scores = _likelihoods(logp, codes)
    order = np.argsort(scores)[::-1]
    best, second = float(scores[order[0]]), float(scores[order[1]])
    label = labels[int(order[0])]
    near = read - best <= PER_GLYPH * len(label) and best - second >= MARGIN
    return label + text[len(key) :] if near and len(key) <= len(label) else text


def _steps_before(probs: Any, text: str, n: int) -> int | None:
    """The time step at which the recognizer's likeliest path starts spelling out the
    character after the first ``n`` of ``text`` (None when that path spells another text)."""
    best = probs.argmax(axis=1)
    starts = [t for t in range(len(best)) if best[t] and (t == 0 or best[t] != best[t - 1])]
    return starts[n] if len(starts) == len(text) else None


@functools.cache
def _encoded(charset: tuple[str, ...]) -> tuple[list[str], Any]:
    """The labels whose characters the recognizer knows, and each as its CTC state sequence
    (a blank around every character: 2n + 1 states), padded with -1 to the longest."""
    import numpy as np

    index = {c: i for i, c in enumerate(charset)}
    labels = [lb for lb in LABELS if all(c in index for c in lb)]
    width = 2 * max(map(len, labels)) + 1
    codes = np.full((len(labels), width), -1, np.int64)
    for n, lb in enumerate(labels):
        states = [0]
        for c in lb:
            states += [index[c], 0]
        codes[n, : len(states)] = states
    return labels, codes


def _likelihoods(logp: Any, codes: Any) -> Any:
    """log P(label | line) of each label (rows of ``codes``): CTC's forward pass, all the
    labels at once."""
    import numpy as np

    neg = -1e30
    n, width = codes.shape
    valid = codes >= 0
    classes = np.where(valid, codes, 0)
    # a state may be reached from two back when it is a character unlike the one two back
    skip = np.zeros_like(valid)
    skip[:, 2:] = (classes[:, 2:] != 0) & (classes[:, 2:] != classes[:, :-2]) & valid[:, 2:]
    alpha = np.full((n, width), neg)
    alpha[:, 0] = logp[0, 0]
    alpha[:, 1] = np.where(valid[:, 1], logp[0, classes[:, 1]], neg)
    for t in range(1, logp.shape[0]):
        one = np.concatenate((np.full((n, 1), neg), alpha[:, :-1]), axis=1)
        two = np.concatenate((np.full((n, 2), neg), alpha[:, :-2]), axis=1)
        alpha = np.logaddexp(np.logaddexp(alpha, one), np.where(skip, two, neg))
        alpha = np.where(valid, alpha + logp[t, classes], neg)
    ends = valid.sum(axis=1) - 1  # the last blank, and the last character before it
    rows = np.arange(n)
    return np.logaddexp(alpha[rows, ends], alpha[rows, ends - 1])
