"""PCL 5 (HP PCL 5 Printer Language Technical Reference): detection.

A PCL 5 job starts with the printer reset ``ESC E`` or another escape sequence: ``ESC`` followed
by a parameterised character in ``!`` .. ``/`` and a group character, e.g. ``ESC & l 0 O``.
"""
from __future__ import annotations

NAME = "PCL5"
RESET = b"\x1bE"  # printer reset


def detect(buf: bytes, at: int) -> bool:
    if buf.startswith(RESET, at):
        return True
    # ESC + parameterised char (0x21-0x2F) + group char (0x60-0x7E) + a value or terminator
    if len(buf) >= at + 4 and buf[at] == 0x1B and 0x21 <= buf[at + 1] <= 0x2F and 0x60 <= buf[at + 2] <= 0x7E:
        c = buf[at + 3]
        return 0x30 <= c <= 0x39 or c in b"+-." or 0x40 <= c <= 0x5E
    return False
