"""Incremental gzip inflation (RFC 1952) that keeps everything a cut or damaged file still holds.

Why not ``gzip.GzipFile``: when the input ends inside a member, ``GzipFile.read()`` raises
``EOFError`` and the bytes that call had already inflated (up to the size asked for) are lost.
Here each member is inflated with a raw-deflate ``zlib.decompressobj`` in bounded steps, the
header and trailer are parsed by hand (section 2.3), and a cut, a damaged block or a bad trailer
becomes a note for the caller's anomaly sink while every byte inflated before it is delivered.

Invariants:
- ``read(n)`` returns at most ``n`` bytes and ``b""`` only at the end; it never raises for
  damaged input (only ``OSError`` from the underlying stream passes through).
- Output before a damaged deflate block is kept to within ``SALVAGE_STEP`` bytes: every step
  starts from a copy of the inflater, and after an error the step is replayed in small pieces.
- Inflation bombs stop: above ``ratio_after`` inflated bytes, a ratio of inflated to compressed
  bytes above ``max_ratio`` (deflate's own maximum is about 1032:1), or more than ``max_out``
  inflated bytes in all, ends the stream with a ``limit_exceeded`` note.
- Several members (``cat a.gz b.gz``) are read in order; zero padding after the last member is
  ignored, anything else is reported.
"""
from __future__ import annotations

import zlib
from typing import Protocol

GZIP_MAGIC = b"\x1f\x8b"
CM_DEFLATE = 8
FHCRC, FEXTRA, FNAME, FCOMMENT = 0x02, 0x04, 0x08, 0x10
MAX_HEADER = 65_536  # a longer header (file name, comment, extra field) is not a real one
STEP = 65_536  # inflated bytes per zlib call
SALVAGE_STEP = 256  # inflated bytes per zlib call when replaying a step that failed
CHUNK = 1 << 20


class _Raw(Protocol):
    def read(self, n: int, /) -> bytes: ...


