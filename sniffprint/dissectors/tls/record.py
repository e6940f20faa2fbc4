"""TLS record-layer framing: the 5-byte record header.

Specs: RFC 8446 5.1 and RFC 5246 6.2 (TLSPlaintext / TLSCiphertext: ContentType type,
ProtocolVersion legacy_record_version, uint16 length, then the fragment), RFC 5246 6.2.1 and
RFC 6520 (content types), RFC 5246 6.2.3 (the length bound).

Nothing here keeps state; ``observer.TlsObserver`` drives the framing per direction.

Invariants:
- A plausible header has a known content type (20-24), major version 3, minor version <= 4
  (SSL 3.0 to TLS 1.3; TLS 1.3 itself still writes 3.3 or 3.1 here) and a length <= ``MAX_RECORD``.
  Four plausible bytes out of five at random are about one in 10^7, which is why a chain of such
  headers identifies TLS on any port.
"""
from __future__ import annotations

import struct
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
