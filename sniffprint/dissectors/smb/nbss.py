"""NetBIOS session service framing of SMB over TCP, one ``Reader`` per direction.

Read from: RFC 1002 4.3.1 (session packet header), MS-SMB2 2.1 (direct TCP transport on 445),
MS-CIFS 2.1.1.2 (SMB1 over NBT on 139).

Each SMB message is preceded by a 4-byte header: a type octet and a length. On 445 the type is
0x00 and the length 24 bits (MS-SMB2 2.1). On 139 the types are RFC 1002's (session message,
request, positive and negative response, retarget, keep-alive) and the length is 17 bits: the E
bit, bit 0 of the flags octet, extends the 16-bit length field. Only a session message carries an
SMB message; the others are read and dropped. The reader does not look inside the message: it
hands the bytes after the header to a ``deliver`` callback (the dissector routes them by their
protocol id, so SMB1 and SMB2 share this framing).

Invariants:
- Memory is bounded: a message up to ``INLINE_MAX`` bytes (header included) is buffered whole and
  delivered once. A longer one (an 8 MiB WRITE or READ) is delivered as its first
  ``LARGE_PREFIX`` bytes, with the reader, and the rest is then either streamed to the ``Sink``
  a parser attached (``Reader.stream_rest``) or skipped, without being buffered.
- A type octet that RFC 1002 does not define, or a large packet that is not a session message, is
  a ``ProtocolViolation`` (these bytes are not NBSS); nothing else raises here.
- After a capture gap inside a streamed or skipped message the reader stays in step (the sink
  gets the hole); a gap anywhere else loses the framing, and the reader searches the following
  bytes, a window at a time, for a plausible session-message header followed by an SMB protocol id.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum
from typing import Protocol

from ...errors import ProtocolViolation
from ...model import Direction
from .._buffer import Buffer
from ..events import Event, Note


class SessionPacket(IntEnum):
    """RFC 1002 4.3.1 session packet types (only MESSAGE is used on 445)."""

    MESSAGE = 0x00  # SESSION MESSAGE: the payload is one SMB message
    REQUEST = 0x81  # SESSION REQUEST: called and calling NetBIOS names (139 only)
    POSITIVE = 0x82  # POSITIVE SESSION RESPONSE
    NEGATIVE = 0x83  # NEGATIVE SESSION RESPONSE
    RETARGET = 0x84  # RETARGET SESSION RESPONSE
    KEEPALIVE = 0x85  # SESSION KEEP ALIVE


TYPES = frozenset(int(t) for t in SessionPacket)
HEADER_LEN = 4
E_BIT = 0x01  # flags octet bit 0: the 17th (highest) bit of the length (RFC 1002 4.3.1)

INLINE_MAX = 64 * 1024 + 4  # messages up to this size (with the NBSS header) are buffered whole
LARGE_PREFIX = HEADER_LEN + 4096  # bytes of a longer message read before it is streamed or skipped
RESYNC_WINDOW = 64 * 1024  # bytes searched for the next SMB header after a gap
SMB2_STRUCTURE_SIZE = 64  # MS-SMB2 2.2.1: an SMB2 header's StructureSize, checked when resynchronising

# A plausible start of a message after a gap: a session-message header and an SMB protocol id
# (0xFF SMB1, 0xFE SMB2, 0xFD transform, 0xFC compression transform).
_RESYNC = re.compile(rb"\x00[\x00-\xff]{3}[\xfc-\xff]SMB")


def message_length(head: bytes | bytearray, offset: int = 0) -> int:
    """The length that follows a 4-byte session header at ``head[0:4]``.

    ``offset`` is the header's position in the stream, for the violation raised on a type octet
    that RFC 1002 does not define.
    """
    if head[0] not in TYPES:
        raise ProtocolViolation(f"NetBIOS session type 0x{head[0]:02x}", offset)
    if head[0] == SessionPacket.MESSAGE:
        return int.from_bytes(head[1:4], "big")  # MS-SMB2 2.1: 24-bit length on direct TCP
    return ((head[1] & E_BIT) << 16) | int.from_bytes(head[2:4], "big")  # RFC 1002: E bit + 16 bits


class Target(Protocol):
    """Where a window of a streamed message goes; ``rel`` is the offset inside that window."""

    def data(self, rel: int, b: bytes) -> list[Event]: ...

    def gap(self, rel: int, n: int) -> list[Event]: ...


class Sink:
    """The window ``[start, end)`` of a large message (say a WRITE's data), streamed as it arrives."""

    __slots__ = ("pos", "start", "end", "target")

    def __init__(self, pos: int, start: int, end: int, target: Target) -> None:
        self.pos = pos  # message-relative position of the next byte
        self.start, self.end = start, end  # the window, message-relative
        self.target = target

    def push(self, chunk: bytes) -> list[Event]:
        a = max(self.start - self.pos, 0)
        b = min(self.end - self.pos, len(chunk))
        rel = self.pos + a - self.start
        self.pos += len(chunk)
        return self.target.data(rel, chunk[a:b]) if b > a else []

    def skip(self, n: int) -> list[Event]:
        """``n`` bytes of the message were not captured."""
        a, b = max(self.start, self.pos), min(self.end, self.pos + n)
        self.pos += n
        return self.target.gap(a - self.start, b - a) if b > a else []


# deliver(message, reader): ``message`` is the SMB message without its session header; ``reader``
# is set only when the message is the prefix of a large one (the parser may then stream the rest).
Deliver = Callable[[bytes, "Reader | None"], list[Event]]


class Reader:
    """Framing state of one direction."""

    __slots__ = ("direction", "buf", "left", "sink", "lost")

    def __init__(self, direction: Direction) -> None:
        self.direction = direction
        self.buf = Buffer(INLINE_MAX + RESYNC_WINDOW)
        self.left = 0  # bytes of a large message still to come (streamed or skipped)
        self.sink: Sink | None = None  # where the rest of a large message goes, if anywhere
        self.lost = False  # framing lost after a gap: searching for the next header

    def stream_rest(self, pos: int, start: int, end: int, target: Target) -> None:
        """Send the message bytes in ``[start, end)`` still to come to ``target``; ``pos`` is how
        much of the message was delivered."""
        self.sink = Sink(pos, start, end, target)

    def feed(self, data: bytes, deliver: Deliver) -> list[Event]:
        out: list[Event] = []
        i, n = 0, len(data)
        while i < n:
            if self.left:  # inside a large message: stream or skip without buffering
                k = min(self.left, n - i)
                if self.sink is not None:
                    out += self.sink.push(data[i:i + k])
                self.left -= k
                i += k
                if not self.left:
                    self.sink = None
                continue
            if self.lost:  # search the next header, a window at a time (the buffer stays bounded)
                chunk = data[i:i + RESYNC_WINDOW]
                i += len(chunk)
                self.buf.feed(chunk)
                rest = self._resync()
                if rest:
                    out += self.feed(rest, deliver)  # in step again: replay what followed the header
                continue
            buf = self.buf
            if not buf.data and n - i >= HEADER_LEN:
                # fast path, nothing buffered: a whole small message in ``data`` is delivered as
                # one slice of it (no copy into the buffer and out again); anything else (a cut
                # message, a large one) goes the buffered way below from this very byte
                if data[i] == SessionPacket.MESSAGE:
                    total = HEADER_LEN + int.from_bytes(data[i + 1:i + 4], "big")
                else:
                    total = HEADER_LEN + message_length(data[i:i + HEADER_LEN], buf.consumed)
                if total <= INLINE_MAX and n - i >= total:
                    msg = data[i + HEADER_LEN:i + total]
                    ntype = data[i]
                    i += total
                    buf.consumed += total
                    if ntype == SessionPacket.MESSAGE and msg:
                        out += deliver(msg, None)
                    continue
            have = len(buf.data)
            if have < HEADER_LEN:
                need = HEADER_LEN - have
            else:
                total = HEADER_LEN + message_length(self.buf.data, self.buf.consumed)
                need = (total if total <= INLINE_MAX else LARGE_PREFIX) - have
            if need > 0:
                piece = data[i:i + need]
                self.buf.feed(piece)
                i += len(piece)
                if len(piece) < need:
                    break
            out += self._frame(deliver)
        return out

    def _frame(self, deliver: Deliver) -> list[Event]:
        """A complete small message, or the prefix of a large one, is in the buffer."""
        if len(self.buf) < HEADER_LEN:
            return []
        ntype = self.buf.data[0]
        total = HEADER_LEN + message_length(self.buf.data, self.buf.consumed)
        if total <= INLINE_MAX:
            if len(self.buf) < total:
                return []
            msg = self.buf.take(total)[HEADER_LEN:]
            if ntype != SessionPacket.MESSAGE or not msg:
                return []  # session request/response/keep-alive: nothing to read
            return deliver(msg, None)
        if len(self.buf) < LARGE_PREFIX:
            return []
        if ntype != SessionPacket.MESSAGE:
            raise ProtocolViolation(f"NetBIOS type 0x{ntype:02x} of {total} bytes", self.buf.consumed)
        prefix = self.buf.take(LARGE_PREFIX)[HEADER_LEN:]
        self.left = total - LARGE_PREFIX
        return deliver(prefix, self)

    def _resync(self) -> bytes | None:
        """Look for the next plausible message in a lost direction; return the bytes from it on."""
        b = self.buf.data
        pos = 0
        while True:
            m = _RESYNC.search(b, pos)
            if m is None:
                self.buf.take(max(0, len(b) - 7))  # a header may straddle the next chunk
                return None
            at = m.start()
            if b[at + 4] == 0xFE:  # an SMB2 header must also have StructureSize 64
                if len(b) < at + 10:
                    self.buf.take(at)  # wait for the StructureSize to confirm
                    return None
                if b[at + 8] != SMB2_STRUCTURE_SIZE or b[at + 9] != 0:
                    pos = at + 1
                    continue
            self.buf.take(at)
            self.lost = False
            return self.buf.take(len(self.buf))

    def gap(self, length: int) -> list[Event]:
        if self.left >= length:  # the hole is inside a streamed or skipped message: stay in step
            self.left -= length
            out: list[Event] = []
            if self.sink is not None:
                out += self.sink.skip(length)
            if not self.left:
                self.sink = None
            return out
        self.left, self.sink = 0, None
        self.buf.clear()
        self.lost = True
        return [Note("smb_resync", f"{'c2s' if self.direction is Direction.C2S else 's2c'}: {length} bytes "
                     "missing; searching for the next SMB header")]
