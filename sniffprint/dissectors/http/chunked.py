"""The chunked transfer coding (RFC 9112 section 7.1), decoded one step at a time, sans-IO.

Wire format::

    chunked-body = *chunk last-chunk trailer-section CRLF
    chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
    last-chunk   = 1*("0") [ chunk-ext ] CRLF

chunk-size is hexadecimal; chunk extensions (section 7.1.1) and trailer fields (section 7.1.2)
carry nothing we use and are skipped. A bare LF is accepted wherever CRLF is due (section 2.2).

Invariants:
- Rule 1: ``read`` does one step (a size line, a piece of chunk data, a line end or the trailer
  section) and returns, so the caller can pass each piece of data on before the next is parsed.
- Rule 2: only chunk-size lines (``LINE_MAX``) and the trailer section (``TRAILER_MAX``) are
  buffered, in the connection's head buffer; chunk data is never copied.
- Rule 3: only ``ProtocolViolation`` escapes, and it never quotes the bytes.
"""
from __future__ import annotations

import enum
import re

from ...errors import ProtocolViolation
from .._buffer import Buffer
from .head import blank_line, describe

LINE_MAX = 4096  # a chunk-size line with its extensions
TRAILER_MAX = 64 * 1024  # the trailer section, as much as a head
_CHUNK_SIZE = re.compile(rb"[ \t]*([0-9A-Fa-f]{1,16})[ \t]*(?:;.*)?")  # extensions are not read
_NL = re.compile(rb"\n")
View = memoryview


class Step(enum.IntEnum):
    SIZE = 0  # the chunk-size line
    DATA = 1  # chunk data, ``remaining`` bytes still to come
    DATA_END = 2  # the CR (or bare LF) after chunk data
    DATA_LF = 3  # the LF of that CRLF
    TRAILER = 4  # trailer fields up to the empty line


class Chunked:
    """One chunked body. ``buf`` is the connection's head buffer for this direction: violations
    report its stream offset."""

    __slots__ = ("buf", "step", "remaining", "scan")

    def __init__(self, buf: Buffer) -> None:
        self.buf = buf
        self.step = Step.SIZE
        self.remaining = 0  # DATA: bytes of the current chunk still to come
        self.scan = 0  # TRAILER: resume point of the empty-line search in buf

    def read(self, data: View) -> tuple[View, View | None, bool]:
        """One step over non-empty ``data``: (the bytes not read, chunk data read or None,
        whether the body ended)."""
        step = self.step
        if step is Step.DATA:
            n = min(self.remaining, len(data))
            self.remaining -= n
            if self.remaining == 0:
                self.step = Step.DATA_END
            return data[n:], (data[:n] if n < len(data) else data), False
        if step is Step.SIZE:
            return self._size(data), None, False
        if step is Step.TRAILER:
            return self._trailer(data)
        # RFC 9112 section 7.1: chunk-data CRLF; a bare LF is accepted as the line end.
        if step is Step.DATA_END and data[0] == 0x0D:
            self.step = Step.DATA_LF
        elif data[0] == 0x0A:
            self.step = Step.SIZE
        else:
            raise ProtocolViolation("chunk data not followed by CRLF", None)
        return data[1:], None, False

    def gap(self, length: int) -> bool:
        """A hole of ``length`` bytes: absorbed if it lies inside chunk data, else False (the
        framing is lost)."""
        if self.step is not Step.DATA or length > self.remaining:
            return False
        self.remaining -= length
        if self.remaining == 0:
            self.step = Step.DATA_END
        return True

    def _size(self, data: View) -> View:
        buf = self.buf
        old = len(buf.data)
        room = LINE_MAX - old
        nl = _NL.search(data, 0, room)  # copy only the line, not the chunk data behind it
        buf.feed(bytes(data[:nl.end() if nl else room]))
        line = buf.take_until(b"\n")
        if line is None:
            if len(data) > room:
                raise ProtocolViolation(f"chunk-size line over {LINE_MAX} bytes", buf.consumed)
            return data[len(data):]
        rest = data[len(line) - old:]
        buf.clear()
        line = line.rstrip(b"\r\n")
        m = _CHUNK_SIZE.fullmatch(line)
        if m is None:
            raise ProtocolViolation(f"malformed chunk-size line {describe(line)}", buf.consumed)
        size = int(m.group(1), 16)
        if size == 0:
            self.step = Step.TRAILER
            self.scan = 0
        else:
            self.remaining = size
            self.step = Step.DATA
        return rest

    def _trailer(self, data: View) -> tuple[View, View | None, bool]:
        buf = self.buf
        old = len(buf.data)
        room = TRAILER_MAX - old
        buf.feed(bytes(data[:room]))
        d = buf.data
        if d[:2] == b"\r\n":
            end = 2
        elif d[:1] == b"\n":
            end = 1
        elif d[:1] == b"\r" and len(d) < 2:
            return data[len(data):], None, False
        else:
            end = blank_line(d, self.scan)
        if end < 0:
            if len(data) > room:
                raise ProtocolViolation(f"trailer section over {TRAILER_MAX} bytes", buf.consumed)
            self.scan = max(0, len(d) - 2)
            return data[len(data):], None, False
        buf.take(end)
        rest = data[end - old:]
        buf.clear()
        return rest, None, True
