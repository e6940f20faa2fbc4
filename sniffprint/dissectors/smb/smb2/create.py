"""SMB2 CREATE: a file or pipe opened on a tree, named in the request, given its FileId in the response.

Read from: MS-SMB2 2.2.13 (request: NameOffset, NameLength), 2.2.14 (response: FileId),
3.3.5.9, 3.2.4.1.4 (a CREATE that opens a compound chain: later related commands use its file).

The request creates the ``File`` (its name, tree and session; a ``Pipe`` when it opens a followed
named pipe on IPC$), remembers it under the MessageId, and makes it the chain's file. A related
CREATE compounded after a TREE_CONNECT gets that request's tree, whose type the TREE_CONNECT
response (which comes first) fills in. The response files it under its FileId; a file on a print
share starts its print job there, and a followed pipe whose tree was not known at the request
gets its ``Pipe`` there.

Invariants: the name is read only inside the message; a response is read only as the successful
answer to a CREATE request seen.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from ...events import Event
from .. import printjob
from ..pipe import Pipe
from ..state import Connection, File, Pending
from .header import FLAG_RELATED, RELATED_TREE, Command
from .packet import Packet, utf16

# StructureSize 57, SecurityFlags, RequestedOplockLevel, ImpersonationLevel, SmbCreateFlags,
# Reserved, DesiredAccess, FileAttributes, ShareAccess, CreateDisposition, CreateOptions,
# NameOffset, NameLength, CreateContextsOffset, CreateContextsLength
_REQUEST = struct.Struct("<HBBIQQIIIIIHHII")
# StructureSize 89, OplockLevel, Flags, CreateAction, CreationTime, LastAccessTime, LastWriteTime,
# ChangeTime, AllocationSize, EndofFile, FileAttributes, Reserved2, FileId, CreateContextsOffset,
# CreateContextsLength
_RESPONSE = struct.Struct("<HBBIQQQQQQII16sII")


@dataclass(slots=True, frozen=True)
class CreateRequest:
    name_offset: int  # from the start of the SMB2 header
    name_length: int

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> CreateRequest | None:
        if len(buf) - off < _REQUEST.size:
            return None
        f = _REQUEST.unpack_from(buf, off)
        return cls(name_offset=f[11], name_length=f[12])


@dataclass(slots=True, frozen=True)
class CreateResponse:
    file_id: bytes

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> CreateResponse | None:
        if len(buf) - off < _RESPONSE.size:
            return None
        return cls(file_id=_RESPONSE.unpack_from(buf, off)[12])


def request(conn: Connection, p: Packet) -> list[Event]:
    req = CreateRequest.parse(p.body)
    if req is None:
        return []
    name = utf16(p.span(req.name_offset, req.name_length)) if req.name_length else ""
    tree = conn.trees.get(p.tree_id) if p.tree_id is not None else None
    if tree is None and p.header.flags & FLAG_RELATED and p.header.tree_id in (None, RELATED_TREE, 0):
        tree = p.chain.tree  # TREE_CONNECT + CREATE in one compound: the tree has no id yet
    f = File(name, tree, p.session_id, pipe=Pipe.opened(conn, tree, name, p.session_id))
    conn.pending[p.header.message_id] = Pending(Command.CREATE, file=f)
    p.chain.file = f
    return []


def response(conn: Connection, p: Packet, pend: Pending) -> list[Event]:
    resp = CreateResponse.parse(p.body)
    if resp is None or pend.file is None:
        return []
    f = pend.file
    conn.files[resp.file_id] = f
    if f.pipe is None:
        f.pipe = Pipe.opened(conn, f.tree, f.name, f.session)
    return printjob.start(conn, f) if f.printing else []
