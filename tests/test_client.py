"""The HTTP layer against respx: what the service receives and how answers parse."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, quote_plus, urlencode

import httpx
import pytest
import respx

from batchocr.config import Secret
from batchocr.errors import TransportError
from batchocr.models import Reply
from batchocr.recognize.client import JuheClient, encode_form, parse_reply

URL = "https://ocr.example.test/flightinvoiceOcr/index"
IMAGE = bytes(range(256)) * 50  # every byte value: base64 uses + and / here


def test_form_body_equals_standard_urlencoding() -> None:
    """Our fast encoder produces byte-for-byte what urlencode produces."""
    key = "k3y+with/odd=chars&"
    expected = urlencode({"key": key, "ImageBase64": base64.b64encode(IMAGE).decode()})
    assert encode_form(key, IMAGE) == expected.encode()


def test_form_body_round_trips_through_a_form_parser() -> None:
    """A server's form parser recovers the exact key and image."""
    form = parse_qs(encode_form("abc", IMAGE).decode(), strict_parsing=True)
    assert form["key"] == ["abc"]
    assert base64.b64decode(form["ImageBase64"][0]) == IMAGE


@pytest.mark.asyncio
@respx.mock
async def test_request_carries_key_and_image_in_the_body_only() -> None:
    """The POST has the form content type, the key in the body and nowhere in URL or headers."""
    route = respx.post(URL).mock(
        return_value=httpx.Response(
            200,
            json={
                "reason": "success",
                "error_code": 0,
                "result": {"data": [{"Name": "票价", "Value": "1.00"}], "qingqiuhaohao": "rid-1"},
            },
        )
    )
    async with httpx.AsyncClient() as http:
        reply = await JuheClient(http, URL, Secret("sekret")).send(encode_form("sekret", IMAGE))
    assert reply == Reply(0, "success", [{"Name": "票价", "Value": "1.00"}], "rid-1")
    sent = route.calls.last.request
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "sekret" not in str(sent.url)
    assert all("sekret" not in v for v in sent.headers.values())
    assert sent.content.startswith(b"key=" + quote_plus("sekret").encode() + b"&ImageBase64=")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(500, text="oops"), "HTTP 500"),
        (httpx.Response(503), "HTTP 503"),
        (httpx.Response(429), "HTTP 429"),
        (httpx.Response(404), "unexpected HTTP 404"),
        (httpx.Response(200, text="<html>gateway</html>"), "not JSON"),
        (httpx.Response(200, json=[1, 2]), "not a JSON object"),
        (httpx.Response(200, json={"reason": "x"}), "no valid error_code"),
        (httpx.Response(200, json={"error_code": 0, "result": None}), "without a result.data"),
    ],
)
@respx.mock
async def test_unusable_answers_are_transport_errors(
    response: httpx.Response, message: str
) -> None:
    """5xx, 429, other statuses and bodies that are not the documented JSON raise TransportError."""
    respx.post(URL).mock(return_value=response)
    async with httpx.AsyncClient() as http:
        with pytest.raises(TransportError, match=message):
            await JuheClient(http, URL, Secret("k")).send(b"key=k&ImageBase64=")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (httpx.ReadTimeout("slow"), "timed out"),
        (httpx.ConnectError("refused"), "connection failed"),
        (httpx.RemoteProtocolError("reset"), "connection failed"),
    ],
)
@respx.mock
async def test_network_failures_are_transport_errors(exc: Exception, message: str) -> None:
    """Timeouts, refused connections and resets become TransportError (retryable)."""
    respx.post(URL).mock(side_effect=exc)
    async with httpx.AsyncClient() as http:
        with pytest.raises(TransportError, match=message):
            await JuheClient(http, URL, Secret("k")).send(b"")


def test_error_answers_parse_with_code_and_reason() -> None:
    """A documented error answer is a Reply (classification happens elsewhere)."""
    body = json.dumps({"reason": "错误的请求KEY", "result": None, "error_code": 10001}).encode()
    assert parse_reply(200, body) == Reply(10001, "错误的请求KEY")


def test_error_code_as_a_string_is_accepted() -> None:
    """Some gateways send the code as a string: "10012" still parses."""
    assert parse_reply(200, b'{"error_code": "10012", "reason": "limit"}').error_code == 10012


def test_secret_hides_itself() -> None:
    """The key's repr and str never show the value (tracebacks, logs, f-strings)."""
    s = Secret("topsecret")
    assert "topsecret" not in repr(s) + str(s) + f"{s}" + repr([s])
