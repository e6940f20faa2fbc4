"""The SMB1 message (MS-CIFS 2.2.3): the 32-byte header, the parameter and data blocks, AndX, strings.

Read from: MS-CIFS 2.2.3.1 (SMB_Header: Protocol, Command, Status, Flags, Flags2, PIDHigh,
SecurityFeatures, Reserved, TID, PIDLow, UID, MID), 2.2.3.2 (SMB_Parameters: WordCount and Words),
2.2.3.3 (SMB_Data: ByteCount and Bytes), 2.2.3.4 (batched AndX messages: each AndX block starts
with AndXCommand, AndXReserved and AndXOffset, the offset of the next block from the header),
2.2.1.1 (SMB_STRING: Unicode when SMB_FLAGS2_UNICODE, aligned to 2 bytes from the header; else
OEM; both NUL-terminated), 2.2.2.4 and MS-ERREF 2.3 (SMBSTATUS and NTSTATUS values).

Invariants: ``parse`` returns None on short or foreign input and never raises; string reads stop at
the end of the message and at ``MAX_STRING`` characters.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

PROTOCOL_ID = b"\xffSMB"
HEADER_LEN = 32

# Commands (MS-CIFS 2.2.2.1)
CLOSE = 0x04
WRITE = 0x0B
TRANSACTION = 0x25
TRANSACTION_SECONDARY = 0x26
OPEN_ANDX = 0x2D
READ_ANDX = 0x2E
WRITE_ANDX = 0x2F
TREE_DISCONNECT = 0x71
NEGOTIATE = 0x72
SESSION_SETUP_ANDX = 0x73
LOGOFF_ANDX = 0x74
TREE_CONNECT_ANDX = 0x75
NT_CREATE_ANDX = 0xA2
OPEN_PRINT_FILE = 0xC0
WRITE_PRINT_FILE = 0xC1
CLOSE_PRINT_FILE = 0xC2
LOCKING_ANDX = 0x24
NO_ANDX = 0xFF  # SMB_COM_NO_ANDX_COMMAND: the chain ends
ANDX = frozenset({LOCKING_ANDX, OPEN_ANDX, READ_ANDX, WRITE_ANDX, SESSION_SETUP_ANDX, LOGOFF_ANDX,
                  TREE_CONNECT_ANDX, NT_CREATE_ANDX})

FLAGS_REPLY = 0x80  # SMB_FLAGS_REPLY: a response
FLAGS2_UNICODE = 0x8000  # strings are UTF-16LE
FLAGS2_NT_STATUS = 0x4000  # Status is an NTSTATUS
FLAGS2_EXTENDED_SECURITY = 0x0800
FLAGS2_SECURITY_SIGNATURE = 0x0004  # the message is signed

STATUS_SUCCESS = 0
STATUS_BUFFER_OVERFLOW = 0x80000005  # a pipe message longer than the read: the data is still there
STATUS_MORE_PROCESSING = 0xC0000016  # a SESSION_SETUP_ANDX leg that is not the last
# SMBSTATUS (ErrorClass, Reserved, ErrorCode little-endian, read as one u32): ERRDOS/ERRSRV ERRmoredata
MORE_DATA = frozenset({STATUS_BUFFER_OVERFLOW, 0x00EA0001, 0x00EA0002})
MAX_STRING = 1024  # characters read from one SMB_STRING
MAX_ANDX = 8  # blocks walked in one AndX chain

# Protocol, Command, Status, Flags, Flags2, PIDHigh, SecurityFeatures, Reserved, TID, PIDLow, UID, MID
_HEADER = struct.Struct("<4sBIBHH8sHHHHH")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")


@dataclass(slots=True, frozen=True)
class Smb1Header:
    command: int
    status: int
    flags: int
    tid: int
    pid: int  # PIDHigh << 16 | PIDLow
    uid: int
    mid: int
    flags2: int = 0
    signature: bytes = b""

    @property
    def reply(self) -> bool:
        return bool(self.flags & FLAGS_REPLY)

    @property
    def unicode(self) -> bool:
        return bool(self.flags2 & FLAGS2_UNICODE)

    @property
    def ok(self) -> bool:
        """Success, or a pipe read that says more of the message remains (it still has data)."""
        return self.status == STATUS_SUCCESS or self.status in MORE_DATA

    @property
    def key(self) -> int:
        """How a response finds its request (MS-CIFS 3.2.5.1: the PID and the MID)."""
        return self.pid << 16 | self.mid

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> Smb1Header | None:
        if len(buf) - off < HEADER_LEN:
            return None
        (proto, command, status, flags, flags2, pid_high, security, _reserved, tid, pid_low, uid,
         mid) = _HEADER.unpack_from(buf, off)
        if proto != PROTOCOL_ID:
            return None
        return cls(command, status, flags, tid, pid_high << 16 | pid_low, uid, mid, flags2, security)


@dataclass(slots=True, frozen=True)
class Block:
    """One command's SMB_Parameters and SMB_Data (offsets count from the SMB header)."""

    words: bytes  # the parameter words (2 * WordCount bytes)
    byte_count: int
    data_off: int  # where SMB_Data.Bytes start
    data: bytes  # the bytes the buffered message holds (a streamed message may hold fewer)

    @classmethod
    def parse(cls, msg: bytes, off: int) -> Block | None:
        if off >= len(msg):
            return None
        end = off + 1 + 2 * msg[off]
        if end + 2 > len(msg):
            return None
        bc = _U16.unpack_from(msg, end)[0]
        return cls(msg[off + 1:end], bc, end + 2, msg[end + 2:end + 2 + bc])

    def u8(self, at: int) -> int | None:
        return self.words[at] if at < len(self.words) else None

    def u16(self, at: int) -> int | None:
        return _U16.unpack_from(self.words, at)[0] if at + 2 <= len(self.words) else None

    def u32(self, at: int) -> int | None:
        return _U32.unpack_from(self.words, at)[0] if at + 4 <= len(self.words) else None

    def andx(self) -> tuple[int, int] | None:
        """(AndXCommand, AndXOffset) of an AndX block, or None when it has no AndX header."""
        cmd, off = self.u8(0), self.u16(2)
        return None if cmd is None or off is None else (cmd, off)


def string(msg: bytes, at: int, unicode: bool) -> tuple[str, int]:
    """The SMB_STRING at ``at`` (from the header start) and the offset after it; a Unicode string
    starts on an even offset (one pad byte is skipped when needed)."""
    if unicode:
        at += at & 1
        end = at
        limit = min(len(msg), at + 2 * MAX_STRING)
        while end + 1 < limit and msg[end:end + 2] != b"\x00\x00":
            end += 2
        return msg[at:end].decode("utf-16-le", "replace"), end + 2
    end = msg.find(b"\x00", at, at + MAX_STRING)
    if end < 0:
        end = min(len(msg), at + MAX_STRING)
    return msg[at:end].decode("latin-1"), end + 1


def oem(msg: bytes, at: int) -> tuple[str, int]:
    """A NUL-terminated OEM string (the TREE_CONNECT_ANDX Service is always one)."""
    return string(msg, at, False)
