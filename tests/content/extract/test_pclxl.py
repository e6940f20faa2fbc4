"""PCL XL ``Text`` operators, and bitmap-font jobs told apart (``sniffprint/content/extract/pclxl.py``)."""
from __future__ import annotations

import struct
from pathlib import Path

from ._docs import PS, UEL, gs, needs_gs, run


@needs_gs
def test_pxlmono_is_raster(tmp_path: Path) -> None:
    r = run(UEL + b"@PJL ENTER LANGUAGE=PCLXL\r\n" + gs(tmp_path, "pxlmono", PS) + UEL)
    assert r.status == "raster" and r.pages == 1 and r.text == ""


def _xl_text(s: str, y: int, wide: bool = False) -> bytes:
    point = b"\xd3" + struct.pack("<hh", 100, y) + b"\xf8\x4c\x6b"  # sint16_xy Point SetCursor
    if wide:
        arr = b"\xc9\xc1" + struct.pack("<H", len(s)) + b"".join(struct.pack("<H", ord(c)) for c in s)
    else:
        arr = b"\xc8\xc1" + struct.pack("<H", len(s)) + s.encode("latin-1")
    return point + arr + b"\xf8\xab\xa8"


def test_pclxl_text_data() -> None:
    body = (b") HP-PCL XL;2;0\n\xd1\x2c\x01\x2c\x01\xf8\x89\x41\x43" + _xl_text("Hello XL", 100)
            + _xl_text("Żółw 078-05-1120", 200, wide=True) + b"\x44\x42")
    r = run(UEL + b"@PJL JOB\r\n@PJL ENTER LANGUAGE=PCLXL\r\n" + body + UEL + b"@PJL EOJ\r\n" + UEL)
    assert r.status == "text" and r.pages == 1
    assert r.text == "Hello XL\nŻółw 078-05-1120"
