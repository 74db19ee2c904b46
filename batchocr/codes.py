"""The service's error codes: one table, every fact about a code in one row.

Each row says what the code means (English), the reason text the service sends (its
documentation, verbatim), what the run does by default (:class:`Verdict`), and what a person
should do about an item that ended on it (the report's advice). The classification of
answers (:mod:`batchocr.errors`), the local server's answers (:mod:`batchocr.server`) and
the report's advice (:mod:`batchocr.outputs.report`) all read this table.

>>> CODES[10003].meaning, CODES[10003].reason, CODES[10003].verdict
('the key has expired', 'KEY过期', <Verdict.ABORT: 'abort'>)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["CODES", "Code", "Verdict"]


class Verdict(enum.StrEnum):
    """What the engine does after one answer."""

    DONE = "done"
    RETRY = "retry"  # transient: back off and send again
    FAIL = "fail"  # this item failed for good; no retry
    ABORT = "abort"  # account-level: stop sending, exit 2
    STOP = "stop"  # service-wide condition that may clear: stop early, exit 3


@dataclass(frozen=True, slots=True)
class Code:
    """One documented ``error_code``."""

    number: int
    meaning: str
    reason: str  # the service's own text
    verdict: Verdict
    advice: str  # what to do about an item that ended on this code


_RERUN = ", then rerun with --retry-failed"
_ROWS = (
    Code(0, "success", "成功", Verdict.DONE, ""),
    Code(252601, "bad data format", "数据格式错误", Verdict.FAIL,
         "the service could not read the image data: save the scan as JPEG or PNG" + _RERUN),
    Code(252602, "service busy, try again later", "网络繁忙，请稍后重试", Verdict.RETRY,
         "the service was busy: rerun later; the rerun sends these again"),
    Code(252603, "bad base64 encoding", "base64编码格式错误", Verdict.FAIL,
         "the image was garbled on the way: rerun with --retry-failed; if it repeats,"
         " re-save the file as JPEG or PNG"),
    Code(252604, "recognition failed", "识别失败", Verdict.FAIL,
         "no itinerary was recognized: check that the image is an itinerary, re-scan it"
         " sharper and straight" + _RERUN),
    Code(10001, "wrong request key", "错误的请求KEY", Verdict.ABORT,
         "wrong key: check JUHE_KEY (or the config's key) against the provider's console"
         " and rerun"),
    Code(10002, "the key has no permission for this API", "该KEY无请求权限", Verdict.ABORT,
         "the key may not use this API: enable the itinerary-OCR API for it in the"
         " provider's console and rerun"),
    Code(10003, "the key has expired", "KEY过期", Verdict.ABORT,
         "key expired: renew it in the provider's console and rerun"),
    Code(10004, "wrong OPENID", "错误的OPENID", Verdict.ABORT,
         "wrong OPENID: check the account settings in the provider's console and rerun"),
    Code(10005, "application not yet approved; submit verification",
         "应用未审核超时，请提交认证", Verdict.ABORT,
         "the application is not approved yet: finish the verification in the provider's"
         " console, then rerun"),
    Code(10007, "unknown request source", "未知的请求源", Verdict.ABORT,
         "the provider does not accept requests from here: check --endpoint and the key's"
         " allowed sources, then rerun"),
    Code(10008, "IP address banned", "被禁止的IP", Verdict.ABORT,
         "this machine's IP address is banned: ask the provider's support; rerun once lifted"),
    Code(10009, "key banned", "被禁止的KEY", Verdict.ABORT,
         "the key is banned: ask the provider's support or use another key, then rerun"),
    Code(10011, "this IP exceeded its request limit", "当前IP请求超过限制", Verdict.RETRY,
         "this IP address sent too many requests: batchocr paced down; if runs keep"
         " stopping on it, lower --qps or wait; rerun resumes"),
    Code(10012, "request count limit exceeded", "请求超过次数限制", Verdict.RETRY,
         "quota/rate: batchocr paces down for the rate by itself; a run that stopped on it"
         " used up its quota: more quota or the next day, then rerun (it resumes)"),
    Code(10013, "test key exceeded its request limit", "测试KEY超过请求限制", Verdict.ABORT,
         "the test key's allowance is used up: switch to a paid key and rerun"),
    Code(10014, "service internal error", "系统内部异常", Verdict.RETRY,
         "the service failed internally: rerun later; rerun resumes"),
    Code(10020, "API under maintenance", "接口维护", Verdict.STOP,
         "the API is under maintenance: rerun later; rerun resumes"),
    Code(10021, "API discontinued", "接口停用", Verdict.ABORT,
         "the provider discontinued this API: contact the provider; nothing can be"
         " recognized until another service is configured"),
)  # fmt: skip
CODES: dict[int, Code] = {row.number: row for row in _ROWS}
