"""pcapng framing (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html).

Sections start with a Section Header Block (SHB, its byte-order magic sets the section's byte
order) and hold any number of interfaces (IDB: link type, snaplen, ``if_tsresol`` option 9,
``if_tsoffset`` option 14). Packets come in Enhanced (EPB), Simple (SPB: interface 0, no
timestamp) and obsolete Packet (PB) blocks. Every block is type, total length, body, total length
again (section 3.1); the length is a multiple of 4 and at least 12.

Invariants:
- A block whose length is impossible (below 12, not a multiple of 4, beyond 16 MiB, beyond the end
  of the input, or different from its trailing copy) or that is too short for its type is damage:
  the bytes up to the next plausible block are skipped and reported (``framing.skipped``) and
  reading goes on. A plausible block: a known type, a consistent length and trailer, for packets a
  known interface, a fitting link-layer header and a timestamp near the last good frame; confirmed
  by the block after it (twice when the timestamp is not near).
- An unknown block type with a consistent length is skipped silently: section 3.1 lets readers
  ignore blocks they do not know.
- An SHB anywhere starts a new section: new byte order, new interface list.
- A packet on an interface no IDB of its section declared is decoded by the best evidence
  (``framing.guess_linktype``), counted, and reported once per interface at the end of the
  section as ``undeclared_interface``; the capture counts as damaged (an IDB was lost).
"""
from __future__ import annotations

import re
import struct
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..anomalies import AnomalySink
from ..errors import CaptureError
from ..model import RawFrame
from .framing import TS_WINDOW, CaptureStats, ReadBuffer, guess_linktype, literal, looks_like, scan, skipped, truncated

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
MAX_RECORD = 262_144
BLOCK_HEADER = 12  # type, length, trailing length


@dataclass(slots=True)
class Iface:
    linktype: int
    snaplen: int
    div: float  # timestamp units per second
    tsoffset: int  # seconds added to every timestamp


@dataclass(slots=True)
class _Undeclared:
    """Packets of one undeclared interface id in one section."""

    placed: Counter[int] = field(default_factory=Counter)  # link type -> packets
    how: set[str] = field(default_factory=set)
    unplaced: int = 0
    unplaced_bytes: int = 0
    first_ts: float | None = None


def check_header(head: bytes, path: str) -> None:
    """``CaptureError`` unless ``head`` (at least 12 bytes) starts a section header block."""
    if len(head) < 12:
        raise CaptureError(f"{path}: pcapng section header is cut short ({len(head)} bytes)")
    if head[8:12] not in (BOM_LE, BOM_BE):
        raise CaptureError(f"{path}: pcapng section header has no byte-order magic")


