"""Classification of every documented service code (pure)."""

from __future__ import annotations

import pytest

from batchocr.errors import CODE_MEANINGS, CodePolicy, Verdict, classify, describe

DEFAULT = CodePolicy()


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        (0, Verdict.DONE),
        (252602, Verdict.RETRY),
        (10011, Verdict.RETRY),
        (10012, Verdict.RETRY),
        (10014, Verdict.RETRY),
        (252601, Verdict.FAIL),
        (252603, Verdict.FAIL),
        (252604, Verdict.FAIL),
        *[(c, Verdict.ABORT) for c in (10001, 10002, 10003, 10004, 10005, 10007, 10008, 10009)],
        (10013, Verdict.ABORT),
        (10021, Verdict.ABORT),
        (10020, Verdict.STOP),
        (999999, Verdict.FAIL),
    ],
)
def test_default_classification(code: int, verdict: Verdict) -> None:
    """Each documented code maps to the action the issue specifies; unknown codes fail."""
    assert classify(code, DEFAULT) is verdict


def test_every_documented_code_has_a_meaning() -> None:
    """The error table is complete: the report can always say what a code means."""
    assert set(CODE_MEANINGS) == {
        0,
        252601,
        252602,
        252603,
        252604,
        *range(10001, 10006),
        10007,
        10008,
        10009,
        10011,
        10012,
        10013,
        10014,
        10020,
        10021,
    }


def test_code_sets_are_configurable() -> None:
    """A custom policy can make 252604 retryable and 10012 a stop."""
    policy = CodePolicy(retry=frozenset({252604}), stop=frozenset({10012}))
    assert classify(252604, policy) is Verdict.RETRY
    assert classify(10012, policy) is Verdict.STOP


def test_describe_names_code_and_meaning() -> None:
    """Reasons in the report include the code, its meaning and the service's own words."""
    assert describe(10003, "KEY过期") == "10003 the key has expired (KEY过期)"
    assert describe(777, "") == "777 undocumented code"
    assert describe(None, "timed out") == "timed out"
