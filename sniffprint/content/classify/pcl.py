"""PCL 5 (HP PCL 5 Printer Language Technical Reference Manual, ch. 2 "PCL command syntax").

A PCL 5 job starts with the printer reset ``ESC E`` or another escape sequence. Parameterised
escape sequences are ``ESC`` + a parameterised character (``!`` .. ``/``) + a group character
(`` ` `` .. ``~``) + a value (digits, sign, decimal point) + a parameter character (lower case to
combine, upper case to terminate). Two-character sequences are ``ESC`` + ``0`` .. ``~``.

Bytes outside escape sequences are text for the current font: ``text_runs`` returns the printable
runs (groff ``-Tlj4`` output places words this way; raster PCL from Ghostscript has none), for
evidence excerpts. ``ESC * b <n> W`` and similar carry ``n`` bytes of binary data that are skipped.
"""
from __future__ import annotations

import re

from .fields import DocField

NAME = "PCL5"
RESET = b"\x1bE"  # printer reset

# ESC, parameterised char, group char, then value+parameter pairs up to the upper-case terminator
_SEQ = re.compile(rb"\x1b([\x21-\x2f])([\x60-\x7e])((?:[+-]?[0-9]*(?:\.[0-9]*)?[\x60-\x7e])*)"
                  rb"([+-]?[0-9]*(?:\.[0-9]*)?)([\x40-\x5e])")
_NOGROUP = re.compile(rb"\x1b([\x21-\x2f])([+-]?[0-9]*(?:\.[0-9]*)?)([\x40-\x5e])")  # e.g. ESC ( 19U
_TWO = re.compile(rb"\x1b[\x30-\x7e]")
_RUN = re.compile(rb"[\x20-\x7e\xa0-\xff]{3,}")
# Sequences followed by <n> bytes of binary data: any "...<n>W" (raster rows, font headers,
# character data), "*b<n>V" (a raster plane) and "&p<n>X" (transparent print data). "(s<n>V" is
# a point size, not a payload.
DATA_TERMINATORS = {b"W": None, b"V": b"*b", b"X": b"&p"}


def detect(buf: bytes, at: int) -> bool:
    if buf.startswith(RESET, at):
        return True
    # ESC + parameterised char (0x21-0x2F) + group char (0x60-0x7E) + a value or terminator
    if len(buf) >= at + 4 and buf[at] == 0x1B and 0x21 <= buf[at + 1] <= 0x2F and 0x60 <= buf[at + 2] <= 0x7E:
        c = buf[at + 3]
        return 0x30 <= c <= 0x39 or c in b"+-." or 0x40 <= c <= 0x5E
    return False


def text_runs(buf: bytes, at: int = 0, limit: int = 4096) -> list[str]:
    """Printable runs between escape sequences (skipping binary payloads), up to ``limit`` chars."""
    out: list[str] = []
    total = 0
    p, n = at, len(buf)
    while p < n and total < limit:
        e = buf.find(b"\x1b", p)
        seg = buf[p:n if e < 0 else e]
        for m in _RUN.finditer(seg):
            out.append(m.group(0).decode("latin-1"))
            total += len(m.group(0))
        if e < 0:
            break
        seq = _SEQ.match(buf, e)
        if seq is not None:
            p = seq.end()
            term = seq.group(5)
            if term in DATA_TERMINATORS and seq.group(4):
                group = DATA_TERMINATORS[term]
                if group is None or seq.group(1) + seq.group(2) == group:
                    try:
                        p += int(float(seq.group(4)))  # binary payload: not text
                    except ValueError:
                        pass
            continue
        seq = _NOGROUP.match(buf, e)
        if seq is not None:
            p = seq.end()
            continue
        m2 = _TWO.match(buf, e)
        p = m2.end() if m2 else e + 1
    return out


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    return []  # PCL 5 has no job metadata of its own (PJL carries it)
