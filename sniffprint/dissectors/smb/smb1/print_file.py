"""SMB1 print files: OPEN_PRINT_FILE, WRITE_PRINT_FILE and CLOSE_PRINT_FILE (the LAN Manager way).

Read from: MS-CIFS 2.2.4.67 (OPEN_PRINT_FILE request: SetupLength, Mode, then an 0x04 buffer with
the Identifier, the job's name; response: the FID), 2.2.4.68 (WRITE_PRINT_FILE: the FID, then an
0x01 data buffer: data appended to the print file), 2.2.4.69 (CLOSE_PRINT_FILE: the FID; the job
is queued: ``close.request`` ends the job, as for CLOSE).

A print file is a print job whatever the tree says: it is opened by a print command. Its data has
no offsets: each WRITE_PRINT_FILE appends to the file (``File.appended``).
"""
from __future__ import annotations

from ...events import Event
from .. import printjob
from ..printjob import PrintTarget
from ..state import Connection, File, Pending, ShareType, Tree
from .header import OPEN_PRINT_FILE, string
from .packet import Packet

STRING_BUFFER = 0x04  # SMB_Data buffer format of a string (the Identifier)
DATA_BUFFER = 0x01


def open_request(conn: Connection, p: Packet) -> list[Event]:
    b = p.block
    name = ""
    if b.data[:1] == bytes([STRING_BUFFER]):
        name, _ = string(p.msg, b.data_off + 1, p.unicode)
    tree = conn.trees.get(p.header.tid)
    if tree is None or tree.share_type != ShareType.PRINT:
        tree = Tree(tree.path if tree is not None else "", share_type=ShareType.PRINT)
    p.remember(conn, Pending(OPEN_PRINT_FILE, file=File(name, tree, p.header.uid)))
    return []


def open_response(conn: Connection, p: Packet, pend: Pending | None) -> list[Event]:
    fid = p.block.u16(0)
    if not p.header.ok or pend is None or pend.file is None or fid is None:
        return []
    f = pend.file
    conn.files[fid.to_bytes(2, "little")] = f
    return conn.saw_print_share() + printjob.start(conn, f)


def _file(conn: Connection, p: Packet) -> File | None:
    fid = p.block.u16(0)
    return conn.files.get(fid.to_bytes(2, "little")) if fid is not None else None


def write_request(conn: Connection, p: Packet) -> list[Event]:
    b = p.block
    f = _file(conn, p)
    if f is None or not f.printing or b.data[:1] != bytes([DATA_BUFFER]) or len(b.data) < 3:
        return []
    length = int.from_bytes(b.data[1:3], "little")
    out = printjob.start(conn, f)
    at = f.appended
    f.appended += length
    streamed = p.streamed_beyond > 0 and b.data_off + 3 + length > len(p.msg)
    return out + p.window(b.data_off + 3, length, PrintTarget(f.job, at, streamed))

