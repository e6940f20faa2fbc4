"""SMB2 CLOSE: the end of a file, and of its print job.

Read from: MS-SMB2 2.2.15 (request: FileId), 3.3.5.10.

The request is enough: the file leaves the open table, is marked closed (a compound's CREATE
response may still arrive for it), and its print job, if one is open, ends: held WRITE data goes
out with a ``DocumentGap`` per hole, then ``JobEnded``. A pipe's RPC association ends with it
(spoolss jobs still open on it were cut). The response adds nothing.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from ...events import Event
from ..state import Connection
from .header import RELATED_FID
from .packet import Packet

_REQUEST = struct.Struct("<HHI16s")  # StructureSize 24, Flags, Reserved, FileId


@dataclass(slots=True, frozen=True)
class CloseRequest:
    file_id: bytes

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> CloseRequest | None:
        if len(buf) - off < _REQUEST.size:
            return None
        return cls(file_id=_REQUEST.unpack_from(buf, off)[3])


def request(conn: Connection, p: Packet) -> list[Event]:
    req = CloseRequest.parse(p.body)
    if req is None:
        return []
    # a related CLOSE names the chain's file, which the open table may not hold yet
    f = p.chain.file if req.file_id == RELATED_FID else conn.files.pop(req.file_id, None)
    if f is None:
        return []
    f.closed = True
    return f.job.end() + (f.pipe.close(conn) if f.pipe is not None else [])
