"""Classic pcap framing (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html).

File header: magic 0xA1B2C3D4 (microsecond) or 0xA1B23C4D (nanosecond) in either byte order,
version, thiszone, sigfigs, snaplen, link type (upper four bits: FCS information, masked off).
Record header: seconds, fraction, captured length (``incl``), original length (``orig``).

Invariants:
- Every record header is checked: ``incl`` against ``orig``, the snaplen and 0 (a zeroed disk
  block would read as endless empty records), the fraction against its unit. A record is
  delivered on the fast path only when its header AND the next one pass: a lying length lands the
  next header in the middle of data, so a lying ``incl`` cannot swallow the records after it.
- Anything else takes the slow path, which decides by evidence: a length the next record confirms
  is kept (a writer's quirk, e.g. a snaplen field not rewritten after slicing; ``incl > orig`` is
  noted as ``bad_record_length``); otherwise the next plausible record header is searched for,
  from inside the record's own data (its length may be the lie: the record is then cut where the
  next one starts) or after a garbage header. Skipped bytes are reported with their range
  (``framing.skipped``) and reading goes on to the end of the input.
- A plausible record header: fraction below its unit, ``0 < incl <= tolerance``, ``0 < orig``,
  a link-layer header that fits the link type, confirmed by the record header after it (or the end
  of the input), and by one more when its timestamp is not within ``TS_WINDOW`` of the last good
  frame.
- The per-record path is one ``struct`` unpack, two combined comparisons, a slice and a tuple.
"""
from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from ..anomalies import AnomalySink
from ..errors import CaptureError
from ..model import RawFrame
from .framing import MAX_WIRE, TS_WINDOW, CaptureStats, ReadBuffer, byte_class, looks_like, scan, skipped, truncated

PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D
MAX_RECORD = 262_144  # largest frame libpcap writes (MAXIMUM_SNAPLEN)
FILE_HEADER = 24
RECORD_HEADER = 16


@dataclass(slots=True, frozen=True)
class PcapHeader:
    endian: str  # "<" or ">"
    nano: bool
    snaplen: int
    linktype: int

    @classmethod
    def parse(cls, b: bytes, path: str) -> PcapHeader:
        if len(b) < FILE_HEADER:
            raise CaptureError(f"{path}: pcap file header is cut short ({len(b)} of 24 bytes)")
        endian = "<" if struct.unpack_from("<I", b)[0] in (PCAP_MAGIC_US, PCAP_MAGIC_NS) else ">"
        magic, _vmaj, _vmin, _zone, _sig, snaplen, linkfield = struct.unpack_from(endian + "IHHiIII", b)
        return cls(endian, magic == PCAP_MAGIC_NS, snaplen, linkfield & 0x0FFFFFFF)


