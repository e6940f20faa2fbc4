"""tlsparse: the pure TLS helpers (names, weakness rules, record runs) and TlsObserver alone."""
from __future__ import annotations

from sniffprint.dissectors import tlsparse as tp
from sniffprint.dissectors.events import ContentDone, FlowFact, ProtectionSeen
from sniffprint.model import Direction, Protection
from tests.dissectors.test_tls import client_hello, handshake, server_hello


def test_names():
    assert tp.version_name(0x0304) == "TLSv1.3" and tp.version_name(0x0300) == "SSLv3"
    assert tp.cipher_name(0x1302) == "TLS_AES_256_GCM_SHA384"
    assert tp.cipher_name(0xFEFE).startswith("0x")
    assert tp.is_grease(0x0A0A) and not tp.is_grease(0x0303)


def test_weakness_rules():
    assert tp.weaknesses(0x0304, 0x1301) == []
    assert "TLS 1.0" in tp.weaknesses(0x0301, 0xC02F)
    assert any("forward secrecy" in w for w in tp.weaknesses(0x0303, 0x009C))  # TLS_RSA_WITH_AES_128_GCM
    assert "RC4" in tp.weaknesses(0x0303, 0x0005)


def test_record_run_and_probe():
    hello = client_hello()
    assert tp.record_run(hello + hello)[0] == 2
    assert tp.probe(hello, b"") >= 0.9
    assert tp.probe(b"GET / HTTP/1.1\r\n", b"") == 0.0


def test_observer_on_a_real_tls13_handshake():
    script, version, cipher = handshake("1.3")
    obs = tp.TlsObserver()
    events = []
    for direction, data in script:
        events += obs.feed(direction, data)
    events += obs.close()
    assert ProtectionSeen(Protection.TLS) in events
    assert version == "TLSv1.3" and FlowFact("tls_version", "TLSv1.3") in events
    assert FlowFact("tls_cipher", cipher) in events
    assert ContentDone() in events and obs.done
    assert obs.feed(Direction.C2S, b"\x17\x03\x03\x00\x01\x00") == []  # done: nothing more is read


def test_observer_server_hello_only():
    obs = tp.TlsObserver()
    ev = obs.feed(Direction.S2C, server_hello(0x0303, 0xC02F))
    assert FlowFact("tls_cipher", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") in ev
