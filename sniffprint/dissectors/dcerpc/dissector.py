"""DCE/RPC over TCP (``ncacn_ip_tcp``): the endpoint mapper on 135 and the dynamic ports it names.

Read from: MS-RPCE 2.1.1.1 (RPC over TCP: the connection carries connection-oriented PDUs, no
other framing), C706 12.6 (PDUs), MS-PAR 2.1 (IRemoteWinspool is served on a dynamic TCP endpoint
at packet privacy; Windows 11 22H2 prints that way by default), MS-RPRN 2.1 (spoolss over TCP).

Recognised by content on any port (``probe``): a bind or alter_context PDU, version 5.0/5.1, a
plausible frag_length and a presentation context offering the NDR or NDR64 transfer syntax, is
all but certain; a bind_ack answering one, or a request/response header, is plausible only (the
flow table adds weight when an endpoint mapper named the port: ``EndpointExpected``). Port 135
adds the usual port hint.

One ``RpcConversation`` reads the whole connection (strict: bytes that cannot be DCE/RPC are a
``ProtocolViolation``). The flow's facts come from its ``RpcFacts``.
"""
from __future__ import annotations

import uuid

from ...model import Direction, FlowKey, Service
from ..base import Dissector
from ..events import Event
from .binding import NDR64
from .conversation import RpcConversation
from .facts import RpcFacts
from .pdu import Header, PType, parse_bind

NDR = uuid.UUID("8a885d04-1ceb-11c9-9fe8-08002b104860")  # C706 14: NDR 2.0 transfer syntax
_DREP_TAIL = b"\x00\x00\x00"  # packed_drep bytes 1-3 for IEEE floats, ASCII characters


def _header(head: bytes) -> Header | None:
    if len(head) < 16 or head[4] not in (0x00, 0x10) or head[5:8] != _DREP_TAIL:
        return None
    h = Header.parse(head)
    return h if h is not None and h.plausible else None


class DcerpcDissector(Dissector):
    name = "dcerpc"
    service = Service.DCERPC
    ports = frozenset({135})

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.jobs = 0
        self.conv = RpcConversation(RpcFacts(), "dcerpc", self._key, strict=True)

    def _key(self) -> str:
        self.jobs += 1
        return f"rpc-job-{self.jobs}"

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        score = 0.0
        h = _header(c2s)
        if h is not None:
            if h.ptype in (PType.BIND, PType.ALTER_CONTEXT):
                elems = parse_bind(c2s[:h.frag_length], h)
                if any(t.uuid in (NDR, NDR64) for e in elems for t in e.transfers):
                    score = 0.9
            elif h.ptype in (PType.REQUEST, PType.AUTH3):
                score = 0.45
        r = _header(s2c)
        if r is not None:
            if r.ptype in (PType.BIND_ACK, PType.BIND_NAK, PType.ALTER_CONTEXT_RESP):
                score = max(score, 0.6)
            elif r.ptype in (PType.RESPONSE, PType.FAULT):
                score = max(score, 0.45)
        return min(1.0, score + cls.port_hint(key)) if score else 0.0

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        return self.conv.feed(direction, data)

    def gap(self, direction: Direction, length: int) -> list[Event]:
        return self.conv.gap(direction, length)

    def close(self) -> list[Event]:
        return self.conv.close()
