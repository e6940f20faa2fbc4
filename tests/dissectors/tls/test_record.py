"""Tests for sniffprint/dissectors/tls/record.py: record headers, their limits, the SSL 2.0 hello header."""
from __future__ import annotations

import struct

import pytest

from sniffprint.dissectors.tls.record import (
    MAX_RECORD,
    RecordHeader,
    V2HelloHeader,
    framing_ok,
    looks_like_record,
    record_run,
)
from sniffprint.errors import ProtocolViolation
from tests.dissectors.tls.vectors import C2S, appdata, client_hello, new, rec, v2_client_hello


def test_not_tls_is_a_violation() -> None:
    for data in (b"GET / HTTP/1.1\r\n\r\n", b"\x1b%-12345X@PJL\r\n", b"\x16\x02\x01\x00\x10"):
        with pytest.raises(ProtocolViolation):
            new().feed(C2S, data)


def test_record_length_limit() -> None:
    d = new()
    d.feed(C2S, rec(23, bytes((1 << 14) + 2048)))
    with pytest.raises(ProtocolViolation):
        d.feed(C2S, struct.pack("!BHH", 23, 0x0303, (1 << 14) + 2049))


def test_bad_change_cipher_spec_is_a_violation() -> None:
    with pytest.raises(ProtocolViolation):
        new().feed(C2S, client_hello() + rec(20, b"\x02"))
    with pytest.raises(ProtocolViolation):
        new().feed(C2S, client_hello() + rec(20, b"\x01\x01"))


def test_record_header_fields_and_plausibility() -> None:
    hdr = RecordHeader.parse(b"xx" + rec(22, b"abc", 0x0301), 2)
    assert hdr == RecordHeader(22, 0x0301, 3) and hdr.plausible()
    assert framing_ok(20, 0x0300) and framing_ok(24, 0x0304)
    assert not framing_ok(25, 0x0303)  # unknown content type
    assert not framing_ok(23, 0x0305)  # no TLS 1.4 on the wire
    assert not framing_ok(23, 0x0203)
    assert RecordHeader(23, 0x0303, MAX_RECORD).plausible() and not RecordHeader(23, 0x0303, MAX_RECORD + 1).plausible()
    assert record_run(rec(23, bytes(10)) + rec(21, b"\x02\x28") + b"\x17\x03") == (2, True)
    assert record_run(rec(23, bytes(10)) + b"\x80\x2a\x01\x03\x01") == (1, False)
    assert looks_like_record(rec(22, bytes(4))) and not looks_like_record(rec(22, bytes(3)))


def test_sslv2_hello_header() -> None:
    hello = v2_client_hello(0x0303)
    assert V2HelloHeader.parse(hello) == V2HelloHeader(len(hello) - 2, 0x0303)
    assert V2HelloHeader.parse(b"\x00" + hello, 1) == V2HelloHeader(len(hello) - 2, 0x0303)
    assert V2HelloHeader.parse(hello[:4]) is None  # msg_type and version not there yet
    assert V2HelloHeader.parse(v2_client_hello(0x0002)) is None  # a pure SSL 2.0 client: not TLS
    assert V2HelloHeader.parse(v2_client_hello(0x0304)) is None  # RFC 8446 D.5: never for TLS 1.3
    assert V2HelloHeader.parse(v2_client_hello(msg_type=4)) is None  # SERVER-HELLO, not CLIENT-HELLO
    # msg_length is read, not judged against bytes that may not have arrived yet; its high bit is the marker
    assert V2HelloHeader.parse(b"\xff\xff" + hello[2:]) == V2HelloHeader(0x7FFF, 0x0303)
    assert V2HelloHeader.parse(bytes([hello[0] & 0x7F]) + hello[1:]) is None
    assert V2HelloHeader.parse(v2_client_hello(fix_length=27)) is None  # shorter than any valid hello


def test_sslv2_framing_only_as_the_first_bytes_of_a_direction() -> None:
    with pytest.raises(ProtocolViolation, match="not a TLS record header"):
        new().feed(C2S, client_hello() + v2_client_hello())
    with pytest.raises(ProtocolViolation, match="not a TLS record header"):
        new().feed(C2S, v2_client_hello(0x0002))  # SSL 2.0 proper
    with pytest.raises(ProtocolViolation, match="not a TLS record header"):
        new().feed(C2S, appdata(5) + v2_client_hello())
