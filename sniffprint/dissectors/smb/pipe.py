"""Named pipes over SMB: the bytes written to and read from a pipe, routed to its DCE/RPC stream.

Read from: MS-SMB2 3.2.4.6-3.2.4.7 and 3.3.5.12-3.3.5.13 (READ and WRITE on a pipe), 2.2.31 and
3.3.5.15.4 (FSCTL_PIPE_TRANSCEIVE: a write and a read in one IOCTL), MS-CIFS 2.2.5.6
(TRANS_TRANSACT_NMPIPE) and 2.2.4.42-43 (READ_ANDX / WRITE_ANDX on a pipe), MS-RPCE 2.1.1.2 (RPC
over SMB named pipes), MS-RPRN 2.1 (spoolss is ``\\PIPE\\spoolss``).

A file opened on a pipe share (IPC$) with a pipe name in ``RPC_PIPES`` gets a ``Pipe``: at its
CREATE request when the tree is known, else at the CREATE response (a CREATE compounded with its
TREE_CONNECT names a tree whose type is not known yet). From then on every parser that moves
bytes on that file (WRITE and IOCTL requests to the server, READ and IOCTL responses to the
client; SMB1's WRITE_ANDX, READ_ANDX and TRANSACTION alike) hands them to ``Pipe.feed`` with their
direction, and a hole in them to ``Pipe.gap``. Each pipe file has its own ``RpcConversation``, so
two pipes on one connection never mix; their flow facts are merged in the connection's
``RpcFacts``.

A spoolss job is sent by whoever opened the pipe: the SMB session the pipe file was created in
names its user and host (before any name the RPC layer finds, so it wins).

Invariants:
- Only the pipe names in ``RPC_PIPES`` are followed; other pipes are not read.
- A hole in a pipe's bytes reaches its DCE/RPC parser (``RpcConversation.gap``), which stays in
  step or resynchronises at the next PDU header; the SMB dissector goes on either way.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...model import Direction
from ..dcerpc import RpcConversation
from ..events import Event, JobField, JobStarted, PrintSeen
from .state import ShareType

if TYPE_CHECKING:
    from .state import Connection, Tree

RPC_PIPES = frozenset({"spoolss"})  # MS-RPRN's pipe; compared without the leading "\" and case


def followed(tree: Tree | None, name: str) -> str | None:
    """The pipe ``name`` names on ``tree``, when it is a pipe share and a pipe that is followed."""
    if tree is None or tree.share_type != ShareType.PIPE:
        return None
    pipe = name.lower().replace("\\pipe\\", "").lstrip("\\")
    return pipe if pipe in RPC_PIPES else None


class Pipe:
    """One named pipe file and the DCE/RPC association its bytes carry."""

    __slots__ = ("name", "session", "rpc")

    def __init__(self, name: str, conn: Connection, session: int) -> None:
        self.name = name
        self.session = session  # the SessionId (SMB1: UID) the pipe was opened under
        self.rpc = RpcConversation(conn.rpc, "smb", conn.next_job_key)

    @classmethod
    def opened(cls, conn: Connection, tree: Tree | None, name: str, session: int) -> Pipe | None:
        """The pipe a CREATE of ``name`` on ``tree`` opens, when it is one that is followed."""
        pipe = followed(tree, name)
        return cls(pipe, conn, session) if pipe is not None else None

    def feed(self, conn: Connection, direction: Direction, data: bytes) -> list[Event]:
        """Bytes of the pipe in ``direction``, in order; RPC events with the SMB user added."""
        return self._routed(conn, self.rpc.feed(direction, data))

    def gap(self, conn: Connection, direction: Direction, length: int) -> list[Event]:
        return self._routed(conn, self.rpc.gap(direction, length))

    def close(self, conn: Connection) -> list[Event]:
        """The pipe file was closed: its RPC association is over."""
        return self.rpc.close()

    def _routed(self, conn: Connection, events: list[Event]) -> list[Event]:
        out: list[Event] = []
        for ev in events:
            out.append(ev)
            if type(ev) is JobStarted:
                auth = conn.auth_for(self.session)
                if auth is not None and auth.user:
                    out.append(JobField("user", auth.user, "smb", key=ev.key))
                if auth is not None and auth.workstation:
                    out.append(JobField("host", auth.workstation, "smb", key=ev.key))
            elif type(ev) is PrintSeen and ev.value:
                conn.print_share = True
        return out


class PipeTarget:
    """Where the data window of a message on a pipe goes (a WRITE's data: the client-to-server
    stream; a READ's: server to client), also when the message is too long to buffer and the
    framing streams it."""

    __slots__ = ("conn", "pipe", "direction")

    def __init__(self, conn: Connection, pipe: Pipe, direction: Direction = Direction.C2S) -> None:
        self.conn, self.pipe, self.direction = conn, pipe, direction

    def data(self, rel: int, b: bytes) -> list[Event]:
        return self.pipe.feed(self.conn, self.direction, b)

    def gap(self, rel: int, n: int) -> list[Event]:
        return self.pipe.gap(self.conn, self.direction, n)
