"""Content codings removed from a body as it streams: gzip and deflate (RFC 9110 section 8.4.1).

Used for HTTP transfer and content codings (RFC 9112 section 7, RFC 9110 section 8.4) and for
the IPP ``compression`` of a document (RFC 8011 section 5.4.32), which name the same formats:
gzip is RFC 1952; deflate is RFC 1950 (zlib) in HTTP, but raw RFC 1951 data is common in
practice, so the first two bytes decide (a zlib header is CMF 8 with CMF*256+FLG a multiple of 31).

Invariants:
- Rule 1: output is bounded by ``INFLATE_RATIO`` times the input plus ``INFLATE_SLACK``: deflate
  cannot exceed about 1032:1 in one layer, so more means nested layers (a decompression bomb),
  and decoding stops with ``CodingError``.
- Rule 2: decoding is incremental; nothing is buffered but zlib's own window and, for deflate,
  at most one byte until the wrapper is known.
- Rule 3: ``CodingError`` is internal to the dissector (it becomes a Note and a partial job),
  and its text never quotes the data.
"""
from __future__ import annotations

import zlib

INFLATE_RATIO = 1100  # output bytes allowed per input byte
INFLATE_SLACK = 1 << 20  # and this many more, for small inputs
GZIP = "gzip"
DEFLATE = "deflate"
# HTTP coding names (IANA HTTP Content Coding and Transfer Coding registries): what each removes.
HTTP_CODINGS = {"gzip": GZIP, "x-gzip": GZIP, "deflate": DEFLATE, "identity": None}
# Registered codings that are not decoded: an anomaly may name them, as they come from this table.
UNDECODED = frozenset({"aes128gcm", "br", "chunked", "compress", "dcb", "dcz", "exi", "pack200-gzip",
                       "trailers", "x-compress", "zstd"})

Data = bytes | memoryview


class CodingError(Exception):
    """A content or IPP compression coding failed; internal to the HTTP dissector."""


def undecoded(what: str, name: str) -> str:
    """An anomaly detail for a coding that is not decoded. The name comes off the wire, so only a
    registered one (from ``UNDECODED``) is named; any other is told by its length alone."""
    if name in UNDECODED:
        return f"{what} {name!r} is not decoded"
    return f"unknown {what} ({len(name)} bytes) is not decoded"


class Inflater:
    """Incremental gzip / deflate decoder with an output bound (decompression bombs)."""

    __slots__ = ("kind", "d", "head", "seen_in", "seen_out")

    def __init__(self, kind: str) -> None:
        self.kind = kind  # GZIP or DEFLATE
        self.d: zlib._Decompress | None = zlib.decompressobj(31) if kind == GZIP else None
        self.head = b""  # deflate: the first two bytes decide zlib wrapper or raw (RFC 1950 vs 1951)
        self.seen_in = 0
        self.seen_out = 0

    def feed(self, data: Data) -> bytes:
        if self.d is None:
            data = self.head + data
            if len(data) < 2:
                self.head = bytes(data)
                return b""
            self.head = b""
            zlib_hdr = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self.d = zlib.decompressobj(15 if zlib_hdr else -15)
        if self.d.eof:
            return b""  # trailing bytes after the stream end (another gzip member) are ignored
        self.seen_in += len(data)
        room = INFLATE_RATIO * self.seen_in + INFLATE_SLACK - self.seen_out
        try:
            out = self.d.decompress(data, max(room, 1))
        except zlib.error as exc:
            raise CodingError(f"{self.kind}: {exc}") from None
        if self.d.unconsumed_tail:
            raise CodingError(f"{self.kind}: output over {INFLATE_RATIO}:1 (decompression bomb?)")
        self.seen_out += len(out)
        return out

    def flush(self) -> bytes:
        if self.d is None:
            return b""  # fewer than two bytes ever arrived: nothing to decode
        try:
            return self.d.flush() if not self.d.eof else b""
        except zlib.error as exc:
            raise CodingError(f"{self.kind}: {exc}") from None
