"""Tests for sniffprint/dissectors/tls/handshake.py: ClientHello (also in SSL 2.0 form) and ServerHello."""
from __future__ import annotations

import struct

import pytest

from sniffprint.dissectors.events import ContentDone, FlowFact
from sniffprint.dissectors.tls.handshake import ClientHello, ServerHello
from sniffprint.errors import ProtocolViolation
from tests.dissectors.tls.vectors import (
    C2S,
    S2C,
    client_hello,
    ext,
    facts,
    handshake,
    hs,
    new,
    rec,
    server_hello,
    side,
    v2_client_hello,
)
from tests.helpers import feed_every_way


def test_supported_versions_beats_legacy_version_and_grease_is_dropped() -> None:
    exts = ext(43, bytes([6]) + struct.pack("!HHH", 0x3A3A, 0x0304, 0x0303)) + ext(0, struct.pack(
        "!HBH", 13, 0, 10) + b"prn.corp.x") + ext(16, struct.pack("!H", 4) + b"\x03ipp")
    ch = ClientHello.parse(client_hello(exts=exts)[9:])
    assert ch.versions == (0x0304, 0x0303) and ch.sni == "prn.corp.x" and ch.alpn == ("ipp",)
    assert ch.offered_versions() == ["TLSv1.3", "TLSv1.2"]
    sh = ServerHello.parse(server_hello(0x0303, 0x1301, ext(43, b"\x03\x04"))[9:])
    assert sh.version == 0x0304 and not sh.retry


def test_ssl3_and_hello_without_extensions() -> None:
    script = ((C2S, client_hello(0x0300, (0x000A,), None)), (S2C, server_hello(0x0300, 0x000A)))
    f = facts(feed_every_way(new, [(d, rec(b[0], b[5:], 0x0300)) for d, b in script]))
    assert f["tls_version"] == "SSLv3" and f["tls_offered_versions"] == ["SSLv3"]
    assert f["tls_weak"][0] == "SSLv3"  # type: ignore[index]


def test_malformed_client_hello_is_a_violation() -> None:
    with pytest.raises(ProtocolViolation):
        new().feed(C2S, rec(22, hs(1, b"\x03\x03" + bytes(10))))
    with pytest.raises(ProtocolViolation):  # a byte after the extensions block
        new().feed(C2S, rec(22, hs(1, client_hello(exts=b"")[9:] + b"\x00")))
    with pytest.raises(ProtocolViolation):  # an extension longer than its block
        new().feed(C2S, client_hello(exts=struct.pack("!HH", 0, 9) + b"ab"))


def test_hello_retry_request_is_not_the_server_hello() -> None:
    script, version, cipher = handshake("1.3", server_curve="secp384r1", alpn=())
    raw = side(script, S2C)
    hrr = ServerHello.parse(raw[9:9 + int.from_bytes(raw[6:9], "big")])
    assert hrr.retry and hrr.version == 0x0304
    events = feed_every_way(new, script)
    f = facts(events)
    assert f["tls_version"] == "TLSv1.3" and f["tls_cipher"] == cipher
    assert sum(isinstance(e, FlowFact) and e.name == "tls_version" for e in events) == 1
    assert sum(isinstance(e, FlowFact) and e.name == "sni" for e in events) == 1  # second hello repeats
    assert "tls_alpn" not in f
    assert events[-1] == ContentDone()


# ----------------------------------------------------------------------------- SSL 2.0 compatible hello
def test_sslv2_compatible_client_hello() -> None:
    hello = v2_client_hello(0x0301, (0x00C013, 0x00002F, 0x010080, 0x00000A))
    ch = ClientHello.parse_v2(0x0301, hello[5:])
    assert ch.sslv2_format and ch.legacy_version == 0x0301
    assert ch.ciphers == (0xC013, 0x002F, 0x000A)  # the SSL 2.0 kind 0x010080 is no TLS suite
    assert ch.sni is None and ch.alpn == () and ch.versions == ()
    assert ch.offered_versions() == ["TLSv1.0"]
    ch2 = ClientHello.parse_v2(0x0300, v2_client_hello(0x0300, session_id=bytes(16), challenge=bytes(32))[5:])
    assert ch2.offered_versions() == ["SSLv3"] and ch2.ciphers == (0x002F, 0x000A)


@pytest.mark.parametrize("hello, why", [
    (v2_client_hello(specs=(), challenge=bytes(32)), "cipher_spec_length 0"),
    (v2_client_hello()[:5] + struct.pack("!HHH", 4, 0, 16) + bytes(20), "cipher_spec_length 4"),
    (v2_client_hello(session_id=bytes(5)), "session_id_length 5"),
    (v2_client_hello(challenge=bytes(15)), "challenge_length 15"),
    (v2_client_hello(challenge=bytes(33)), "challenge_length 33"),
    (v2_client_hello(challenge=bytes(16)) + b"\x00", "vectors of"),  # msg_length counts a stray byte
    (v2_client_hello()[:5] + struct.pack("!HHH", 3, 0, 32) + bytes(20), "vectors of"),  # declared > carried
])
def test_malformed_sslv2_client_hello_is_a_violation(hello: bytes, why: str) -> None:
    hello = struct.pack("!H", 0x8000 | (len(hello) - 2)) + hello[2:]  # msg_length fits what is sent
    with pytest.raises(ProtocolViolation, match=why):
        ClientHello.parse_v2(0x0301, hello[5:])
    with pytest.raises(ProtocolViolation, match=why):
        new().feed(C2S, hello)


def test_sslv2_hello_too_short_for_its_lengths_is_a_violation() -> None:
    with pytest.raises(ProtocolViolation, match="lengths need 6"):
        ClientHello.parse_v2(0x0301, b"\x00\x03\x00")
