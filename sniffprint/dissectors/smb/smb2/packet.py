"""One SMB2 command as the command parsers see it, and the state a compound chain carries.

Read from: MS-SMB2 3.2.4.1.4 and 3.3.5.2.7.2 (related operations in a compound: a TreeId of
0xFFFFFFFF, a SessionId of all ones and a FileId of all 0xFF stand for the previous command's).

A compound may open a tree and a file in one message (TREE_CONNECT + CREATE): the chain carries
the tree the TREE_CONNECT request asks for, whose type its response fills in, so the related
CREATE's file belongs to it before any TreeId is known.

Invariants: ``Packet.tree_id`` and ``session_id`` are already resolved for related operations;
offsets inside a command (DataOffset, NameOffset, ...) count from its header, so a parser reads
them from ``msg`` at ``off`` (``body`` is only the bytes between this header and the next one).
``Packet.window`` hands a data buffer on whole, also when the framing streams the part of it
that was not buffered.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...events import Event
from .header import RELATED_FID, Smb2Header

if TYPE_CHECKING:
    from ..nbss import Reader, Target
    from ..state import Connection, File, Tree


@dataclass(slots=True)
class Chain:
    """What later commands of one compound message inherit from earlier ones."""

    tree_id: int | None = None
    session_id: int = 0
    file: File | None = None  # the file the last CREATE request of the chain opens
    tree: Tree | None = None  # the tree the last TREE_CONNECT request of the chain asks for


@dataclass(slots=True)
class Packet:
    header: Smb2Header
    tree_id: int | None  # resolved for related operations; None in an async response
    session_id: int
    msg: bytes  # the whole SMB2 message, every command of a compound
    off: int  # where this command's header starts in ``msg``
    body: bytes  # msg[off + 64 : next command or end]
    stream: Reader | None  # the framing, when this is the last command of a message too long to buffer
    chain: Chain

    def span(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset`` from this command's header (a buffer it points at)."""
        return self.msg[self.off + offset: self.off + offset + length]

    @property
    def streamed_beyond(self) -> int:
        """Bytes of this (last, large) command that the framing will stream after ``msg``."""
        return self.stream.left if self.stream is not None else 0

    def window(self, offset: int, length: int, target: Target) -> list[Event]:
        """Hand the ``length`` bytes at ``offset`` (from this command's header) to ``target``: the
        part the buffered message holds now, the rest as the framing streams it in."""
        msg = self.msg
        start, stop = self.off + offset, self.off + offset + length
        out: list[Event] = []
        if start < len(msg):
            out += target.data(0, msg[start:min(stop, len(msg))])
        if stop > len(msg) and self.stream is not None and self.stream.left > 0:
            self.stream.stream_rest(len(msg), start, stop, target)
        return out

    def file(self, conn: Connection, fid: bytes) -> File | None:
        """The open ``fid`` names: a related FileId is the chain's CREATE, else the open table's."""
        return self.chain.file if fid == RELATED_FID else conn.files.get(fid)


def utf16(b: bytes) -> str:
    """A UTF-16LE name as SMB2 sends it (MS-SMB2 2.2.13: names are not NUL-terminated; some are)."""
    return b.decode("utf-16-le", "replace").rstrip("\x00")
