"""Tests for sniffprint/dissectors/tls.py and tlsparse.py.

The byte vectors are real handshakes: Python's ``ssl`` (OpenSSL) client and server talk over memory
BIOs with a throwaway certificate made by ``cryptography``, and each direction's bytes are recorded
in order. Synthetic records (built below from the RFC layouts) cover what OpenSSL will not
negotiate any more (RC4, NULL, EXPORT, anon, SSLv3). Reference captures are cross-checked against
their manifest and against tshark when those are present.
"""
from __future__ import annotations

import datetime
import functools
import json
import random
import shutil
import ssl
import struct
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from sniffprint.dissectors import DISSECTORS, tlsparse
from sniffprint.dissectors.base import choose
from sniffprint.dissectors.events import ContentDone, FlowFact, Note, PrintSeen, ProtectionSeen
from sniffprint.dissectors.tls import TlsDissector, looks_like_record
from sniffprint.dissectors.tlsparse import CIPHER_SUITES, ClientHello, ServerHello, describe_certificate, weaknesses
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, Protection
from tests.helpers import feed_every_way, fuzz, key

C2S, S2C = Direction.C2S, Direction.S2C
SHARED = Path(__file__).resolve().parents[3] / "shared" / "pcaps-real"
PCAPS = Path(__file__).resolve().parents[2] / "pcaps"
NOT_AFTER = datetime.datetime(2031, 5, 17, 8, 30, tzinfo=datetime.timezone.utc)


# ----------------------------------------------------------------------------- real handshakes
def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Print Lab"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, pub: object, signer: object, issuer: str | None = None) -> x509.Certificate:
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer or subject))
            .public_key(pub).serial_number(7).not_valid_before(start).not_valid_after(NOT_AFTER)  # type: ignore[arg-type]
            .sign(signer, hashes.SHA256()))  # type: ignore[arg-type]


