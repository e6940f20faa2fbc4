"""Capture files in, ``RawFrame`` tuples out: open once, check, read, hash, report damage.

Formats: classic pcap (``pcap.py``) and pcapng (``pcapng.py``), each possibly gzip-compressed
(``gzipstream.py``, magic 1F 8B), from a regular file, a FIFO, process substitution
(``<(cat x.pcap)``) or ``-`` for standard input.

The one way in is ``open_capture(path)``: it opens the input once, reads only the bytes that
show what it is (file header, or the first section header), and raises ``CaptureError`` if it is
not a capture. The returned ``Capture`` is then read with ``frames()``, which hashes the raw
bytes as it reads them when asked (``ReadLimits.sha256``), so the check, the analysis and the
evidence manifest's hash share one read; this is what lets a FIFO be analysed at all. ``peek()``
checks a path without consuming it (for a stream it reports ``"stream"`` and reads nothing).

Why not dpkt's readers: dpkt's pcapng ``Reader`` takes only the first interface's link type,
ignores Simple Packet Blocks, and its pcap ``Reader`` yields a short buffer, without notice, when a
record is cut; both build a header object per record. Framing is a few ``struct`` reads, so we own
it and make every kind of damage an anomaly (dpkt stays as the oracle of the reader tests).

Invariants:
- Before the first frame, only ``CaptureError`` (not a capture, missing, unreadable).
- While reading, damage never raises: cut input is ``truncated_capture``; lying lengths, bad
  blocks and garbage are skipped to the next plausible record and reported as
  ``capture_damaged`` with their byte range; the reader goes on to the end of the input.
- The only exception ``frames()`` raises is ``CaptureReadError`` (an OS error while reading),
  after a ``read_error`` anomaly and after delivering every frame read before it; it carries the
  stats. ``CaptureError`` subclasses ``SniffprintError``: the CLI maps both to exit 2.
- Memory is one read buffer (about 1 MiB) plus the current record or block.
"""
from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from ..anomalies import AnomalySink
from ..errors import CaptureError
from ..model import RawFrame
from .framing import CHUNK, CaptureStats, InputFailed, ReadBuffer
from .gzipstream import GZIP_MAGIC, GzipStream
from .pcap import FILE_HEADER, PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapFraming, PcapHeader
from .pcapng import PcapngFraming
from .pcapngblocks import PCAPNG_SHB, check_header

_PCAP_MAGICS = {m.to_bytes(4, o) for m in (PCAP_MAGIC_US, PCAP_MAGIC_NS) for o in ("big", "little")}
_PCAPNG_MAGIC = PCAPNG_SHB.to_bytes(4, "big")


class CaptureReadError(CaptureError):
    """The operating system failed a read (EIO, a vanished network file) after the capture was
    opened. The frames before it were delivered; ``stats`` says how far the reading got."""

    def __init__(self, path: str, exc: OSError, stats: CaptureStats) -> None:
        self.path, self.errno, self.strerror, self.stats = path, exc.errno, exc.strerror or str(exc), stats
        super().__init__(f"{path}: read error after {stats.raw_bytes} bytes ({self.strerror}); "
                         f"the {stats.frames} frames before it were read")


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """How a capture is read; the caller's options map onto this."""

    sha256: bool = False  # hash the raw input while reading (evidence manifest); ~0.1 s per 100 MB
    max_ratio: int = 1000  # gzip: inflated/compressed ratio that stops an inflation bomb ...
    ratio_after: int = 16 << 20  # ... once this many bytes were inflated
    max_inflated: int | None = None  # gzip: hard cap on inflated bytes


class Peek(NamedTuple):
    kind: str  # "pcap", "pcapng", or "stream" (a FIFO, device or stdin: not read, checked when opened)
    compressed: bool
    head: bytes  # the first four (decompressed) bytes, empty for a stream


class _RawInput:
    """The input as stored: counts the bytes read and feeds the running hash."""

    __slots__ = ("fp", "stats", "_read")

    def __init__(self, fp: BinaryIO, stats: CaptureStats) -> None:
        self.fp, self.stats = fp, stats
        # read1: what a pipe has now, not a full MiB (frames from ``tcpdump -w - |`` flow at once)
        self._read = getattr(fp, "read1", fp.read)

    def read(self, n: int) -> bytes:
        chunk = self._read(n)
        if chunk:
            self.stats.raw_bytes += len(chunk)
            if self.stats.hasher is not None:
                self.stats.hasher.update(chunk)
        return chunk or b""

    def read_exact(self, n: int) -> bytes:
        parts, got = [], 0
        while got < n:
            chunk = self.read(n - got)
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)


