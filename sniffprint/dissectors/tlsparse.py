"""TLS as seen from the wire: record layer, cleartext handshake, server certificate (sans-IO).

Specs: RFC 8446 (TLS 1.3: 5.1 record layer, 4.1.2 ClientHello, 4.1.3 ServerHello and
HelloRetryRequest, 4.2.1 supported_versions, D.4 middlebox compatibility mode), RFC 5246 (TLS 1.2:
6.2 record layer, 7.1 ChangeCipherSpec, 7.4.2 Certificate), RFC 6066 section 3 (server_name),
RFC 7301 (ALPN), RFC 8701 (GREASE), IANA "TLS Cipher Suites" registry.

This module is the pure parser; ``tls.TlsDissector`` wraps it for flows that are TLS from the
first byte, and an HTTP dissector can drive a ``TlsObserver`` after an RFC 2817 ``Upgrade: TLS``.

``TlsObserver.feed(direction, data) -> list[Event]`` returns:
- ``ProtectionSeen(Protection.TLS)`` once, at the first valid record header;
- ``FlowFact`` for ``sni``, ``tls_alpn`` (the protocols the client offered), ``tls_offered_versions``
  (ClientHello); ``tls_version``, ``tls_cipher``, ``tls_weak`` (ServerHello, not the
  HelloRetryRequest); ``cert_observable`` and, for TLS <= 1.2, ``cert_subject``, ``cert_issuer``,
  ``cert_not_after``, ``cert_self_signed``, ``cert_key`` (first certificate of the server's
  Certificate message);
- ``ContentDone()`` once both directions are encrypted (or lost to a gap): nothing more can be
  learnt, so the flow table stops handing over bulk ciphertext;
- ``Note`` for oddities that are not violations (an unparseable certificate, an oversized
  handshake message).

Invariants:
- Rule 1: only ``ProtocolViolation`` escapes (a record header that is not TLS, a malformed hello).
  A certificate that ``cryptography`` cannot read is a ``Note``, not a violation: the stream is
  still TLS.
- Rule 2: bounded memory. Encrypted record bodies are skipped by counting, never buffered; the
  per-direction handshake buffer holds at most one message of ``MAX_HANDSHAKE`` bytes (a bigger
  one is skipped by counting); a partial record header is at most 4 bytes.
- Rule 3: the events do not depend on how the bytes were split into ``feed`` calls.
"""
from __future__ import annotations

import datetime as _dt
import struct
import warnings
from dataclasses import dataclass

from ..errors import ProtocolViolation
from ..model import Direction, Protection
from .events import ContentDone, Event, FlowFact, Note, ProtectionSeen

# Record content types (RFC 8446 5.1, RFC 5246 6.2.1, RFC 6520).
CT_CHANGE_CIPHER_SPEC = 20
CT_ALERT = 21
CT_HANDSHAKE = 22
CT_APPLICATION_DATA = 23
CT_HEARTBEAT = 24
CONTENT_TYPES = frozenset({20, 21, 22, 23, 24})

# Handshake message types (RFC 8446 4, RFC 5246 7.4).
HS_CLIENT_HELLO = 1
HS_SERVER_HELLO = 2
HS_CERTIFICATE = 11

# Extension types (IANA "TLS ExtensionType Values").
EXT_SERVER_NAME = 0  # RFC 6066 3
EXT_ALPN = 16  # RFC 7301 3.1
EXT_SUPPORTED_VERSIONS = 43  # RFC 8446 4.2.1

