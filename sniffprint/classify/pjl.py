"""PJL (HP Printer Job Language, HP PJL Technical Reference Manual): detection.

A PJL job starts with the Universal Exit Language ``ESC %-12345X`` followed by ``@PJL`` lines;
``@PJL ENTER LANGUAGE = X`` switches to the page description language for the bytes that follow.
"""
from __future__ import annotations

import re

NAME = "PJL"
UEL = b"\x1b%-12345X"  # Universal Exit Language
_ENTER = re.compile(rb"@PJL[ \t]+ENTER[ \t]+LANGUAGE[ \t]*=[ \t]*([A-Za-z0-9_.-]+)", re.I)
_LANG_NAMES = {b"PCL": "PCL5", b"PCLXL": "PCLXL", b"PCL6": "PCLXL", b"POSTSCRIPT": "PostScript",
               b"PDF": "PDF", b"PWGRASTER": "PWG-Raster", b"URF": "URF", b"ZPL": "ZPL",
               b"ESCP": "ESC/P", b"ESC/P": "ESC/P"}


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(UEL, at) or buf[at:at + 4].upper() == b"@PJL"


def body_offset(buf: bytes, at: int) -> int | None:
    """Offset just after the PJL header (after the line that ENTERs a language, or the last
    ``@PJL`` line), or None when the header is not complete in ``buf``."""
    p = at
    n = len(buf)
    while p < n:
        if buf.startswith(UEL, p):
            p += len(UEL)
            continue
        if buf[p:p + 4].upper() == b"@PJL":
            nl = buf.find(b"\n", p)
            if nl < 0:
                return None
            line = buf[p:nl]
            p = nl + 1
            if _ENTER.match(line):
                return p
            continue
        if buf[p] in b"\r\n":
            p += 1
            continue
        return p
    return None


def entered_language(buf: bytes) -> str | None:
    m = _ENTER.search(buf)
    if not m:
        return None
    return _LANG_NAMES.get(m.group(1).upper().replace(b"-", b""), None)