class PcapngFraming:
    """The blocks of one pcapng file, read from ``r`` positioned on the first SHB."""

    def __init__(self, path: str, sink: AnomalySink, stats: CaptureStats) -> None:
        self.path, self.sink, self.stats = path, sink, stats
        self.endian = "<"
        self.ifaces: list[Iface] = []
        self.section = 0
        self.undeclared: dict[int, _Undeclared] = {}
        self.patterns = {"<": _candidate_pattern("<"), ">": _candidate_pattern(">")}
        self.last_ts: float | None = None  # of the last frame delivered (SPBs inherit it)

    def frames(self, r: ReadBuffer, index: int) -> Iterator[RawFrame]:
        stats = self.stats
        new, frame = tuple.__new__, RawFrame
        n0, nbytes = index, 0
        u_hdr, u_u32, u_epb = _UNPACK[self.endian]
        carried = False  # the block at r.pos was checked whole while taking the one before
        btype = blen = next_type = next_len = 0
        mins = MIN_LENGTH.get
        try:
            while True:
                if carried:
                    b, p = r.buf, r.pos
                    btype, blen = next_type, next_len
                    carried = False
                else:
                    if not r.need(BLOCK_HEADER):
                        if len(r.buf) - r.pos:
                            truncated(self.sink, stats, self.path, "a block header", r.offset)
                        return
                    b, p = r.buf, r.pos
                    btype, blen = u_hdr(b, p)
                    if btype == PCAPNG_SHB:
                        _flush(stats, index - n0, nbytes, self.last_ts)
                        n0, nbytes = index, 0
                        if not self._section(r):
                            continue
                        u_hdr, u_u32, u_epb = _UNPACK[self.endian]
                        btype, blen = u_hdr(b, p)
                    if blen < mins(btype, BLOCK_HEADER) or blen & 3 or blen > MAX_BLOCK:
                        _flush(stats, index - n0, nbytes, self.last_ts)
                        n0, nbytes = index, 0
                        self._damage(r, f"block at byte {r.offset} (type {btype:#x}) has impossible "
                                        f"length {blen}")
                        continue
                    if not r.need(blen):
                        _flush(stats, index - n0, nbytes, self.last_ts)
                        n0, nbytes = index, 0
                        self._beyond_end(r, btype, blen)
                        continue
                    b, p = r.buf, r.pos
                    trailer = u_u32(b, p + blen - 4)[0]
                    if trailer != blen:
                        _flush(stats, index - n0, nbytes, self.last_ts)
                        n0, nbytes = index, 0
                        self._damage(r, f"block at byte {r.offset} (type {btype:#x}) has length "
                                        f"{blen} but trailing length {trailer}")
                        continue
                # The block is taken only when the one after it is whole too (or the input ends):
                # equal lengths in a row (all ACKs are 88 bytes) can make a shifted block's
                # trailer look right. A whole next block is carried into the next round.
                boff = r.consumed + p  # where this block starts in the input
                q = p + blen
                whole = False
                if q + BLOCK_HEADER <= len(b):
                    nt, nl = u_hdr(b, q)
                    if nt == PCAPNG_SHB:
                        whole = True
                    elif (mins(nt, BLOCK_HEADER) <= nl <= MAX_BLOCK and not nl & 3 and q + nl <= len(b)
                          and u_u32(b, q + nl - 4)[0] == nl):
                        whole = carried = True
                        next_type, next_len = nt, nl
                if whole:
                    r.pos = q
                else:
                    _flush(stats, index - n0, nbytes, self.last_ts)
                    n0, nbytes = index, 0
                    kept = self._confirm(r, btype, blen)
                    if kept is None:
                        continue
                    b, p = kept
                if btype == BT_EPB or btype == BT_PB:
                    if btype == BT_EPB:
                        ifid, hi, lo, incl, orig = u_epb(b, p + 8)
                    else:
                        ifid, _drops, hi, lo, incl, orig = struct.unpack_from(self.endian + "HHIIII", b, p + 8)
                    if incl > blen - 32:
                        _flush(stats, index - n0, nbytes, self.last_ts)
                        n0, nbytes = index, 0
                        stats.damaged = True
                        self.sink.add(self.last_ts, None, "capture", "bad_record_length",
                                      f"{self.path}: packet block at byte {boff} claims "
                                      f"{incl} bytes in a {blen}-byte block; cut to the block")
                        incl = blen - 32
                    data = b[p + 28:p + 28 + incl]
                    if ifid < len(self.ifaces):
                        iface = self.ifaces[ifid]
                    else:
                        found = self._undeclared(ifid, data, blen)
                        if found is None:
                            continue
                        iface = found
                    ts = iface.tsoffset + ((hi << 32) | lo) / iface.div
                elif btype == BT_SPB:
                    orig = u_u32(b, p + 8)[0]
                    incl = min(orig, blen - 16)
                    data = b[p + 12:p + 12 + incl]
                    if self.ifaces:
                        iface = self.ifaces[0]
                        if iface.snaplen and incl > iface.snaplen:
                            data = data[:iface.snaplen]
                    else:
                        found = self._undeclared(0, data, blen)
                        if found is None:
                            continue
                        iface = found
                    ts = self.last_ts if self.last_ts is not None else 0.0  # SPBs carry no timestamp
                elif btype == BT_IDB:
                    self._interface(b, p, blen)
                    continue
                else:
                    continue  # NRB, ISB, DSB, custom and unknown blocks carry no frame
                if stats.first_ts is None:
                    stats.first_ts = ts
                self.last_ts = ts
                index += 1
                nbytes += len(data)
                yield new(frame, (ts, iface.linktype, data, orig, index))
        finally:
            _flush(stats, index - n0, nbytes, self.last_ts)
            self._report_undeclared()

    # ------------------------------------------------------------------ blocks other than packets
    def _section(self, r: ReadBuffer) -> bool:
        """An SHB at ``r.pos``: start a new section; False (after skipping) if its magic is bad."""
        bom = r.buf[r.pos + 8:r.pos + 12]
        if bom not in (BOM_LE, BOM_BE):
            self._damage(r, f"section header at byte {r.offset} has a bad byte-order magic")
            return False
        self._report_undeclared()
        self.endian = "<" if bom == BOM_LE else ">"
        self.ifaces = []
        self.section += 1
        return True

    def _interface(self, b: bytes, p: int, blen: int) -> None:
        lt, _reserved, snap = struct.unpack_from(self.endian + "HHI", b, p + 8)
        div, tsoff = 1e6, 0
        for code, val in _options(b, p + 16, p + blen - 4, self.endian):
            if code == OPT_IF_TSRESOL and len(val) >= 1:
                v = val[0]
                div = float(2 ** (v & 0x7F)) if v & 0x80 else float(10 ** min(v, 300))
            elif code == OPT_IF_TSOFFSET and len(val) >= 8:
                tsoff = struct.unpack_from(self.endian + "q", val)[0]
        self.ifaces.append(Iface(lt, snap, div, tsoff))
        self.stats.linktypes.add(lt)

    def _undeclared(self, ifid: int, data: bytes, blen: int) -> Iface | None:
        u = self.undeclared.get(ifid)
        if u is None:
            u = self.undeclared[ifid] = _Undeclared(first_ts=self.last_ts)
        lt, how = guess_linktype(data, [i.linktype for i in self.ifaces])
        if lt is None:
            u.unplaced += 1
            u.unplaced_bytes += blen
            return None
        u.placed[lt] += 1
        u.how.add(how)
        self.stats.undeclared_frames += 1
        self.stats.damaged = True
        self.stats.linktypes.add(lt)
        same = [i for i in self.ifaces if i.linktype == lt] or self.ifaces
        base = same[-1] if same else Iface(lt, 0, 1e6, 0)
        return Iface(lt, base.snaplen, base.div, base.tsoffset)

    def _report_undeclared(self) -> None:
        for ifid, u in sorted(self.undeclared.items()):
            parts = []
            if u.placed:
                lts = ", ".join(f"{n} as link type {lt}" for lt, n in sorted(u.placed.items()))
                parts.append(f"{sum(u.placed.values())} read ({lts}; by {' / '.join(sorted(u.how))})")
            if u.unplaced:
                self.stats.damaged = True
                self.stats.skipped_bytes += u.unplaced_bytes
                parts.append(f"{u.unplaced} skipped ({u.unplaced_bytes} bytes: no link type fits)")
            self.sink.add(u.first_ts, None, "capture", "undeclared_interface",
                          f"{self.path}: section {self.section}: packets on interface {ifid}, which "
                          f"no interface block declared: {'; '.join(parts)}")
        self.undeclared = {}

    # ------------------------------------------------------------------ damage
    def _confirm(self, r: ReadBuffer, btype: int, blen: int) -> tuple[bytes, int] | None:
        """The block at ``r.pos`` has a matching trailer but the next block is not (yet) seen to be
        whole. Return (buffer, offset) of the block to take, ``r.pos`` on the next one; None after
        skipping it as damage."""
        fmt = self.endian + "II"
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

    @staticmethod
    def _take(r: ReadBuffer, blen: int) -> tuple[bytes, int]:
        p = r.pos
        r.pos = p + blen
        return r.buf, p

    def _found_inside(self, r: ReadBuffer, blen: int) -> bool:
        """At the end of the input (all of it buffered): whether a plausible block starts inside
        the block at ``r.pos``; if so it is skipped up to there (its framing was wrong)."""
        start, p = r.offset, r.pos
        if scan(r, self.patterns[self.endian], self._candidate, BLOCK_HEADER, skip=BLOCK_HEADER) \
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
        found = scan(r, self.patterns[self.endian], self._candidate, BLOCK_HEADER, skip=BLOCK_HEADER)
        at = r.offset
        if found and at < start + blen:
            skipped(self.sink, self.stats, self.path, start, at,
                    f"block at byte {start} (type {btype:#x}) is not followed by a valid block, and "
                    f"one starts at byte {at} inside it")
            return None
        skipped(self.sink, self.stats, self.path, start + blen, at,
                f"block header at byte {start + blen} is damaged", found)
        return kept, 0

    def _damage(self, r: ReadBuffer, why: str) -> None:
        start = r.offset
        found = scan(r, self.patterns[self.endian], self._candidate, BLOCK_HEADER)
        skipped(self.sink, self.stats, self.path, start, r.offset, why, found)

    def _beyond_end(self, r: ReadBuffer, btype: int, blen: int) -> None:
        """The input ends before the ``blen`` bytes the block at ``r.pos`` claims: a cut block,
        unless a plausible block follows (then the length lied)."""
        start = r.offset
        if scan(r, self.patterns[self.endian], self._candidate, BLOCK_HEADER):
            skipped(self.sink, self.stats, self.path, start, r.offset,
                    f"block at byte {start} (type {btype:#x}) claims {blen} bytes, beyond the end "
                    "of the input")
        else:
            truncated(self.sink, self.stats, self.path, f"a {blen}-byte block", start)

    def _candidate(self, r: ReadBuffer) -> bool:
        """Whether a plausible block starts at ``r.pos``."""
        ok, ts_near = self._block_ok(r, 0, self.endian, self.last_ts, first=True)
        if not ok:
            return False
        blen = struct.unpack_from(self._endian_at(r, 0), r.buf, r.pos + 4)[0]
        return self._chain(r, blen, 1 if ts_near else 2)

    def _endian_at(self, r: ReadBuffer, at: int) -> str:
        bom = r.buf[r.pos + at + 8:r.pos + at + 12]
        if r.buf[r.pos + at:r.pos + at + 4] == SHB_BYTES and bom in (BOM_LE, BOM_BE):
            return "<II" if bom == BOM_LE else ">II"
        return self.endian + "II"

    def _chain(self, r: ReadBuffer, at: int, depth: int) -> bool:
        """Whether ``depth`` consistent blocks start ``at`` bytes after ``r.pos`` (or the input
        ends there)."""
        for _ in range(depth):
            if not r.need(at + BLOCK_HEADER):
                return len(r.buf) - r.pos >= at
            ok, _near = self._block_ok(r, at, self.endian, None, first=False)
            if not ok:
                return False
            at += struct.unpack_from(self._endian_at(r, at), r.buf, r.pos + at + 4)[0]
        return True

    def _block_ok(self, r: ReadBuffer, at: int, endian: str, ref: float | None,
                  first: bool) -> tuple[bool, bool]:
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
        if incl > blen - 32 or ifid >= max(len(self.ifaces), 1):
            return False, False
        iface = self.ifaces[ifid] if self.ifaces else Iface(1, 0, 1e6, 0)
        if first and not looks_like(iface.linktype, b[p + 28:p + 28 + min(incl, 64)]):
            return False, False
        ts = iface.tsoffset + ((hi << 32) | lo) / iface.div
        return True, ref is not None and abs(ts - ref) <= TS_WINDOW


