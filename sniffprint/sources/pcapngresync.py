"""pcapng damage and resync: deciding whether a block whose successor is not in view is whole, and
finding the next plausible block after damage
(https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html, section 3.1: every block is
type, total length, body, total length again).

The reading loop (``pcapng.PcapngFraming.frames``) takes a block at once when the block after it
is whole in the buffer too; everything else comes here.

Invariants:
- A plausible block: a known type (the first one searched for; blocks after it may be of any
  type), a length that is a multiple of 4, at least its type's fixed part and at most
  ``MAX_BLOCK``, a trailing copy equal to it, for packets an interface of the section, a captured
  length that fits the block and a link-layer header that fits the link type. It is confirmed
  by the block after it (or the end of the input), and by one more when its timestamp is not
  within ``TS_WINDOW`` of the last good frame.
- Found inside a block that looked whole, a plausible block means that block's framing was
  wrong: it is skipped up to there. Found after it, the block is taken and the bytes between are
  skipped. Either way the skipped range is reported (``framing.skipped``) and reading goes on.
- A block cut by the end of the input, with nothing plausible after its start, is truncation
  (``framing.truncated``), not damage.
- The search is a C-speed regex prefilter (``candidate_pattern``) verified in Python
  (``framing.scan``): a byte run with no possible block start costs no Python per byte.
"""
from __future__ import annotations

import re
import struct
from typing import Protocol

from ..anomalies import AnomalySink
from .framing import TS_WINDOW, CaptureStats, ReadBuffer, literal, looks_like, scan, skipped, truncated
from .pcapngblocks import (
    BLOCK_HEADER,
    BOM_BE,
    BOM_LE,
    BT_EPB,
    BT_PB,
    BT_SPB,
    KNOWN,
    MAX_BLOCK,
    MIN_LENGTH,
    PCAPNG_SHB,
    SHB_BYTES,
    Iface,
)


class SectionState(Protocol):
    """What the resync reads of the section being framed."""

    endian: str  # "<" or ">", from the section header's byte-order magic
    ifaces: list[Iface]
    last_ts: float | None  # of the last frame delivered


