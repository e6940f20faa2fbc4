"""DNS messages (RFC 1035 section 4.1) as multicast DNS carries them (RFC 6762), by hand and bounded.

Not a dissector: ``mdns`` parses each datagram with ``parse``. Wire format, all integers big-endian:

    header: ID, flags (QR = 0x8000: a response), QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT   (4.1.1)
    question: QNAME, QTYPE, QCLASS                                                    (4.1.2)
    resource record: NAME, TYPE, CLASS, TTL, RDLENGTH, RDATA                          (4.1.3)

- Names are sequences of labels; a label is a length octet (at most 63) and that many octets; a
  pointer (two octets, top bits 11) continues the name at an earlier offset (4.1.4, message
  compression, which mDNS also allows inside SRV and PTR data, RFC 6762 section 18.14). Names are
  kept as tuples of labels, so a DNS-SD instance name that contains dots stays one label
  (RFC 6763 section 4.3).
- mDNS uses the top bit of CLASS as the cache-flush bit (records) or unicast-response bit
  (questions) (RFC 6762 sections 10.2, 5.4): it is masked off.
- RDATA read here: A, AAAA, PTR, SRV (RFC 2782: priority, weight, port, target), TXT (character
  strings; DNS-SD key=value pairs, RFC 6763 section 6). Other types are skipped by length.

Invariants:
- Rule 1: only ``ProtocolViolation`` escapes (a name or record running past the message, a label
  type other than plain or pointer, a name longer than 255 octets).
- Rule 2: every pointer must point before the label it replaces, so following pointers always
  terminates (RFC 1035 4.1.4: "a prior occurance of the same name"); record counts are bounded
  by the message's own length, and at most ``MAX_RECORDS`` records are read.
"""
from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from ..errors import ProtocolViolation

HEADER = struct.Struct("!HHHHHH")  # id, flags, qdcount, ancount, nscount, arcount
RR = struct.Struct("!HHIH")  # type, class, ttl, rdlength
SRV = struct.Struct("!HHH")  # priority, weight, port
QR = 0x8000  # flags: a response
A, PTR, TXT, AAAA, SRV_TYPE = 1, 12, 16, 28, 33
CLASS_MASK = 0x7FFF  # mDNS: the top bit is cache-flush / unicast-response
MAX_NAME = 255  # octets of a name on the wire (RFC 1035 2.3.4)
MAX_RECORDS = 512
MAX_TXT_ITEMS = 64

Name = tuple[str, ...]


@dataclass(slots=True, frozen=True)
class Record:
    name: Name
    rtype: int
    ttl: int
    data: object  # A/AAAA: address text; PTR: Name; SRV: (port, target Name); TXT: tuple of bytes; else None


@dataclass(slots=True, frozen=True)
class Message:
    response: bool
    questions: tuple[tuple[Name, int], ...]
    records: tuple[Record, ...]  # answers, authority and additional records, in order
    answers: int  # how many of ``records`` are answers (the rest: authority then additional)


