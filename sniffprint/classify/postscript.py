"""PostScript (PLRM 3rd ed.; DSC spec 3.0; Adobe TBCP): detection.

A PostScript job starts with ``%!`` (``%!PS-Adobe-3.0`` with DSC comments), possibly after the
TBCP prefix ``ESC %-12345X`` / ``\\x01M`` or a Ctrl-D.
"""
from __future__ import annotations

NAME = "PostScript"
TBCP = b"\x01M"  # Tagged Binary Communications Protocol switch


def detect(buf: bytes, at: int) -> bool:
    if buf.startswith(TBCP, at):
        at += 2
    return buf.startswith(b"%!", at)