class GzipStream:
    """A readable stream of the inflated bytes of ``raw`` (whose first bytes were ``head``)."""

    def __init__(self, raw: _Raw, head: bytes = b"", *, max_ratio: int = 1000,
                 ratio_after: int = 16 << 20, max_out: int | None = None) -> None:
        self.raw = raw
        self.inbuf = head  # compressed bytes; inbuf[inpos:] not yet fed to zlib
        self.inpos = 0
        self.raw_in = len(head)  # compressed bytes read from ``raw`` (with ``head``)
        self.max_ratio, self.ratio_after, self.max_out = max_ratio, ratio_after, max_out
        self.d: zlib._Decompress | None = None  # inflater of the current member, None in a header
        self.crc = 0
        self.size = 0
        self.members = 0
        self.out = 0  # inflated bytes delivered
        self.done = False
        self.cut = False  # the input ended inside a member
        self.limited = False  # a limit stopped inflation
        self.notes: list[tuple[str, str]] = []  # (anomaly kind, detail) for the caller's sink

    # ------------------------------------------------------------------ input
    @property
    def fed(self) -> int:
        """Compressed bytes consumed so far."""
        return self.raw_in - (len(self.inbuf) - self.inpos)

    def _more(self) -> bool:
        chunk = self.raw.read(CHUNK)
        if not chunk:
            return False
        self.raw_in += len(chunk)
        self.inbuf = self.inbuf[self.inpos:] + chunk
        self.inpos = 0
        return True

    def drain(self) -> int:
        """Read the rest of the raw input without inflating it; return how many bytes that was
        (with those not yet inflated)."""
        n = len(self.inbuf) - self.inpos
        self.inbuf, self.inpos = b"", 0
        while True:
            chunk = self.raw.read(CHUNK)
            if not chunk:
                return n
            self.raw_in += len(chunk)
            n += len(chunk)

    # ------------------------------------------------------------------ output
    def read(self, n: int = CHUNK) -> bytes:
        while not self.done:
            if self.d is None:
                if not self._header():
                    return b""
                continue
            if self.inpos >= len(self.inbuf) and not self._more():
                self.cut = self.done = True
                self.notes.append(("truncated_capture", f"the compressed data ends inside gzip member "
                                   f"{self.members} (after {self.raw_in} compressed bytes); all of "
                                   "it that could be inflated was read"))
                return b""
            want = min(n, STEP)
            if self.max_out is not None:  # one byte past the cap tells whether there is more
                want = min(want, self.max_out - self.out + 1)
            out, ok = self._inflate(want)
            if self.max_out is not None and self.out + len(out) > self.max_out:
                out = out[:self.max_out - self.out]
                self._limit(f"more than {self.max_out} bytes inflated (the configured cap)")
            if not ok:
                self.done = True
            elif not self.limited and self.d is not None and self.d.eof:
                self._trailer()
            if out:
                self.out += len(out)
                self._check_limits()
                return out
        return b""

    def _inflate(self, n: int) -> tuple[bytes, bool]:
        """Up to ``n`` inflated bytes of the current member, and False after damage (noted)."""
        d = self.d
        assert d is not None
        saved = d.copy()
        feed = self.inbuf[self.inpos:self.inpos + STEP]
        try:
            out = d.decompress(feed, n)
        except zlib.error as exc:
            out = _salvage(saved, feed, n)
            self.notes.append(("capture_damaged", f"gzip member {self.members} is damaged ({exc}) "
                               f"within compressed bytes {self.fed}-{self.fed + len(feed) - 1}; "
                               "the bytes inflated before the damage were read, the rest cannot be "
                               "inflated"))
            return out, False
        self.inpos += len(feed) - len(d.unused_data if d.eof else d.unconsumed_tail)
        self.crc = zlib.crc32(out, self.crc)
        self.size += len(out)
        return out, True

    def _check_limits(self) -> None:
        if self.out > self.ratio_after and self.out > self.max_ratio * max(self.fed, 1) and not self.done:
            self._limit(f"{self.out} bytes inflated from {self.fed} compressed bytes, a ratio above "
                        f"{self.max_ratio}:1 (an inflation bomb)")

    def _limit(self, why: str) -> None:
        self.limited = self.done = True
        self.notes.append(("limit_exceeded", f"gzip inflation stopped: {why}; the rest of the capture "
                           "was not read"))

    # ------------------------------------------------------------------ member framing
    def _header(self) -> bool:
        """Parse a member header; False when the stream ends here (noted when that is odd)."""
        while True:
            rest = self.inbuf[self.inpos:]
            size = _header_size(rest)
            if size > 0:
                break
            if size < 0 or len(rest) > MAX_HEADER:
                return self._garbage()
            if not self._more():
                self.done = True
                if not rest or (self.members and not rest.strip(b"\0")):
                    return False  # the end, or zero padding after the last member (tape blocks)
                if self.members == 0 or GZIP_MAGIC.startswith(rest[:2]):
                    self.cut = True
                    self.notes.append(("truncated_capture", "the compressed data ends inside the "
                                       f"header of gzip member {self.members + 1}"))
                    return False
                return self._garbage()
        self.inpos += size
        self.members += 1
        self.crc = self.size = 0
        self.d = zlib.decompressobj(-zlib.MAX_WBITS)
        return True

    def _garbage(self) -> bool:
        start = self.fed
        zeros_only = not self.inbuf[self.inpos:].strip(b"\0")
        n = self.drain()
        if not (zeros_only and self.members):
            self.notes.append(("capture_damaged", f"compressed bytes {start}-{start + n - 1} after "
                               f"gzip member {self.members} are not gzip data; ignored"))
        self.done = True
        return False

    def _trailer(self) -> None:
        """The member's deflate data ended: check CRC-32 and ISIZE (section 2.3.1)."""
        self.d = None
        while len(self.inbuf) - self.inpos < 8:
            if not self._more():
                self.cut = self.done = True
                self.notes.append(("truncated_capture", "the compressed data ends inside the trailer "
                                   f"of gzip member {self.members}; its data was read"))
                return
        t = self.inbuf[self.inpos:self.inpos + 8]
        self.inpos += 8
        if int.from_bytes(t[:4], "little") != self.crc or int.from_bytes(t[4:], "little") != self.size & 0xFFFFFFFF:
            self.notes.append(("capture_damaged", f"gzip member {self.members}: the CRC-32 or length "
                               "in its trailer does not match its data; the data was read but may be "
                               "damaged"))


def _salvage(d: zlib._Decompress, data: bytes, n: int) -> bytes:
    """Replay a failed step in small pieces from a copy of the inflater taken before it."""
    parts: list[bytes] = []
    got = 0
    while got < n:
        try:
            piece = d.decompress(data, min(SALVAGE_STEP, n - got))
        except zlib.error:
            break
        if not piece:
            break
        parts.append(piece)
        got += len(piece)
        data = d.unconsumed_tail
    return b"".join(parts)


def _header_size(b: bytes) -> int:
    """Length of the gzip member header at the start of ``b``; 0 when more bytes are needed, -1
    when ``b`` does not start a member."""
    if len(b) < 10:
        return 0 if GZIP_MAGIC.startswith(b[:2]) else -1
    if b[:2] != GZIP_MAGIC or b[2] != CM_DEFLATE:
        return -1
    flg = b[3]
    p = 10
    if flg & FEXTRA:
        if len(b) < p + 2:
            return 0
        p += 2 + int.from_bytes(b[p:p + 2], "little")
    for bit in (FNAME, FCOMMENT):
        if flg & bit:
            z = b.find(b"\0", p)
            if z < 0:
                return 0
            p = z + 1
    if flg & FHCRC:
        p += 2
    return p if len(b) >= p else 0
