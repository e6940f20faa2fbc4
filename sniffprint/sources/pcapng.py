"""pcapng framing: the reading loop over sections, interfaces and packet blocks
(https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html).

Sections start with a Section Header Block (SHB, its byte-order magic sets the section's byte
order) and hold any number of interfaces (IDB: link type, snaplen, ``if_tsresol`` option 9,
``if_tsoffset`` option 14). Packets come in Enhanced (EPB), Simple (SPB: interface 0, no
timestamp) and obsolete Packet (PB) blocks. Every block is type, total length, body, total length
again (section 3.1); the length is a multiple of 4 and at least 12. The block layouts are in
``pcapngblocks``; damage and resync in ``pcapngresync``.

Invariants:
- A block whose length is impossible (below 12, not a multiple of 4, beyond 16 MiB, beyond the end
  of the input, or different from its trailing copy) or that is too short for its type is damage:
  the bytes up to the next plausible block are skipped and reported (``framing.skipped``) and
  reading goes on. A plausible block: a known type, a consistent length and trailer, for packets a
  known interface, a fitting link-layer header and a timestamp near the last good frame; confirmed
  by the block after it (twice when the timestamp is not near).
- A block is taken on the fast path only when the block after it is whole in the buffer too:
  equal lengths in a row can make a shifted block's trailer look right. Anything else is decided
  by ``Resync.confirm``.
- An unknown block type with a consistent length is skipped silently: section 3.1 lets readers
  ignore blocks they do not know.
- An SHB anywhere starts a new section: new byte order, new interface list.
- A packet on an interface no IDB of its section declared is decoded by the best evidence
  (``framing.guess_linktype``), counted, and reported once per interface at the end of the
  section as ``undeclared_interface``; the capture counts as damaged (an IDB was lost).
- The per-packet path checks each block's header and trailer once (while taking the block before
  it: ``carried``), unpacks the packet's fixed part, and makes a slice and a tuple; frame and byte
  counts reach the stats in bulk (``_flush``), not per frame.
"""
from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..anomalies import AnomalySink
from ..model import RawFrame
from .framing import CaptureStats, ReadBuffer, guess_linktype, truncated
from .pcapngblocks import (
    BLOCK_HEADER,
    BOM_BE,
    BOM_LE,
    BT_EPB,
    BT_IDB,
    BT_PB,
    BT_SPB,
    MAX_BLOCK,
    MIN_LENGTH,
    PCAPNG_SHB,
    UNPACK,
    Iface,
    check_header,
)
from .pcapngresync import Resync

__all__ = ["PCAPNG_SHB", "PcapngFraming", "check_header"]


@dataclass(slots=True)
class _Undeclared:
    """Packets of one undeclared interface id in one section."""

    placed: Counter[int] = field(default_factory=Counter)  # link type -> packets
    how: set[str] = field(default_factory=set)
    unplaced: int = 0
    unplaced_bytes: int = 0
    first_ts: float | None = None


class PcapngFraming:
    """The blocks of one pcapng file, read from ``r`` positioned on the first SHB."""

    def __init__(self, path: str, sink: AnomalySink, stats: CaptureStats) -> None:
        self.path, self.sink, self.stats = path, sink, stats
        self.endian = "<"
        self.ifaces: list[Iface] = []
        self.section = 0
        self.undeclared: dict[int, _Undeclared] = {}
        self.last_ts: float | None = None  # of the last frame delivered (SPBs inherit it)
        self.resync = Resync(path, sink, stats, self)  # reads endian, ifaces and last_ts as they change

    def frames(self, r: ReadBuffer, index: int) -> Iterator[RawFrame]:
        stats = self.stats
        new, frame = tuple.__new__, RawFrame
        n0, nbytes = index, 0
        u_hdr, u_u32, u_epb = UNPACK[self.endian]
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
                        u_hdr, u_u32, u_epb = UNPACK[self.endian]
                        btype, blen = u_hdr(b, p)
                    if blen < mins(btype, BLOCK_HEADER) or blen & 3 or blen > MAX_BLOCK:
                        _flush(stats, index - n0, nbytes, self.last_ts)
                        n0, nbytes = index, 0
                        self.resync.damage(r, f"block at byte {r.offset} (type {btype:#x}) has impossible "
                                        f"length {blen}")
                        continue
                    if not r.need(blen):
                        _flush(stats, index - n0, nbytes, self.last_ts)
                        n0, nbytes = index, 0
                        self.resync.beyond_end(r, btype, blen)
                        continue
                    b, p = r.buf, r.pos
                    trailer = u_u32(b, p + blen - 4)[0]
                    if trailer != blen:
                        _flush(stats, index - n0, nbytes, self.last_ts)
                        n0, nbytes = index, 0
                        self.resync.damage(r, f"block at byte {r.offset} (type {btype:#x}) has length "
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
                    kept = self.resync.confirm(r, btype, blen)
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
            self.resync.damage(r, f"section header at byte {r.offset} has a bad byte-order magic")
            return False
        self._report_undeclared()
        self.endian = "<" if bom == BOM_LE else ">"
        self.ifaces = []
        self.section += 1
        return True

    def _interface(self, b: bytes, p: int, blen: int) -> None:
        iface = Iface.parse(b, p, blen, self.endian)
        self.ifaces.append(iface)
        self.stats.linktypes.add(iface.linktype)

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


def _flush(stats: CaptureStats, frames: int, nbytes: int, last: float | None) -> None:
    stats.frames += frames
    stats.bytes_read += nbytes
    if last is not None:
        stats.last_ts = last
