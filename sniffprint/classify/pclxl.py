"""PCL XL / PCL 6 (HP PCL XL Feature Reference, "Stream header"): detection.

The binary stream starts with a byte-order mark and a header line: ``)`` big-endian binary,
``(`` little-endian binary, ``'`` ASCII, then `` HP-PCL XL;<protocol>;<revision>;...`` and LF.
"""
from __future__ import annotations

NAME = "PCLXL"
BYTE_ORDERS = {ord(")"): "big-endian", ord("("): "little-endian", ord("'"): "ascii"}


def detect(buf: bytes, at: int) -> bool:
    return len(buf) > at and buf[at] in BYTE_ORDERS and buf.startswith(b" HP-PCL XL", at + 1)


def byte_order(buf: bytes, at: int) -> str | None:
    return BYTE_ORDERS.get(buf[at]) if detect(buf, at) else None