class PcapFraming:
    """The records of one pcap file, read from ``r`` positioned after the file header."""

    def __init__(self, h: PcapHeader, path: str, sink: AnomalySink, stats: CaptureStats) -> None:
        self.h = h
        self.path, self.sink, self.stats = path, sink, stats
        self.div = 1_000_000_000 if h.nano else 1_000_000
        # the snaplen bounds incl; 0 or an out-of-range snaplen means "libpcap's maximum"
        self.limit = h.snaplen if 0 < h.snaplen <= MAX_RECORD else MAX_RECORD
        # libpcap reads records above the snaplen (Solaris BUFMOD wrote such files): tolerated when
        # the next record confirms the length
        self.tolerance = max(self.limit, 65_535)
        self.unpack = struct.Struct(h.endian + "IIII").unpack_from
        self.pattern = _candidate_pattern(h.endian, h.nano)

    def frames(self, r: ReadBuffer, index: int) -> Iterator[RawFrame]:
        stats = self.stats
        unpack, div, limit, tol, lt = self.unpack, self.div, self.limit, self.tolerance, self.h.linktype
        new, frame = tuple.__new__, RawFrame
        fdiv = float(div)
        buf, pos, end = r.buf, r.pos, len(r.buf)
        n0 = index
        nbytes = 0
        ts = stats.last_ts
        first = stats.first_ts
        have = False  # (sec, frac, incl, orig) hold the header at pos
        sec = frac = incl = orig = 0
        try:
            while True:
                if not have:
                    if pos + RECORD_HEADER > end:
                        r.pos = pos
                        _flush(stats, index - n0, nbytes, first, ts)
                        n0, nbytes = index, 0
                        if not r.need(RECORD_HEADER):
                            if len(r.buf) - r.pos:
                                truncated(self.sink, stats, self.path, "a record header", r.offset)
                            return
                        buf, pos, end = r.buf, r.pos, len(r.buf)
                        continue
                    sec, frac, incl, orig = unpack(buf, pos)
                    have = True
                # A record is delivered here only when its own header and the next one both pass
                # the strict check: a lying length lands the next header in the middle of data.
                if not ((incl != orig and (incl > orig or incl < limit)) or not 0 < incl <= limit
                        or frac >= div):
                    stop = pos + RECORD_HEADER + incl
                    if stop + RECORD_HEADER <= end:
                        s2, f2, i2, o2 = unpack(buf, stop)
                        if not ((i2 != o2 and (i2 > o2 or i2 < limit)) or not 0 < i2 <= limit
                                or f2 >= div):
                            ts = sec + frac / fdiv
                            if first is None:
                                first = ts
                            index += 1
                            nbytes += incl
                            yield new(frame, (ts, lt, buf[pos + RECORD_HEADER:stop], orig, index))
                            pos = stop
                            sec, frac, incl, orig = s2, f2, i2, o2
                            continue
                    else:
                        r.pos = pos
                        _flush(stats, index - n0, nbytes, first, ts)
                        n0, nbytes = index, 0
                        refilled = r.need(2 * RECORD_HEADER + incl)
                        buf, pos, end = r.buf, r.pos, len(r.buf)
                        if refilled:
                            continue
                # the slow path: a header that breaks a rule, a next header that does, or the end
                r.pos = pos
                _flush(stats, index - n0, nbytes, first, ts)
                n0, nbytes = index, 0
                got = self._slow(r, sec, frac, incl, orig, incl <= tol)
                buf, pos, end = r.buf, r.pos, len(r.buf)
                have = False
                if got is not None:
                    data, wire = got
                    ts = sec + frac / fdiv
                    if first is None:
                        first = ts
                    index += 1
                    nbytes += len(data)
                    yield new(frame, (ts, lt, data, wire, index))
        finally:
            _flush(stats, index - n0, nbytes, first, ts)

    # ------------------------------------------------------------------ the slow path
    def _plausible(self, sec: int, frac: int, incl: int, orig: int) -> bool:
        # incl > orig is allowed here: a writer that always does it must still be readable
        return frac < self.div and 0 < incl <= self.tolerance and 0 < orig <= MAX_WIRE

    def _next_ok(self, r: ReadBuffer, at: int, sec: int, depth: int = 1) -> bool:
        """Whether a plausible record starts ``at`` bytes after ``r.pos`` (or the input ends
        there), followed by ``depth - 1`` more; one more when its timestamp is not near ``sec``."""
        if not r.need(at + RECORD_HEADER):
            return len(r.buf) - r.pos >= at  # the input ends there (a cut header is truncation)
        s2, f2, i2, o2 = self.unpack(r.buf, r.pos + at)
        if not self._plausible(s2, f2, i2, o2):
            return False
        if abs(s2 - sec) > TS_WINDOW:
            depth += 1
        return depth <= 1 or self._next_ok(r, at + RECORD_HEADER + i2, s2, depth - 1)

    def _next_salvageable(self, r: ReadBuffer, at: int, sec: int) -> bool:
        """Whether the header ``at`` bytes after ``r.pos`` is near in time and has one length that
        can be true: then the record before it is whole, and this one gets its own slow path."""
        if not r.need(at + RECORD_HEADER):
            return False
        s2, f2, i2, o2 = self.unpack(r.buf, r.pos + at)
        tol = self.tolerance
        return bool(f2 < self.div and abs(s2 - sec) <= TS_WINDOW
                and ((0 < i2 <= tol and i2 <= o2 <= MAX_WIRE) or 0 < o2 < min(i2, tol + 1)))

    def _take(self, r: ReadBuffer, incl: int, wire: int) -> tuple[bytes, int]:
        p = r.pos + RECORD_HEADER
        r.pos = p + incl
        return r.buf[p:p + incl], wire

    def _slow(self, r: ReadBuffer, sec: int, frac: int, incl: int, orig: int,
              sane: bool) -> tuple[bytes, int] | None:
        """The record at ``r.pos`` broke a rule, or the header after it did, or the input ends
        near it. Return its (data, wire length) if it holds a frame; leave ``r.pos`` on the next
        record header to read. ``sane``: ``incl`` is small enough to read ahead."""
        stats, start = self.stats, r.offset
        fits = frac < self.div and 0 <= incl <= orig <= MAX_WIRE and sane
        # 1. a length that the next record confirms (libpcap writers' quirks are read as such)
        if fits and (self._next_ok(r, RECORD_HEADER + incl, sec)
                     or self._next_salvageable(r, RECORD_HEADER + incl, sec)):
            return self._take(r, incl, orig)
        if frac < self.div and 0 < orig < incl:
            if sane and self._next_ok(r, RECORD_HEADER + incl, sec):
                self._length_note(start, f"captured {incl} bytes of a {orig}-byte frame; kept (the "
                                  "next record starts where it ends)", damaged=False)
                return self._take(r, incl, incl)
            if orig <= self.tolerance and self._next_ok(r, RECORD_HEADER + orig, sec):
                self._length_note(start, f"claims {incl} captured bytes of a {orig}-byte frame; "
                                  f"{orig} read (the next record starts there)")
                return self._take(r, orig, orig)
        # 2. nothing confirms a length: the next plausible record (searched from inside this
        # record's data, since its length may be the lie) says where this one ends
        if fits and incl > 0:
            whole = r.need(RECORD_HEADER + incl)
            data = r.buf[r.pos + RECORD_HEADER:r.pos + RECORD_HEADER + incl]
            found = scan(r, self.pattern, self._candidate, RECORD_HEADER, skip=RECORD_HEADER)
            at = r.offset
            data_end = start + RECORD_HEADER + incl
            if found and at < data_end:
                cut = at - start - RECORD_HEADER
                self._length_note(start, f"claims {incl} bytes but a record starts at byte {at}; "
                                  f"{cut} bytes read")
                return data[:cut], max(cut, orig if orig < incl else cut)
            if not whole:
                truncated(self.sink, stats, self.path, f"a {incl}-byte record", start)
                return None
            skipped(self.sink, stats, self.path, data_end, at,
                    f"record header at byte {data_end} is damaged", found)
            return data, orig
        # 3. the header itself is garbage
        why = (f"record header at byte {start} is damaged (captured {incl}, original {orig}, "
               f"snaplen {self.h.snaplen}, fraction {frac})")
        found = scan(r, self.pattern, self._candidate, RECORD_HEADER)
        skipped(self.sink, stats, self.path, start, r.offset, why, found)
        return None

    def _length_note(self, start: int, what: str, damaged: bool = True) -> None:
        if damaged:
            self.stats.damaged = True
        self.sink.add(self.stats.last_ts, None, "capture", "bad_record_length",
                      f"{self.path}: record at byte {start} {what}")

    def _candidate(self, r: ReadBuffer) -> bool:
        if not r.need(RECORD_HEADER):
            return False
        sec, frac, incl, orig = self.unpack(r.buf, r.pos)
        if not self._plausible(sec, frac, incl, orig) or not r.need(RECORD_HEADER + incl):
            return False
        if not looks_like(self.h.linktype, r.buf[r.pos + RECORD_HEADER:r.pos + RECORD_HEADER + 64]):
            return False
        ref = self.stats.last_ts
        near = ref is not None and abs(sec - ref) <= TS_WINDOW
        return self._next_ok(r, RECORD_HEADER + incl, sec, 1 if near else 2)


