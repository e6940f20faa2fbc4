"""SMB1 WRITE_ANDX and WRITE: data written to a print file (the document) or to a named pipe.

Read from: MS-CIFS 2.2.4.43.1 (WRITE_ANDX request: FID, Offset, WriteMode, Remaining,
DataLength, DataOffset from the header, OffsetHigh with 14 words), MS-SMB 2.2.4.5.1
(DataLengthHigh: the high 16 bits of the length for large writes), MS-CIFS 2.2.4.12.1 (WRITE:
FID, CountOfBytesToWrite, WriteOffsetInBytes; data in a 0x01 data buffer), 3.2.4.2 and <304>
(a pipe message written over several requests sets RAW_MODE, its first request MSG_START too,
and that one begins with a 2-byte message length that servers skip; MSG_START alone, as
impacket and Samba send it for a message in one request, has no prefix).

As for SMB2 (``smb2.write``): a print file's data goes to its job at the file offset, a followed
pipe's to its DCE/RPC stream, a disk file's is not read. A write to a FID never opened in the
capture on a known print tree still prints.

Invariants: a write longer than what the framing buffers is streamed to the same target.
"""
from __future__ import annotations

from ...events import Event
from .. import printjob
from ..nbss import Target
from ..pipe import PipeTarget
from ..printjob import PrintTarget
from ..state import Connection, File, ShareType
from .packet import Packet

RAW_MODE = 0x0004  # WriteMode: a pipe message written over several requests
MSG_START = 0x0008  # WriteMode: the start of a message on a named pipe
PREFIXED = RAW_MODE | MSG_START  # the first of such writes starts with the 2-byte message length
DATA_BUFFER = 0x01  # SMB_Data buffer format of a data block


def file_for(conn: Connection, p: Packet, fid: int) -> File | None:
    """The open FID names, or a print file on a known print tree whose open was not seen."""
    key = fid.to_bytes(2, "little")
    f = conn.files.get(key)
    if f is None:
        tree = conn.trees.get(p.header.tid)
        if tree is not None and tree.share_type == ShareType.PRINT:
            f = conn.files[key] = File("", tree, p.header.uid)
    return f


def _write(conn: Connection, p: Packet, f: File, foff: int, doff: int, length: int) -> list[Event]:
    target: Target
    out: list[Event] = []
    if f.printing:
        out += printjob.start(conn, f)
        streamed = p.streamed_beyond > 0 and doff + length > len(p.msg)
        target = PrintTarget(f.job, foff, streamed)
    elif f.pipe is not None:
        target = PipeTarget(conn, f.pipe)
    else:
        return out  # a file copy to a disk share
    return out + p.window(doff, length, target)


def andx_request(conn: Connection, p: Packet) -> list[Event]:
    b = p.block
    fid, offset, mode, remaining = b.u16(4), b.u32(6), b.u16(14), b.u16(16)
    high, length, doff = b.u16(18), b.u16(20), b.u16(22)
    if fid is None or offset is None or length is None or doff is None:
        return []
    f = file_for(conn, p, fid)
    if f is None:
        return []
    length |= (high or 0) << 16
    offset |= (b.u32(24) or 0) << 32
    if f.pipe is not None and mode is not None and mode & PREFIXED == PREFIXED and remaining and length >= 2:
        doff, length = doff + 2, length - 2  # the message length prefix, not pipe data
    return _write(conn, p, f, offset, doff, length)


def write_request(conn: Connection, p: Packet) -> list[Event]:
    b = p.block
    fid, count, offset = b.u16(0), b.u16(2), b.u32(4)
    if fid is None or count is None or offset is None or b.data[:1] != bytes([DATA_BUFFER]):
        return []
    f = file_for(conn, p, fid)
    if f is None:
        return []
    return _write(conn, p, f, offset, b.data_off + 3, count)
