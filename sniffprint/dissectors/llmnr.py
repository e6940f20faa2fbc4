"""Link-Local Multicast Name Resolution (UDP 5355) as a source of host names.

Spec: RFC 4795. Queries go to 224.0.0.252 or FF02::1:3 port 5355 (section 2); a responder that
is authoritative for the name answers by unicast from port 5355 (2.1.1, 2.4). The message is the
DNS format (RFC 1035 4.1, parsed by ``dns.parse``) with LLMNR's own flags (2.1.1)::

    QR (0x8000) response | OPCODE (0x7800, 0 = standard query) | C (0x0400) conflict |
    TC (0x0200) | T (0x0100) tentative | Z (0x00F0, zero) | RCODE (0x000F)

What binds a name to an address (a ``records.HostName``, source ``llmnr``): the A and AAAA
answer records of a response with RCODE 0 and opcode 0 (a responder answers only for names it is
authoritative for, section 2.3). A tentative answer (T set: uniqueness not yet verified, 4.1)
still says which name the responder claims. Queries are not bindings: the queried name belongs
to somebody else, or to nobody (which is what LLMNR poisoning tools wait for).

Invariants:
- Rule 1: only ``ProtocolViolation`` escapes (from ``dns.parse``, or an opcode other than 0:
  "LLMNR senders MUST set [OPCODE] to zero", 2.1.1).
- Rule 2: bounded: at most ``MAX_NAMES`` bindings per flow (``hostnames.MAX_NAMES``; ``dns`` bounds the records read).
"""
from __future__ import annotations

from ..errors import ProtocolViolation
from ..model import Direction, FlowKey, Service
from . import dns
from .hostnames import HostNameDissector

PORT = 5355
OPCODE_MASK = 0x7800
RCODE_MASK = 0x000F


def bindings(data: bytes) -> list[tuple[str, str]]:
    """The (address, name) pairs one LLMNR datagram states: a positive response's A/AAAA answers."""
    if len(data) >= 4 and (data[2] << 8 | data[3]) & OPCODE_MASK:
        raise ProtocolViolation("LLMNR opcode is not 0 (standard query)", 2)
    msg = dns.parse(data)
    if not msg.response or (data[3] & RCODE_MASK):
        return []
    return [(str(r.data), ".".join(r.name)) for r in msg.records[:msg.answers]
            if r.rtype in (dns.A, dns.AAAA) and isinstance(r.data, str) and r.name]


class LlmnrDissector(HostNameDissector):
    name = "llmnr"
    service = Service.LLMNR
    ports = frozenset({PORT})
    source = "llmnr"

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        if PORT not in (key.server_port, key.client_port):
            return 0.0  # LLMNR is port 5355 by definition (RFC 4795 section 2)
        try:
            bindings(c2s or s2c)
        except ProtocolViolation:
            return 0.0
        return 0.95

    def _bindings(self, direction: Direction, data: bytes) -> list[tuple[str, str]]:
        return bindings(data)
