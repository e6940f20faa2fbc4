"""NetBIOS name service (UDP 137) as a source of host names: which name a workstation holds.

Spec: RFC 1002 section 4.2 (packet formats), RFC 1001 sections 14.1 (first-level encoding of a
NetBIOS name) and 15.1.1 (names are 16 octets: 15 name characters padded with spaces, and a
suffix octet that says what the name is for). All integers big-endian::

    header (4.2.1.1): NAME_TRN_ID, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT
        flags: R (0x8000, a response), OPCODE (bits 11-14: 0 query, 5 registration, 6 release,
        7 WACK, 8 refresh; 9 is the refresh code Windows sends, 15 multi-homed registration),
        NM_FLAGS (AA, TC, RD, RA, B), RCODE (low 4 bits; 0 = positive)
    question (4.2.1.2): QUESTION_NAME, QUESTION_TYPE (NB 0x0020, NBSTAT 0x0021), QUESTION_CLASS
    resource record (4.2.1.3): RR_NAME, RR_TYPE, RR_CLASS, TTL, RDLENGTH, RDATA
        NB RDATA (4.2.2): (NB_FLAGS: G 0x8000 group name, ONT 0x6000; NB_ADDRESS: 4 octets) ...
        NBSTAT RDATA (4.2.18, node status response): NUM_NAMES, then per name 16 octets (not
        encoded), NAME_FLAGS (G 0x8000 ...), then statistics (not read)

Names are DNS-style labels (``dns.name``: compression pointers allowed, RFC 1002 4.1): the first
label is the 32-character first-level encoding (each half-octet + 'A'), the rest the scope.

What binds a name to an address (a ``records.HostName``, source ``nbns``):
- registration, overwrite, refresh and multi-homed registration requests (opcodes 5, 8, 9, 15):
  the additional record's NB_ADDRESS holds the name (4.2.2, 4.2.4);
- positive answers (R set, RCODE 0) to a name query or a registration (4.2.13, 4.2.5): the
  answer's NB_ADDRESS (a name server answering for the owner is still the binding);
- a positive node status answer (4.2.18): every name in it is the sender's own.
Questions are never bindings (a query names someone else), and neither are negative answers,
releases (the name is being given up), WACKs and conflict demands.

Only a host's own names are kept: unique names (G clear) with the suffix 0x00 (workstation
service) or 0x20 (file server service). Group names are workgroups and domains; other suffixes
are services, and 0x03 (messenger) may be a logged-on user's name, never a host's.

Invariants:
- Rule 1: only ``ProtocolViolation`` escapes (a name or record running past the datagram, a
  first label that is not a first-level encoded name, counts the datagram cannot hold).
- Rule 2: bounded: at most ``MAX_RECORDS`` records per datagram, ``hostnames.MAX_NAMES`` bindings per flow.
"""
from __future__ import annotations

import ipaddress
import struct

from ..errors import ProtocolViolation
from ..model import Direction, FlowKey, Service
from . import dns
from .hostnames import HostNameDissector

PORT = 137
HEADER = struct.Struct("!HHHHHH")  # NAME_TRN_ID, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT
RR = struct.Struct("!HHIH")  # RR_TYPE, RR_CLASS, TTL, RDLENGTH
NB_ENTRY = struct.Struct("!H4s")  # NB_FLAGS, NB_ADDRESS
RESPONSE = 0x8000  # R: a response
OPCODE_SHIFT, OPCODE_MASK = 11, 0xF
RCODE_MASK = 0x000F
QUERY, REGISTRATION, RELEASE, WACK, REFRESH, REFRESH_ALT, MULTIHOMED = 0, 5, 6, 7, 8, 9, 15
OPCODES = frozenset({QUERY, REGISTRATION, RELEASE, WACK, REFRESH, REFRESH_ALT, MULTIHOMED})
CLAIMS = frozenset({REGISTRATION, REFRESH, REFRESH_ALT, MULTIHOMED})  # requests that carry the sender's name
NB, NBSTAT = 0x0020, 0x0021  # RR_TYPE / QUESTION_TYPE
GROUP = 0x8000  # NB_FLAGS / NAME_FLAGS: a group name
HOST_SUFFIXES = frozenset({0x00, 0x20})  # workstation service, file server service
MAX_RECORDS = 64


def decode_name(label: str) -> tuple[str, int]:
    """(name, suffix) of a first-level encoded NetBIOS name (RFC 1001 14.1): 32 characters 'A'-'P',
    two per octet, high half first; trailing spaces of the 15-character name dropped."""
    if len(label) != 32 or any(not "A" <= c <= "P" for c in label):
        raise ProtocolViolation("NetBIOS name is not first-level encoded", 0)
    raw = bytes(((ord(label[i]) - 65) << 4) | (ord(label[i + 1]) - 65) for i in range(0, 32, 2))
    return _text(raw[:15]), raw[15]


