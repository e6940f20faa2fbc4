"""SMB1 messages: walk an AndX chain and hand each block to its command's parser.

Read from: MS-CIFS 2.2.3.4 (batched messages: AndXCommand and AndXOffset chain the blocks, the
last names SMB_COM_NO_ANDX_COMMAND), 3.2.5.1 (a response is matched to its request by PID and
MID; each block of a response chain answers the block of the same command in the request chain).

Three tables, one line per command (as ``smb2.dispatch``):
- ``REQUESTS``: the parser of a request block.
- ``RESPONSES``: a response block read on its own.
- ``ANSWERS``: a response block read with what its request block remembered (``state.Pending``,
  found under the PID and MID for the same command), or None when the request was not seen.

Invariants: at most ``MAX_ANDX`` blocks are walked; an AndXOffset that does not move forward
inside the message ends the walk with one ``Note``; a message shorter than the header is
ignored; nothing here raises. A NEGOTIATE request alone does not make the flow SMB1 (the server
may answer in SMB2); any other SMB1 message does (``smb1`` True, once).
"""
from __future__ import annotations

from collections.abc import Callable

from ....model import Direction
from ...events import Event, FlowFact, Note
from ..nbss import Reader
from ..state import Connection, Pending
from . import close, create, negotiate, print_file, read, session_setup, transaction, tree_connect, write
from .header import (
    ANDX,
    CLOSE,
    CLOSE_PRINT_FILE,
    HEADER_LEN,
    MAX_ANDX,
    NEGOTIATE,
    NO_ANDX,
    NT_CREATE_ANDX,
    OPEN_ANDX,
    OPEN_PRINT_FILE,
    READ_ANDX,
    SESSION_SETUP_ANDX,
    TRANSACTION,
    TRANSACTION_SECONDARY,
    TREE_CONNECT_ANDX,
    WRITE,
    WRITE_ANDX,
    WRITE_PRINT_FILE,
    Block,
    Smb1Header,
)
from .packet import Packet

RequestParser = Callable[[Connection, Packet], list[Event]]
AnswerParser = Callable[[Connection, Packet, "Pending | None"], list[Event]]

REQUESTS: dict[int, RequestParser] = {
    NEGOTIATE: negotiate.request,
    SESSION_SETUP_ANDX: session_setup.request,
    TREE_CONNECT_ANDX: tree_connect.request,
    NT_CREATE_ANDX: create.nt_create_request,
    OPEN_ANDX: create.open_request,
    WRITE_ANDX: write.andx_request,
    WRITE: write.write_request,
    READ_ANDX: read.request,
    TRANSACTION: transaction.request,
    TRANSACTION_SECONDARY: transaction.secondary,
    OPEN_PRINT_FILE: print_file.open_request,
    WRITE_PRINT_FILE: print_file.write_request,
    CLOSE_PRINT_FILE: close.request,
    CLOSE: close.request,
}
RESPONSES: dict[int, RequestParser] = {
    NEGOTIATE: negotiate.response,
}
ANSWERS: dict[int, AnswerParser] = {
    SESSION_SETUP_ANDX: session_setup.response,
    TREE_CONNECT_ANDX: tree_connect.response,
    NT_CREATE_ANDX: create.response,
    OPEN_ANDX: create.response,
    OPEN_PRINT_FILE: print_file.open_response,
    READ_ANDX: read.response,
    TRANSACTION: transaction.response,
}


def handle(conn: Connection, direction: Direction, msg: bytes, stream: Reader | None) -> list[Event]:
    """One SMB1 message (``msg`` starts with the SMB1 protocol id)."""
    h = Smb1Header.parse(msg)
    if h is None:
        return []
    out: list[Event] = []
    asked = conn.pending1.pop(h.key, []) if h.reply else []
    cmd, off = h.command, HEADER_LEN
    for _ in range(MAX_ANDX):
        block = Block.parse(msg, off)
        if block is None:
            break
        p = Packet(h, cmd, msg, block, stream)
        out += _response(conn, p, asked) if h.reply else _request(conn, p)
        nxt = block.andx() if cmd in ANDX else None
        if nxt is None or nxt[0] == NO_ANDX:
            break
        if nxt[1] <= off or nxt[1] >= len(msg):
            out.append(Note("smb_malformed", f"SMB1 AndXOffset {nxt[1]} outside the message"))
            break
        cmd, off = nxt
    if h.command == NEGOTIATE and not h.reply:
        return out  # SMB1 offered only: the server may still answer in SMB2
    if conn.smb1 is not True:
        conn.smb1 = True
        out.append(FlowFact("smb1", True))
    return out


def _request(conn: Connection, p: Packet) -> list[Event]:
    parser = REQUESTS.get(p.command)
    return parser(conn, p) if parser is not None else []


def _response(conn: Connection, p: Packet, asked: list[Pending]) -> list[Event]:
    parser = RESPONSES.get(p.command)
    if parser is not None:
        return parser(conn, p)
    answer = ANSWERS.get(p.command)
    if answer is None:
        return []
    pend = next((x for x in asked if x.command == p.command), None)
    if pend is not None:
        asked.remove(pend)
    return answer(conn, p, pend)
