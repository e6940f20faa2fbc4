"""PostScript (PLRM 3rd ed.; Adobe DSC specification 3.0, TN 5001; TBCP, TN 5098).

A PostScript job starts with ``%!`` (``%!PS-Adobe-3.0`` when it follows the Document Structuring
Conventions), possibly after a Ctrl-D (0x04, the end-of-job marker of serial/AppSocket channels)
or the TBCP switch ``ESC %-12345X`` / ``\\x01M``. DSC header comments name the job::

    %%Title: payroll.doc         -> title
    %%For: alice                 -> user (when no envelope or PJL names one)
    %%Creator: Writer            -> creator
    %%CreationDate: (...)        -> creation_date
    %%Pages: 3 | (atend)         -> pages ((atend): the value is in the trailer, read from the tail)

Values may be PostScript strings ``(...)`` with backslash escapes (DSC 3.0 section 4.6).
"""
from __future__ import annotations

import re

from .fields import DocField, text

NAME = "PostScript"
TBCP = b"\x01M"  # Tagged Binary Communications Protocol switch
CTRL_D = 0x04  # end of job on AppSocket / serial channels
SOURCE = "dsc"
_DSC = re.compile(rb"^%%(Title|For|Creator|CreationDate|Pages):[ \t]*([^\r\n]{0,600})", re.M)
_FIELD = {b"Title": "title", b"For": "user", b"Creator": "creator", b"CreationDate": "creation_date",
          b"Pages": "pages"}
_ESC = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def detect(buf: bytes, at: int) -> bool:
    if buf.startswith(TBCP, at):
        at += 2
    return buf.startswith(b"%!", at)


def _unescape(m: re.Match[bytes]) -> bytes:
    g = m.group(1)
    if g[:1].isdigit():
        return bytes([int(g, 8) & 0xFF])
    return _SIMPLE.get(g, g)


def dsc_value(raw: bytes) -> str:
    v = raw.strip()
    if v.startswith(b"(") and v.endswith(b")") and len(v) >= 2:
        v = _ESC.sub(_unescape, v[1:-1])
    return text(v)


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    first: dict[bytes, bytes] = {}
    for m in _DSC.finditer(head):
        first.setdefault(m.group(1), m.group(2))
    atend = [k for k, v in first.items() if v.strip().lower() == b"(atend)"]
    if atend:
        # the trailer repeats the key with its value; the last one in the document wins (DSC 3.0 5.3)
        for m in _DSC.finditer(head if whole else tail):
            if m.group(1) in atend and m.group(2).strip().lower() != b"(atend)":
                first[m.group(1)] = m.group(2)
    out: list[DocField] = []
    for key, raw in first.items():
        value = dsc_value(raw)
        if not value or value.lower() == "(atend)":
            continue
        name = _FIELD[key]
        if name == "pages":
            value = value.split()[0]
            if not value.isdigit():
                continue
        out.append(DocField(name, value, SOURCE))
    return out
