"""PWG Raster (PWG 5102.4-2012 "PWG Raster Format", section 4), the IPP Everywhere raster format.

The stream is the sync word ``RaS2`` followed, per page, by a 1796-byte page header (which starts
with the string ``PwgRaster``) and the page's compressed lines. ``TotalPageCount`` (UnsignedInt,
big-endian, header bytes 452-455) gives the page count when the writer knew it; otherwise pages
are counted by their headers, which is only cheap when the whole document is in the head window
(page data is run-length encoded and cannot be skipped without decoding it).
It may arrive gzip-compressed (1F 8B): ``classify`` detects the wrapper and classifies the
decompressed head.
"""
from __future__ import annotations

import struct

from .fields import DocField

NAME = "PWG-Raster"
SYNC = b"RaS2"
PAGE_HEADER = b"PwgRaster\x00"
HEADER_BYTES = 1796
_TOTAL_PAGES = struct.Struct(">I")  # TotalPageCount at header offset 452
TOTAL_PAGES_AT = 452


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(SYNC, at)


def page_count(buf: bytes, whole: bool) -> int | None:
    at = buf.find(SYNC)
    if at < 0 or len(buf) < at + 4 + TOTAL_PAGES_AT + 4:
        return None
    (total,) = _TOTAL_PAGES.unpack_from(buf, at + 4 + TOTAL_PAGES_AT)
    if total:
        return int(total)
    if whole:
        return buf.count(PAGE_HEADER, at)
    return None


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    n = page_count(head, whole)
    return [DocField("pages", str(n), "pwg")] if n else []
