"""A bounded NDR reader for the few stubs that are read by hand: primitives, pointers, context
handles, conformant (varying) strings and arrays, in NDR 2.0 and NDR64.

Read from: C706 14.2 (primitive types, alignment: every primitive is aligned to its size from the
start of the stub), 14.3.3-14.3.4 (conformant and varying arrays: maximum count, then offset and
actual count, then the elements; strings are varying arrays that end with a NUL), 14.3.10-14.3.12
(pointers: a top-level [unique] pointer is a referent id followed at once by its referent, an
embedded one is a referent id whose referent is deferred to after the enclosing structure; a
top-level [ref] pointer has no representation at all), 14.3.11 (context handles: 20 bytes),
MS-RPCE 2.2.5 (NDR64: conformance, variance and referent ids are 8 bytes, aligned to 8).

The byte order is that of the PDU's packed_drep. Characters are UTF-16 code units.

Invariants: every read is checked against the end of the buffer; a read past it, or a count above
the caller's bound, raises ``NdrError``, which the call parsers catch (a damaged stub is skipped,
never a crash). Nothing is copied except the strings returned.
"""
from __future__ import annotations

import struct

HANDLE_LEN = 20  # an RPC context handle: 4-byte attributes + 16-byte UUID (C706 14.3.11)
MAX_STRING = 4096  # characters accepted in one string (names, paths)


class NdrError(Exception):
    """The stub does not hold what the IDL says it should (cut, or an implausible count)."""


_FMT = {(True, 1): "<B", (True, 2): "<H", (True, 4): "<I", (True, 8): "<Q",
        (False, 1): ">B", (False, 2): ">H", (False, 4): ">I", (False, 8): ">Q"}
_STRUCTS = {k: struct.Struct(v) for k, v in _FMT.items()}


class Ndr:
    """A cursor over one stub. ``ndr64`` selects the NDR64 transfer syntax (8-byte counts and
    referent ids)."""

    __slots__ = ("buf", "pos", "little", "ndr64")

    def __init__(self, buf: bytes | memoryview, little: bool = True, ndr64: bool = False, pos: int = 0) -> None:
        self.buf = memoryview(buf)
        self.pos = pos
        self.little = little
        self.ndr64 = ndr64

    def align(self, n: int) -> None:
        self.pos += -self.pos % n

    def _int(self, size: int) -> int:
        self.align(size)
        end = self.pos + size
        if end > len(self.buf):
            raise NdrError(f"stub ends before a {size}-byte integer at {self.pos}")
        v = int(_STRUCTS[(self.little, size)].unpack_from(self.buf, self.pos)[0])
        self.pos = end
        return v

    def u8(self) -> int:
        return self._int(1)

    def u16(self) -> int:
        return self._int(2)

    def u32(self) -> int:
        return self._int(4)

    def u64(self) -> int:
        return self._int(8)

    def count(self) -> int:
        """A conformance or variance count: 4 bytes in NDR, 8 in NDR64."""
        return self._int(8 if self.ndr64 else 4)

    def pointer(self) -> int:
        """A referent id (0: a null pointer)."""
        return self._int(8 if self.ndr64 else 4)

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > len(self.buf):
            raise NdrError(f"stub ends before {n} bytes at {self.pos}")
        self.pos += n

    def take(self, n: int) -> bytes:
        start = self.pos
        self.skip(n)
        return bytes(self.buf[start:self.pos])

    def handle(self) -> bytes:
        """A context handle (20 bytes, 4-byte aligned)."""
        self.align(4)
        return self.take(HANDLE_LEN)

    def wstring(self, limit: int = MAX_STRING) -> str:
        """A conformant varying UTF-16 string ([string] wchar_t*): max, offset, actual, units."""
        mx, off, actual = self.count(), self.count(), self.count()
        if actual > mx or off > mx or actual > limit:
            raise NdrError(f"string counts max {mx} offset {off} actual {actual}")
        raw = self.take(2 * actual)
        return raw.decode("utf-16-le" if self.little else "utf-16-be", "replace").rstrip("\x00")

    def unique_wstring(self, limit: int = MAX_STRING) -> str | None:
        """A top-level [unique, string] pointer: its referent id, then the string at once."""
        return self.wstring(limit) if self.pointer() else None

    def conformant_bytes(self, limit: int) -> int:
        """The maximum count of a conformant byte array; its bytes follow at ``pos``."""
        n = self.count()
        if n > limit:
            raise NdrError(f"array of {n} elements (bound {limit})")
        return n