class Capture:
    """One opened capture. Read it once with ``frames()``; close it (or use ``with``)."""

    def __init__(self, path: str, fp: BinaryIO, stats: CaptureStats, limits: ReadLimits) -> None:
        self.path, self.stats, self.limits = path, stats, limits
        self._fp = fp
        self._raw = _RawInput(fp, stats)
        self._gzip: GzipStream | None = None
        self._read = False
        self.compressed = False
        self.kind = ""
        try:
            self._identify()
        except InputFailed as exc:
            self.close()
            raise CaptureError(f"{path}: cannot read ({exc.exc.strerror or exc.exc})") from None
        except OSError as exc:
            self.close()
            raise CaptureError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except BaseException:
            self.close()
            raise

    def _identify(self) -> None:
        head = self._raw.read_exact(4)
        source: _RawInput | GzipStream = self._raw
        if head[:2] == GZIP_MAGIC:
            lim = self.limits
            self._gzip = GzipStream(self._raw, head, max_ratio=lim.max_ratio, ratio_after=lim.ratio_after,
                                    max_out=lim.max_inflated)
            source, head, self.compressed = self._gzip, b"", True
        self._buf = ReadBuffer(source, head)
        self._buf.need(4)
        magic = self._buf.buf[:4]
        if len(magic) < 4:
            why = "damaged or empty gzip data" if self.compressed else "empty or too short to be a capture"
            raise CaptureError(f"{self.path}: {why} ({len(magic)} bytes)")
        if magic == _PCAPNG_MAGIC:
            self.kind = "pcapng"
            self._buf.need(12)
            check_header(self._buf.buf[:12], self.path)
        elif magic in _PCAP_MAGICS:
            self.kind = "pcap"
            self._buf.need(FILE_HEADER)
            self._pcap_header = PcapHeader.parse(self._buf.buf[:FILE_HEADER], self.path)
            self._buf.pos = FILE_HEADER
        else:
            raise CaptureError(f"{self.path}: not a pcap or pcapng capture (starts with {magic.hex()})")
        self.head = bytes(magic)
        self.stats.format = self.kind + ("-gzip" if self.compressed else "")

    @property
    def format(self) -> str:
        return self.stats.format

    def frames(self, sink: AnomalySink, index_start: int = 0) -> Iterator[RawFrame]:
        """The frames, numbered from ``index_start + 1``; see the module invariants."""
        if self._read:
            raise RuntimeError(f"{self.path}: a capture is read once")
        self._read = True
        stats = self.stats
        framing: PcapFraming | PcapngFraming
        if self.kind == "pcap":
            framing = PcapFraming(self._pcap_header, self.path, sink, stats)
            stats.linktypes.add(self._pcap_header.linktype)
        else:
            framing = PcapngFraming(self.path, sink, stats)
        try:
            yield from framing.frames(self._buf, index_start)
            self._finish(sink)
        except InputFailed as exc:
            err = exc.exc
            stats.read_error = f"{err.strerror or err}"
            stats.truncated = True
            sink.add(stats.last_ts, None, "capture", "read_error",
                     f"{self.path}: read error at byte {stats.raw_bytes} of the input "
                     f"({stats.read_error}); the frames before it were read")
            raise CaptureReadError(self.path, err, stats) from err
        finally:
            self.close()

    def _finish(self, sink: AnomalySink) -> None:
        """After the framing ended: report what the gzip layer saw, complete the hash."""
        stats = self.stats
        gz = self._gzip
        if gz is not None:
            for kind, detail in gz.notes:
                sink.add(stats.last_ts, None, "capture", kind, f"{self.path}: {detail}")
                if kind == "capture_damaged":
                    stats.damaged = True
            if gz.cut or gz.limited:
                stats.truncated = True
            if gz.limited and stats.hasher is not None:
                try:
                    gz.drain()
                except OSError:
                    return
        if stats.hasher is not None:
            stats.sha256 = stats.hasher.hexdigest()

    def close(self) -> None:
        fp, self._fp = self._fp, None  # type: ignore[assignment]
        if fp is not None and fp is not sys.stdin.buffer:
            fp.close()

    def __enter__(self) -> Capture:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_file(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb", buffering=0)  # noqa: SIM115 - owned by the Capture
    except FileNotFoundError:
        raise CaptureError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CaptureError(f"{path}: is a directory, not a capture file") from None
    except PermissionError:
        raise CaptureError(f"{path}: permission denied") from None
    except OSError as exc:
        raise CaptureError(f"{path}: cannot open ({exc.strerror})") from None


def open_capture(path: str, *, stats: CaptureStats | None = None,
                 limits: ReadLimits | None = None) -> Capture:
    """Open ``path`` (``-`` is standard input) and check that it is a capture; ``CaptureError``
    if not. Only the first bytes are read; read the rest with ``Capture.frames()``."""
    return open_stream(_open_file(path), path, stats=stats, limits=limits)


def open_stream(fp: BinaryIO, path: str, *, stats: CaptureStats | None = None,
                limits: ReadLimits | None = None) -> Capture:
    """``open_capture`` for a stream the caller already opened (closed with the ``Capture``)."""
    limits = limits or ReadLimits()
    stats = stats if stats is not None else CaptureStats(path=path)
    if limits.sha256 and stats.hasher is None:
        stats.hasher = hashlib.sha256()
    return Capture(path, fp, stats, limits)


def peek(path: str) -> Peek:
    """Check ``path`` without consuming it: a regular file is opened, identified and closed
    (``CaptureError`` if it is not a capture); a FIFO, device or ``-`` is not read at all and
    reports ``"stream"`` (``open_capture`` checks it when the run reads it)."""
    if path == "-":
        return Peek("stream", False, b"")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise CaptureError(f"{path}: no such file") from None
    except OSError as exc:
        raise CaptureError(f"{path}: cannot open ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise CaptureError(f"{path}: is a directory, not a capture file")
    if not stat.S_ISREG(mode):
        return Peek("stream", False, b"")
    with open_capture(path) as cap:
        return Peek(cap.kind, cap.compressed, cap.head)


def read_capture(path: str, sink: AnomalySink, stats: CaptureStats, index_start: int = 0, *,
                 limits: ReadLimits | None = None) -> Iterator[RawFrame]:
    """Open ``path`` and yield its frames (the two steps of ``open_capture`` in one generator,
    for callers that need no check before the run)."""
    cap = open_capture(path, stats=stats, limits=limits)
    yield from cap.frames(sink, index_start)


def open_binary(path: str) -> tuple[BinaryIO, bytes, str]:
    """Deprecated (consumes a FIFO; use ``peek`` or ``open_capture``): the input's (decompressed)
    stream, its first four bytes and a format suffix ("-gzip" or "")."""
    fp = _open_file(path)
    raw = _RawInput(fp, CaptureStats(path=path))
    try:
        head = raw.read_exact(4)
    except OSError as exc:
        fp.close()
        raise CaptureError(f"{path}: cannot read ({exc.strerror})") from None
    if head[:2] != GZIP_MAGIC:
        return fp, head, ""
    gz = GzipStream(raw, head)
    buf = ReadBuffer(gz)
    buf.need(4)
    if len(buf.buf) < 4:
        fp.close()
        raise CaptureError(f"{path}: damaged gzip data")
    head = buf.buf[:4]
    buf.pos = 4
    return _Closing(buf, fp), head, "-gzip"  # type: ignore[return-value]


class _Closing:
    """``read``/``close`` over a ReadBuffer (for ``open_binary``'s gzip case)."""

    def __init__(self, buf: ReadBuffer, fp: BinaryIO) -> None:
        self.buf, self.fp = buf, fp

    def read(self, n: int = -1) -> bytes:
        want = CHUNK if n < 0 else n
        self.buf.need(want)
        out = self.buf.buf[self.buf.pos:self.buf.pos + want]
        self.buf.pos += len(out)
        return out

    def close(self) -> None:
        self.fp.close()


__all__ = ["Capture", "CaptureReadError", "CaptureStats", "Peek", "ReadLimits", "open_capture",
           "open_stream", "peek", "read_capture"]
