"""PCL XL / PCL 6 (HP PCL XL Feature Reference Protocol Class 2.0, ch. 4 "Stream header").

The binary stream starts with a byte-order mark and an ASCII header line ended by LF::

    ) HP-PCL XL;<protocol class>;<revision>[;<comment>] LF

``)`` is binary low byte first (what drivers send), ``(`` binary high byte first, ``'`` ASCII. Drivers
send it after a PJL header (``@PJL ENTER LANGUAGE = PCLXL``), sometimes after a second UEL and
more ``@PJL`` lines (Ghostscript's ``pxlmono``); ``classify.detect_all`` walks every header.
"""
from __future__ import annotations

import re

from .fields import DocField, text

NAME = "PCLXL"
# ")" binary low byte first, "(" binary high byte first, "'" ASCII (Ghostscript writes ")" and
# little-endian data: ``c1 2c 01`` is the uint16 300)
BYTE_ORDERS = {ord(")"): "little-endian", ord("("): "big-endian", ord("'"): "ascii"}
_HEADER = re.compile(rb"[)(']\x20HP-PCL XL;([0-9]+);([0-9]+)(?:;([^\n]{0,200}))?\n")


def detect(buf: bytes, at: int) -> bool:
    return len(buf) > at and buf[at] in BYTE_ORDERS and buf.startswith(b" HP-PCL XL", at + 1)


def byte_order(buf: bytes, at: int) -> str | None:
    return BYTE_ORDERS.get(buf[at]) if detect(buf, at) else None


def stream_header(buf: bytes, at: int) -> tuple[str, str, str] | None:
    """(byte order, "class.revision", comment) of the stream header at ``at``, or None."""
    m = _HEADER.match(buf, at)
    if m is None:
        return None
    return BYTE_ORDERS[buf[at]], f"{int(m.group(1))}.{int(m.group(2))}", text((m.group(3) or b"").rstrip(b"\x00"))


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    return []  # the header comment names the driver's copyright, not the job
