"""Apple Raster / URF ("UNIRAST" header, used by AirPrint): detection."""
from __future__ import annotations

NAME = "URF"


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(b"UNIRAST", at)
