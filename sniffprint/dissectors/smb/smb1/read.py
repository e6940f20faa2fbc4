"""SMB1 READ_ANDX on a named pipe: the server's side of a DCE/RPC exchange.

Read from: MS-CIFS 2.2.4.42.1 (request: FID at word offset 4), 2.2.4.42.2 (response: DataLength
and DataOffset from the header), MS-SMB 2.2.4.4.2 (DataLengthHigh for large reads), 2.2.2.4
(ERRmoredata / STATUS_BUFFER_OVERFLOW: a pipe message longer than the read; the data is there).

Only reads of a followed pipe are remembered; the response's data goes to the pipe's
server-to-client stream (streamed when the message is longer than the framing buffers).
"""
from __future__ import annotations

from ....model import Direction
from ...events import Event
from ..pipe import PipeTarget
from ..state import Connection, Pending
from .header import READ_ANDX
from .packet import Packet


def request(conn: Connection, p: Packet) -> list[Event]:
    fid = p.block.u16(4)
    f = conn.files.get(fid.to_bytes(2, "little")) if fid is not None else None
    if f is not None and f.pipe is not None:
        p.remember(conn, Pending(READ_ANDX, file=f))
    return []


def response(conn: Connection, p: Packet, pend: Pending | None) -> list[Event]:
    b = p.block
    length, doff, high = b.u16(10), b.u16(12), b.u16(14)
    if not p.header.ok or pend is None or pend.file is None or pend.file.pipe is None:
        return []
    if length is None or doff is None:
        return []
    length |= (high or 0) << 16
    return p.window(doff, length, PipeTarget(conn, pend.file.pipe, Direction.S2C))
