"""SMB2 messages: walk a (compound) message and hand each command to its parser by command code.

Read from: MS-SMB2 2.2.1 (header), 3.2.4.1.4 / 3.3.5.2.7 (compounded requests and responses;
related operations inherit the TreeId, SessionId and FileId of the previous command), 3.2.5.1.5
(an interim STATUS_PENDING response: the final one comes later with the same MessageId).

Three tables, one line per command, say which parser reads what (h11's READERS idea, in place of
an ``if command ==`` ladder):
- ``REQUESTS``: the parser of a request.
- ``RESPONSES``: a response read on its own (its parser checks the status).
- ``ANSWERS``: a response read only as the successful (STATUS_SUCCESS or STATUS_BUFFER_OVERFLOW)
  answer to a request recorded under the same MessageId for the same command; the parser gets
  that request's ``Pending`` record. A request parser records one when its response needs it.

Invariants:
- Every final response retires its MessageId from ``Connection.pending``; an interim one does not.
- A header that is not SMB2, or a NextCommand that points outside the message, ends the walk with
  one ``Note`` (``smb_malformed``); everything before it was read. Nothing here raises.
- Only the last command of a message gets the framing reader (only it can be longer than what
  was buffered).
"""
from __future__ import annotations

from collections.abc import Callable

from ....model import Direction
from ...events import Event, Note
from ..nbss import Reader
from ..state import Connection, Pending
from . import close, create, ioctl, negotiate, read, session_setup, tree_connect, write
from .header import (
    FLAG_RELATED,
    FLAG_SIGNED,
    HEADER_LEN,
    RELATED_SESSION,
    RELATED_TREE,
    STATUS_BUFFER_OVERFLOW,
    STATUS_PENDING,
    STATUS_SUCCESS,
    Command,
    Smb2Header,
)
from .packet import Chain, Packet

RequestParser = Callable[[Connection, Packet], list[Event]]
ResponseParser = Callable[[Connection, Packet], list[Event]]
AnswerParser = Callable[[Connection, Packet, Pending], list[Event]]

REQUESTS: dict[int, RequestParser] = {
    Command.NEGOTIATE: negotiate.request,
    Command.SESSION_SETUP: session_setup.request,
    Command.TREE_CONNECT: tree_connect.request,
    Command.CREATE: create.request,
    Command.CLOSE: close.request,
    Command.READ: read.request,
    Command.WRITE: write.request,
    Command.IOCTL: ioctl.request,
}
RESPONSES: dict[int, ResponseParser] = {
    Command.NEGOTIATE: negotiate.response,
    Command.SESSION_SETUP: session_setup.response,
}
ANSWERS: dict[int, AnswerParser] = {
    Command.TREE_CONNECT: tree_connect.response,
    Command.CREATE: create.response,
    Command.READ: read.response,
    Command.IOCTL: ioctl.response,
}
ANSWERED = (STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW)  # a pipe READ that overflows still carries data


def handle(conn: Connection, direction: Direction, msg: bytes, stream: Reader | None) -> list[Event]:
    """One SMB2 message (``msg`` starts with the SMB2 protocol id); its commands in order."""
    out: list[Event] = []
    off = 0
    chain = Chain()
    while off + HEADER_LEN <= len(msg):
        h = Smb2Header.parse(msg, off)
        if h is None:
            return out + [Note("smb_malformed", f"bad SMB2 header in a chain at {off}")]
        tid, sid = h.tree_id, h.session_id
        if h.flags & FLAG_RELATED:  # 3.2.4.1.4: ids come from the previous command in the chain
            tid = chain.tree_id if tid in (None, RELATED_TREE) else tid
            sid = chain.session_id if sid == RELATED_SESSION else sid
        if h.flags & FLAG_SIGNED:
            out += conn.saw_signing(True)
        last = not h.next_command
        end = len(msg) if last else off + h.next_command
        if not last and (h.next_command < HEADER_LEN or end > len(msg)):
            return out + [Note("smb_malformed", f"NextCommand {h.next_command} outside the message")]
        p = Packet(h, tid, sid, msg, off, msg[off + HEADER_LEN:end], stream if last else None, chain)
        out += _response(conn, p) if h.response else _request(conn, p)
        chain.tree_id, chain.session_id = tid, sid
        if last:
            return out
        off = end
    return out


def _request(conn: Connection, p: Packet) -> list[Event]:
    parser = REQUESTS.get(p.header.command)
    return parser(conn, p) if parser is not None else []


def _response(conn: Connection, p: Packet) -> list[Event]:
    h = p.header
    if h.status == STATUS_PENDING:
        return []  # the final response comes later under the same MessageId
    pend = conn.pending.pop(h.message_id, None)
    parser = RESPONSES.get(h.command)
    if parser is not None:
        return parser(conn, p)
    answer = ANSWERS.get(h.command)
    if answer is None or h.status not in ANSWERED or pend is None or pend.command != h.command:
        return []
    return answer(conn, p, pend)