class Resync:
    """Damage handling for one pcapng input; reads the framing's ``state`` as it moves on."""

    __slots__ = ("path", "sink", "stats", "state", "patterns")

    def __init__(self, path: str, sink: AnomalySink, stats: CaptureStats, state: SectionState) -> None:
        self.path, self.sink, self.stats = path, sink, stats
        self.state = state
        self.patterns = {"<": candidate_pattern("<"), ">": candidate_pattern(">")}

    def confirm(self, r: ReadBuffer, btype: int, blen: int) -> tuple[bytes, int] | None:
        """The block at ``r.pos`` has a matching trailer but the next block is not (yet) seen to be
        whole. Return (buffer, offset) of the block to take, ``r.pos`` on the next one; None after
        skipping it as damage."""
        fmt = self.state.endian + "II"
        if r.need(blen + BLOCK_HEADER):
            nt, nl = struct.unpack_from(fmt, r.buf, r.pos + blen)
            if nt == PCAPNG_SHB:
                return self._take(r, blen)
            if BLOCK_HEADER <= nl <= MAX_BLOCK and not nl & 3:
                if r.need(blen + nl):
                    if struct.unpack_from(fmt[0] + "I", r.buf, r.pos + blen + nl - 4)[0] == nl:
                        return self._take(r, blen)
                elif not self._found_inside(r, blen):  # the next block runs past the end
                    return self._take(r, blen)
                else:
                    return None
            return self._before_damage(r, btype, blen)
        if len(r.buf) - r.pos == blen or not self._found_inside(r, blen):
            return self._take(r, blen)  # the last block, or the input ends in the next header
        return None

    def damage(self, r: ReadBuffer, why: str) -> None:
        """The block at ``r.pos`` is impossible: skip to the next plausible block."""
        start = r.offset
        found = scan(r, self.patterns[self.state.endian], self._candidate, BLOCK_HEADER)
        skipped(self.sink, self.stats, self.path, start, r.offset, why, found)

    def beyond_end(self, r: ReadBuffer, btype: int, blen: int) -> None:
        """The input ends before the ``blen`` bytes the block at ``r.pos`` claims: a cut block,
        unless a plausible block follows (then the length lied)."""
        start = r.offset
        if scan(r, self.patterns[self.state.endian], self._candidate, BLOCK_HEADER):
            skipped(self.sink, self.stats, self.path, start, r.offset,
                    f"block at byte {start} (type {btype:#x}) claims {blen} bytes, beyond the end "
                    "of the input")
        else:
            truncated(self.sink, self.stats, self.path, f"a {blen}-byte block", start)

    @staticmethod
    def _take(r: ReadBuffer, blen: int) -> tuple[bytes, int]:
        p = r.pos
        r.pos = p + blen
        return r.buf, p

    def _found_inside(self, r: ReadBuffer, blen: int) -> bool:
        """At the end of the input (all of it buffered): whether a plausible block starts inside
        the block at ``r.pos``; if so it is skipped up to there (its framing was wrong)."""
        start, p = r.offset, r.pos
        if scan(r, self.patterns[self.state.endian], self._candidate, BLOCK_HEADER, skip=BLOCK_HEADER) \
                and r.pos < p + blen:
            skipped(self.sink, self.stats, self.path, start, r.offset,
                    f"block at byte {start} is not followed by a valid block, and one starts at "
                    f"byte {r.offset} inside it")
            return True
        r.pos = p  # nothing inside: the buffer was not moved (the input had ended)
        return False

    def _before_damage(self, r: ReadBuffer, btype: int, blen: int) -> tuple[bytes, int] | None:
        """The block at ``r.pos`` looks whole but the next one does not: search the next plausible
        block from inside this one. Found inside, this block's framing was wrong (skipped); found
        after it, this block is taken (a copy) and the bytes between are skipped."""
        start = r.offset
        kept = r.buf[r.pos:r.pos + blen]
        found = scan(r, self.patterns[self.state.endian], self._candidate, BLOCK_HEADER, skip=BLOCK_HEADER)
        at = r.offset
        if found and at < start + blen:
            skipped(self.sink, self.stats, self.path, start, at,
                    f"block at byte {start} (type {btype:#x}) is not followed by a valid block, and "
                    f"one starts at byte {at} inside it")
            return None
        skipped(self.sink, self.stats, self.path, start + blen, at,
                f"block header at byte {start + blen} is damaged", found)
        return kept, 0

    def _candidate(self, r: ReadBuffer) -> bool:
        """Whether a plausible block starts at ``r.pos``."""
        ok, ts_near = self._block_ok(r, 0, self.state.last_ts, first=True)
        if not ok:
            return False
        blen = struct.unpack_from(self._endian_at(r, 0), r.buf, r.pos + 4)[0]
        return self._chain(r, blen, 1 if ts_near else 2)

    def _endian_at(self, r: ReadBuffer, at: int) -> str:
        bom = r.buf[r.pos + at + 8:r.pos + at + 12]
        if r.buf[r.pos + at:r.pos + at + 4] == SHB_BYTES and bom in (BOM_LE, BOM_BE):
            return "<II" if bom == BOM_LE else ">II"
        return self.state.endian + "II"

    def _chain(self, r: ReadBuffer, at: int, depth: int) -> bool:
        """Whether ``depth`` consistent blocks start ``at`` bytes after ``r.pos`` (or the input
        ends there)."""
        for _ in range(depth):
            if not r.need(at + BLOCK_HEADER):
                return len(r.buf) - r.pos >= at
            ok, _near = self._block_ok(r, at, None, first=False)
            if not ok:
                return False
            at += struct.unpack_from(self._endian_at(r, at), r.buf, r.pos + at + 4)[0]
        return True

    def _block_ok(self, r: ReadBuffer, at: int, ref: float | None, first: bool) -> tuple[bool, bool]:
        """(plausible, timestamp near ``ref``) for the block ``at`` bytes after ``r.pos``. The
        candidate itself (``first``) must be of a known type; a block after it may be unknown, and
        may be cut by the end of the input."""
        if not r.need(at + 16):
            return False, False
        fmt = self._endian_at(r, at)
        btype, blen = struct.unpack_from(fmt, r.buf, r.pos + at)
        if first and btype not in KNOWN:
            return False, False
        if blen < MIN_LENGTH.get(btype, BLOCK_HEADER) or blen & 3 or blen > MAX_BLOCK:
            return False, False
        if not r.need(at + blen):
            return (not first and r.eof), False  # a cut block at the very end: truncation
        b, p = r.buf, r.pos + at
        if struct.unpack_from(fmt[0] + "I", b, p + blen - 4)[0] != blen:
            return False, False
        if btype == PCAPNG_SHB:
            return b[p + 8:p + 12] in (BOM_LE, BOM_BE), True
        if btype not in (BT_EPB, BT_PB):
            return True, btype != BT_SPB or ref is None
        if btype == BT_EPB:
            ifid, hi, lo, incl, _orig = struct.unpack_from(fmt[0] + "IIIII", b, p + 8)
        else:
            ifid, _d, hi, lo, incl, _orig = struct.unpack_from(fmt[0] + "HHIIII", b, p + 8)
        ifaces = self.state.ifaces
        if incl > blen - 32 or ifid >= max(len(ifaces), 1):
            return False, False
        iface = ifaces[ifid] if ifaces else Iface(1, 0, 1e6, 0)
        if first and not looks_like(iface.linktype, b[p + 28:p + 28 + min(incl, 64)]):
            return False, False
        ts = iface.tsoffset + ((hi << 32) | lo) / iface.div
        return True, ref is not None and abs(ts - ref) <= TS_WINDOW


def candidate_pattern(endian: str) -> re.Pattern[bytes]:
    """Bytes that can start a plausible block: a known type and a length that is a multiple of 4
    below 16 MiB (in the section's byte order), or an SHB (C-speed prefilter for ``scan``)."""
    mult4 = b"[" + b"".join(literal(bytes([v])) for v in range(0, 256, 4)) + b"]"
    small = b"[" + b"".join(literal(bytes([t])) for t in (1, 2, 3, 4, 5, 6, 9, 10)) + b"]"
    if endian == "<":
        typed = b"(?:" + small + b"\\x00\\x00\\x00|\\xad\\x0b\\x00[\\x00\\x40])" + mult4 + b"..\\x00"
    else:
        typed = b"(?:\\x00\\x00\\x00" + small + b"|[\\x00\\x40]\\x00\\x0b\\xad)\\x00.." + mult4
    return re.compile(typed + b"|" + literal(SHB_BYTES) + b"....", re.DOTALL)
