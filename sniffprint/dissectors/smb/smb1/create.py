"""SMB1 NT_CREATE_ANDX and OPEN_ANDX: a file or pipe opened on a tree, given its FID in the response.

Read from: MS-CIFS 2.2.4.64.1 (NT_CREATE_ANDX request: NameLength at word offset 5, the FileName
after a pad byte when Unicode), 2.2.4.64.2 (response: FID after AndX and OplockLevel), 2.2.4.41.1
/ 2.2.4.41.2 (OPEN_ANDX: FileName as an SMB_STRING; the response's FID right after AndX).

As for SMB2 (``smb2.create``): the request creates the ``File`` (a ``Pipe`` for a followed pipe
on IPC$), the response files it under its FID, and a file on a print share starts its print job.

Invariants: names are read only inside the message; a response is read only as the successful
answer to a request seen.
"""
from __future__ import annotations

from ...events import Event
from .. import printjob
from ..pipe import Pipe
from ..state import Connection, File, Pending
from .header import NT_CREATE_ANDX, OPEN_ANDX, string
from .packet import Packet

FID_AT = {NT_CREATE_ANDX: 5, OPEN_ANDX: 4}  # the FID's offset in the response words


def _open(conn: Connection, p: Packet, name: str) -> list[Event]:
    h = p.header
    tree = conn.trees.get(h.tid)
    f = File(name, tree, h.uid, pipe=Pipe.opened(conn, tree, name, h.uid))
    p.remember(conn, Pending(p.command, file=f))
    return []


def nt_create_request(conn: Connection, p: Packet) -> list[Event]:
    b = p.block
    n = b.u16(5)
    if n is None:
        return []
    at = b.data_off + ((b.data_off & 1) if p.unicode else 0)  # Unicode names start on an even offset
    raw = p.msg[at:at + n]
    name = raw.decode("utf-16-le", "replace") if p.unicode else raw.decode("latin-1")
    return _open(conn, p, name.rstrip("\x00"))


def open_request(conn: Connection, p: Packet) -> list[Event]:
    name, _ = string(p.msg, p.block.data_off, p.unicode)
    return _open(conn, p, name)


def response(conn: Connection, p: Packet, pend: Pending | None) -> list[Event]:
    fid = p.block.u16(FID_AT.get(p.command, 4))
    if not p.header.ok or pend is None or pend.file is None or fid is None:
        return []
    f = pend.file
    conn.files[fid.to_bytes(2, "little")] = f
    if f.pipe is None:
        f.pipe = Pipe.opened(conn, f.tree, f.name, f.session)
    return printjob.start(conn, f) if f.printing else []