def _text(raw: bytes) -> str:
    return raw.rstrip(b" \x00").decode("latin-1")


def _opcode(flags: int) -> int:
    return (flags >> OPCODE_SHIFT) & OPCODE_MASK


def parse(buf: bytes, sender: str) -> list[tuple[str, str]]:
    """The (address, name) bindings one NBNS datagram states (module docstring), in order."""
    if len(buf) < HEADER.size:
        raise ProtocolViolation("NBNS packet shorter than its header", 0)
    _trn, flags, qd, an, ns, ar = HEADER.unpack_from(buf)
    opcode = _opcode(flags)
    if opcode not in OPCODES:
        raise ProtocolViolation(f"NBNS opcode {opcode} is not defined", 2)
    if qd + an + ns + ar > len(buf) // 5:
        raise ProtocolViolation("NBNS counts larger than the packet can hold", 4)
    pos = HEADER.size
    for _ in range(qd):
        qname, pos = dns.name(buf, pos)
        if not qname:
            raise ProtocolViolation("NBNS question without a name", pos)
        decode_name(qname[0])
        if pos + 4 > len(buf):
            raise ProtocolViolation("NBNS question cut short", pos)
        pos += 4
    response = bool(flags & RESPONSE)
    positive = response and flags & RCODE_MASK == 0 and opcode in (QUERY, REGISTRATION, REFRESH, REFRESH_ALT,
                                                                    MULTIHOMED)
    claim = not response and opcode in CLAIMS
    out: list[tuple[str, str]] = []
    for i in range(min(an + ns + ar, MAX_RECORDS)):
        rname, pos = dns.name(buf, pos)
        if pos + RR.size > len(buf):
            raise ProtocolViolation("NBNS record header cut short", pos)
        rtype, _rclass, _ttl, rdlen = RR.unpack_from(buf, pos)
        pos += RR.size
        end = pos + rdlen
        if end > len(buf):
            raise ProtocolViolation("NBNS record data runs past the packet", pos)
        answer = i < an
        # a claim's name stands in its additional record; an answer's in its answer record
        if rtype == NB and rname and ((claim and not answer) or (positive and answer)):
            name, suffix = decode_name(rname[0])
            out += [(addr, name) for addr in _nb_addresses(buf, pos, end) if suffix in HOST_SUFFIXES]
        elif rtype == NBSTAT and positive and answer and opcode == QUERY:
            out += [(sender, name) for name in _node_names(buf, pos, end)]
        pos = end
    return out


def _nb_addresses(buf: bytes, start: int, end: int) -> list[str]:
    """The addresses of the unique-name entries of an NB RDATA (4.2.2)."""
    if (end - start) % NB_ENTRY.size:
        raise ProtocolViolation("NBNS NB record of the wrong length", start)
    out = []
    for p in range(start, end, NB_ENTRY.size):
        nb_flags, addr = NB_ENTRY.unpack_from(buf, p)
        if not nb_flags & GROUP:
            out.append(str(ipaddress.IPv4Address(addr)))
    return out


def _node_names(buf: bytes, start: int, end: int) -> list[str]:
    """The sender's own unique host names of a node status answer (4.2.18)."""
    if start >= end:
        raise ProtocolViolation("NBNS node status answer without a name count", start)
    count = buf[start]
    if start + 1 + count * 18 > end:
        raise ProtocolViolation("NBNS node status names run past their record", start)
    out = []
    for k in range(count):
        p = start + 1 + k * 18
        suffix = buf[p + 15]
        (name_flags,) = struct.unpack_from("!H", buf, p + 16)
        if suffix in HOST_SUFFIXES and not name_flags & GROUP:
            out.append(_text(buf[p:p + 15]))
    return out


class NbnsDissector(HostNameDissector):
    name = "nbns"
    service = Service.NBNS
    ports = frozenset({PORT})
    source = "nbns"

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        if PORT not in (key.server_port, key.client_port):
            return 0.0  # the name service is port 137 (RFC 1002 4.2.1)
        try:
            parse(c2s or s2c, key.client_ip)
        except ProtocolViolation:
            return 0.0
        return 0.95

    def _bindings(self, direction: Direction, data: bytes) -> list[tuple[str, str]]:
        return parse(data, self.key.client_ip if direction is Direction.C2S else self.key.server_ip)