SSL3, TLS10, TLS11, TLS12, TLS13 = 0x0300, 0x0301, 0x0302, 0x0303, 0x0304
VERSION_NAMES = {SSL3: "SSLv3", TLS10: "TLSv1.0", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3"}

# RFC 5246 6.2.3: "The length (in bytes) of the following TLSCiphertext.fragment. The length
# MUST NOT exceed 2^14 + 2048." TLS 1.3 lowers it to 2^14 + 256; the larger bound covers both.
MAX_RECORD = (1 << 14) + 2048
# Handshake messages may span records (RFC 8446 5.1). A certificate chain is the largest one in
# practice (tens of KiB); a bigger message is skipped by counting, with a Note.
MAX_HANDSHAKE = 1 << 18

RECORD = struct.Struct("!BHH")  # content type, legacy_record_version, length
U16 = struct.Struct("!H")

# RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello whose Random is SHA-256("HelloRetryRequest").
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")

# IANA TLS Cipher Suites registry (names as registered); the suites met in practice, every TLS 1.3
# suite, and the weak families worth naming (RC4, DES/3DES, NULL, EXPORT, anon). Others are
# reported as "0xXXXX".
CIPHER_SUITES: dict[int, str] = {
    0x1301: "TLS_AES_128_GCM_SHA256",
    0x1302: "TLS_AES_256_GCM_SHA384",
    0x1303: "TLS_CHACHA20_POLY1305_SHA256",
    0x1304: "TLS_AES_128_CCM_SHA256",
    0x1305: "TLS_AES_128_CCM_8_SHA256",
    0x0000: "TLS_NULL_WITH_NULL_NULL",
    0x0001: "TLS_RSA_WITH_NULL_MD5",
    0x0002: "TLS_RSA_WITH_NULL_SHA",
    0x0003: "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
    0x0004: "TLS_RSA_WITH_RC4_128_MD5",
    0x0005: "TLS_RSA_WITH_RC4_128_SHA",
    0x0006: "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5",
    0x0007: "TLS_RSA_WITH_IDEA_CBC_SHA",
    0x0008: "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
    0x0009: "TLS_RSA_WITH_DES_CBC_SHA",
    0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    0x000B: "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA",
    0x000C: "TLS_DH_DSS_WITH_DES_CBC_SHA",
    0x000D: "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA",
    0x000E: "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA",
    0x000F: "TLS_DH_RSA_WITH_DES_CBC_SHA",
    0x0010: "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA",
    0x0011: "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",
    0x0012: "TLS_DHE_DSS_WITH_DES_CBC_SHA",
    0x0013: "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
    0x0014: "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
    0x0015: "TLS_DHE_RSA_WITH_DES_CBC_SHA",
    0x0016: "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
    0x0017: "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5",
    0x0018: "TLS_DH_anon_WITH_RC4_128_MD5",
    0x0019: "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA",
    0x001A: "TLS_DH_anon_WITH_DES_CBC_SHA",
    0x001B: "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA",
    0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
    0x0030: "TLS_DH_DSS_WITH_AES_128_CBC_SHA",
    0x0031: "TLS_DH_RSA_WITH_AES_128_CBC_SHA",
    0x0032: "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
    0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    0x0034: "TLS_DH_anon_WITH_AES_128_CBC_SHA",
    0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
    0x0036: "TLS_DH_DSS_WITH_AES_256_CBC_SHA",
    0x0037: "TLS_DH_RSA_WITH_AES_256_CBC_SHA",
    0x0038: "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
    0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    0x003A: "TLS_DH_anon_WITH_AES_256_CBC_SHA",
    0x003B: "TLS_RSA_WITH_NULL_SHA256",
    0x003C: "TLS_RSA_WITH_AES_128_CBC_SHA256",
    0x003D: "TLS_RSA_WITH_AES_256_CBC_SHA256",
    0x0040: "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
    0x0041: "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",
    0x0045: "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA",
    0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    0x006A: "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
    0x006B: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    0x006C: "TLS_DH_anon_WITH_AES_128_CBC_SHA256",
    0x006D: "TLS_DH_anon_WITH_AES_256_CBC_SHA256",
    0x0084: "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA",
    0x0088: "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA",
    0x008A: "TLS_PSK_WITH_RC4_128_SHA",
    0x008B: "TLS_PSK_WITH_3DES_EDE_CBC_SHA",
    0x008C: "TLS_PSK_WITH_AES_128_CBC_SHA",
    0x008D: "TLS_PSK_WITH_AES_256_CBC_SHA",
    0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
    0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
    0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    0x00A2: "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
    0x00A3: "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
    0x00A6: "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
    0x00A7: "TLS_DH_anon_WITH_AES_256_GCM_SHA384",
    0x00A8: "TLS_PSK_WITH_AES_128_GCM_SHA256",
    0x00A9: "TLS_PSK_WITH_AES_256_GCM_SHA384",
    0x00FF: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
    0x5600: "TLS_FALLBACK_SCSV",
    0xC001: "TLS_ECDH_ECDSA_WITH_NULL_SHA",
    0xC002: "TLS_ECDH_ECDSA_WITH_RC4_128_SHA",
    0xC003: "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA",
    0xC004: "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA",
    0xC005: "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA",
    0xC006: "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
    0xC007: "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
    0xC008: "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
    0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    0xC00B: "TLS_ECDH_RSA_WITH_NULL_SHA",
    0xC00C: "TLS_ECDH_RSA_WITH_RC4_128_SHA",
    0xC00D: "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA",
    0xC00E: "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA",
    0xC00F: "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",
    0xC010: "TLS_ECDHE_RSA_WITH_NULL_SHA",
    0xC011: "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
    0xC012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    0xC015: "TLS_ECDH_anon_WITH_NULL_SHA",
    0xC016: "TLS_ECDH_anon_WITH_RC4_128_SHA",
    0xC017: "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA",
    0xC018: "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
    0xC019: "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
    0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    0xC025: "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
    0xC026: "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384",
    0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    0xC029: "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",
    0xC02A: "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384",
    0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    0xC02D: "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
    0xC02E: "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
    0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    0xC031: "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
    0xC032: "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",
    0xC035: "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA",
    0xC036: "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA",
    0xC09C: "TLS_RSA_WITH_AES_128_CCM",
    0xC09D: "TLS_RSA_WITH_AES_256_CCM",
    0xC09E: "TLS_DHE_RSA_WITH_AES_128_CCM",
    0xC09F: "TLS_DHE_RSA_WITH_AES_256_CCM",
    0xC0A0: "TLS_RSA_WITH_AES_128_CCM_8",
    0xC0A1: "TLS_RSA_WITH_AES_256_CCM_8",
    0xC0AC: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
    0xC0AD: "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
    0xC0AE: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
    0xC0AF: "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",
    0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    0xCCAA: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    0xCCAB: "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",
    0xCCAC: "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
    0xCCAD: "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
    0xCCAE: "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256",
}


def is_grease(value: int) -> bool:
    """RFC 8701: 0x0A0A, 0x1A1A, ... 0xFAFA are reserved to keep peers tolerant; never negotiated."""
    return value & 0x0F0F == 0x0A0A and value >> 8 == value & 0xFF


def version_name(value: int) -> str:
    return VERSION_NAMES.get(value, f"0x{value:04X}")


def cipher_name(value: int) -> str:
    return CIPHER_SUITES.get(value, f"0x{value:04X}")


def weaknesses(version: int, cipher: int) -> list[str]:
    """Why the negotiated parameters are weak, from the version and the IANA suite name.

    TLS 1.3 suites (0x13xx) are all AEAD with (EC)DHE, so they add nothing. An unknown suite adds
    nothing either: we only claim what we can name.
    """
    out: list[str] = []
    if version == SSL3:
        out.append("SSLv3")
    elif version == TLS10:
        out.append("TLS 1.0")
    elif version == TLS11:
        out.append("TLS 1.1")
    name = CIPHER_SUITES.get(cipher)
    if name is None:
        return out
    if "_RC4_" in name:
        out.append("RC4")
    if "_3DES_" in name:
        out.append("3DES")
    elif "_DES_" in name:  # single DES (56-bit); DES40 falls under EXPORT below
        out.append("DES")
    if name.endswith("_NULL_MD5") or "_WITH_NULL_" in name or name == "TLS_NULL_WITH_NULL_NULL":
        out.append("NULL cipher")
    if "EXPORT" in name:
        out.append("EXPORT")
    if "_anon_" in name:
        out.append("anonymous")
    if name.startswith("TLS_RSA_") and "_PSK_" not in name:
        # RFC 8446 1.2 removed static RSA: whoever later gets the server key decrypts the capture.
        out.append("no forward secrecy (RSA key exchange)")
    return out


# ----------------------------------------------------------------------------------- handshake
class _Reader:
    """Bounds-checked big-endian reader over one handshake message; short reads are violations."""

    __slots__ = ("buf", "pos", "end", "what")

    def __init__(self, buf: bytes, what: str, pos: int = 0, end: int | None = None) -> None:
        self.buf = buf
        self.pos = pos
        self.end = len(buf) if end is None else end
        self.what = what

    def left(self) -> int:
        return self.end - self.pos

    def _need(self, n: int) -> int:
        p = self.pos
        if p + n > self.end:
            raise ProtocolViolation(f"{self.what}: truncated ({n} bytes needed, {self.end - p} left)")
        self.pos = p + n
        return p

    def u8(self) -> int:
        return self.buf[self._need(1)]

    def u16(self) -> int:
        return int(U16.unpack_from(self.buf, self._need(2))[0])

    def u24(self) -> int:
        p = self._need(3)
        return int.from_bytes(self.buf[p:p + 3], "big")

    def take(self, n: int) -> bytes:
        p = self._need(n)
        return self.buf[p:p + n]

    def take_rest(self) -> bytes:
        return self.take(self.left())

    def vector(self, len_bytes: int, what: str, minimum: int = 0, maximum: int | None = None) -> _Reader:
        """A length-prefixed vector (RFC 8446 3.4) as a sub-reader, its bounds checked."""
        n = self.u8() if len_bytes == 1 else self.u16() if len_bytes == 2 else self.u24()
        if n < minimum or (maximum is not None and n > maximum):
            raise ProtocolViolation(f"{self.what}: {what} length {n} outside [{minimum}, {maximum}]")
        p = self._need(n)
        return _Reader(self.buf, f"{self.what} {what}", p, p + n)


def _extensions(r: _Reader, what: str) -> dict[int, _Reader]:
    """The extensions block, if any (RFC 5246 7.4.1.2: absent in old hellos). First copy wins."""
    out: dict[int, _Reader] = {}
    if r.left() == 0:
        return out
    block = r.vector(2, "extensions")
    if r.left():
        raise ProtocolViolation(f"{what}: {r.left()} bytes after the extensions")
    while block.left():
        ext_type = block.u16()
        out.setdefault(ext_type, block.vector(2, f"extension {ext_type}"))
    return out


def _sni(r: _Reader) -> str | None:
    """RFC 6066 3: ServerNameList of (name_type, opaque HostName<1..2^16-1>); host_name is 0."""
    names = r.vector(2, "server_name_list")
    while names.left():
        name_type = names.u8()
        name = names.vector(2, "HostName").take_rest()
        if name_type == 0:
            # "The hostname is represented as a byte string using ASCII encoding"; anything else is
            # shown escaped rather than rejected (the flow is still TLS).
            return name.decode("ascii", "backslashreplace")
    return None


def _alpn(r: _Reader) -> tuple[str, ...]:
    """RFC 7301 3.1: ProtocolNameList of ProtocolName<1..2^8-1>."""
    names = r.vector(2, "protocol_name_list")
    out: list[str] = []
    while names.left():
        out.append(names.vector(1, "ProtocolName", 1).take_rest().decode("ascii", "backslashreplace"))
    return tuple(out)


@dataclass(slots=True, frozen=True)
class ClientHello:
    """RFC 8446 4.1.2 (same layout as RFC 5246 7.4.1.2, extensions optional there)."""

    legacy_version: int
    ciphers: tuple[int, ...]
    sni: str | None
    alpn: tuple[str, ...]
    versions: tuple[int, ...]  # supported_versions without GREASE; () when the extension is absent

    @classmethod
    def parse(cls, body: bytes) -> ClientHello:
        r = _Reader(body, "ClientHello")
        legacy_version = r.u16()
        r.take(32)  # random
        r.vector(1, "legacy_session_id", 0, 32)
        suites = r.vector(2, "cipher_suites", 2)
        if suites.left() % 2:
            raise ProtocolViolation("ClientHello: odd cipher_suites length")
        raw = suites.take_rest()
        ciphers = tuple(v for (v,) in struct.iter_unpack("!H", raw))
        r.vector(1, "legacy_compression_methods", 1)
        exts = _extensions(r, "ClientHello")
        sni = _sni(exts[EXT_SERVER_NAME]) if EXT_SERVER_NAME in exts and exts[EXT_SERVER_NAME].left() else None
        alpn = _alpn(exts[EXT_ALPN]) if EXT_ALPN in exts else ()
        versions: tuple[int, ...] = ()
        if EXT_SUPPORTED_VERSIONS in exts:
            v = exts[EXT_SUPPORTED_VERSIONS].vector(1, "versions", 2, 254)
            if v.left() % 2:
                raise ProtocolViolation("ClientHello: odd supported_versions length")
            versions = tuple(x for (x,) in struct.iter_unpack("!H", v.take_rest()) if not is_grease(x))
        return cls(legacy_version, ciphers, sni, alpn, versions)

    def offered_versions(self) -> list[str]:
        """supported_versions in the client's order; without it, the legacy (= highest) version."""
        return [version_name(v) for v in self.versions] if self.versions else [version_name(self.legacy_version)]


@dataclass(slots=True, frozen=True)
class ServerHello:
    """RFC 8446 4.1.3 / RFC 5246 7.4.1.3; also the HelloRetryRequest, told apart by its Random."""

    legacy_version: int
    cipher: int
    selected_version: int | None  # supported_versions extension, TLS 1.3 only
    retry: bool  # a HelloRetryRequest, not the real ServerHello

    @classmethod
    def parse(cls, body: bytes) -> ServerHello:
        r = _Reader(body, "ServerHello")
        legacy_version = r.u16()
        random = r.take(32)
        r.vector(1, "legacy_session_id_echo", 0, 32)
        cipher = r.u16()
        r.u8()  # legacy_compression_method
        exts = _extensions(r, "ServerHello")
        selected = exts[EXT_SUPPORTED_VERSIONS].u16() if EXT_SUPPORTED_VERSIONS in exts else None
        return cls(legacy_version, cipher, selected, random == HRR_RANDOM)

    @property
    def version(self) -> int:
        # RFC 8446 4.2.1: "If this extension is present, clients MUST ignore the
        # ServerHello.legacy_version value and MUST use only the "supported_versions" extension".
        return self.selected_version if self.selected_version is not None else self.legacy_version


def first_certificate(body: bytes) -> bytes | None:
    """RFC 5246 7.4.2: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>; the sender's is first."""
    r = _Reader(body, "Certificate")
    certs = r.vector(3, "certificate_list")
    if not certs.left():
        return None
    return certs.vector(3, "ASN.1Cert", 1).take_rest()


# ----------------------------------------------------------------------------------- certificate
@dataclass(slots=True, frozen=True)
class CertInfo:
    subject: str  # RFC 4514
    issuer: str  # RFC 4514
    not_after: str  # ISO 8601 UTC, e.g. 2027-01-31T12:00:00Z
    self_signed: bool
    key: str  # RSA-2048, EC-P256, Ed25519, DSA-2048, ...


_CURVES = {"secp256r1": "P256", "secp384r1": "P384", "secp521r1": "P521"}


def describe_certificate(der: bytes) -> CertInfo:
    """Read one DER certificate with ``cryptography`` (imported here: only TLS <= 1.2 flows pay)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    with warnings.catch_warnings():
        # Deprecation warnings about what a peer put in its certificate (negative serial, ...)
        # say nothing about our code; the facts are what matter.
        warnings.simplefilter("ignore")
        cert = x509.load_der_x509_certificate(der)
    not_after = getattr(cert, "not_valid_after_utc", None)  # cryptography >= 42
    if not_after is None:
        not_after = cert.not_valid_after.replace(tzinfo=_dt.timezone.utc)
    self_signed = False
    if cert.subject == cert.issuer:
        try:
            cert.verify_directly_issued_by(cert)
            self_signed = True
        except (InvalidSignature, ValueError):
            # Same name, other key (ValueError: the signature algorithm does not even fit the
            # certificate's own key type): issued by a CA that reuses the subject name.
            self_signed = False
        except (UnsupportedAlgorithm, TypeError):
            self_signed = True  # the names match and this signature algorithm cannot be checked here
    try:
        pub = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        key = "unknown"
    else:
        if isinstance(pub, rsa.RSAPublicKey):
            key = f"RSA-{pub.key_size}"
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            key = f"EC-{_CURVES.get(pub.curve.name, pub.curve.name)}"
        elif isinstance(pub, ed25519.Ed25519PublicKey):
            key = "Ed25519"
        elif isinstance(pub, ed448.Ed448PublicKey):
            key = "Ed448"
        elif isinstance(pub, dsa.DSAPublicKey):
            key = f"DSA-{pub.key_size}"
        else:
            key = type(pub).__name__
    return CertInfo(subject=cert.subject.rfc4514_string(), issuer=cert.issuer.rfc4514_string(),
                    not_after=not_after.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    self_signed=self_signed, key=key)


# ----------------------------------------------------------------------------------- probing
def record_run(buf: bytes) -> tuple[int, bool]:
    """Walk record headers from the start of ``buf``: (headers seen, all of them plausible)."""
    i = n = 0
    while i + 5 <= len(buf):
        ct, ver, length = RECORD.unpack_from(buf, i)
        if ct not in CONTENT_TYPES or ver >> 8 != 3 or ver & 0xFF > 4 or length > MAX_RECORD:
            return n, False
        n += 1
        i += 5 + length
    return n, True


def probe(c2s: bytes, s2c: bytes) -> float:
    """Confidence that the heads are TLS, from record headers alone (no port involved)."""
    if c2s:
        n, ok = record_run(c2s)
        if ok and n and c2s[0] == CT_HANDSHAKE and (len(c2s) < 6 or c2s[5] == HS_CLIENT_HELLO):
            return 0.95
    elif s2c:
        n, ok = record_run(s2c)
        if ok and n and s2c[0] == CT_HANDSHAKE and (len(s2c) < 6 or s2c[5] == HS_SERVER_HELLO):
            return 0.8
    # Mid-stream start (no handshake captured): a chain of record headers is strong evidence;
    # 4 plausible bytes out of 5 at random are about 1 in 10^7, so even one header counts.
    runs = [record_run(h) for h in (c2s, s2c) if h]
    if not runs or not all(ok and n for n, ok in runs):
        return 0.0
    if sum(n for n, _ in runs) >= 2:
        return 0.8
    return 0.5


# ----------------------------------------------------------------------------------- observer
class _Side:
    """Per-direction state of the record layer."""

    __slots__ = ("hdr", "ctype", "need", "mode", "small", "hs", "hs_skip", "pos", "ccs", "encrypted",
                 "lost")

    def __init__(self) -> None:
        self.hdr = bytearray()  # a record header split across feeds (< 5 bytes)
        self.ctype = 0  # content type of the record being read
        self.need = 0  # body bytes of that record still to come (0: a header is next)
        self.mode = 0  # _SKIP, _HANDSHAKE or _SMALL: what to do with the body
        self.small = bytearray()  # the ChangeCipherSpec body (1 byte)
        self.hs = bytearray()  # handshake-layer bytes (messages span records, RFC 8446 5.1)
        self.hs_skip = 0  # bytes of an oversized handshake message still to drop
        self.pos = 0  # stream offset in this direction, for violations
        self.ccs = False  # a ChangeCipherSpec was seen
        self.encrypted = False  # what follows is ciphertext: nothing more to parse
        self.lost = False  # a gap broke the record framing


_SKIP, _HANDSHAKE, _SMALL = 0, 1, 2


class TlsObserver:
    """Watches both directions of one TLS session and reports what the cleartext part shows.

    Usage (also from another dissector, e.g. HTTP after ``Upgrade: TLS``): create one per TLS
    session, pass each direction's bytes in order to ``feed`` from the first byte of TLS on,
    report holes with ``gap`` and call ``close`` at the end. Stop feeding once ``done`` is True
    (``feed`` then ignores its input and returns ``[]``).
    """

    def __init__(self) -> None:
        self.sides = (_Side(), _Side())
        self.started = False  # ProtectionSeen sent
        self.done = False  # ContentDone sent
        self.version: int | None = None  # negotiated (or announced by a HelloRetryRequest)
        self.server_dir: Direction | None = None  # who sent the ServerHello
        self.cert_reported = False
        self.client_hello: ClientHello | None = None
        self.server_hello: ServerHello | None = None
        self.cert: CertInfo | None = None

    # ------------------------------------------------------------- record layer
    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        side = self.sides[direction]
        if self.done or side.lost or not data:
            return []
        out: list[Event] = []
        mv = memoryview(data)
        i, n = 0, len(data)
        while i < n and not self._all_quiet():
            if side.need == 0:
                take = min(5 - len(side.hdr), n - i)
                side.hdr += mv[i:i + take]
                i += take
                if len(side.hdr) < 5:
                    break
                self._header(direction, side, out)
                if side.need:
                    continue
            else:
                take = min(side.need, n - i)
                if side.mode == _HANDSHAKE:
                    self._handshake_bytes(direction, side, mv[i:i + take], out)
                elif side.mode == _SMALL:
                    side.small += mv[i:i + take]
                i += take
                side.need -= take
                side.pos += take
                if side.need:
                    continue
            self._record_end(direction, side, out)
        self._check_done(out)
        return out

    def _header(self, direction: Direction, side: _Side, out: list[Event]) -> None:
        ct, ver, length = RECORD.unpack_from(side.hdr)
        if ct not in CONTENT_TYPES or ver >> 8 != 3 or ver & 0xFF > 4:
            raise ProtocolViolation(f"not a TLS record header: {bytes(side.hdr).hex()}", side.pos)
        if length > MAX_RECORD:
            raise ProtocolViolation(f"TLS record of {length} bytes (limit 2^14+2048)", side.pos)
        side.hdr.clear()
        side.pos += 5
        if not self.started:
            self.started = True
            out.append(ProtectionSeen(Protection.TLS))
        side.ctype, side.need = ct, length
        if ct == CT_APPLICATION_DATA:
            side.encrypted = True
            side.mode = _SKIP
        elif side.encrypted:
            side.mode = _SKIP
        elif ct == CT_HANDSHAKE:
            # After a ChangeCipherSpec, TLS <= 1.2 handshake records are encrypted (Finished).
            # TLS 1.3 middlebox-compatibility CCS (RFC 8446 D.4) changes nothing: a second
            # ClientHello after a HelloRetryRequest may follow it in the clear.
            side.mode = _HANDSHAKE if not side.ccs or self.version == TLS13 else _SKIP
        elif ct == CT_CHANGE_CIPHER_SPEC:
            # RFC 5246 7.1: "The message consists of a single byte of value 1."
            if length != 1:
                raise ProtocolViolation(f"ChangeCipherSpec record of {length} bytes", side.pos)
            side.mode = _SMALL
        else:
            side.mode = _SKIP

    def _record_end(self, direction: Direction, side: _Side, out: list[Event]) -> None:
        if side.ctype == CT_CHANGE_CIPHER_SPEC and side.mode == _SMALL:
            if bytes(side.small) != b"\x01":
                raise ProtocolViolation(f"ChangeCipherSpec body {bytes(side.small).hex()!r}", side.pos)
            side.ccs = True
            if self.version is not None and self.version < TLS13:
                side.encrypted = True
            if direction == self._server() and not self.cert_reported and self.version != TLS13:
                # The server switched to ciphertext without a Certificate: a resumed session or
                # an anonymous/PSK suite. Either way no certificate can be seen on this flow.
                self.cert_reported = True
                out.append(FlowFact("cert_observable", False))
        side.small.clear()
        side.ctype = 0

    def _server(self) -> Direction:
        return self.server_dir if self.server_dir is not None else Direction.S2C

    def _all_quiet(self) -> bool:
        return all(s.encrypted or s.lost for s in self.sides)

    def _check_done(self, out: list[Event]) -> None:
        if not self.done and self.started and self._all_quiet():
            self.done = True
            out.append(ContentDone())

    # ------------------------------------------------------------- handshake layer
    def _handshake_bytes(self, direction: Direction, side: _Side, chunk: memoryview, out: list[Event]) -> None:
        if side.hs_skip:
            drop = min(side.hs_skip, len(chunk))
            side.hs_skip -= drop
            chunk = chunk[drop:]
        side.hs += chunk
        hs = side.hs
        while len(hs) >= 4 and not side.hs_skip:
            msg_type = hs[0]
            length = int.from_bytes(hs[1:4], "big")
            if length > MAX_HANDSHAKE:
                out.append(Note("tls_handshake_oversized",
                                f"handshake message type {msg_type} of {length} bytes skipped"))
                drop = min(len(hs), 4 + length)
                side.hs_skip = 4 + length - drop
                del hs[:drop]
                continue
            if len(hs) < 4 + length:
                break
            body = bytes(hs[4:4 + length])
            del hs[:4 + length]
            self._message(direction, msg_type, body, out)
            if side.encrypted:  # a TLS 1.3 ServerHello: what follows is not ours to read
                hs.clear()
                side.mode = _SKIP
                break

    def _message(self, direction: Direction, msg_type: int, body: bytes, out: list[Event]) -> None:
        if msg_type == HS_CLIENT_HELLO:
            ch = ClientHello.parse(body)
            if ch == self.client_hello:
                return  # the second ClientHello after a HelloRetryRequest usually repeats the first
            self.client_hello = ch
            if ch.sni is not None:
                out.append(FlowFact("sni", ch.sni))
            if ch.alpn:
                out.append(FlowFact("tls_alpn", list(ch.alpn)))
            out.append(FlowFact("tls_offered_versions", ch.offered_versions()))
        elif msg_type == HS_SERVER_HELLO:
            sh = ServerHello.parse(body)
            self.server_dir = direction
            self.version = sh.version
            if sh.retry:
                return  # the real ServerHello follows (RFC 8446 4.1.4); report that one
            self.server_hello = sh
            out.append(FlowFact("tls_version", version_name(sh.version)))
            out.append(FlowFact("tls_cipher", cipher_name(sh.cipher)))
            out.append(FlowFact("tls_weak", weaknesses(sh.version, sh.cipher)))
            if sh.version == TLS13:
                # RFC 8446 2: everything after the ServerHello is encrypted, the Certificate too.
                self.sides[direction].encrypted = True
                if not self.cert_reported:
                    self.cert_reported = True
                    out.append(FlowFact("cert_observable", False))
            else:
                for s in self.sides:  # a CCS fed before this ServerHello now counts
                    if s.ccs:
                        s.encrypted = True
        elif msg_type == HS_CERTIFICATE and direction == self._server() and self.version != TLS13 \
                and not self.cert_reported:
            self.cert_reported = True
            der = first_certificate(body)
            if der is None:
                out.append(FlowFact("cert_observable", False))
                out.append(Note("tls_empty_certificate", "the server sent an empty certificate list"))
                return
            out.append(FlowFact("cert_observable", True))
            try:
                info = describe_certificate(der)
            # Hostile DER goes into a third-party parser whose failure modes (ValueError, TypeError,
            # UnsupportedAlgorithm, ...) are not ours to enumerate; any of them means "certificate
            # unreadable", never "not TLS", so none may escape as anything but a Note.
            except Exception as exc:  # noqa: BLE001
                out.append(Note("tls_certificate_unparsed", f"{type(exc).__name__}: {exc}"[:200]))
                return
            self.cert = info
            out += [FlowFact("cert_subject", info.subject), FlowFact("cert_issuer", info.issuer),
                    FlowFact("cert_not_after", info.not_after),
                    FlowFact("cert_self_signed", info.self_signed), FlowFact("cert_key", info.key)]

    # ------------------------------------------------------------- holes and end
    def gap(self, direction: Direction, length: int) -> list[Event]:
        """A hole: inside a skipped record body it costs nothing; elsewhere the framing is lost."""
        side = self.sides[direction]
        if self.done or side.lost:
            return []
        if side.need and side.mode == _SKIP and length <= side.need:
            side.need -= length
            side.pos += length
            out: list[Event] = []
            if side.need == 0:
                self._record_end(direction, side, out)
            return out
        side.lost = True
        side.hdr.clear()
        side.hs.clear()
        side.small.clear()
        out = []
        self._check_done(out)
        return out

    def close(self) -> list[Event]:
        return []