def _label(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def name(buf: bytes, pos: int) -> tuple[Name, int]:
    """The name at ``pos`` and the offset just after it (after the first pointer, if any)."""
    labels: list[str] = []
    size = 0
    after: int | None = None
    floor = pos  # a pointer must go below the label it stands for
    while True:
        if pos >= len(buf):
            raise ProtocolViolation("DNS name runs past the message", pos)
        n = buf[pos]
        if n & 0xC0 == 0xC0:
            if pos + 1 >= len(buf):
                raise ProtocolViolation("DNS compression pointer cut short", pos)
            target = ((n & 0x3F) << 8) | buf[pos + 1]
            if target >= floor:
                raise ProtocolViolation("DNS compression pointer does not point backwards", pos)
            if after is None:
                after = pos + 2
            pos = floor = target
            continue
        if n & 0xC0:
            raise ProtocolViolation("DNS label of an unsupported type", pos)
        if n == 0:
            return tuple(labels), (after if after is not None else pos + 1)
        if pos + 1 + n > len(buf):
            raise ProtocolViolation("DNS label runs past the message", pos)
        size += n + 1
        if size > MAX_NAME:
            raise ProtocolViolation(f"DNS name over {MAX_NAME} octets", pos)
        labels.append(_label(buf[pos + 1:pos + 1 + n]))
        pos += 1 + n


def _rdata(buf: bytes, rtype: int, start: int, end: int) -> object:
    if rtype == A:
        if end - start != 4:
            raise ProtocolViolation("DNS A record of the wrong length", start)
        return str(ipaddress.IPv4Address(buf[start:end]))
    if rtype == AAAA:
        if end - start != 16:
            raise ProtocolViolation("DNS AAAA record of the wrong length", start)
        return str(ipaddress.IPv6Address(buf[start:end]))
    if rtype == PTR:
        target, stop = name(buf, start)
        if stop > end:
            raise ProtocolViolation("DNS PTR name runs past its record", start)
        return target
    if rtype == SRV_TYPE:
        if end - start < SRV.size + 1:
            raise ProtocolViolation("DNS SRV record cut short", start)
        _prio, _weight, port = SRV.unpack_from(buf, start)
        target, stop = name(buf, start + SRV.size)
        if stop > end:
            raise ProtocolViolation("DNS SRV target runs past its record", start)
        return (port, target)
    if rtype == TXT:
        items: list[bytes] = []
        p = start
        while p < end:
            n = buf[p]
            if p + 1 + n > end:
                raise ProtocolViolation("DNS TXT string runs past its record", p)
            if len(items) < MAX_TXT_ITEMS:
                items.append(bytes(buf[p + 1:p + 1 + n]))
            p += 1 + n
        return tuple(items)
    return None


def parse(buf: bytes) -> Message:
    """One whole DNS message (a UDP datagram)."""
    if len(buf) < HEADER.size:
        raise ProtocolViolation("DNS message shorter than its header", 0)
    _id, flags, qd, an, ns, ar = HEADER.unpack_from(buf)
    if qd + an + ns + ar > len(buf) // 5:  # a question takes 5 octets at least, a record 11
        raise ProtocolViolation("DNS counts larger than the message can hold", 4)
    pos = HEADER.size
    questions: list[tuple[Name, int]] = []
    for _ in range(qd):
        qname, pos = name(buf, pos)
        if pos + 4 > len(buf):
            raise ProtocolViolation("DNS question cut short", pos)
        qtype = (buf[pos] << 8) | buf[pos + 1]
        pos += 4
        if len(questions) < MAX_RECORDS:
            questions.append((qname, qtype))
    records: list[Record] = []
    for _ in range(an + ns + ar):
        rname, pos = name(buf, pos)
        if pos + RR.size > len(buf):
            raise ProtocolViolation("DNS record header cut short", pos)
        rtype, _rclass, ttl, rdlen = RR.unpack_from(buf, pos)
        pos += RR.size
        if pos + rdlen > len(buf):
            raise ProtocolViolation("DNS record data runs past the message", pos)
        data = _rdata(buf, rtype, pos, pos + rdlen)
        pos += rdlen
        if len(records) < MAX_RECORDS:
            records.append(Record(rname, rtype, ttl, data))
    return Message(bool(flags & QR), tuple(questions), tuple(records), min(an, MAX_RECORDS))


def txt_pairs(items: tuple[bytes, ...]) -> dict[str, str]:
    """DNS-SD TXT key/value pairs (RFC 6763 6.3-6.5): keys compared case-insensitively (kept as
    first written), the first occurrence of a key wins, a key without '=' is a present boolean."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for item in items:
        key, eq, value = item.partition(b"=")
        k = key.decode("ascii", "replace")
        if not k or k.lower() in seen:
            continue
        seen.add(k.lower())
        out[k] = value.decode("utf-8", "replace") if eq else ""
    return out
