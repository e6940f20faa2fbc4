"""ESC/P and ESC/P2 (Epson ESC/P Reference Manual): ``ESC @`` initialise printer."""
from __future__ import annotations

NAME = "ESC/P"


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(b"\x1b@", at)
