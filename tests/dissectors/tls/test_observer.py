"""Tests for sniffprint/dissectors/tls/observer.py: the session state machine, on real and built handshakes.

Every script is fed whole, byte by byte and in random splits (``feed_every_way``); the fuzz tests
hold the observer to "events or ProtocolViolation, nothing else".
"""
from __future__ import annotations

import random

import pytest

from sniffprint.dissectors.events import ContentDone, FlowFact, Note, PrintSeen, ProtectionSeen
from sniffprint.dissectors.tls.handshake import HRR_RANDOM, MAX_HANDSHAKE
from sniffprint.dissectors.tls.observer import TlsObserver
from sniffprint.dissectors.tls.record import version_name
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, Protection
from tests.dissectors.tls.vectors import (
    C2S,
    CCS,
    S2C,
    appdata,
    certificate,
    client_hello,
    ext,
    facts,
    handshake,
    hs,
    new,
    rec,
    reframe,
    server_hello,
    side,
    v2_client_hello,
    v2_session,
)
from tests.helpers import feed_every_way, fuzz


def test_tls12_handshake_facts_and_certificate() -> None:
    script, version, cipher = handshake("1.2", client_ciphers="ECDHE-RSA-AES128-GCM-SHA256")
    assert version == "TLSv1.2"
    events = feed_every_way(new, script)
    assert events[:2] == [ProtectionSeen(Protection.TLS), PrintSeen(True)]
    assert events[-1] == ContentDone()
    assert events.count(ContentDone()) == 1
    assert facts(events) == {
        "sni": "printer.test",
        "tls_alpn": ["ipp", "http/1.1"],
        "tls_offered_versions": ["TLSv1.2"],
        "tls_version": "TLSv1.2",
        "tls_cipher": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "tls_weak": [],
        "cert_observable": True,
        "cert_subject": "CN=printer.test,O=Print Lab",
        "cert_issuer": "CN=printer.test,O=Print Lab",
        "cert_not_after": "2031-05-17T08:30:00Z",
        "cert_self_signed": True,
        "cert_key": "RSA-2048",
    }
    assert not [e for e in events if isinstance(e, Note)]


def test_tls13_handshake_certificate_not_observable() -> None:
    script, version, cipher = handshake("1.3")
    assert version == "TLSv1.3"
    events = feed_every_way(new, script)
    f = facts(events)
    assert f["tls_version"] == "TLSv1.3"
    assert f["tls_cipher"] == cipher  # OpenSSL reports TLS 1.3 suites by their IANA names
    assert f["tls_offered_versions"] == ["TLSv1.3", "TLSv1.2"]
    assert f["sni"] == "printer.test" and f["tls_alpn"] == ["ipp", "http/1.1"]
    assert f["cert_observable"] is False and "cert_subject" not in f
    assert f["tls_weak"] == []
    assert events[-1] == ContentDone()


def test_tls13_done_only_when_both_directions_are_encrypted() -> None:
    script, _, _ = handshake("1.3")
    d = new()
    seen = []
    for direction, data in script:
        events = d.feed(direction, data)
        seen.append(ContentDone() in events)
        if seen[-1]:
            break
    # client hello, server flight, then the client's encrypted Finished ends it
    assert seen == [False, False, True]
    assert d.feed(C2S, b"garbage after done") == []


@pytest.mark.parametrize("size", [1, 7, 100, 1000, 1 << 14])
def test_handshake_messages_spanning_and_sharing_records(size: int) -> None:
    script, _, _ = handshake("1.2", client_ciphers="ECDHE-RSA-AES128-GCM-SHA256")
    expected = feed_every_way(new, script)
    cut = tuple((d, reframe(b, size) if i < 2 else b) for i, (d, b) in enumerate(script))
    assert cut != script
    assert feed_every_way(new, cut) == expected


def test_oversized_handshake_message_is_skipped() -> None:
    big = hs(11, bytes(MAX_HANDSHAKE + 1))
    records = b"".join(rec(22, big[i:i + 16384]) for i in range(0, len(big), 16384))
    script = ((C2S, client_hello()), (S2C, server_hello() + records + CCS))
    d = new()
    events = [e for dd, b in script for e in d.feed(dd, b)]
    assert any(isinstance(e, Note) and e.kind == "tls_handshake_oversized" for e in events)
    assert facts(events)["tls_version"] == "TLSv1.2"
    assert max(len(s.hs) for s in d.observer.sides) < 16


