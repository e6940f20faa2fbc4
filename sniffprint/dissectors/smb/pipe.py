"""Named pipes over SMB: the bytes written to and read from a pipe, routed to its DCE/RPC stream.

Read from: MS-SMB2 3.2.4.6-3.2.4.7 and 3.3.5.12-3.3.5.13 (READ and WRITE on a pipe), 2.2.31 and
3.3.5.15.4 (FSCTL_PIPE_TRANSCEIVE: a write and a read in one IOCTL), MS-RPCE 2.1.1.2 (RPC over
SMB named pipes), MS-RPRN 2.1 (spoolss is ``\\PIPE\\spoolss``).

A file CREATEd on a pipe share (IPC$) with a pipe name the dissector knows gets a ``Pipe``; from
then on every parser that moves bytes on that file (WRITE and IOCTL requests to the server, READ
and IOCTL responses to the client; SMB1's WRITE_ANDX, READ_ANDX and TRANSACTION alike) hands
them to ``Pipe.feed`` with their direction, and the pipe's ``RpcPipe`` cuts them into PDUs. Each
pipe file has its own stream, so two pipes on one connection never mix.

Invariants:
- Only the pipe names in ``RPC_PIPES`` are followed; other pipes are not read.
- A hole in a pipe's bytes ends the parsing of that pipe (a PDU stream cannot be re-framed), with
  one ``Note``; the SMB dissector goes on.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...model import Direction
from ..dcerpc import RpcPipe
from ..events import Event, JobField, JobStarted, Note, PrintSeen
from .state import ShareType

if TYPE_CHECKING:
    from .state import Connection, Tree

RPC_PIPES = frozenset({"spoolss"})  # MS-RPRN's pipe; compared without the leading "\" and case


class Pipe:
    """One named pipe file and the DCE/RPC stream its bytes carry."""

    __slots__ = ("name", "rpc")

    def __init__(self, name: str) -> None:
        self.name = name
        self.rpc = RpcPipe()

    @classmethod
    def opened(cls, tree: Tree | None, name: str) -> Pipe | None:
        """The pipe a CREATE of ``name`` on ``tree`` opens, when it is one that is followed."""
        if tree is None or tree.share_type != ShareType.PIPE:
            return None
        pipe = name.lower().lstrip("\\")
        return cls(pipe) if pipe in RPC_PIPES else None

    def feed(self, conn: Connection, direction: Direction, data: bytes) -> list[Event]:
        """Bytes of the pipe in ``direction``, in order; RPC events with the SMB user added."""
        out: list[Event] = []
        for ev in self.rpc.feed(direction, data):
            out.append(ev)
            # a spoolss job is sent by whoever authenticated on the connection
            if type(ev) is JobStarted and conn.last_auth is not None and conn.last_auth.user:
                out.append(JobField("user", conn.last_auth.user, "smb"))
            if type(ev) is PrintSeen and ev.value:
                conn.print_share = True
        return out


class PipeTarget:
    """Where the data window of a message on a pipe goes (a WRITE's data: the client-to-server
    stream), also when the message is too long to buffer and the framing streams it."""

    __slots__ = ("conn", "pipe", "direction")

    def __init__(self, conn: Connection, pipe: Pipe, direction: Direction = Direction.C2S) -> None:
        self.conn, self.pipe, self.direction = conn, pipe, direction

    def data(self, rel: int, b: bytes) -> list[Event]:
        return self.pipe.feed(self.conn, self.direction, b)

    def gap(self, rel: int, n: int) -> list[Event]:
        self.pipe.rpc.dead = True  # a PDU stream with a hole cannot be re-framed
        what = "write" if self.direction is Direction.C2S else "read"
        return [Note("dcerpc_unparsed", f"{n} bytes of a pipe {what} missing")]
