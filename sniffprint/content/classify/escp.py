"""ESC/P and ESC/P2 (Epson ESC/P Reference Manual): a job starts ``ESC @`` (initialise printer).

Other ESC/P commands are too short and too common to name the language on their own."""
from __future__ import annotations

from .fields import DocField

NAME = "ESC/P"


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(b"\x1b@", at)


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    return []