def test_mid_stream_start_application_data_only() -> None:
    script = ((C2S, appdata(3000) + appdata(17)), (S2C, appdata(30)), (C2S, appdata(5000)))
    events = feed_every_way(new, script)
    assert events == [ProtectionSeen(Protection.TLS), PrintSeen(True), ContentDone()]


def test_one_sided_bulk_costs_no_buffering() -> None:
    d = new()
    chunk = appdata(16384) * 64  # 1 MiB of ciphertext records in one direction only
    assert d.feed(C2S, chunk)[:1] == [ProtectionSeen(Protection.TLS)]
    for i in range(0, len(chunk), 1460):
        assert d.feed(C2S, chunk[i:i + 1460]) == []
    s = d.observer.sides[C2S]
    assert len(s.hs) == 0 and len(s.hdr) == 0 and len(s.small) == 0


def test_gap_inside_ciphertext_keeps_sync() -> None:
    d = new()
    d.feed(C2S, appdata(1000)[:105])
    assert d.gap(C2S, 400) == []
    d.feed(C2S, bytes(500) + appdata(10))  # the next header is where it should be
    assert not d.observer.sides[C2S].lost


def test_gap_in_handshake_loses_that_direction_only() -> None:
    script, _, _ = handshake("1.2", client_ciphers="ECDHE-RSA-AES128-GCM-SHA256")
    d = new()
    events = d.gap(S2C, 50)
    assert events == []
    for direction, data in script:
        events += d.feed(direction, data)
    f = facts(events)
    assert f["sni"] == "printer.test" and "tls_version" not in f
    assert events[-1] == ContentDone()  # client encrypted + server lost: nothing more to learn


def test_bytes_after_a_tls13_server_hello_are_not_parsed() -> None:
    # RFC 8446 5.1: a handshake message must not span a key change; what follows the ServerHello in
    # its record is under the handshake keys, so it must not be read as cleartext (here: a bogus
    # ClientHello that would be a violation).
    sh = server_hello(0x0303, 0x1301, ext(43, b"\x03\x04"))
    script = ((C2S, client_hello()), (S2C, rec(22, sh[5:] + hs(1, b"xx"))))
    assert facts(feed_every_way(new, script))["tls_version"] == "TLSv1.3"


