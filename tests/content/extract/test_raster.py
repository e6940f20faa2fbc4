"""PWG Raster is pixels: status "raster" with the page count (``sniffprint/content/extract/raster.py``)."""
from __future__ import annotations

import struct

from ._docs import run


def _pwg(total: int, pages: int = 1) -> bytes:
    out = b"RaS2"
    for _ in range(pages):
        hdr = bytearray(1796)
        hdr[:10] = b"PwgRaster\x00"
        hdr[452:456] = struct.pack(">I", total)
        out += bytes(hdr) + b"\x00" * 100
    return out


def test_pwg_is_raster_with_total_page_count() -> None:
    r = run(_pwg(3))
    assert (r.status, r.pages, r.text) == ("raster", 3, "")
    assert r.detail.startswith("raster: text not recoverable (3 pages)")


def test_pwg_pages_counted_when_total_unknown() -> None:
    r = run(_pwg(0, pages=2))
    assert (r.status, r.pages) == ("raster", 2)
