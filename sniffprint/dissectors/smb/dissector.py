"""The SMB dissector: NBSS framing per direction, then each message to its protocol's parser.

Read from: RFC 1002 4.3 and MS-SMB2 2.1 (transport, ``nbss``), MS-SMB2 2.2.1 / 2.2.41 / 2.2.42
(the protocol ids 0xFE, 0xFD and 0xFC 'SMB'), MS-CIFS 2.2.3.1 (0xFF 'SMB').

Every message is routed by its first four bytes through ``PROTOCOLS``: SMB1 (``smb1.dispatch``), SMB2
(``smb2.dispatch``), and the SMB3 transform headers (``smb2.transform``). All parsers share one
``state.Connection``. At close the flow's print status is settled: print traffic was seen
(nothing more to say), or none was (``PrintSeen(False)``), or the session was encrypted before any
print share showed (``PrintSeen(None)``: cannot be seen).

Invariants: only ``ProtocolViolation`` escapes, raised by the framing for bytes that cannot be
NBSS, or here for a session message that is no SMB protocol at all; parsers of well-framed
messages never raise (SMB payloads are parsed best effort).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ...errors import ProtocolViolation
from ...model import Direction, FlowKey, Service
from ..base import Dissector
from ..events import Event, FlowFact, PrintSeen
from . import smb1
from .nbss import Reader, SessionPacket
from .smb2 import dispatch, transform
from .smb2.header import PROTOCOL_ID as SMB2_ID
from .state import Connection

# handle(connection, direction, message, reader): the reader only for the prefix of a large message
Handler = Callable[[Connection, Direction, bytes, Reader | None], list[Event]]
PROTOCOLS: dict[bytes, Handler] = {
    smb1.PROTOCOL_ID: smb1.handle,  # b"\xffSMB"
    SMB2_ID: dispatch.handle,  # b"\xfeSMB"
    transform.TRANSFORM_ID: transform.encrypted,  # b"\xfdSMB"
    transform.COMPRESSED_ID: transform.compressed,  # b"\xfcSMB"
}


class SmbDissector(Dissector):
    name = "smb"
    service = Service.SMB
    ports = frozenset({445, 139})

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.conn = Connection()
        self.readers = (Reader(Direction.C2S), Reader(Direction.S2C))
        self._deliver = (partial(self._message, Direction.C2S), partial(self._message, Direction.S2C))

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        for head in (c2s, s2c):
            if len(head) >= 8 and head[0] == SessionPacket.MESSAGE and head[4:8] in PROTOCOLS:
                return 0.95
            if len(head) >= 4 and head[0] == SessionPacket.REQUEST and key.server_port == 139:
                return 0.8
        return 0.0

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        return self.readers[direction].feed(data, self._deliver[direction])

    def gap(self, direction: Direction, length: int) -> list[Event]:
        return self.readers[direction].gap(length)

    def _message(self, direction: Direction, msg: bytes, stream: Reader | None) -> list[Event]:
        handler = PROTOCOLS.get(msg[:4])
        if handler is None:
            raise ProtocolViolation(f"not an SMB message: {msg[:4].hex()}")
        return handler(self.conn, direction, msg, stream)

    def close(self) -> list[Event]:
        conn = self.conn
        out: list[Event] = []
        if conn.smb1_offered and conn.smb1 is None:
            out.append(FlowFact("smb1", True))  # only SMB1 was heard: the client speaks it
        if conn.print_share:
            return out
        return out + [PrintSeen(None if conn.encrypted else False)]
