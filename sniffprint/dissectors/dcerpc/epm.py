"""The endpoint mapper (EPM, ``e1af8308-5d1f-11c9-91a4-08002b14a0fa`` on TCP 135): which dynamic
port an interface listens on, read from ept_map responses.

Read from: C706 Appendix O (ept_map, opnum 3), Appendix L (protocol towers: floor count, then per
floor a left-hand side with the protocol identifier and a right-hand side with its data; floor 1
is the interface UUID and version, 0x07 a TCP port in big-endian order, 0x09 an IPv4 address),
Appendix I (protocol identifiers), MS-RPCE 2.2.1.2.2 (twr_t, tower_length at most 2000),
2.2.1.2.5 (ept_map), 3.1.3.5.3 (implementations ignore the network address of a tower: the
mapper only names endpoints of its own host).

The response stub: entry_handle (20), num_towers, then ITowers, a conformant varying array of
full pointers to twr_t (a conformant structure: its maximum count comes first, then
tower_length and the octets), then the status.

Invariants: the walk is bounded (``MAX_TOWERS``, tower_length <= 2000, at most ``MAX_FLOORS``
floors); a damaged stub gives what was read before the damage, never an exception.
"""
from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass

from .ndr import Ndr, NdrError
from .pdu import uuid_of

EPM = uuid.UUID("e1af8308-5d1f-11c9-91a4-08002b14a0fa")  # C706 Appendix O
OPNUM_EPT_MAP = 3
MAX_TOWERS = 32
MAX_TOWER_LENGTH = 2000  # MS-RPCE 2.2.1.2.2 range(0,2000)
MAX_FLOORS = 8
PROTO_UUID = 0x0D  # floor holding an interface or transfer syntax UUID
PROTO_NCACN = 0x0B  # connection-oriented RPC
PROTO_TCP = 0x07  # TCP port (big-endian)
PROTO_IP = 0x09  # IPv4 address

_U16 = struct.Struct("<H")  # tower floor counts are little-endian whatever the drep (C706 L.1)


@dataclass(slots=True, frozen=True)
class Tower:
    """An endpoint the mapper named: the interface, and the TCP port when the tower has one."""

    interface: uuid.UUID | None
    tcp_port: int | None


def parse_tower(octets: bytes) -> Tower:
    """A tower's floors (C706 Appendix L); missing parts are None."""
    if len(octets) < 2:
        return Tower(None, None)
    n = _U16.unpack_from(octets, 0)[0]
    at = 2
    iface: uuid.UUID | None = None
    port: int | None = None
    for i in range(min(n, MAX_FLOORS)):
        if at + 2 > len(octets):
            break
        lhs_len = _U16.unpack_from(octets, at)[0]
        lhs = octets[at + 2:at + 2 + lhs_len]
        at += 2 + lhs_len
        if at + 2 > len(octets) or not lhs:
            break
        rhs_len = _U16.unpack_from(octets, at)[0]
        rhs = octets[at + 2:at + 2 + rhs_len]
        at += 2 + rhs_len
        if i == 0 and lhs[0] == PROTO_UUID and len(lhs) >= 17:
            iface = uuid_of(bytes(lhs[1:17]), True)
        elif lhs[0] == PROTO_TCP and len(rhs) == 2:
            port = int.from_bytes(rhs, "big")
    return Tower(iface, port)


def map_response(stub: bytes | memoryview, little: bool = True, ndr64: bool = False) -> list[Tower]:
    """The towers of an ept_map response."""
    r = Ndr(stub, little, ndr64)
    out: list[Tower] = []
    try:
        r.handle()  # entry_handle
        r.u32()  # num_towers
        _mx, _off, actual = r.count(), r.count(), r.count()
        refs = [r.pointer() for _ in range(min(actual, MAX_TOWERS))]
        for ref in refs:
            if not ref:
                continue
            r.count()  # the conformant structure's maximum count
            length = r.u32()
            if length > MAX_TOWER_LENGTH:
                break
            out.append(parse_tower(r.take(length)))
    except NdrError:
        pass
    return out
