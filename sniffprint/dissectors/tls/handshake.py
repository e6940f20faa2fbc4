"""The cleartext hellos: ClientHello and ServerHello with the extensions we report.

Specs: RFC 8446 3.4 (vectors), 4 (handshake header), 4.1.2 (ClientHello), 4.1.3 (ServerHello and
HelloRetryRequest), 4.2 (extensions), 4.2.1 (supported_versions); RFC 5246 7.4.1.2 and 7.4.1.3
(the TLS 1.2 hellos, whose extensions block is optional); RFC 5246 appendix E.2 and RFC 6101
appendix E (the SSL 2.0 backward-compatible CLIENT-HELLO); RFC 6066 section 3 (server_name);
RFC 7301 section 3.1 (ALPN); RFC 8701 (GREASE).

Invariants:
- Parsing a message either returns a frozen record or raises ``ProtocolViolation`` (a short
  read, a vector length outside its bounds, bytes left over): ``Reader`` checks every read.
- The first copy of a repeated extension wins (RFC 8446 4.2 forbids repeats; we do not judge).
- GREASE values are never reported as offered versions: they are not versions.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

from ...errors import ProtocolViolation
from .record import version_name


class HandshakeType(IntEnum):
    """RFC 8446 4, RFC 5246 7.4: the message types this package reads."""

    CLIENT_HELLO = 1
    SERVER_HELLO = 2
    CERTIFICATE = 11


class ExtensionType(IntEnum):
    """IANA "TLS ExtensionType Values": the extensions this package reads."""

    SERVER_NAME = 0  # RFC 6066 3
    ALPN = 16  # RFC 7301 3.1
    SUPPORTED_VERSIONS = 43  # RFC 8446 4.2.1


HANDSHAKE_HEADER = 4  # msg_type (1 byte) and uint24 length (RFC 8446 4)
# Handshake messages may span records (RFC 8446 5.1). A certificate chain is the largest one in
# practice (tens of KiB); a bigger message is skipped by counting, with a Note.
MAX_HANDSHAKE = 1 << 18

U16 = struct.Struct("!H")
V2_LENGTHS = struct.Struct("!HHH")  # cipher_spec_length, session_id_length, challenge_length

# RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello whose Random is SHA-256("HelloRetryRequest").
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")


def is_grease(value: int) -> bool:
    """RFC 8701: 0x0A0A, 0x1A1A, ... 0xFAFA are reserved to keep peers tolerant; never negotiated."""
    return value & 0x0F0F == 0x0A0A and value >> 8 == value & 0xFF


class Reader:
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

    def vector(self, len_bytes: int, what: str, minimum: int = 0, maximum: int | None = None) -> Reader:
        """A length-prefixed vector (RFC 8446 3.4) as a sub-reader, its bounds checked."""
        n = self.u8() if len_bytes == 1 else self.u16() if len_bytes == 2 else self.u24()
        if n < minimum or (maximum is not None and n > maximum):
            raise ProtocolViolation(f"{self.what}: {what} length {n} outside [{minimum}, {maximum}]")
        p = self._need(n)
        return Reader(self.buf, f"{self.what} {what}", p, p + n)


def _extensions(r: Reader, what: str) -> dict[int, Reader]:
    """The extensions block, if any (RFC 5246 7.4.1.2: absent in old hellos). First copy wins."""
    out: dict[int, Reader] = {}
    if r.left() == 0:
        return out
    block = r.vector(2, "extensions")
    if r.left():
        raise ProtocolViolation(f"{what}: {r.left()} bytes after the extensions")
    while block.left():
        ext_type = block.u16()
        out.setdefault(ext_type, block.vector(2, f"extension {ext_type}"))
    return out


def _sni(r: Reader) -> str | None:
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


def _alpn(r: Reader) -> tuple[str, ...]:
    """RFC 7301 3.1: ProtocolNameList of ProtocolName<1..2^8-1>."""
    names = r.vector(2, "protocol_name_list")
    out: list[str] = []
    while names.left():
        out.append(names.vector(1, "ProtocolName", 1).take_rest().decode("ascii", "backslashreplace"))
    return tuple(out)


def _u16s(raw: bytes) -> tuple[int, ...]:
    return tuple(v for (v,) in struct.iter_unpack("!H", raw))


@dataclass(slots=True, frozen=True)
class ClientHello:
    """RFC 8446 4.1.2 (same layout as RFC 5246 7.4.1.2, extensions optional there)."""

    legacy_version: int
    ciphers: tuple[int, ...]
    sni: str | None
    alpn: tuple[str, ...]
    versions: tuple[int, ...]  # supported_versions without GREASE; () when the extension is absent
    sslv2_format: bool = False  # sent as an SSL 2.0 CLIENT-HELLO (RFC 5246 E.2), see parse_v2

    @classmethod
    def parse(cls, body: bytes) -> ClientHello:
        r = Reader(body, "ClientHello")
        legacy_version = r.u16()
        r.take(32)  # random
        r.vector(1, "legacy_session_id", 0, 32)
        suites = r.vector(2, "cipher_suites", 2)
        if suites.left() % 2:
            raise ProtocolViolation("ClientHello: odd cipher_suites length")
        ciphers = _u16s(suites.take_rest())
        r.vector(1, "legacy_compression_methods", 1)
        exts = _extensions(r, "ClientHello")
        sni_ext = exts.get(ExtensionType.SERVER_NAME)
        sni = _sni(sni_ext) if sni_ext is not None and sni_ext.left() else None
        alpn = _alpn(exts[ExtensionType.ALPN]) if ExtensionType.ALPN in exts else ()
        versions: tuple[int, ...] = ()
        if ExtensionType.SUPPORTED_VERSIONS in exts:
            v = exts[ExtensionType.SUPPORTED_VERSIONS].vector(1, "versions", 2, 254)
            if v.left() % 2:
                raise ProtocolViolation("ClientHello: odd supported_versions length")
            versions = tuple(x for x in _u16s(v.take_rest()) if not is_grease(x))
        return cls(legacy_version, ciphers, sni, alpn, versions)

    @classmethod
    def parse_v2(cls, version: int, body: bytes) -> ClientHello:
        """An SSL 2.0 CLIENT-HELLO offering ``version``: ``body`` is what follows msg_type and version.

        RFC 5246 E.2: cipher_spec_length "cannot be zero and MUST be a multiple of the V2CipherSpec
        length (3)"; session_id_length is 0 (or 16, an SSL 2.0 session id);
        challenge_length is 16 to 32; the three vectors fill the message exactly. There are no
        extensions, so no SNI, ALPN or supported_versions: the version field is the offer.
        """
        if len(body) < V2_LENGTHS.size:
            raise ProtocolViolation(f"SSLv2 CLIENT-HELLO: {len(body)} bytes, lengths need {V2_LENGTHS.size}")
        spec_len, sid_len, chal_len = V2_LENGTHS.unpack_from(body)
        if spec_len == 0 or spec_len % 3:
            raise ProtocolViolation(f"SSLv2 CLIENT-HELLO: cipher_spec_length {spec_len}")
        if sid_len not in (0, 16) or not 16 <= chal_len <= 32:
            raise ProtocolViolation(f"SSLv2 CLIENT-HELLO: session_id_length {sid_len}, challenge_length {chal_len}")
        if V2_LENGTHS.size + spec_len + sid_len + chal_len != len(body):
            raise ProtocolViolation(f"SSLv2 CLIENT-HELLO: vectors of {spec_len + sid_len + chal_len} bytes "
                                    f"in {len(body) - V2_LENGTHS.size}")
        specs = body[V2_LENGTHS.size:V2_LENGTHS.size + spec_len]
        # "V2CipherSpec (see TLS name) = { 0x00, CipherSuite }": a leading zero byte carries a TLS
        # suite; any other spec is an SSL 2.0 cipher kind no TLS server can choose, so it is dropped.
        ciphers = tuple((specs[i + 1] << 8) | specs[i + 2] for i in range(0, spec_len, 3) if specs[i] == 0)
        return cls(version, ciphers, None, (), (), sslv2_format=True)

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
        r = Reader(body, "ServerHello")
        legacy_version = r.u16()
        random = r.take(32)
        r.vector(1, "legacy_session_id_echo", 0, 32)
        cipher = r.u16()
        r.u8()  # legacy_compression_method
        exts = _extensions(r, "ServerHello")
        sv = exts.get(ExtensionType.SUPPORTED_VERSIONS)
        selected = sv.u16() if sv is not None else None
        return cls(legacy_version, cipher, selected, random == HRR_RANDOM)

    @property
    def version(self) -> int:
        # RFC 8446 4.2.1: "If this extension is present, clients MUST ignore the
        # ServerHello.legacy_version value and MUST use only the "supported_versions" extension".
        return self.selected_version if self.selected_version is not None else self.legacy_version
