"""SMB2 TREE_CONNECT: the share asked for, and whether it is a print share.

Read from: MS-SMB2 2.2.9 (request; 2.2.9.1 the 3.1.1 TREE_CONNECT request extension), 2.2.10
(response: ShareType, ShareFlags, Capabilities), 3.3.5.7.

What decides ``print``: the response's ShareType 0x03 (SMB2_SHARE_TYPE_PRINT). The request's path
is remembered under its MessageId; the response files it under its TreeId. Flow facts:
``smb_share`` (the print shares when there are any, else the shares used, IPC$ aside) and
``smb_encryption_required`` (SMB2_SHAREFLAG_ENCRYPT_DATA).

Invariants: the path is read from the message, or, when the 3.1.1 extension moves it, from the
body; a response is read only as the successful answer to a TREE_CONNECT request seen.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from ...events import Event, FlowFact
from ..state import Connection, Pending, ShareType, Tree
from .header import Command
from .packet import Packet, utf16

SHAREFLAG_ENCRYPT_DATA = 0x00008000  # SMB2_SHAREFLAG_ENCRYPT_DATA
TREE_FLAG_EXTENSION_PRESENT = 0x0004  # 3.1.1: the buffer starts with a TREE_CONNECT extension
_UNC_START = b"\\\x00\\\x00"  # "\\" in UTF-16LE: where a UNC path begins

_REQUEST = struct.Struct("<HHHH")  # StructureSize 9, Flags (Reserved before 3.1.1), PathOffset, PathLength
# StructureSize 16, ShareType, Reserved, ShareFlags, Capabilities, MaximalAccess
_RESPONSE = struct.Struct("<HBBIII")


@dataclass(slots=True, frozen=True)
class TreeConnectRequest:
    flags: int
    path_offset: int  # from the start of the SMB2 header
    path_length: int

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> TreeConnectRequest | None:
        if len(buf) - off < _REQUEST.size:
            return None
        _size, flags, poff, plen = _REQUEST.unpack_from(buf, off)
        return cls(flags, poff, plen)


@dataclass(slots=True, frozen=True)
class TreeConnectResponse:
    share_type: int
    share_flags: int
    capabilities: int

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> TreeConnectResponse | None:
        if len(buf) - off < _RESPONSE.size:
            return None
        _size, share_type, _reserved, flags, caps, _access = _RESPONSE.unpack_from(buf, off)
        return cls(share_type, flags, caps)


def request(conn: Connection, p: Packet) -> list[Event]:
    req = TreeConnectRequest.parse(p.body)
    if req is None:
        return []
    path = utf16(p.span(req.path_offset, req.path_length))
    if not path.startswith("\\\\"):
        i = p.body.find(_UNC_START, _REQUEST.size)  # 3.1.1 extension: the path follows the extension
        path = utf16(p.body[i:i + req.path_length]) if i >= 0 else path
    tree = Tree(path)
    conn.pending[p.header.message_id] = Pending(Command.TREE_CONNECT, tree=tree)
    p.chain.tree = tree  # a related CREATE in the same compound opens a file on it
    return []


def response(conn: Connection, p: Packet, pend: Pending) -> list[Event]:
    resp = TreeConnectResponse.parse(p.body)
    if resp is None or pend.tree is None or p.tree_id is None:
        return []
    tree = pend.tree
    tree.share_type, tree.flags, tree.capabilities = resp.share_type, resp.share_flags, resp.capabilities
    conn.trees[p.tree_id] = tree
    out: list[Event] = []
    if tree.flags & SHAREFLAG_ENCRYPT_DATA:
        out += conn.require_encryption()
    if tree.share_type == ShareType.PRINT:
        out += conn.saw_print_share()
    return out + share_fact(conn, tree)


def share_fact(conn: Connection, tree: Tree) -> list[Event]:
    """smb_share: the print shares when there are any, else the shares used (IPC$ aside)."""
    if tree.share_type == ShareType.PIPE or tree.share in conn.shares:
        return []
    if tree.share_type == ShareType.PRINT:
        if not conn.shares or not conn.print_only:
            conn.shares = []
            conn.print_only = True
        conn.shares.append(tree.share)
    elif conn.print_only:
        return []
    else:
        conn.shares.append(tree.share)
    return [FlowFact("smb_share", ",".join(conn.shares))]
