"""A small NetBIOS name service encoder (RFC 1002 4.2, RFC 1001 14.1) for test vectors, written
independently of ``sniffprint.dissectors.nbns`` (which only decodes)."""
from __future__ import annotations

import ipaddress
import struct

NB, NBSTAT = 0x20, 0x21
QUERY, REGISTRATION, RELEASE, WACK, REFRESH = 0, 5, 6, 7, 8


def encode(name: str, suffix: int = 0x00, scope: str = "") -> bytes:
    """The compressed-name form of a NetBIOS name: one 32-octet label (first-level encoding of the
    name padded to 15 octets with spaces, then the suffix), the scope labels, a zero octet."""
    raw = name.encode("latin-1").ljust(15, b" ")[:15] + bytes([suffix])
    label = "".join(chr(0x41 + (b >> 4)) + chr(0x41 + (b & 0xF)) for b in raw).encode()
    out = bytes([32]) + label
    for part in filter(None, scope.split(".")):
        out += bytes([len(part)]) + part.encode()
    return out + b"\x00"


def flags(opcode: int, *, response: bool = False, rcode: int = 0, broadcast: bool = False, rd: bool = True,
          aa: bool = False) -> int:
    return ((0x8000 if response else 0) | (opcode << 11) | (0x0400 if aa else 0) | (0x0100 if rd else 0)
            | (0x0010 if broadcast else 0) | rcode)


def header(trn: int, fl: int, qd: int = 0, an: int = 0, ns: int = 0, ar: int = 0) -> bytes:
    return struct.pack("!HHHHHH", trn, fl, qd, an, ns, ar)


def nb_rdata(*entries: tuple[str, bool]) -> bytes:
    """NB RDATA: (address, group?) entries, B-node owner type."""
    return b"".join(struct.pack("!H", 0x8000 if group else 0) + ipaddress.IPv4Address(a).packed
                    for a, group in entries)


def rr(owner: bytes, rtype: int, rdata: bytes, ttl: int = 300000) -> bytes:
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def question(owner: bytes, qtype: int = NB) -> bytes:
    return owner + struct.pack("!HH", qtype, 1)


def registration(name: str, address: str, suffix: int = 0x00, *, group: bool = False, opcode: int = REGISTRATION,
                 compressed: bool = True) -> bytes:
    """A broadcast name registration (or refresh/release) request: the question names it, the
    additional record (a pointer to the question name, 0xC00C, as Windows and Samba send it)
    holds the address."""
    owner = encode(name, suffix)
    ar_name = b"\xc0\x0c" if compressed else owner
    return (header(0x1234, flags(opcode, broadcast=True), qd=1, ar=1) + question(owner)
            + rr(ar_name, NB, nb_rdata((address, group))))


def query(name: str, suffix: int = 0x00, qtype: int = NB) -> bytes:
    return header(0x2222, flags(QUERY, broadcast=True), qd=1) + question(encode(name, suffix), qtype)


def positive_answer(name: str, *addresses: str, suffix: int = 0x00, rcode: int = 0) -> bytes:
    return (header(0x2222, flags(QUERY, response=True, aa=True, rcode=rcode), an=1)
            + rr(encode(name, suffix), NB, nb_rdata(*((a, False) for a in addresses))))


def node_status_answer(*names: tuple[str, int, bool]) -> bytes:
    """A node status response: (name, suffix, group?) entries, then 46 octets of statistics."""
    body = bytes([len(names)]) + b"".join(
        n.encode("latin-1").ljust(15, b" ") + bytes([s]) + struct.pack("!H", 0x8400 if g else 0x0400)
        for n, s, g in names) + bytes(46)
    return header(0x3333, flags(QUERY, response=True, aa=True), an=1) + rr(encode("*", 0x00, ""), NBSTAT, body, 0)
