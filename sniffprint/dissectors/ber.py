"""BER, the Basic Encoding Rules of ASN.1 (ITU-T X.690), as far as SNMP uses them: a reader of
definite-length TLVs over one whole message, by hand and bounded.

Encoding (X.690 section 8.1): identifier octets, length octets, contents.

- Identifier (8.1.2): class in bits 8-7 (universal, application, context-specific, private),
  bit 6 constructed, tag number in bits 5-1; 31 there means the number follows in base-128
  octets (8.1.2.4), accepted up to ``MAX_TAG_OCTETS``.
- Length (8.1.3): short form (one octet below 0x80) or long form (0x81-0x84: that many octets).
  The indefinite form (0x80) is refused: SNMP messages use the definite form only (RFC 3417
  section 8, "Serialization using the Basic Encoding Rules", and RFC 1157 section 4).
- INTEGER (8.3): two's complement, big-endian, at most ``MAX_INT_OCTETS`` octets (Counter64 needs
  nine: a leading zero before 2^64 - 1).
- OBJECT IDENTIFIER (8.19): base-128 subidentifiers; the first one is 40 * X + Y (8.19.4).

Invariants:
- Rule 1: only ``ProtocolViolation`` escapes, and its reason quotes no contents (a community
  string or a user name may sit in the bytes): offsets and lengths only.
- Rule 2: a TLV never reaches past the bytes of its parent (``end``); every loop is bounded by
  the message length or by the ``MAX_*`` constants.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import ProtocolViolation

UNIVERSAL, APPLICATION, CONTEXT, PRIVATE = 0, 1, 2, 3
# Universal tag numbers (X.680 section 8.4, table 1)
INTEGER, OCTET_STRING, NULL, OID, SEQUENCE = 2, 4, 5, 6, 16
MAX_TAG_OCTETS = 4  # high tag numbers beyond 2^28 are not SNMP
MAX_LENGTH_OCTETS = 4  # a length beyond 2^32 cannot fit a datagram
MAX_INT_OCTETS = 9
MAX_OID_ARCS = 128  # RFC 2578 section 3.5: at most 128 sub-identifiers
MAX_ARC_OCTETS = 5  # each sub-identifier is at most 2^32 - 1 (RFC 2578 section 7.1.3)
# 8.19.2: each sub-identifier is base-128 octets, the last with bit 8 clear, none led by 0x80
_OID_OCTETS = re.compile(rb"(?:[\x81-\xff][\x80-\xff]{0,3}[\x00-\x7f]|[\x00-\x7f])+")


class Tlv(NamedTuple):
    """One decoded identifier and length: where its contents are in the message (a tuple: one is
    made per element of every message, the cheapest record Python has)."""

    cls: int  # UNIVERSAL, APPLICATION, CONTEXT or PRIVATE
    constructed: bool
    tag: int  # tag number within its class
    start: int  # offset of the first contents octet
    end: int  # offset just after the contents

    @property
    def length(self) -> int:
        return self.end - self.start

    def is_(self, cls: int, tag: int, constructed: bool | None = None) -> bool:
        return self.cls == cls and self.tag == tag and (constructed is None or self.constructed == constructed)


def read(buf: bytes, pos: int, end: int) -> Tlv:
    """The TLV that starts at ``pos`` and must end by ``end``."""
    if pos >= end:
        raise ProtocolViolation("BER element expected, none left", pos)
    first = buf[pos]
    cls, constructed, tag = first >> 6, bool(first & 0x20), first & 0x1F
    p = pos + 1
    if tag == 0x1F:  # 8.1.2.4: high tag number form
        tag = 0
        for i in range(MAX_TAG_OCTETS + 1):
            if p >= end:
                raise ProtocolViolation("BER tag cut short", pos)
            if i == MAX_TAG_OCTETS:
                raise ProtocolViolation("BER tag number too large", pos)
            b = buf[p]
            p += 1
            tag = (tag << 7) | (b & 0x7F)
            if not b & 0x80:
                break
    if p >= end:
        raise ProtocolViolation("BER length missing", pos)
    b = buf[p]
    p += 1
    if b < 0x80:
        length = b
    elif b == 0x80:
        raise ProtocolViolation("BER indefinite length (SNMP uses the definite form only)", pos)
    else:
        n = b & 0x7F
        if n > MAX_LENGTH_OCTETS or p + n > end:
            raise ProtocolViolation(f"BER length of {n} octets at offset {pos}", pos)
        length = int.from_bytes(buf[p:p + n], "big")
        p += n
    if p + length > end:
        raise ProtocolViolation(f"BER element of {length} octets overruns its container", pos)
    return Tlv(cls, constructed, tag, p, p + length)


def children(buf: bytes, parent: Tlv, limit: int) -> list[Tlv]:
    """The TLVs inside a constructed ``parent``, at most ``limit`` of them (more: violation)."""
    if not parent.constructed:
        raise ProtocolViolation("BER primitive element where a constructed one is required", parent.start)
    out: list[Tlv] = []
    p = parent.start
    while p < parent.end:
        if len(out) >= limit:
            raise ProtocolViolation(f"more than {limit} BER elements in one container", p)
        t = read(buf, p, parent.end)
        out.append(t)
        p = t.end
    return out


def integer(buf: bytes, t: Tlv) -> int:
    if t.constructed or not 0 < t.length <= MAX_INT_OCTETS:
        raise ProtocolViolation(f"BER integer of {t.length} octets", t.start)
    return int.from_bytes(buf[t.start:t.end], "big", signed=True)


def unsigned(buf: bytes, t: Tlv) -> int:
    """An application integer type (Counter32, Gauge32, TimeTicks, Counter64): unsigned values are
    still two's complement on the wire (RFC 2578 section 7.1), so a leading 0x00 is allowed."""
    return integer(buf, t) & ((1 << 72) - 1)


