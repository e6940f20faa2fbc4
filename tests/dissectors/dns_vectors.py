"""A small DNS message encoder (RFC 1035 4.1, no compression unless asked) for mDNS test vectors,
written independently of ``sniffprint.dissectors.dns`` (which only decodes)."""
from __future__ import annotations

import ipaddress
import struct

A, PTR, TXT, AAAA, SRV = 1, 12, 16, 28, 33
FLUSH = 0x8000  # mDNS cache-flush bit in CLASS (RFC 6762 10.2)


def name(dotted: str | tuple[str, ...]) -> bytes:
    labels = dotted if isinstance(dotted, tuple) else tuple(x for x in dotted.split(".") if x)
    return b"".join(bytes([len(lb.encode())]) + lb.encode() for lb in labels) + b"\x00"


def rr(owner: bytes, rtype: int, rdata: bytes, ttl: int = 120, flush: bool = True) -> bytes:
    return owner + struct.pack("!HHIH", rtype, 1 | (FLUSH if flush else 0), ttl, len(rdata)) + rdata


def a(owner: str, address: str) -> bytes:
    ip = ipaddress.ip_address(address)
    return rr(name(owner), A if ip.version == 4 else AAAA, ip.packed)


def ptr(owner: str | tuple[str, ...], target: str | tuple[str, ...]) -> bytes:
    return rr(name(owner), PTR, name(target), flush=False)


def srv(owner: tuple[str, ...], port: int, target: str) -> bytes:
    return rr(name(owner), SRV, struct.pack("!HHH", 0, 0, port) + name(target))


def txt(owner: tuple[str, ...], *items: str) -> bytes:
    return rr(name(owner), TXT, b"".join(bytes([len(i.encode())]) + i.encode() for i in items))


def message(*answers: bytes, additional: tuple[bytes, ...] = (), questions: tuple[bytes, ...] = (),
            response: bool = True) -> bytes:
    head = struct.pack("!HHHHHH", 0, 0x8400 if response else 0, len(questions), len(answers), 0, len(additional))
    return head + b"".join(questions) + b"".join(answers) + b"".join(additional)


def question(qname: str, qtype: int = PTR) -> bytes:
    return name(qname) + struct.pack("!HH", qtype, 1)
