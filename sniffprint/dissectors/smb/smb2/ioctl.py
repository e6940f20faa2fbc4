"""SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE: a pipe write and read in one exchange (DCE/RPC calls).

Read from: MS-SMB2 2.2.31 (request: CtlCode, FileId, InputOffset, InputCount), 2.2.32 (response:
OutputOffset, OutputCount), 3.3.5.15.4 (FSCTL_PIPE_TRANSCEIVE), MS-FSCC 2.3 (control codes).

The request's input buffer goes to the pipe's client-to-server stream, and the request records
its file under its MessageId (``state.Pending``); the response, paired by MessageId (an async one
after its STATUS_PENDING interim, MS-SMB2 3.2.5.1.5), hands its output buffer to that file's
server-to-client stream. A STATUS_BUFFER_OVERFLOW response carries the first part of the reply
(MS-SMB2 3.3.5.15.4: the output did not fit MaxOutputResponse); the client READs the rest, which
``read`` hands to the same stream. Other control codes and other files are not read.

Invariants: the response's file is the request's (async responses name the FileId too, but the
MessageId is what pairs them); input and output buffers longer than what the framing buffers are
streamed to the pipe like WRITE data, and a hole in them reaches the pipe as a gap.
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

FSCTL_PIPE_TRANSCEIVE = 0x0011C017

# StructureSize 57, Reserved, CtlCode, FileId, InputOffset, InputCount, MaxInputResponse,
# OutputOffset, OutputCount, MaxOutputResponse, Flags, Reserved2
_REQUEST = struct.Struct("<HHI16sIIIIIIII")
# StructureSize 49, Reserved, CtlCode, FileId, InputOffset, InputCount, OutputOffset, OutputCount,
# Flags, Reserved2
_RESPONSE = struct.Struct("<HHI16sIIIIII")


@dataclass(slots=True, frozen=True)
class IoctlRequest:
    ctl_code: int
    file_id: bytes
    input_offset: int  # from the start of the SMB2 header
    input_count: int

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> IoctlRequest | None:
        if len(buf) - off < _REQUEST.size:
            return None
        _size, _reserved, ctl, fid, ioff, icount = _REQUEST.unpack_from(buf, off)[:6]
        return cls(ctl, fid, ioff, icount)


@dataclass(slots=True, frozen=True)
class IoctlResponse:
    ctl_code: int
    file_id: bytes
    output_offset: int  # from the start of the SMB2 header
    output_count: int

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> IoctlResponse | None:
        if len(buf) - off < _RESPONSE.size:
            return None
        f = _RESPONSE.unpack_from(buf, off)
        return cls(f[2], f[3], f[6], f[7])


def request(conn: Connection, p: Packet) -> list[Event]:
    req = IoctlRequest.parse(p.body)
    if req is None:
        return []
    f = p.file(conn, req.file_id)
    if req.ctl_code != FSCTL_PIPE_TRANSCEIVE or f is None or f.pipe is None:
        return []
    conn.pending[p.header.message_id] = Pending(Command.IOCTL, file=f)
    return p.window(req.input_offset, req.input_count, PipeTarget(conn, f.pipe, Direction.C2S))


def response(conn: Connection, p: Packet, pend: Pending) -> list[Event]:
    resp = IoctlResponse.parse(p.body)
    f = pend.file
    if resp is None or resp.ctl_code != FSCTL_PIPE_TRANSCEIVE or f is None or f.pipe is None:
        return []
    return p.window(resp.output_offset, resp.output_count, PipeTarget(conn, f.pipe, Direction.S2C))
