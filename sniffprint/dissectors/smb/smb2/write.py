"""SMB2 WRITE: data written to a print file (the document) or to a named pipe (DCE/RPC).

Read from: MS-SMB2 2.2.21 (request: DataOffset, Length, Offset, FileId), 3.3.5.13.

Where the data goes is decided by the file: a file on a print share hands it to its print job at
the file offset (a job is started here if the CREATE was not seen, even for a FileId never seen
when its tree is a known print share, but never for the related FileId of a chain without a
CREATE: it names no file); a followed pipe hands it to its DCE/RPC stream; a file on
a disk share is a copy, not printing, and its bytes are not read. The response adds nothing.

Invariants: when the WRITE is the last command of a message too long to buffer, only the data in
the buffered prefix is handed on here, and the reader streams the rest of the data window to the
same target as it arrives (``nbss.Reader.stream_rest``); bytes outside the window are skipped.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from ...events import Event
from .. import printjob
from ..nbss import Target
from ..pipe import PipeTarget
from ..printjob import PrintTarget
from ..state import Connection, File, ShareType
from .header import RELATED_FID
from .packet import Packet

# StructureSize 49, DataOffset, Length, Offset, FileId, Channel, RemainingBytes,
# WriteChannelInfoOffset, WriteChannelInfoLength, Flags
_REQUEST = struct.Struct("<HHIQ16sIIHHI")


@dataclass(slots=True, frozen=True)
class WriteRequest:
    data_offset: int  # from the start of the SMB2 header
    length: int
    offset: int  # in the file
    file_id: bytes

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> WriteRequest | None:
        if len(buf) - off < _REQUEST.size:
            return None
        _size, doff, length, foff, fid = _REQUEST.unpack_from(buf, off)[:5]
        return cls(doff, length, foff, fid)


def _unknown_file(conn: Connection, fid: bytes, tid: int | None, sid: int) -> File | None:
    """A WRITE to a FileId whose CREATE was not seen: on a known print tree it still prints."""
    tree = conn.trees.get(tid) if tid is not None else None
    if tree is None or tree.share_type != ShareType.PRINT:
        return None
    f = File("", tree, sid)
    conn.files[fid] = f
    return f


def request(conn: Connection, p: Packet) -> list[Event]:
    req = WriteRequest.parse(p.body)
    if req is None:
        return []
    f = p.file(conn, req.file_id)
    if f is None and req.file_id != RELATED_FID:
        f = _unknown_file(conn, req.file_id, p.tree_id, p.session_id)
    if f is None:
        return []
    out: list[Event] = []
    streamed = p.streamed_beyond > 0 and p.off + req.data_offset + req.length > len(p.msg)
    target: Target
    if f.printing:
        out += printjob.start(conn, f)
        target = PrintTarget(f.job, req.offset, streamed)
    elif f.pipe is not None:
        target = PipeTarget(conn, f.pipe)
    else:
        return out  # a file copy to a disk share: not printing, its bytes are not read
    return out + p.window(req.data_offset, req.length, target)
