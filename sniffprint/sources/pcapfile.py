"""pcap and pcapng file framing: bytes of a capture file in, ``RawFrame`` tuples out.

Formats:
- pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html): magic 0xA1B2C3D4
  (microsecond) or 0xA1B23C4D (nanosecond) in either byte order; the link type field's upper
  four bits carry FCS information and are masked off.
- pcapng (draft-ietf-opsawg-pcapng): sections (SHB, byte order per section), any number of
  interfaces (IDB) each with its own link type, snaplen, ``if_tsresol`` and ``if_tsoffset``;
  Enhanced (EPB), Simple (SPB) and obsolete Packet (PB) blocks. Other blocks are skipped.
- gzip-compressed files of either format (magic 1F 8B), and ``-`` for standard input.

Why not dpkt's readers: dpkt's pcapng ``Reader`` takes only the first interface's link type,
ignores Simple Packet Blocks, and its pcap ``Reader`` yields a short buffer, without notice, when a
record is cut; both build a header object per record. Framing is a few ``struct`` reads, so we own
it and make every kind of damage an anomaly.

Invariants:
- Damage never raises: a cut record or block, a lying length, garbage between records each add an
  anomaly (``truncated_capture``, ``bad_record_length``, ``bad_block``) and iteration ends cleanly
  or resynchronises, so every frame before the damage is still delivered.
- Only "this is not a capture at all" (empty, unknown magic) raises ``CaptureError``, before the
  first frame.
- Memory is one read buffer (``CHUNK`` bytes) plus the current record.
"""
from __future__ import annotations

import gzip
import io
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from ..anomalies import AnomalySink
from ..errors import CaptureError
from ..model import RawFrame

PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D
PCAPNG_SHB = 0x0A0D0D0A  # Section Header Block type (palindromic: same in both byte orders)
PCAPNG_BOM = 0x1A2B3C4D  # byte-order magic inside the SHB
GZIP_MAGIC = b"\x1f\x8b"

BT_IDB = 0x00000001  # Interface Description Block
BT_PB = 0x00000002  # Packet Block (obsolete)
BT_SPB = 0x00000003  # Simple Packet Block
BT_EPB = 0x00000006  # Enhanced Packet Block
OPT_IF_TSRESOL = 9
OPT_IF_TSOFFSET = 14

MAX_RECORD = 262_144  # largest frame libpcap writes (MAXIMUM_SNAPLEN); more is a lying length
MAX_BLOCK = 16 * 1024 * 1024  # a pcapng block larger than this is garbage
CHUNK = 1 << 20
RESYNC_WINDOW = 1 << 20  # bytes scanned for the next plausible pcap record after damage


@dataclass(slots=True)
class CaptureStats:
    """What the source learned about its input, read by the report (chain of custody, verify)."""

    path: str
    format: str = "unknown"  # pcap | pcapng (+ "-gzip")
    frames: int = 0
    bytes_read: int = 0
    truncated: bool = False  # the file ended inside a record or block
    damaged: bool = False  # a lying length or garbage was skipped
    linktypes: set[int] = field(default_factory=set)
    first_ts: float | None = None
    last_ts: float | None = None
    drops: int | None = None  # frames the capture socket dropped (live capture only)


class _Reader:
    """Sequential buffered reads over a binary stream with byte-exact accounting."""

    __slots__ = ("fp", "buf", "pos", "eof", "consumed")

    def __init__(self, fp: BinaryIO, head: bytes = b"") -> None:
        self.fp = fp
        self.buf = head
        self.pos = 0
        self.eof = False
        self.consumed = 0  # bytes before buf[0]

    def need(self, n: int) -> bool:
        """Make ``n`` bytes available at ``pos``; False when the input ends first."""
        avail = len(self.buf) - self.pos
        if avail >= n:
            return True
        parts = [self.buf[self.pos:]]
        self.consumed += self.pos
        while avail < n and not self.eof:
            try:
                chunk = self.fp.read(max(CHUNK, n - avail))
            except (OSError, EOFError, gzip.BadGzipFile) as exc:  # cut gzip stream, I/O error
                self.eof = True
                raise _InputEnded(str(exc)) from exc
            if not chunk:
                self.eof = True
                break
            parts.append(chunk)
            avail += len(chunk)
        self.buf = b"".join(parts)
        self.pos = 0
        return avail >= n

    @property
    def offset(self) -> int:
        return self.consumed + self.pos


