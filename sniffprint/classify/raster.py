"""PWG Raster (PWG 5102.4), the IPP Everywhere raster format: detection by the sync word ``RaS2``.

It may arrive gzip-compressed (1F 8B); the IPP dissector decompresses before classifying.
"""
from __future__ import annotations

NAME = "PWG-Raster"


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(b"RaS2", at)
