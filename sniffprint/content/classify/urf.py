"""Apple Raster / URF (used by AirPrint): an 8-byte file header ``UNIRAST\\0`` and the page count
as a big-endian UInt32 (0 when the writer streamed it), then per page a 32-byte page header and
compressed lines (as documented by the CUPS and Ghostscript ``urf`` writers)."""
from __future__ import annotations

import struct

from .fields import DocField

NAME = "URF"
MAGIC = b"UNIRAST\x00"
_PAGES = struct.Struct(">I")  # page count, right after the magic


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(b"UNIRAST", at)


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    at = head.find(MAGIC)
    if at < 0 or len(head) < at + 12:
        return []
    (pages,) = _PAGES.unpack_from(head, at + 8)
    return [DocField("pages", str(pages), "urf")] if pages else []