def octets(buf: bytes, t: Tlv) -> bytes:
    if t.constructed:  # X.690 8.7.3 allows constructed strings; RFC 3417 section 8 does not
        raise ProtocolViolation("constructed BER string", t.start)
    return bytes(buf[t.start:t.end])


def oid_bytes(buf: bytes, t: Tlv) -> bytes:
    """An OBJECT IDENTIFIER's contents, checked (8.19) but not decoded: matching a known OID (or
    the encoding of a prefix: sub-identifiers are self-delimiting) needs no decoding."""
    if t.constructed or not 0 < t.length <= MAX_OID_ARCS * MAX_ARC_OCTETS:
        raise ProtocolViolation(f"BER object identifier of {t.length} octets", t.start)
    raw = bytes(buf[t.start:t.end])
    if _OID_OCTETS.fullmatch(raw) is None:
        raise ProtocolViolation("malformed BER object identifier", t.start)
    return raw


def encode_oid(dotted: str) -> bytes:
    """The contents octets of a dotted OID (8.19), for matching with ``oid_bytes``."""
    arcs = [int(x) for x in dotted.split(".")]
    out = bytearray()
    for a in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def oid(buf: bytes, t: Tlv) -> str:
    """An OBJECT IDENTIFIER in dotted form (8.19)."""
    if t.constructed or t.length == 0:
        raise ProtocolViolation("empty or constructed BER object identifier", t.start)
    arcs: list[int] = []
    value = 0
    octets_in_arc = 0
    for p in range(t.start, t.end):
        b = buf[p]
        if octets_in_arc == 0 and b == 0x80:  # 8.19.2: no leading 0x80 padding
            raise ProtocolViolation("BER object identifier with a padded sub-identifier", p)
        value = (value << 7) | (b & 0x7F)
        octets_in_arc += 1
        if octets_in_arc > MAX_ARC_OCTETS:
            raise ProtocolViolation("BER object identifier sub-identifier too large", p)
        if not b & 0x80:
            if not arcs:  # 8.19.4: the first sub-identifier holds the first two arcs
                first = min(value // 40, 2)
                arcs += [first, value - 40 * first]
            else:
                arcs.append(value)
            value = 0
            octets_in_arc = 0
            if len(arcs) > MAX_OID_ARCS:
                raise ProtocolViolation(f"BER object identifier over {MAX_OID_ARCS} arcs", p)
    if octets_in_arc:
        raise ProtocolViolation("BER object identifier cut inside a sub-identifier", t.end)
    return ".".join(map(str, arcs))