def _flush(stats: CaptureStats, frames: int, nbytes: int, first: float | None, last: float | None) -> None:
    stats.frames += frames
    stats.bytes_read += nbytes
    if stats.first_ts is None:
        stats.first_ts = first
    stats.last_ts = last


def _candidate_pattern(endian: str, nano: bool) -> re.Pattern[bytes]:
    """Bytes that can start a plausible record header: any seconds, a fraction below its unit,
    ``0 < incl < 0x50000`` and ``orig < 2**24`` (C-speed prefilter for ``scan``)."""
    frac_top = byte_class(0, 0x3B) if nano else b"\\x00"  # 1e9 = 0x3B9ACA00, 1e6 = 0x000F4240
    frac_next = b"." if nano else byte_class(0, 0x0F)
    nz, any_, z = byte_class(1, 0xFF), b".", b"\\x00"
    c4, c14 = byte_class(0, 4), byte_class(1, 4)
    if endian == "<":
        frac = b".." + frac_next + frac_top
        incl = b"(?:" + nz + any_ + c4 + b"|" + z + nz + c4 + b"|" + z + z + c14 + b")" + z
        orig = b"..." + z
    else:
        frac = frac_top + frac_next + b".."
        incl = z + b"(?:" + c4 + any_ + nz + b"|" + c4 + nz + z + b"|" + c14 + z + z + b")"
        orig = z + b"..."
    return re.compile(b"...." + frac + incl + orig, re.DOTALL)
