"""SMB2 READ on a named pipe: the server's side of a DCE/RPC exchange.

Read from: MS-SMB2 2.2.19 (request: FileId), 2.2.20 (response: DataOffset, DataLength),
3.3.5.12, 3.3.4.4 (STATUS_BUFFER_OVERFLOW: a pipe message longer than the read; the response
still carries data, and the client reads the rest with further READs).

Only reads of a followed pipe are read: the request is remembered under its MessageId with its
file, and the response's data goes to the pipe's server-to-client stream. Reads of print or disk
files are not printing.

Invariants: a response is read only as the successful (or BUFFER_OVERFLOW) answer to a READ
request seen on a pipe; its whole data goes to the pipe, a read longer than ``nbss.INLINE_MAX``
streamed by the framing as it arrives (a hole in it reaches the pipe as a gap).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from ....model import Direction
from ...events import Event
from ..pipe import PipeTarget
from ..state import Connection, Pending
from .header import Command
from .packet import Packet

# StructureSize 49, Padding, Flags, Length, Offset, FileId, MinimumCount, Channel,
# RemainingBytes, ReadChannelInfoOffset, ReadChannelInfoLength
_REQUEST = struct.Struct("<HBBIQ16sIIIHH")
_RESPONSE = struct.Struct("<HBBIII")  # StructureSize 17, DataOffset, Reserved, DataLength, DataRemaining, Flags


@dataclass(slots=True, frozen=True)
class ReadRequest:
    file_id: bytes

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> ReadRequest | None:
        if len(buf) - off < _REQUEST.size:
            return None
        return cls(file_id=_REQUEST.unpack_from(buf, off)[5])


@dataclass(slots=True, frozen=True)
class ReadResponse:
    data_offset: int  # from the start of the SMB2 header
    data_length: int

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> ReadResponse | None:
        if len(buf) - off < _RESPONSE.size:
            return None
        _size, doff, _reserved, dlen = _RESPONSE.unpack_from(buf, off)[:4]
        return cls(doff, dlen)


def request(conn: Connection, p: Packet) -> list[Event]:
    req = ReadRequest.parse(p.body)
    f = p.file(conn, req.file_id) if req is not None else None
    if f is not None and f.pipe is not None:
        conn.pending[p.header.message_id] = Pending(Command.READ, file=f)
    return []


def response(conn: Connection, p: Packet, pend: Pending) -> list[Event]:
    resp = ReadResponse.parse(p.body)
    if resp is None or pend.file is None or pend.file.pipe is None:
        return []
    return p.window(resp.data_offset, resp.data_length, PipeTarget(conn, pend.file.pipe, Direction.S2C))