class _InputEnded(Exception):
    """The underlying stream failed mid-read (e.g. a truncated gzip member)."""


def open_binary(path: str) -> tuple[BinaryIO, bytes, str]:
    """Open ``path`` (or ``-``), transparently un-gzip, and return (stream, first bytes, suffix)."""
    if path == "-":
        raw: BinaryIO = sys.stdin.buffer
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed by the caller's generator
        except FileNotFoundError:
            raise CaptureError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise CaptureError(f"{path}: is a directory, not a capture file") from None
        except PermissionError:
            raise CaptureError(f"{path}: permission denied") from None
        except OSError as exc:
            raise CaptureError(f"{path}: cannot open ({exc.strerror})") from None
    head = raw.read(4)
    if head[:2] == GZIP_MAGIC:
        gz = gzip.GzipFile(fileobj=_Prepend(head, raw), mode="rb")
        try:
            head = gz.read(4)
        except (OSError, EOFError) as exc:
            raise CaptureError(f"{path}: damaged gzip data ({exc})") from None
        return gz, head, "-gzip"  # type: ignore[return-value]
    return raw, head, ""


class _Prepend(io.RawIOBase):
    """A read-only stream that first returns ``head`` and then the rest of ``fp``."""

    def __init__(self, head: bytes, fp: BinaryIO) -> None:
        self.head, self.fp = head, fp

    def readable(self) -> bool:
        return True

    def readinto(self, b: memoryview) -> int:  # type: ignore[override]
        if self.head:
            n = min(len(b), len(self.head))
            b[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.fp.read(len(b))
        b[: len(data)] = data
        return len(data)


def read_capture(path: str, sink: AnomalySink, stats: CaptureStats,
                 index_start: int = 0) -> Iterator[RawFrame]:
    """Yield the frames of one capture file; damage becomes anomalies, never exceptions."""
    fp, head, suffix = open_binary(path)
    try:
        if len(head) < 4:
            raise CaptureError(f"{path}: empty or too short to be a capture ({len(head)} bytes)")
        magic_be = struct.unpack(">I", head)[0]
        magic_le = struct.unpack("<I", head)[0]
        reader = _Reader(fp, head)
        if magic_be == PCAPNG_SHB:
            stats.format = "pcapng" + suffix
            yield from _pcapng(reader, path, sink, stats, index_start)
        elif PCAP_MAGIC_US in (magic_be, magic_le) or PCAP_MAGIC_NS in (magic_be, magic_le):
            stats.format = "pcap" + suffix
            yield from _pcap(reader, path, sink, stats, index_start)
        else:
            raise CaptureError(f"{path}: not a pcap or pcapng capture (magic {head.hex()})")
    finally:
        if fp is not sys.stdin.buffer:
            fp.close()


def _truncated(sink: AnomalySink, stats: CaptureStats, path: str, what: str, offset: int) -> None:
    stats.truncated = True
    sink.add(stats.last_ts, None, "capture", "truncated_capture",
             f"{path}: input ends inside {what} at byte {offset}; frames before it were read")


def _pcap(r: _Reader, path: str, sink: AnomalySink, stats: CaptureStats,
          index: int) -> Iterator[RawFrame]:
    try:
        if not r.need(24):
            raise CaptureError(f"{path}: pcap file header is cut short ({len(r.buf)} of 24 bytes)")
        magic = struct.unpack_from("<I", r.buf, 0)[0]
        endian = "<" if magic in (PCAP_MAGIC_US, PCAP_MAGIC_NS) else ">"
        magic = struct.unpack_from(endian + "I", r.buf, 0)[0]
        _vmaj, _vmin, _zone, _sig, snaplen, linkfield = struct.unpack_from(endian + "HHiIII", r.buf, 4)
        linktype = linkfield & 0x0FFFFFFF
        stats.linktypes.add(linktype)
        div = 1e9 if magic == PCAP_MAGIC_NS else 1e6
        limit = MAX_RECORD if snaplen == 0 or snaplen > MAX_RECORD else max(snaplen, 65535)
        rec = struct.Struct(endian + "IIII")
        unpack = rec.unpack_from
        r.pos = 24
        while True:
            if not r.need(16):
                if len(r.buf) - r.pos:
                    _truncated(sink, stats, path, "a record header", r.offset)
                return
            sec, frac, incl, orig = unpack(r.buf, r.pos)
            if incl > limit or frac >= div:
                stats.damaged = True
                sink.add(stats.last_ts, None, "capture", "bad_record_length",
                         f"{path}: record at byte {r.offset} claims {incl} bytes "
                         f"(snaplen {snaplen}); resynchronising")
                if not _resync_pcap(r, unpack, limit, div, stats):
                    sink.add(stats.last_ts, None, "capture", "truncated_capture",
                             f"{path}: no valid record after the damage; reading stopped at "
                             f"byte {r.offset}")
                    stats.truncated = True
                    return
                continue
            if not r.need(16 + incl):
                _truncated(sink, stats, path, f"a {incl}-byte record", r.offset)
                return
            start = r.pos + 16
            data = r.buf[start:start + incl]
            r.pos = start + incl
            ts = sec + frac / div
            index += 1
            stats.frames += 1
            stats.bytes_read += incl
            if stats.first_ts is None:
                stats.first_ts = ts
            stats.last_ts = ts
            yield RawFrame(ts, linktype, data, orig, index)
    except _InputEnded as exc:
        _truncated(sink, stats, path, f"compressed data ({exc})", r.offset)


def _resync_pcap(r: _Reader, unpack, limit: int, div: float, stats: CaptureStats) -> bool:  # type: ignore[no-untyped-def]
    """Scan forward for two consecutive plausible record headers; position ``r`` on the first."""
    last = int(stats.last_ts or 0)
    scanned = 0
    r.pos += 1
    while scanned < RESYNC_WINDOW:
        if not r.need(32):
            return False
        sec, frac, incl, orig = unpack(r.buf, r.pos)
        if (frac < div and 0 < incl <= limit and incl <= orig <= MAX_RECORD
                and (last == 0 or abs(sec - last) < 86_400)):
            if r.need(16 + incl + 16):
                nxt = r.pos + 16 + incl
                s2, f2, i2, o2 = unpack(r.buf, nxt)
                if f2 < div and 0 < i2 <= limit and i2 <= o2 and abs(s2 - sec) < 86_400:
                    return True
            elif r.need(16 + incl):  # last record of the file
                return True
        r.pos += 1
        scanned += 1
    return False


@dataclass(slots=True)
class _Iface:
    linktype: int
    snaplen: int
    div: float
    tsoffset: int


def _pcapng(r: _Reader, path: str, sink: AnomalySink, stats: CaptureStats,
            index: int) -> Iterator[RawFrame]:
    endian = "<"
    ifaces: list[_Iface] = []
    first = True
    try:
        while True:
            if not r.need(12):
                if len(r.buf) - r.pos:
                    _truncated(sink, stats, path, "a block header", r.offset)
                return
            btype = struct.unpack_from(endian + "I", r.buf, r.pos)[0]
            if btype == PCAPNG_SHB:
                bom = r.buf[r.pos + 8:r.pos + 12]
                if bom == b"\x4d\x3c\x2b\x1a":
                    endian = "<"
                elif bom == b"\x1a\x2b\x3c\x4d":
                    endian = ">"
                else:
                    if first:
                        raise CaptureError(f"{path}: pcapng section header has no byte-order magic")
                    stats.damaged = True
                    sink.add(stats.last_ts, None, "capture", "bad_block",
                             f"{path}: section header at byte {r.offset} has a bad byte-order magic; "
                             "reading stopped")
                    return
                ifaces = []
            first = False
            blen = struct.unpack_from(endian + "I", r.buf, r.pos + 4)[0]
            if blen < 12 or blen % 4 or blen > MAX_BLOCK:
                stats.damaged = True
                sink.add(stats.last_ts, None, "capture", "bad_block",
                         f"{path}: block at byte {r.offset} has impossible length {blen}; "
                         "reading stopped (pcapng has no resync marker)")
                return
            if not r.need(blen):
                _truncated(sink, stats, path, f"a {blen}-byte block", r.offset)
                return
            b = r.buf
            p = r.pos
            r.pos = p + blen
            trailer = struct.unpack_from(endian + "I", b, p + blen - 4)[0]
            if trailer != blen:
                stats.damaged = True
                sink.add(stats.last_ts, None, "capture", "bad_block",
                         f"{path}: block at byte {r.offset - blen} has lengths {blen} != {trailer}")
            if btype == BT_EPB or btype == BT_PB:
                if blen < 32:
                    sink.add(stats.last_ts, None, "capture", "bad_block",
                             f"{path}: packet block at byte {r.offset - blen} too short")
                    continue
                if btype == BT_EPB:
                    ifid, hi, lo, incl, orig = struct.unpack_from(endian + "IIIII", b, p + 8)
                else:
                    ifid, _drops, hi, lo, incl, orig = struct.unpack_from(endian + "HHIIII", b, p + 8)
                if ifid >= len(ifaces):
                    sink.add(stats.last_ts, None, "capture", "bad_block",
                             f"{path}: packet for undeclared interface {ifid}")
                    continue
                if incl > blen - 32:
                    stats.damaged = True
                    sink.add(stats.last_ts, None, "capture", "bad_record_length",
                             f"{path}: packet block at byte {r.offset - blen} claims {incl} bytes "
                             f"in a {blen}-byte block; cut to the block")
                    incl = blen - 32
                iface = ifaces[ifid]
                ts = iface.tsoffset + ((hi << 32) | lo) / iface.div
                data = b[p + 28:p + 28 + incl]
            elif btype == BT_SPB:
                if not ifaces:
                    sink.add(stats.last_ts, None, "capture", "bad_block",
                             f"{path}: simple packet block before any interface")
                    continue
                iface = ifaces[0]
                orig = struct.unpack_from(endian + "I", b, p + 8)[0]
                incl = min(orig, blen - 16, iface.snaplen or MAX_RECORD)
                data = b[p + 12:p + 12 + incl]
                ts = stats.last_ts or 0.0  # SPBs carry no timestamp
            elif btype == BT_IDB:
                if blen < 20:
                    sink.add(stats.last_ts, None, "capture", "bad_block",
                             f"{path}: interface block at byte {r.offset - blen} too short")
                    continue
                lt, _res, snap = struct.unpack_from(endian + "HHI", b, p + 8)
                div, tsoff = 1e6, 0
                for code, val in _options(b, p + 16, p + blen - 4, endian):
                    if code == OPT_IF_TSRESOL and len(val) >= 1:
                        v = val[0]
                        div = float(2 ** (v & 0x7F)) if v & 0x80 else float(10 ** v)
                    elif code == OPT_IF_TSOFFSET and len(val) >= 8:
                        tsoff = struct.unpack_from(endian + "q", val)[0]
                ifaces.append(_Iface(lt, snap, div, tsoff))
                stats.linktypes.add(lt)
                continue
            else:
                continue
            index += 1
            stats.frames += 1
            stats.bytes_read += len(data)
            if stats.first_ts is None:
                stats.first_ts = ts
            stats.last_ts = ts
            yield RawFrame(ts, iface.linktype, data, orig, index)
    except _InputEnded as exc:
        _truncated(sink, stats, path, f"compressed data ({exc})", r.offset)


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
