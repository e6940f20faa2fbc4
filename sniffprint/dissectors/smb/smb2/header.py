"""The SMB2 packet header (MS-SMB2 2.2.1), its flags, the command codes and the statuses read.

Read from: MS-SMB2 2.2.1.1 (ASYNC header), 2.2.1.2 (SYNC header), 2.2.1 (Command values),
3.2.4.1.4 (compounded requests: NextCommand and SMB2_FLAGS_RELATED_OPERATIONS), MS-ERREF 2.3
(NTSTATUS values).

The sync and async headers share one 64-byte layout; bytes 32..40 are Reserved (4) + TreeId (4)
in the sync form and an AsyncId (8) in the async one (SMB2_FLAGS_ASYNC_COMMAND), which has no
TreeId. ``NextCommand`` is the offset of the next header of a compound from this one (0: last).

Invariants: ``parse`` never raises on short or foreign input: it returns None when the buffer
does not hold a header with the SMB2 protocol id and StructureSize 64.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

PROTOCOL_ID = b"\xfeSMB"
HEADER_LEN = 64  # StructureSize, and the header's length

# ProtocolId, StructureSize, CreditCharge, Status, Command, CreditRequest/Response, Flags,
# NextCommand, MessageId, Reserved+TreeId | AsyncId, SessionId, Signature
_HEADER = struct.Struct("<4sHHIHHIIQQQ16s")

FLAG_RESPONSE = 0x00000001  # SMB2_FLAGS_SERVER_TO_REDIR
FLAG_ASYNC = 0x00000002  # SMB2_FLAGS_ASYNC_COMMAND: bytes 32..40 are an AsyncId, no TreeId
FLAG_RELATED = 0x00000004  # SMB2_FLAGS_RELATED_OPERATIONS: inherits ids from the previous one
FLAG_SIGNED = 0x00000008  # SMB2_FLAGS_SIGNED

RELATED_TREE = 0xFFFFFFFF  # a related request's TreeId meaning "the previous one's" (3.2.4.1.4)
RELATED_SESSION = 0xFFFFFFFFFFFFFFFF  # likewise for the SessionId
RELATED_FID = b"\xff" * 16  # a related FileId: "the file the previous CREATE opened" (3.3.5.2.7.2)

STATUS_SUCCESS = 0x00000000
STATUS_PENDING = 0x00000103  # interim async response: the final one follows with the same MessageId
STATUS_MORE_PROCESSING = 0xC0000016  # a SESSION_SETUP leg that is not the last
STATUS_BUFFER_OVERFLOW = 0x80000005  # READ on a pipe: more of the message remains (still has data)


class Command(IntEnum):
    """MS-SMB2 2.2.1 Command."""

    NEGOTIATE = 0x00
    SESSION_SETUP = 0x01
    LOGOFF = 0x02
    TREE_CONNECT = 0x03
    TREE_DISCONNECT = 0x04
    CREATE = 0x05
    CLOSE = 0x06
    FLUSH = 0x07
    READ = 0x08
    WRITE = 0x09
    LOCK = 0x0A
    IOCTL = 0x0B
    CANCEL = 0x0C
    ECHO = 0x0D
    QUERY_DIRECTORY = 0x0E
    CHANGE_NOTIFY = 0x0F
    QUERY_INFO = 0x10
    SET_INFO = 0x11
    OPLOCK_BREAK = 0x12


@dataclass(slots=True, frozen=True)
class Smb2Header:
    status: int  # NTSTATUS in a response (ChannelSequence/Reserved in a request)
    command: int  # a Command value; unknown codes are kept as they are
    flags: int
    next_command: int
    message_id: int
    tree_id: int | None  # None in the async form
    async_id: int | None  # set in the async form only
    session_id: int

    @property
    def response(self) -> bool:
        return bool(self.flags & FLAG_RESPONSE)

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> Smb2Header | None:
        if len(buf) - off < HEADER_LEN:
            return None
        (magic, size, _credit_charge, status, command, _credits, flags, nxt, mid, tid_or_async, sid,
         _signature) = _HEADER.unpack_from(buf, off)
        if magic != PROTOCOL_ID or size != HEADER_LEN:
            return None
        if flags & FLAG_ASYNC:
            return cls(status, command, flags, nxt, mid, None, tid_or_async, sid)
        return cls(status, command, flags, nxt, mid, tid_or_async >> 32, None, sid)
