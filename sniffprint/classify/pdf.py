"""PDF (ISO 32000-1 section 7.5.2, file header): detection by ``%PDF-x.y``."""
from __future__ import annotations

NAME = "PDF"


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(b"%PDF-", at)
