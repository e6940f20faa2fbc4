"""SMB1 CLOSE: the end of a file, and of its print job or its pipe's RPC association.

Read from: MS-CIFS 2.2.4.5.1 (request: FID, LastTimeModified), 3.3.5.7.

As for SMB2 (``smb2.close``): the request is enough; the response adds nothing.
"""
from __future__ import annotations

from ...events import Event
from ..state import Connection
from .packet import Packet


def request(conn: Connection, p: Packet) -> list[Event]:
    fid = p.block.u16(0)
    f = conn.files.pop(fid.to_bytes(2, "little"), None) if fid is not None else None
    if f is None:
        return []
    f.closed = True
    return f.job.end() + (f.pipe.close(conn) if f.pipe is not None else [])
