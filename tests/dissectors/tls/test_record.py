"""Tests for sniffprint/dissectors/tls/record.py: record headers and their limits."""
from __future__ import annotations

import struct

import pytest

from sniffprint.errors import ProtocolViolation
from tests.dissectors.tls.vectors import C2S, client_hello, new, rec


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
