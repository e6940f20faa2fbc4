"""One SMB1 command block as the command parsers see it (MS-CIFS 2.2.3, 2.2.3.4).

An AndX chain holds several command blocks in one message; each parser gets its own block, the
shared header (its TID, UID, PID and MID name the tree, session and request for every block) and
the whole message (offsets such as DataOffset count from the header start, that is ``msg[0]``).

Invariants: ``window`` hands a data buffer on whole, also when the framing streams the part the
buffered message does not hold (a WRITE_ANDX or READ_ANDX longer than ``nbss.INLINE_MAX``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...events import Event
from .header import Block, Smb1Header

if TYPE_CHECKING:
    from ..nbss import Reader, Target
    from ..state import Connection, Pending


@dataclass(slots=True)
class Packet:
    header: Smb1Header
    command: int  # this block's command (the header's for the first block, AndXCommand after)
    msg: bytes
    block: Block
    stream: Reader | None  # the framing, when the message is too long to buffer

    @property
    def unicode(self) -> bool:
        return self.header.unicode

    @property
    def streamed_beyond(self) -> int:
        return self.stream.left if self.stream is not None else 0

    def window(self, offset: int, length: int, target: Target) -> list[Event]:
        """Hand ``length`` bytes at ``offset`` (from the header) to ``target``: what the buffered
        message holds now, the rest as the framing streams it."""
        msg = self.msg
        stop = offset + length
        out: list[Event] = []
        if offset < len(msg):
            out += target.data(0, msg[offset:min(stop, len(msg))])
        if stop > len(msg) and self.stream is not None and self.stream.left > 0:
            self.stream.stream_rest(len(msg), offset, stop, target)
        return out

    def remember(self, conn: Connection, pend: Pending) -> None:
        """Keep what the response to this request will need (found by PID and MID)."""
        conn.pending1.setdefault(self.header.key, []).append(pend)
