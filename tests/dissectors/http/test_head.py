"""Tests for sniffprint/dissectors/http/head.py: start lines, header fields and body framing
decisions (RFC 9112 sections 2-6), and violations that never quote the wire."""
from __future__ import annotations

import pytest

from sniffprint.dissectors.http.head import (
    Delimit,
    Fields,
    RequestHead,
    ResponseHead,
    blank_line,
    could_be_request,
    describe,
)
from sniffprint.errors import ProtocolViolation

SECRET = "salary_review_alice"  # a name that must never reach an anomaly detail


def test_request_head_framing_and_codings() -> None:
    h = RequestHead.parse(b"POST /ipp/print HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n"
                          b"Content-Encoding: deflate\r\nContent-Length: 99\r\nExpect: 100-continue\r\n\r\n", 0)
    assert h.method == b"POST" and h.delimit is Delimit.CHUNKED and h.length == 0
    # transfer codings come off first (last applied first), then content codings
    assert h.codings == ["gzip", "deflate"] and h.expect and not h.upgrade_tls


def test_request_without_framing_has_an_empty_body() -> None:
    h = RequestHead.parse(b"GET / HTTP/1.1\nHost: x\n\n", 0)  # bare LF line ends (section 2.2)
    assert (h.delimit, h.length, h.codings) == (Delimit.LENGTH, 0, [])


def test_request_upgrade_to_tls() -> None:
    assert RequestHead.parse(b"OPTIONS * HTTP/1.1\r\nUpgrade: TLS/1.2, HTTP/1.1\r\n\r\n", 0).upgrade_tls
    assert not RequestHead.parse(b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", 0).upgrade_tls


def test_fields_fold_tokens_and_media_type() -> None:
    f = Fields([b"Content-Type: Application/IPP; charset=utf-8", b"X-A: one", b" two", b"Accept: a, b",
                b"accept: c"], 0)
    assert f.media_type() == "application/ipp"
    assert f.values(b"x-a") == [b"one two"]  # obs-fold joins with SP (section 5.2)
    assert f.tokens(b"accept") == ["a", "b", "c"] and b"accept" in f and b"nope" not in f
    with pytest.raises(ProtocolViolation, match="continuation line"):
        Fields([b" folded first"], 0)


@pytest.mark.parametrize("status, method, want", [
    (200, b"HEAD", Delimit.NONE), (204, b"GET", Delimit.NONE), (304, b"GET", Delimit.NONE),
    (200, b"GET", Delimit.LENGTH),
])
def test_response_body_delimit(status: int, method: bytes, want: Delimit) -> None:
    h = ResponseHead.parse(f"HTTP/1.1 {status} X\r\nContent-Length: 7\r\n\r\n".encode(), 0)
    assert h.body(method, 0)[0] is want


def test_response_chunked_close_and_interim() -> None:
    chunked = ResponseHead.parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0)
    assert chunked.body(b"GET", 0) == (Delimit.CHUNKED, 0, ["gzip"])
    # a Transfer-Encoding that does not end in chunked: the body ends with the connection (rule 8)
    close = ResponseHead.parse(b"HTTP/1.0 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0)
    assert close.body(b"GET", 0) == (Delimit.CLOSE, 0, ["gzip"])
    assert ResponseHead.parse(b"HTTP/1.1 100 Continue\r\n\r\n", 0).interim
    assert not ResponseHead.parse(b"HTTP/1.1 101 Switching Protocols\r\n\r\n", 0).interim


def test_blank_line_and_request_prefix() -> None:
    assert blank_line(bytearray(b"GET / HTTP/1.1\r\n\r\nrest"), 0) == 18
    assert blank_line(bytearray(b"GET / HTTP/1.1\n\nrest"), 0) == 16
    assert blank_line(bytearray(b"GET / HTTP/1.1\r\n"), 0) == -1
    assert could_be_request(b"POS") is None and could_be_request(b"POST ") is True
    assert could_be_request(b"\x16\x03") is False


def test_describe_tells_length_and_class_only() -> None:
    assert describe(b"GET /x") == "(6 bytes, ASCII text)"
    assert describe("Gehälter".encode()) == "(9 bytes, non-ASCII text)"
    assert describe(b"\x16\x03\x01") == "(3 bytes, with control bytes)"


@pytest.mark.parametrize("head, what", [
    (f"POST /printers/{SECRET} HTTP/9\r\n\r\n", "request line"),
    (f"GET / HTTP/1.1\r\nX-Job {SECRET}\r\n\r\n", "header field"),
    (f"POST / HTTP/1.1\r\nContent-Length: {SECRET}\r\n\r\n", "Content-Length"),
])
def test_request_violations_do_not_quote_the_wire(head: str, what: str) -> None:
    with pytest.raises(ProtocolViolation, match=what) as info:
        RequestHead.parse(head.encode(), 0)
    assert SECRET not in info.value.reason and "bytes, ASCII text)" in info.value.reason


def test_status_line_violation_does_not_quote_the_wire() -> None:
    with pytest.raises(ProtocolViolation, match="status line") as info:
        ResponseHead.parse(f"HTTP/1.1 OK {SECRET}\r\n\r\n".encode(), 0)
    assert SECRET not in info.value.reason
