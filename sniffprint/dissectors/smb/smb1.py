"""SMB1 (CIFS, NT LM 0.12): recognised, not dissected; it is obsolete and has no encryption at all.

Read from: MS-CIFS 2.2.3.1 (the 32-byte SMB header: Command at 4, Flags at 9), 2.2.4.52
(SMB_COM_NEGOTIATE request: 0x02-prefixed dialect strings), 2.2.4.55.2 (TREE_CONNECT_ANDX
response: the Service string, ``LPT1:`` for a printer).

What is read: a NEGOTIATE request offers dialects (the flow is then SMB1 unless the server
answers in SMB2: ``negotiate.response`` flags ``smb1`` False); any other SMB1 message means SMB1
is spoken (``smb1`` True); a TREE_CONNECT_ANDX response to a printer service is print traffic.
The parsers sit in ``COMMANDS`` keyed by command code, as SMB2's do, and share ``Connection``.

Invariants: a message shorter than the header is ignored; nothing here raises.
"""
from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from ...model import Direction
from ..events import Event, FlowFact
from .nbss import Reader
from .state import Connection

PROTOCOL_ID = b"\xffSMB"
HEADER_LEN = 32
NEGOTIATE = 0x72  # SMB_COM_NEGOTIATE
TREE_CONNECT_ANDX = 0x75  # SMB_COM_TREE_CONNECT_ANDX
FLAGS_REPLY = 0x80  # SMB_FLAGS_REPLY: a response
DIALECT_FORMAT = b"\x02"  # the buffer format octet before each dialect string
PRINTER_SERVICE = b"LPT1:"  # TREE_CONNECT_ANDX Service of a printer share
MAX_DIALECTS = 32

# Protocol, Command, Status, Flags, Flags2, PIDHigh, SecurityFeatures, Reserved, TID, PIDLow, UID, MID
_HEADER = struct.Struct("<4sBIBHH8sHHHHH")


@dataclass(slots=True, frozen=True)
class Smb1Header:
    command: int
    status: int
    flags: int
    tid: int
    pid: int  # PIDHigh << 16 | PIDLow
    uid: int
    mid: int

    @property
    def reply(self) -> bool:
        return bool(self.flags & FLAGS_REPLY)

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> Smb1Header | None:
        if len(buf) - off < HEADER_LEN:
            return None
        (_proto, command, status, flags, _flags2, pid_high, _security, _reserved, tid, pid_low, uid,
         mid) = _HEADER.unpack_from(buf, off)
        return cls(command, status, flags, tid, pid_high << 16 | pid_low, uid, mid)


def negotiate(conn: Connection, h: Smb1Header, msg: bytes) -> list[Event]:
    """A NEGOTIATE request: the dialects offered (the response is not read)."""
    if h.reply:
        return []
    conn.smb1_offered = True
    # request: WordCount 0, ByteCount, then 0x02-prefixed NUL-terminated dialect strings
    names = [d.decode("latin-1") for d in msg[HEADER_LEN + 3:].split(b"\x00") if d[:1] == DIALECT_FORMAT]
    conn.offered = [d[1:] for d in names][:MAX_DIALECTS]
    return []


def tree_connect_andx(conn: Connection, h: Smb1Header, msg: bytes) -> list[Event]:
    """A TREE_CONNECT_ANDX response to a printer service is print traffic."""
    if not h.reply or len(msg) <= HEADER_LEN + 1:
        return []
    at = HEADER_LEN + 1 + 2 * msg[HEADER_LEN] + 2  # after WordCount, the words and ByteCount
    if msg[at:at + len(PRINTER_SERVICE)] == PRINTER_SERVICE:
        return conn.saw_print_share()
    return []


Smb1Parser = Callable[[Connection, Smb1Header, bytes], list[Event]]
COMMANDS: dict[int, Smb1Parser] = {
    NEGOTIATE: negotiate,
    TREE_CONNECT_ANDX: tree_connect_andx,
}


def handle(conn: Connection, direction: Direction, msg: bytes, stream: Reader | None) -> list[Event]:
    """One SMB1 message (``msg`` starts with the SMB1 protocol id)."""
    h = Smb1Header.parse(msg)
    if h is None:
        return []
    parser = COMMANDS.get(h.command)
    out = parser(conn, h, msg) if parser is not None else []
    if h.command == NEGOTIATE and not h.reply:
        return out  # SMB1 offered only: the server may still answer in SMB2
    if conn.smb1 is not True:  # any other SMB1 message: SMB1 is spoken
        conn.smb1 = True
        out.append(FlowFact("smb1", True))
    return out