@functools.lru_cache(maxsize=None)
def _keys() -> dict[str, object]:
    return {"rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "ec": ec.generate_private_key(ec.SECP256R1())}


@functools.lru_cache(maxsize=None)
def _cert_files(kind: str) -> tuple[str, str]:
    k = _keys()[kind]
    cert = _cert("printer.test", k.public_key(), k)  # type: ignore[attr-defined]
    d = Path(tempfile.mkdtemp(prefix="sniffprint-tls-"))
    (d / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "k.pem").write_bytes(k.private_bytes(serialization.Encoding.PEM,  # type: ignore[attr-defined]
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    return str(d / "c.pem"), str(d / "k.pem")


Script = tuple[tuple[Direction, bytes], ...]


@functools.lru_cache(maxsize=None)
def handshake(version: str = "1.3", *, kind: str = "rsa", sni: str | None = "printer.test",
              alpn: tuple[str, ...] = ("ipp", "http/1.1"), client_ciphers: str | None = None,
              server_curve: str | None = None) -> tuple[Script, str, str]:
    """(script of (direction, bytes) as the wire carried them, negotiated version, cipher name)."""
    cf, kf = _cert_files(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSVersion.TLSv1 for the weak case
        server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.load_cert_chain(cf, kf)
        server.set_alpn_protocols(["ipp"])
        client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        client.check_hostname = False
        client.verify_mode = ssl.CERT_NONE
        if alpn:
            client.set_alpn_protocols(list(alpn))
        versions = {"1.0": ssl.TLSVersion.TLSv1, "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
        client.maximum_version = versions[version]
        if version == "1.0":
            client.minimum_version = server.minimum_version = ssl.TLSVersion.TLSv1
            server.set_ciphers("ALL:@SECLEVEL=0")
        if client_ciphers:
            client.set_ciphers(client_ciphers)
        if server_curve:
            server.set_ecdh_curve(server_curve)  # a client key share for another group -> HRR
    cin, cout, sin, sout = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    c = client.wrap_bio(cin, cout, server_hostname=sni)
    s = server.wrap_bio(sin, sout, server_side=True)
    script: list[tuple[Direction, bytes]] = []

    def pump() -> None:
        for src, dst, d in ((cout, sin, C2S), (sout, cin, S2C)):
            b = src.read()
            if b:
                script.append((d, b))
                dst.write(b)

    for _ in range(12):
        for end in (c, s):
            try:
                end.do_handshake()
            except ssl.SSLWantReadError:
                pass
        pump()
    c.write(b"\x1b%-12345X@PJL JOB NAME=\"secret\"\r\n" * 40)
    s.write(b"\x00")
    pump()
    for end in (s, c):
        try:
            end.read()
        except ssl.SSLWantReadError:
            pass
    pump()
    name = c.cipher()
    assert name is not None
    return tuple(script), str(c.version()), name[0]


def facts(events: list) -> dict[str, object]:  # type: ignore[type-arg]
    return {e.name: e.value for e in events if isinstance(e, FlowFact)}


def new(port: int = 9100) -> TlsDissector:
    return TlsDissector(key(port))


def side(script: Script, d: Direction) -> bytes:
    return b"".join(b for x, b in script if x is d)


# ----------------------------------------------------------------------------- synthetic records
def rec(ct: int, body: bytes, ver: int = 0x0303) -> bytes:
    return struct.pack("!BHH", ct, ver, len(body)) + body


def hs(t: int, body: bytes) -> bytes:
    return bytes([t]) + len(body).to_bytes(3, "big") + body


def ext(t: int, body: bytes) -> bytes:
    return struct.pack("!HH", t, len(body)) + body


def client_hello(ver: int = 0x0303, ciphers: tuple[int, ...] = (0xC02F,), exts: bytes | None = b"") -> bytes:
    body = struct.pack("!H", ver) + bytes(32) + b"\x00" + struct.pack("!H", 2 * len(ciphers))
    body += b"".join(struct.pack("!H", c) for c in ciphers) + b"\x01\x00"
    if exts is not None:
        body += struct.pack("!H", len(exts)) + exts
    return rec(22, hs(1, body), 0x0301)


def server_hello(ver: int = 0x0303, cipher: int = 0xC02F, exts: bytes | None = None,
                 random_: bytes = b"\x11" * 32) -> bytes:
    body = struct.pack("!H", ver) + random_ + b"\x00" + struct.pack("!HB", cipher, 0)
    if exts is not None:
        body += struct.pack("!H", len(exts)) + exts
    return rec(22, hs(2, body), ver if ver < 0x0304 else 0x0303)


def certificate(*ders: bytes) -> bytes:
    lst = b"".join(len(d).to_bytes(3, "big") + d for d in ders)
    return rec(22, hs(11, len(lst).to_bytes(3, "big") + lst))


CCS = rec(20, b"\x01")


def appdata(n: int) -> bytes:
    return rec(23, bytes(n))


def reframe(stream: bytes, size: int) -> bytes:
    """Re-cut the leading cleartext handshake records into records of ``size`` payload bytes,
    so that messages span records (small size) or share one (large size) - RFC 8446 5.1."""
    i, payload, ver = 0, b"", 0x0303
    while i + 5 <= len(stream) and stream[i] == 22:
        _, ver, n = struct.unpack_from("!BHH", stream, i)
        payload += stream[i + 5:i + 5 + n]
        i += 5 + n
    out = b"".join(rec(22, payload[j:j + size], ver) for j in range(0, len(payload), size))
    return out + stream[i:]


# ----------------------------------------------------------------------------- handshakes
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


def test_ec_certificate_and_no_sni() -> None:
    script, _, _ = handshake("1.2", kind="ec", sni=None, alpn=())
    f = facts(feed_every_way(new, script))
    assert f["cert_key"] == "EC-P256" and f["cert_self_signed"] is True
    assert "sni" not in f and "tls_alpn" not in f
    assert f["tls_cipher"].startswith("TLS_ECDHE_ECDSA_")  # type: ignore[union-attr]


def test_real_tls10_rsa_key_exchange_is_weak() -> None:
    try:
        script, version, _ = handshake("1.0", client_ciphers="AES128-SHA:@SECLEVEL=0")
    except ssl.SSLError as exc:  # an OpenSSL built without TLS 1.0
        pytest.skip(f"local OpenSSL refuses TLS 1.0: {exc}")
    f = facts(feed_every_way(new, script))
    assert f["tls_version"] == "TLSv1.0" == version.replace("TLSv1", "TLSv1.0")
    assert f["tls_cipher"] == "TLS_RSA_WITH_AES_128_CBC_SHA"
    assert f["tls_weak"] == ["TLS 1.0", "no forward secrecy (RSA key exchange)"]


@pytest.mark.parametrize("size", [1, 7, 100, 1000, 1 << 14])
def test_handshake_messages_spanning_and_sharing_records(size: int) -> None:
    script, _, _ = handshake("1.2", client_ciphers="ECDHE-RSA-AES128-GCM-SHA256")
    expected = feed_every_way(new, script)
    cut = tuple((d, reframe(b, size) if i < 2 else b) for i, (d, b) in enumerate(script))
    assert cut != script
    assert feed_every_way(new, cut) == expected


def test_print_only_on_print_ports() -> None:
    script, _, _ = handshake("1.3")
    assert PrintSeen(False) in feed_every_way(lambda: new(443), script)
    assert PrintSeen(True) in feed_every_way(lambda: new(631), script)


# ----------------------------------------------------------------------------- weakness table
@pytest.mark.parametrize("version, cipher, reasons", [
    (0x0304, 0x1302, []),
    (0x0303, 0xC030, []),
    (0x0303, 0xCCA8, []),
    (0x0303, 0x009C, ["no forward secrecy (RSA key exchange)"]),
    (0x0302, 0xC013, ["TLS 1.1"]),
    (0x0301, 0x0005, ["TLS 1.0", "RC4", "no forward secrecy (RSA key exchange)"]),
    (0x0300, 0x000A, ["SSLv3", "3DES", "no forward secrecy (RSA key exchange)"]),
    (0x0303, 0xC012, ["3DES"]),
    (0x0303, 0x0002, ["NULL cipher", "no forward secrecy (RSA key exchange)"]),
    (0x0303, 0xC010, ["NULL cipher"]),
    (0x0303, 0x0000, ["NULL cipher"]),
    (0x0301, 0x0003, ["TLS 1.0", "RC4", "EXPORT", "no forward secrecy (RSA key exchange)"]),
    (0x0303, 0x0014, ["EXPORT"]),
    (0x0303, 0x00A6, ["anonymous"]),
    (0x0303, 0xC018, ["anonymous"]),
    (0x0303, 0x0015, ["DES"]),
    (0x0303, 0x1234, []),
])
def test_weaknesses(version: int, cipher: int, reasons: list[str]) -> None:
    assert weaknesses(version, cipher) == reasons
    script = ((C2S, client_hello(min(version, 0x0303))),
              (S2C, server_hello(0x0303, cipher, ext(43, struct.pack("!H", version)))
               if version == 0x0304 else server_hello(version, cipher)))
    f = facts(feed_every_way(new, script))
    assert f["tls_weak"] == reasons
    assert f["tls_cipher"] == CIPHER_SUITES.get(cipher, f"0x{cipher:04X}")


def test_cipher_table_names_are_iana_style() -> None:
    assert all(n.startswith("TLS_") for n in CIPHER_SUITES.values())
    assert {CIPHER_SUITES[c] for c in range(0x1301, 0x1306)} >= {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                                                  "TLS_CHACHA20_POLY1305_SHA256"}
    assert tlsparse.cipher_name(0xABCD) == "0xABCD"
    assert tlsparse.version_name(0x7F1C) == "0x7F1C"


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


# ----------------------------------------------------------------------------- certificates
def test_certificate_not_self_signed_when_issued_by_a_ca() -> None:
    ca, leaf = _keys()["rsa"], _keys()["ec"]
    cert = _cert("printer.test", leaf.public_key(), ca, issuer="Corp CA")  # type: ignore[attr-defined]
    info = describe_certificate(cert.public_bytes(serialization.Encoding.DER))
    assert info.issuer == "CN=Corp CA,O=Print Lab" and not info.self_signed and info.key == "EC-P256"
    # same name as subject, but signed by another key: not self-signed
    fake = _cert("printer.test", leaf.public_key(), ca)  # type: ignore[attr-defined]
    assert describe_certificate(fake.public_bytes(serialization.Encoding.DER)).self_signed is False


def test_unreadable_certificate_is_a_note_not_a_violation() -> None:
    script = ((C2S, client_hello()), (S2C, server_hello() + certificate(b"\x30\x03abc") + CCS),
              (C2S, CCS + appdata(40)), (S2C, appdata(40)))
    events = feed_every_way(new, script)
    assert any(isinstance(e, Note) and e.kind == "tls_certificate_unparsed" for e in events)
    assert facts(events)["cert_observable"] is True and "cert_subject" not in facts(events)
    assert events[-1] == ContentDone()


def test_resumed_tls12_session_has_no_observable_certificate() -> None:
    script = ((C2S, client_hello()), (S2C, server_hello() + CCS + rec(22, bytes(40))),
              (C2S, CCS + rec(22, bytes(40))))
    events = feed_every_way(new, script)
    assert facts(events)["cert_observable"] is False
    assert events[-1] == ContentDone()


def test_oversized_handshake_message_is_skipped() -> None:
    big = hs(11, bytes(tlsparse.MAX_HANDSHAKE + 1))
    records = b"".join(rec(22, big[i:i + 16384]) for i in range(0, len(big), 16384))
    script = ((C2S, client_hello()), (S2C, server_hello() + records + CCS))
    d = new()
    events = [e for dd, b in script for e in d.feed(dd, b)]
    assert any(isinstance(e, Note) and e.kind == "tls_handshake_oversized" for e in events)
    assert facts(events)["tls_version"] == "TLSv1.2"
    assert max(len(s.hs) for s in d.observer.sides) < 16


# ----------------------------------------------------------------------------- record layer
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


def test_malformed_client_hello_is_a_violation() -> None:
    with pytest.raises(ProtocolViolation):
        new().feed(C2S, rec(22, hs(1, b"\x03\x03" + bytes(10))))
    with pytest.raises(ProtocolViolation):  # a byte after the extensions block
        new().feed(C2S, rec(22, hs(1, client_hello(exts=b"")[9:] + b"\x00")))
    with pytest.raises(ProtocolViolation):  # an extension longer than its block
        new().feed(C2S, client_hello(exts=struct.pack("!HH", 0, 9) + b"ab"))


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


# ----------------------------------------------------------------------------- probing
def test_probe() -> None:
    script, _, _ = handshake("1.3")
    c2s, s2c = side(script, C2S), side(script, S2C)
    k = key(9100)
    assert TlsDissector.probe(c2s[:2048], s2c[:2048], k) == 1.0
    assert TlsDissector.probe(c2s[:6], b"", key(12345)) == 0.95
    assert TlsDissector.probe(b"", s2c[:100], key(12345)) == 0.8
    assert TlsDissector.probe(appdata(30) + appdata(30), b"", key(12345)) == 0.8
    assert TlsDissector.probe(appdata(3000)[:2048], b"", key(12345)) == 0.5
    for junk in (b"GET / HTTP/1.1\r\n", b"\x1b%-12345X@PJL", b"\x00\x00\x00\x45\xfeSMB", b"%!PS-Adobe"):
        assert TlsDissector.probe(junk, b"", k) == 0.0
    assert looks_like_record(c2s, 1) and not looks_like_record(s2c, 1)
    cls, decided = choose(DISSECTORS, c2s[:300], b"", k, final=False)
    assert cls is TlsDissector and decided


# ----------------------------------------------------------------------------- fuzzing
def _seeds() -> tuple[list[bytes], list[bytes]]:
    cs: list[bytes] = []
    ss: list[bytes] = []
    for args in (("1.2",), ("1.3",)):
        script, _, _ = handshake(*args)
        cs.append(side(script, C2S))
        ss.append(side(script, S2C))
    cs += [client_hello(), client_hello(exts=ext(0, b"\x00\x04\x00\x00\x01a") + ext(43, b"\x02\x03\x04"))]
    ss += [server_hello(exts=ext(43, b"\x03\x04")), server_hello() + certificate(b"\x30\x03abc") + CCS,
           server_hello(random_=tlsparse.HRR_RANDOM, exts=ext(43, b"\x03\x04")) + CCS + server_hello()]
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


# ----------------------------------------------------------------------------- real captures
def _flows(cap: Path) -> dict[int, Any]:
    import sniffprint

    return {int(r.client_port): r for r in sniffprint.analyze(str(cap)).flows}


TLS_CAPTURES = [SHARED / "A4_ipps_ipptool.pcap", SHARED / "A6_tls9100_socat.pcap",
                PCAPS / "tls9100-socat.pcap", PCAPS / "ipps-ipptool.pcap"]


def test_reference_captures_match_manifest() -> None:
    manifest = SHARED / "MANIFEST.json"
    if not manifest.exists():
        pytest.skip("reference captures absent")
    caps = {c["file"]: c for c in json.loads(manifest.read_text())["captures"]}
    want = []
    for name in ("A4_ipps_ipptool.pcap", "A6_tls9100_socat.pcap"):
        flows = _flows(SHARED / name)
        for pf in caps[name]["print_flows"]:
            port = int(pf["client"].rsplit(":", 1)[1])
            r = flows[port]
            assert r.service == "tls" and r.protection == "tls" and r.print is True
            assert r.tls_version == pf["tls_version"][-1], (name, port)
            want.append(r.tls_version)
    assert want == ["TLSv1.3", "TLSv1.3", "TLSv1.3", "TLSv1.2"]


@pytest.mark.parametrize("cap", TLS_CAPTURES, ids=lambda p: p.name)
def test_tshark_agrees_on_version_and_cipher(cap: Path) -> None:
    if not cap.exists():
        pytest.skip(f"{cap.name} absent")
    if shutil.which("tshark") is None:
        pytest.skip("tshark not installed")
    out = subprocess.run(
        ["tshark", "-r", str(cap), "-d", "tcp.port==9100,tls", "-d", "tcp.port==631,tls",
         "-Y", "tls.handshake.type==2", "-T", "fields", "-e", "tcp.dstport", "-e", "tls.handshake.version",
         "-e", "tls.handshake.ciphersuite", "-e", "tls.handshake.extensions.supported_version"],
        capture_output=True, text=True, timeout=120, check=True).stdout
    flows = _flows(cap)
    names = {v: k for k, v in tlsparse.VERSION_NAMES.items()}
    suites = {v: k for k, v in CIPHER_SUITES.items()}
    rows = [line.split("\t") for line in out.splitlines() if line.strip()]
    assert rows
    for port, legacy, suite, selected in rows:
        r = flows[int(port)]
        assert names[str(r.tls_version)] == int(selected or legacy, 16)
        assert suites[str(r.tls_cipher)] == int(suite, 16)


def test_bytes_after_a_tls13_server_hello_are_not_parsed() -> None:
    # RFC 8446 5.1: a handshake message must not span a key change; what follows the ServerHello in
    # its record is under the handshake keys, so it must not be read as cleartext (here: a bogus
    # ClientHello that would be a violation).
    sh = server_hello(0x0303, 0x1301, ext(43, b"\x03\x04"))
    script = ((C2S, client_hello()), (S2C, rec(22, sh[5:] + hs(1, b"xx"))))
    assert facts(feed_every_way(new, script))["tls_version"] == "TLSv1.3"
