"""pcapng blocks: the block types, their fixed lengths, the section header check, and interface
description blocks with their options
(https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html).

Every block is type, total length, body, total length again (section 3.1); the length is a
multiple of 4 and at least 12. A Section Header Block (4.1) carries the byte-order magic that sets
its section's byte order; an Interface Description Block (4.2) a link type, a snaplen and options
(3.5: code, length, value padded to 32 bits, ended by code 0), of which ``if_tsresol`` (9) and
``if_tsoffset`` (14) set how its packets' timestamps read. Packets come in Enhanced (4.3),
Simple (4.4: interface 0, no timestamp) and obsolete Packet (Appendix A) blocks.

Invariants:
- ``MIN_LENGTH`` is each type's fixed part: a block shorter than that is damage, not a packet.
- An IDB's options are read only while an option header fits before its trailer, and end at a
  value cut short. Any ``if_tsresol`` byte gives a finite divisor (at most 10^127 or 2^127).
- Nothing here reads beyond the block it is given: the framing (``pcapng``) and the resync
  (``pcapngresync``) check lengths and trailers first.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import CaptureError

PCAPNG_SHB = 0x0A0D0D0A  # Section Header Block type (palindromic: same in both byte orders)
SHB_BYTES = b"\x0a\x0d\x0d\x0a"
BOM_LE = b"\x4d\x3c\x2b\x1a"  # byte-order magic 0x1A2B3C4D written little-endian
BOM_BE = b"\x1a\x2b\x3c\x4d"
BT_IDB = 0x00000001  # Interface Description Block
BT_PB = 0x00000002  # Packet Block (obsolete)
BT_SPB = 0x00000003  # Simple Packet Block
BT_NRB = 0x00000004  # Name Resolution Block
BT_ISB = 0x00000005  # Interface Statistics Block
BT_EPB = 0x00000006  # Enhanced Packet Block
BT_SJE = 0x00000009  # systemd Journal Export Block
BT_DSB = 0x0000000A  # Decryption Secrets Block
BT_CB = 0x00000BAD  # Custom Block (copyable)
BT_DCB = 0x40000BAD  # Custom Block (do not copy)
KNOWN = frozenset({PCAPNG_SHB, BT_IDB, BT_PB, BT_SPB, BT_NRB, BT_ISB, BT_EPB, BT_SJE, BT_DSB, BT_CB,
                   BT_DCB})
MIN_LENGTH = {PCAPNG_SHB: 28, BT_IDB: 20, BT_PB: 32, BT_SPB: 16, BT_EPB: 32}
OPT_IF_TSRESOL = 9
OPT_IF_TSOFFSET = 14
MAX_BLOCK = 16 * 1024 * 1024  # a block larger than this is garbage
BLOCK_HEADER = 12  # type, length, trailing length

# per byte order: (type, length), a 32-bit word, the EPB's fixed part (interface, ts high, ts low,
# captured length, original length); bound methods, looked up once per section on the hot path
UNPACK = {e: (struct.Struct(e + "II").unpack_from, struct.Struct(e + "I").unpack_from,
              struct.Struct(e + "IIIII").unpack_from) for e in "<>"}


@dataclass(slots=True)
class Iface:
    """An interface of a section: what its packets' link layer and timestamps are."""

    linktype: int
    snaplen: int
    div: float  # timestamp units per second
    tsoffset: int  # seconds added to every timestamp

    @classmethod
    def parse(cls, b: bytes, p: int, blen: int, endian: str) -> Iface:
        """The IDB of ``blen`` bytes at ``p`` (length and trailer already checked)."""
        lt, _reserved, snap = struct.unpack_from(endian + "HHI", b, p + 8)
        div, tsoff = 1e6, 0
        for code, val in options(b, p + 16, p + blen - 4, endian):
            if code == OPT_IF_TSRESOL and len(val) >= 1:
                v = val[0]
                div = float(2 ** (v & 0x7F)) if v & 0x80 else float(10 ** min(v, 300))
            elif code == OPT_IF_TSOFFSET and len(val) >= 8:
                tsoff = struct.unpack_from(endian + "q", val)[0]
        return cls(lt, snap, div, tsoff)


def check_header(head: bytes, path: str) -> None:
    """``CaptureError`` unless ``head`` (at least 12 bytes) starts a section header block."""
    if len(head) < 12:
        raise CaptureError(f"{path}: pcapng section header is cut short ({len(head)} bytes)")
    if head[8:12] not in (BOM_LE, BOM_BE):
        raise CaptureError(f"{path}: pcapng section header has no byte-order magic")


def options(b: bytes, start: int, end: int, endian: str) -> Iterator[tuple[int, bytes]]:
    """(code, value) of the options between ``start`` and ``end``, up to opt_endofopt."""
    p = start
    while p + 4 <= end:
        code, length = struct.unpack_from(endian + "HH", b, p)
        if code == 0:
            return
        val = b[p + 4:p + 4 + length]
        if len(val) < length:
            return
        yield code, val
        p += 4 + ((length + 3) & ~3)
