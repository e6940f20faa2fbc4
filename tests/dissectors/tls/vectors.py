"""Byte vectors for the TLS tests: real OpenSSL handshakes and records built from the RFC layouts.

The real handshakes come from Python's ``ssl`` (OpenSSL) client and server talking over memory BIOs
with a throwaway certificate made by ``cryptography``; each direction's bytes are recorded in order.
Synthetic records (built below from RFC 8446 5.1 / 4.1.2 / 4.1.3, RFC 5246 7.4.2 and appendix E.2)
cover what OpenSSL will not send any more (RC4, NULL, EXPORT, anon, SSLv3, the SSL 2.0 compatible
hello).
"""
from __future__ import annotations

import datetime
import functools
import ssl
import struct
import tempfile
import warnings
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from sniffprint.dissectors.events import FlowFact
from sniffprint.dissectors.tls import TlsDissector
from sniffprint.model import Direction
from tests.helpers import key

C2S, S2C = Direction.C2S, Direction.S2C
NOT_AFTER = datetime.datetime(2031, 5, 17, 8, 30, tzinfo=datetime.timezone.utc)


# ----------------------------------------------------------------------------- real handshakes
def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Print Lab"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(subject: str, pub: object, signer: object, issuer: str | None = None) -> x509.Certificate:
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer or subject))
            .public_key(pub).serial_number(7).not_valid_before(start).not_valid_after(NOT_AFTER)  # type: ignore[arg-type]
            .sign(signer, hashes.SHA256()))  # type: ignore[arg-type]


@functools.lru_cache(maxsize=None)
def signing_keys() -> dict[str, object]:
    return {"rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "ec": ec.generate_private_key(ec.SECP256R1())}


@functools.lru_cache(maxsize=None)
def _cert_files(kind: str) -> tuple[str, str]:
    k = signing_keys()[kind]
    cert = make_cert("printer.test", k.public_key(), k)  # type: ignore[attr-defined]
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


def v2_client_hello(ver: int = 0x0301, specs: tuple[int, ...] = (0x00002F, 0x00000A, 0x010080),
                    session_id: bytes = b"", challenge: bytes = bytes(range(16)), *, fix_length: int | None = None,
                    msg_type: int = 1) -> bytes:
    """RFC 5246 E.2 V2ClientHello behind its 2-byte SSL 2.0 header (high bit set, then msg_length)."""
    body = struct.pack("!BHHHH", msg_type, ver, 3 * len(specs), len(session_id), len(challenge))
    body += b"".join(s.to_bytes(3, "big") for s in specs) + session_id + challenge
    length = len(body) if fix_length is None else fix_length
    return struct.pack("!H", 0x8000 | length) + body


def v2_session(ver: int = 0x0301, cipher: int = 0x002F) -> Script:
    """A legacy client's TLS <= 1.2 session: SSL 2.0 compatible hello, then TLS records both ways.

    The server answers in TLS records (RFC 5246 E.2: the server replies with a TLS ServerHello)
    and sends a real self-signed certificate, so every later fact is the same as for a TLS hello.
    """
    k = signing_keys()["rsa"]
    der = make_cert("printer.test", k.public_key(), k).public_bytes(serialization.Encoding.DER)  # type: ignore[attr-defined]
    done = rec(22, hs(14, b""), ver)  # ServerHelloDone
    return ((C2S, v2_client_hello(ver, (0x00C013, 0x00002F, 0x00000A, 0x010080))),
            (S2C, server_hello(ver, cipher) + rec(22, certificate(der)[5:], ver) + done),
            (C2S, rec(22, hs(16, bytes(130)), ver) + rec(20, b"\x01", ver) + rec(22, bytes(48), ver)),
            (S2C, rec(20, b"\x01", ver) + rec(22, bytes(48), ver)),
            (C2S, rec(23, bytes(300), ver)))
