"""TLS record-layer framing: the 5-byte record header and the SSL 2.0 header of a legacy hello.

Specs: RFC 8446 5.1 and RFC 5246 6.2 (TLSPlaintext / TLSCiphertext: ContentType type,
ProtocolVersion legacy_record_version, uint16 length, then the fragment), RFC 5246 6.2.1 and
RFC 6520 (content types), RFC 5246 6.2.3 (the length bound), RFC 5246 appendix E.2 and RFC 6101
appendix E (the SSL 2.0 two-byte record header that carries a backward-compatible CLIENT-HELLO).

Nothing here keeps state; ``observer.TlsObserver`` drives the framing per direction.

Invariants:
- A plausible header has a known content type (20-24), major version 3, minor version <= 4
  (SSL 3.0 to TLS 1.3; TLS 1.3 itself still writes 3.3 or 3.1 here) and a length <= ``MAX_RECORD``.
  Four plausible bytes out of five at random are about one in 10^7, which is why a chain of such
  headers identifies TLS on any port.
- ``V2HelloHeader`` accepts an SSL 2.0 header only when it carries a CLIENT-HELLO offering SSL 3.0
  to TLS 1.2: that is the one SSL 2.0 message a TLS peer accepts (RFC 5246 E.2, RFC 6176 3), and
  it is "sent directly on the wire, not wrapped as a TLS record", so the observer looks for it
  only as the first bytes of a direction. A pure SSL 2.0 client (version 0.2) is not TLS.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple


class ContentType(IntEnum):
    """RFC 8446 5.1, RFC 5246 6.2.1, RFC 6520 (heartbeat)."""

    CHANGE_CIPHER_SPEC = 20
    ALERT = 21
    HANDSHAKE = 22
    APPLICATION_DATA = 23
    HEARTBEAT = 24


# Plain ints: a set lookup that meets an IntEnum member compares through the subclass (2x slower).
CONTENT_TYPES = frozenset(int(t) for t in ContentType)

# ProtocolVersion values (RFC 8446 4.2.1, RFC 5246 appendix A.1, RFC 6101 for SSL 3.0).
SSL3, TLS10, TLS11, TLS12, TLS13 = 0x0300, 0x0301, 0x0302, 0x0303, 0x0304
VERSION_NAMES = {SSL3: "SSLv3", TLS10: "TLSv1.0", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3"}

# RFC 5246 6.2.3: "The length (in bytes) of the following TLSCiphertext.fragment. The length
# MUST NOT exceed 2^14 + 2048." TLS 1.3 lowers it to 2^14 + 256; the larger bound covers both.
MAX_RECORD = (1 << 14) + 2048

RECORD = struct.Struct("!BHH")  # content type, legacy_record_version, length


def version_name(value: int) -> str:
    return VERSION_NAMES.get(value, f"0x{value:04X}")


def framing_ok(content_type: int, version: int) -> bool:
    """Content type and version as TLS writes them (the length is judged separately)."""
    return content_type in CONTENT_TYPES and version >> 8 == 3 and version & 0xFF <= 4


class RecordHeader(NamedTuple):
    """The 5 bytes before every record's fragment (RFC 8446 5.1).

    A NamedTuple rather than a frozen dataclass: on Python 3.11 building a frozen slotted
    dataclass costs about ten struct unpacks, and a header is read per record. The observer's
    per-record loop unpacks ``RECORD`` straight into locals for the same reason.
    """

    content_type: int  # a ContentType when plausible; kept as the raw byte otherwise
    version: int  # legacy_record_version
    length: int  # of the fragment that follows

    @classmethod
    def parse(cls, buf: bytes | bytearray | memoryview, offset: int = 0) -> RecordHeader:
        return cls._make(RECORD.unpack_from(buf, offset))

    def plausible(self) -> bool:
        return framing_ok(self.content_type, self.version) and self.length <= MAX_RECORD


def record_run(buf: bytes) -> tuple[int, bool]:
    """Walk record headers from the start of ``buf``: (headers seen, all of them plausible)."""
    i = n = 0
    while i + RECORD.size <= len(buf):
        hdr = RecordHeader.parse(buf, i)
        if not hdr.plausible():
            return n, False
        n += 1
        i += RECORD.size + hdr.length
    return n, True


def looks_like_record(buf: bytes, hs_type: int | None = None) -> bool:
    """A handshake record header (and, if given and present, the handshake type) at ``buf[0]``."""
    if len(buf) < RECORD.size:
        return False
    hdr = RecordHeader.parse(buf)
    if hdr.content_type != ContentType.HANDSHAKE or not framing_ok(hdr.content_type, hdr.version) \
            or not 4 <= hdr.length <= MAX_RECORD:
        return False
    return hs_type is None or len(buf) < 6 or buf[5] == hs_type


# ------------------------------------------------------------------ SSL 2.0 compatible hello
# RFC 5246 E.2: "msg_length: The highest bit MUST be 1; the remaining bits contain the length of
# the following data in bytes." The following data starts with msg_type (1: CLIENT-HELLO) and the
# version the client offers, so 5 bytes tell a backward-compatible hello from anything else.
V2_HEAD = struct.Struct("!HBH")  # 0x8000 | msg_length, msg_type, version
V2_CLIENT_HELLO = 1  # SSL 2.0 msg_type of CLIENT-HELLO
# The fields after the 2-byte header: msg_type, version, three uint16 lengths (9 bytes), at least
# one 3-byte cipher spec and a challenge of at least 16 bytes (RFC 5246 E.2).
V2_MIN_LENGTH = 9 + 3 + 16


@dataclass(slots=True, frozen=True)
class V2HelloHeader:
    """The first 5 bytes of an SSL 2.0 record carrying a CLIENT-HELLO that offers SSL 3.0+."""

    length: int  # msg_length: bytes after the 2-byte header, msg_type and version included
    version: int  # the client's highest version, as ClientHello.client_version

    @classmethod
    def parse(cls, buf: bytes | bytearray | memoryview, offset: int = 0) -> V2HelloHeader | None:
        """The header if ``buf[offset:]`` starts a backward-compatible CLIENT-HELLO, else None."""
        if len(buf) - offset < V2_HEAD.size:
            return None
        word, msg_type, version = V2_HEAD.unpack_from(buf, offset)
        # A TLS 1.3 client MUST NOT send this format (RFC 8446 D.5), hence 3.0 .. 3.3 only.
        if not word & 0x8000 or msg_type != V2_CLIENT_HELLO or version >> 8 != 3 or version & 0xFF > 3:
            return None
        length = word & 0x7FFF
        if length < V2_MIN_LENGTH:
            return None
        return cls(length, version)
