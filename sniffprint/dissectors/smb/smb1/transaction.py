"""SMB1 TRANSACTION with TRANS_TRANSACT_NMPIPE: a named pipe write and read in one exchange.

Read from: MS-CIFS 2.2.4.33.1 (request: the counts, SetupCount and Setup words, then Name
"\\PIPE\\", parameters and data at ParameterOffset / DataOffset from the header), 2.2.4.33.2
(response: TotalDataCount, DataCount, DataOffset, DataDisplacement; a reply may come in several
responses, and a request with more data than fits is followed by TRANSACTION_SECONDARY, 2.2.4.34,
answered first by an interim response with no words), 2.2.5.6 (TRANS_TRANSACT_NMPIPE:
Setup[0] 0x0026, Setup[1] the FID), 2.2.2.4 (ERRmoredata: the rest of the pipe message is read
with READ_ANDX).

The request's data goes to the pipe's client-to-server stream, the responses' data to its
server-to-client stream, each part in displacement order as it arrives. Other subcommands, and
transactions on pipes that are not followed, are not read.

Invariants: the pending request stays until its reply's last part (bounded with every other
table); a part out of order is skipped with a note rather than fed out of place.
"""
from __future__ import annotations

from ....model import Direction
from ...events import Event
from ..pipe import PipeTarget
from ..state import Connection, Pending
from .header import TRANSACTION
from .packet import Packet

TRANSACT_NMPIPE = 0x0026


def request(conn: Connection, p: Packet) -> list[Event]:
    b = p.block
    total, count, doff, setup_n = b.u16(2), b.u16(22), b.u16(24), b.u8(26)
    sub, fid = b.u16(28), b.u16(30)
    if total is None or count is None or doff is None or setup_n is None or setup_n < 2:
        return []
    if sub != TRANSACT_NMPIPE or fid is None:
        return []
    f = conn.files.get(fid.to_bytes(2, "little"))
    if f is None or f.pipe is None:
        return []
    # left: request data still to come in secondaries (C2S); the reply's are counted on its parts
    p.remember(conn, Pending(TRANSACTION, file=f, left=total - count))
    return p.window(doff, count, PipeTarget(conn, f.pipe, Direction.C2S))


def secondary(conn: Connection, p: Packet) -> list[Event]:
    """TRANSACTION_SECONDARY: more request data for the transaction of the same PID and MID."""
    b = p.block
    count, doff = b.u16(10), b.u16(12)
    pend = next((x for x in conn.pending1.get(p.header.key, []) if x.command == TRANSACTION), None)
    if pend is None or pend.file is None or pend.file.pipe is None or count is None or doff is None:
        return []
    pend.left = max(0, pend.left - count)
    return p.window(doff, count, PipeTarget(conn, pend.file.pipe, Direction.C2S))


def response(conn: Connection, p: Packet, pend: Pending | None) -> list[Event]:
    b = p.block
    if pend is None or pend.file is None or pend.file.pipe is None or not p.header.ok:
        return []
    if not b.words:  # the interim response: the server waits for the secondaries
        p.remember(conn, pend)
        return []
    total, count, doff, disp = b.u16(2), b.u16(12), b.u16(14), b.u16(16)
    if total is None or count is None or doff is None or disp is None:
        return []
    out: list[Event] = []
    if disp + count < total:  # more parts of the reply follow under the same MID
        p.remember(conn, pend)
    return out + p.window(doff, count, PipeTarget(conn, pend.file.pipe, Direction.S2C))