_UNPACK = {e: (struct.Struct(e + "II").unpack_from, struct.Struct(e + "I").unpack_from,
              struct.Struct(e + "IIIII").unpack_from) for e in "<>"}


def _flush(stats: CaptureStats, frames: int, nbytes: int, last: float | None) -> None:
    stats.frames += frames
    stats.bytes_read += nbytes
    if last is not None:
        stats.last_ts = last


def _options(b: bytes, start: int, end: int, endian: str) -> Iterator[tuple[int, bytes]]:
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


def _candidate_pattern(endian: str) -> re.Pattern[bytes]:
    """Bytes that can start a plausible block: a known type and a length that is a multiple of 4
    below 16 MiB (in the section's byte order), or an SHB (C-speed prefilter for ``scan``)."""
    mult4 = b"[" + b"".join(literal(bytes([v])) for v in range(0, 256, 4)) + b"]"
    small = b"[" + b"".join(literal(bytes([t])) for t in (1, 2, 3, 4, 5, 6, 9, 10)) + b"]"
    if endian == "<":
        typed = b"(?:" + small + b"\\x00\\x00\\x00|\\xad\\x0b\\x00[\\x00\\x40])" + mult4 + b"..\\x00"
    else:
        typed = b"(?:\\x00\\x00\\x00" + small + b"|[\\x00\\x40]\\x00\\x0b\\xad)\\x00.." + mult4
    return re.compile(typed + b"|" + literal(SHB_BYTES) + b"....", re.DOTALL)
