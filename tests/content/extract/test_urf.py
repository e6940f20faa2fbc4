"""URF (AirPrint) is pixels: status "raster" with the header's page count
(``sniffprint/content/extract/urf.py``)."""
from __future__ import annotations

import struct

from ._docs import run


def test_urf_is_raster() -> None:
    r = run(b"UNIRAST\x00" + struct.pack(">I", 2) + b"\x00" * 64)
    assert (r.status, r.pages, r.text) == ("raster", 2, "")
    assert r.detail == "raster: text not recoverable (2 pages); URF"


def test_urf_streamed_page_count_unknown() -> None:
    r = run(b"UNIRAST\x00" + struct.pack(">I", 0) + b"\x00" * 64)
    assert (r.status, r.pages) == ("raster", None)
