"""SMB1 TREE_CONNECT_ANDX: the share asked for, and its type from the service the server names.

Read from: MS-CIFS 2.2.4.55.1 (request: Flags, PasswordLength, then Password, Path (SMB_STRING)
and Service (OEM): "A:", "LPT1:", "IPC", "COMM" or "?????"), 2.2.4.55.2 (response: the TID in the
header, then Service and NativeFileSystem), 3.3.5.2.

What decides ``print``: the response's Service "LPT1:" (a printer). "IPC" is a pipe share, where
``\\spoolss`` is followed; "A:" a disk. The flow fact ``smb_share`` lists the shares as for SMB2.

Invariants: a response without its request (the capture began later) still types the tree, with
no name; only a successful response files the tree under its TID.
"""
from __future__ import annotations

from ...events import Event
from ..smb2.tree_connect import share_fact
from ..state import Connection, Pending, ShareType, Tree
from .header import TREE_CONNECT_ANDX, oem, string
from .packet import Packet

SERVICES = {"LPT1:": ShareType.PRINT, "IPC": ShareType.PIPE, "A:": ShareType.DISK}


def request(conn: Connection, p: Packet) -> list[Event]:
    b = p.block
    pw_len = b.u16(6) or 0
    path, _ = string(p.msg, b.data_off + pw_len, p.unicode)
    p.remember(conn, Pending(TREE_CONNECT_ANDX, tree=Tree(path)))
    return []


def response(conn: Connection, p: Packet, pend: Pending | None) -> list[Event]:
    if not p.header.ok or not p.block.words:
        return []
    service, _ = oem(p.msg, p.block.data_off)
    tree = pend.tree if pend is not None and pend.tree is not None else Tree("")
    tree.share_type = SERVICES.get(service, 0)
    conn.trees[p.header.tid] = tree
    out: list[Event] = []
    if tree.share_type == ShareType.PRINT:
        out += conn.saw_print_share()
    return out + (share_fact(conn, tree) if tree.path else [])