def test_observer_on_a_real_tls13_handshake():
    script, version, cipher = handshake("1.3")
    obs = TlsObserver()
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
    obs = TlsObserver()
    ev = obs.feed(Direction.S2C, server_hello(0x0303, 0xC02F))
    assert FlowFact("tls_cipher", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") in ev


def _seeds() -> tuple[list[bytes], list[bytes]]:
    cs: list[bytes] = []
    ss: list[bytes] = []
    for args in (("1.2",), ("1.3",)):
        script, _, _ = handshake(*args)
        cs.append(side(script, C2S))
        ss.append(side(script, S2C))
    cs += [client_hello(), client_hello(exts=ext(0, b"\x00\x04\x00\x00\x01a") + ext(43, b"\x02\x03\x04"))]
    ss += [server_hello(exts=ext(43, b"\x03\x04")), server_hello() + certificate(b"\x30\x03abc") + CCS,
           server_hello(random_=HRR_RANDOM, exts=ext(43, b"\x03\x04")) + CCS + server_hello()]
    return cs, ss


def test_fuzz_client_side() -> None:
    cs, _ = _seeds()
    fuzz(new, cs, cases=2000, rnd_seed=11, direction=C2S)


def test_fuzz_server_side() -> None:
    _, ss = _seeds()
    fuzz(new, ss, cases=2000, rnd_seed=12, direction=S2C)


def test_fuzz_both_directions_and_gaps() -> None:
    scripts = [handshake("1.2")[0], handshake("1.3")[0], handshake("1.3", server_curve="secp384r1")[0]]
    rnd = random.Random(13)
    for _ in range(600):
        script = [list(x) for x in rnd.choice(scripts)]
        for _ in range(rnd.randint(1, 4)):
            item = rnd.choice(script)
            b = bytearray(item[1])
            pos = rnd.randrange(len(b))
            b[pos] = rnd.randrange(256)
            item[1] = bytes(b)
        d = new()
        try:
            for direction, data in script:
                if rnd.random() < 0.1:
                    d.gap(direction, rnd.randint(1, 3000))
                d.feed(direction, data)
            d.close()
        except ProtocolViolation:
            pass


# ----------------------------------------------------------------------------- SSL 2.0 compatible hello
def test_sslv2_compatible_hello_session() -> None:
    events = feed_every_way(new, v2_session())
    assert events[:4] == [ProtectionSeen(Protection.TLS), PrintSeen(True),
                          FlowFact("tls_offered_versions", ["TLSv1.0"]), FlowFact("tls_weak", ["SSLv2 hello"])]
    assert facts(events) == {
        "tls_offered_versions": ["TLSv1.0"],
        "tls_version": "TLSv1.0",
        "tls_cipher": "TLS_RSA_WITH_AES_128_CBC_SHA",
        # the last tls_weak wins in the flow record: the ServerHello's, which keeps the hello's entry
        "tls_weak": ["SSLv2 hello", "TLS 1.0", "no forward secrecy (RSA key exchange)"],
        "cert_observable": True,
        "cert_subject": "CN=printer.test,O=Print Lab",
        "cert_issuer": "CN=printer.test,O=Print Lab",
        "cert_not_after": "2031-05-17T08:30:00Z",
        "cert_self_signed": True,
        "cert_key": "RSA-2048",
    }
    assert events[-1] == ContentDone() and events.count(ContentDone()) == 1
    assert not [e for e in events if isinstance(e, Note)]


@pytest.mark.parametrize("ver, cipher, weak", [
    (0x0300, 0x000A, ["SSLv2 hello", "SSLv3", "3DES", "no forward secrecy (RSA key exchange)"]),
    (0x0303, 0xC02F, ["SSLv2 hello"]),
])
def test_sslv2_compatible_hello_other_versions(ver: int, cipher: int, weak: list[str]) -> None:
    f = facts(feed_every_way(new, v2_session(ver, cipher)))
    assert f["tls_weak"] == weak and f["tls_offered_versions"] == [version_name(ver)]


def test_sslv2_hello_alone_and_followed_by_records() -> None:
    # Only the client captured: the legacy hello is known before any answer.
    events = feed_every_way(new, [(C2S, v2_client_hello())])
    assert events == [ProtectionSeen(Protection.TLS), PrintSeen(True),
                      FlowFact("tls_offered_versions", ["TLSv1.0"]), FlowFact("tls_weak", ["SSLv2 hello"])]
    # Trailing records in the same bytes are framed as TLS records from the hello's end on.
    # (the client is then encrypted, the server silent: not done yet)
    assert feed_every_way(new, [(C2S, v2_client_hello() + rec(21, b"\x02\x28") + appdata(20))]) == events
    d = new()
    d.feed(C2S, v2_client_hello() + rec(21, b"\x02\x28") + appdata(20))
    assert d.observer.sides[C2S].encrypted and not d.observer.done
    with pytest.raises(ProtocolViolation, match="not a TLS record header"):
        new().feed(C2S, v2_client_hello() + b"\x80\x2a\x01\x03\x01")  # a second legacy hello is not TLS framing


def test_sslv2_hello_from_the_other_side_and_after_a_gap() -> None:
    # A capture without the SYN may orient the flow backwards: the hello is still the first bytes.
    assert FlowFact("tls_weak", ["SSLv2 hello"]) in feed_every_way(new, [(S2C, v2_client_hello())])
    d = new()
    hello = v2_client_hello()
    d.feed(C2S, hello[:10])
    assert d.gap(C2S, 5) == [] and d.observer.sides[C2S].lost  # inside the hello: framing lost, no violation
    assert d.feed(C2S, hello[15:]) == []
    assert max(len(s.small) for s in d.observer.sides) == 0


def test_fuzz_sslv2_hello() -> None:
    script = v2_session()
    seeds = [v2_client_hello(), v2_client_hello(0x0303, session_id=bytes(16), challenge=bytes(32)),
             b"".join(b for d, b in script if d is C2S)]
    fuzz(new, seeds, cases=2000, rnd_seed=14, direction=C2S)
    rnd = random.Random(15)
    for _ in range(400):
        items = [list(x) for x in script]
        for _ in range(rnd.randint(1, 3)):
            item = rnd.choice(items)
            b = bytearray(item[1])
            b[rnd.randrange(len(b))] = rnd.randrange(256)
            item[1] = bytes(b)
        d = new()
        try:
            for direction, data in items:
                if rnd.random() < 0.1:
                    d.gap(direction, rnd.randint(1, 100))
                d.feed(direction, data)
            d.close()
        except ProtocolViolation:
            pass
