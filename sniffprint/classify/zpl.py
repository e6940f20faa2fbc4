"""ZPL II (Zebra Programming Guide): a label format starts ``^XA`` (or ``~`` control commands)."""
from __future__ import annotations

NAME = "ZPL"


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(b"^XA", at) or (buf.startswith(b"~", at) and b"^XA" in buf[at:at + 256])
