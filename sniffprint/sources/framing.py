"""What both capture formats share: the read buffer, the stats, damage reporting, the resync scan
and the link-layer plausibility test that resynchronisation and undeclared interfaces rely on.

Invariants:
- ``ReadBuffer`` is the only thing that reads the input. An ``OSError`` from the stream becomes
  ``InputFailed`` (the caller turns it into ``CaptureReadError``); nothing else escapes.
- Every byte the framing does not deliver is accounted for: ``skipped()`` adds it to
  ``CaptureStats.skipped_bytes``, marks the capture damaged and records one ``capture_damaged``
  anomaly naming the byte range, so damage can never silently remove traffic.
- ``scan()`` finds candidates with one compiled regular expression (C speed) and verifies each in
  Python, so a resync over megabytes of garbage stays linear and fast.
"""
from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..anomalies import AnomalySink

CHUNK = 1 << 20  # bytes per read from the underlying stream
TS_WINDOW = 86_400  # seconds: a resync candidate's timestamp must lie this close to its neighbour's
MAX_WIRE = (1 << 24) - 1  # largest plausible original length (GRO/TSO frames are < 1 MiB)

LINKTYPE_NULL = 0  # BSD loopback: 4-byte address family in host byte order
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101  # raw IPv4/IPv6 (also 12 and 14 on some systems)
LINKTYPE_LOOP = 108  # OpenBSD loopback: address family in network byte order
LINKTYPE_SLL = 113  # Linux cooked capture v1
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_SLL2 = 276  # Linux cooked capture v2

# EtherTypes seen first in a frame: IPv4, ARP, Wake-on-LAN, RARP, 802.1Q, IPv6, PPPoE discovery
# and session, MPLS, EAPOL, LLDP, 802.1ad, PTP, 802.1Q (old QinQ)
_ETHERTYPES = frozenset({0x0800, 0x0806, 0x0842, 0x8035, 0x8100, 0x86DD, 0x8863, 0x8864, 0x8847,
                         0x8848, 0x888E, 0x88CC, 0x88A8, 0x88F7, 0x9100})
_AF_VALUES = frozenset({2, 10, 23, 24, 26, 28, 30})  # AF_INET, AF_INET6 of Linux/BSDs/macOS/Windows


@dataclass(slots=True)
class CaptureStats:
    """What the source learned about its input, read by the report (chain of custody, verify).

    The framing loops keep their per-frame counters in locals and bring ``frames``,
    ``bytes_read``, ``first_ts`` and ``last_ts`` up to date at every buffer refill (about every
    MiB), before every anomaly and when the iterator ends.
    """

    path: str
    format: str = "unknown"  # pcap | pcapng (+ "-gzip"), live
    frames: int = 0
    bytes_read: int = 0  # captured bytes of the frames delivered
    truncated: bool = False  # the input ended inside a record or block, or was not read to its end
    damaged: bool = False  # bytes were skipped, a length lied or an interface was undeclared
    skipped_bytes: int = 0  # bytes of the (decompressed) capture that no frame was read from
    undeclared_frames: int = 0  # pcapng packets on an interface no IDB declared (decoded by guess)
    linktypes: set[int] = field(default_factory=set)
    first_ts: float | None = None
    last_ts: float | None = None
    drops: int | None = None  # frames the capture socket dropped (live capture only)
    raw_bytes: int = 0  # bytes read from the file as stored (compressed bytes for .gz)
    sha256: str | None = None  # of the raw bytes; set when asked for and the input was read to EOF
    read_error: str | None = None  # the OS error that ended the input early, if any
    hasher: Any = field(default=None, repr=False)  # running hashlib.sha256 while reading, or None


class InputFailed(Exception):
    """The stream raised ``OSError``: the framing stops, the opener raises ``CaptureReadError``."""

    def __init__(self, exc: OSError) -> None:
        super().__init__(str(exc))
        self.exc = exc


class _Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...


class ReadBuffer:
    """Sequential buffered reads over a binary stream with byte-exact accounting.

    ``buf[pos:]`` is unread; ``consumed`` is the stream offset of ``buf[0]``. ``need(n)`` may
    replace ``buf`` (dropping what lies before ``pos``), so callers keep positions as ``pos``.
    """

    __slots__ = ("fp", "buf", "pos", "eof", "consumed")

    def __init__(self, fp: _Readable, head: bytes = b"") -> None:
        self.fp = fp
        self.buf = head
        self.pos = 0
        self.eof = False
        self.consumed = 0

    def need(self, n: int) -> bool:
        """Make ``n`` bytes available at ``pos``; False when the input ends first."""
        avail = len(self.buf) - self.pos
        if avail >= n:
            return True
        if self.eof:
            return False
        parts = [self.buf[self.pos:]]
        self.consumed += self.pos
        while avail < n:
            try:
                chunk = self.fp.read(max(CHUNK, n - avail))
            except OSError as exc:
                self.eof = True
                self.buf, self.pos = b"".join(parts), 0
                raise InputFailed(exc) from exc
            if not chunk:
                self.eof = True
                break
            parts.append(chunk)
            avail += len(chunk)
        self.buf = b"".join(parts)
        self.pos = 0
        return avail >= n

    def rest(self) -> int:
        """Bytes left in the input (reads it to the end)."""
        while self.need(len(self.buf) - self.pos + CHUNK):
            pass
        return len(self.buf) - self.pos

    @property
    def offset(self) -> int:
        return self.consumed + self.pos


def skipped(sink: AnomalySink, stats: CaptureStats, path: str, start: int, end: int, why: str,
            resumed: bool = True) -> None:
    """Account for bytes ``start`` to ``end`` (exclusive) that yielded no frame; ``resumed`` says
    whether a valid record was found at ``end`` (else the skip ran to the end of the input)."""
    n = end - start
    if n <= 0:
        return
    stats.damaged = True
    stats.skipped_bytes += n
    then = f"reading resumed at byte {end}" if resumed else "no valid record after it"
    sink.add(stats.last_ts, None, "capture", "capture_damaged",
             f"{path}: bytes {start}-{end - 1} skipped ({n} bytes): {why}; {then}")


def truncated(sink: AnomalySink, stats: CaptureStats, path: str, what: str, offset: int) -> None:
    stats.truncated = True
    sink.add(stats.last_ts, None, "capture", "truncated_capture",
             f"{path}: input ends inside {what} at byte {offset}; frames before it were read")


ZERO_RUN = bytes(64)  # zeroed disk blocks and inflation bombs: skipped with bytes.find, not the regex


def scan(r: ReadBuffer, pattern: re.Pattern[bytes], verify: Callable[[ReadBuffer], bool],
         min_len: int, skip: int = 1) -> bool:
    """Advance ``r.pos`` to the first position (``skip`` or more bytes after the current one) where
    ``pattern`` matches and ``verify(r)`` agrees. False, with ``r.pos`` at the end of the input,
    when none does.

    ``pattern`` matches ``min_len`` bytes, at least one of them not zero (true of every pcap
    record header and pcapng block header), so runs of zeros are jumped over at memchr speed.
    ``verify`` may call ``r.need`` (``r.pos`` stays on the candidate).
    """
    r.pos += skip
    zrun, zfound = -1, False  # absolute offset of the next zero run (or of the end searched)
    while True:
        if not r.need(min_len):
            r.pos = len(r.buf)
            return False
        buf, pos, base = r.buf, r.pos, r.consumed
        if base + pos > zrun or (not zfound and base + len(buf) > zrun):
            z = buf.find(ZERO_RUN, pos)
            zfound = z >= 0
            zrun = base + (z if zfound else len(buf))
        zpos = zrun - base
        if zfound and zpos <= pos:  # inside a run of zeros: go to its first non-zero byte
            rest = len(buf[pos:].lstrip(b"\0"))
            r.pos = max(pos, len(buf) - rest - min_len + 1)  # a candidate has a non-zero byte
            zrun, zfound = -1, False
            continue
        m = pattern.search(buf, pos, zpos + min_len - 1)
        if m is None:
            r.pos = zpos if zfound else max(pos, len(buf) - min_len + 1)
            continue
        r.pos = m.start()
        if verify(r):
            return True
        r.pos += 1


def byte_class(lo: int, hi: int) -> bytes:
    """A regex character class matching one byte in ``lo..hi``."""
    return b"[" + re.escape(bytes([lo])) + b"-" + re.escape(bytes([hi])) + b"]"


def literal(b: bytes) -> bytes:
    return re.escape(b)


def looks_like(linktype: int, data: bytes) -> bool:
    """Whether ``data`` starts like a frame of ``linktype``; True for link types we cannot judge.

    Used only where the framing has no better evidence (after damage, undeclared interfaces):
    a wrong True costs one odd frame, a wrong False one skipped record.
    """
    if linktype == LINKTYPE_ETHERNET:
        if len(data) < 14:
            return False
        et = (data[12] << 8) | data[13]
        return et in _ETHERTYPES or 0 < et <= 1500  # or an 802.3 length
    if linktype in (LINKTYPE_RAW, 12, 14, LINKTYPE_IPV4, LINKTYPE_IPV6):
        return _ip_like(data, 0)
    if linktype in (LINKTYPE_NULL, LINKTYPE_LOOP):
        if len(data) < 5:
            return False
        le, be = struct.unpack_from("<I", data)[0], struct.unpack_from(">I", data)[0]
        return (le in _AF_VALUES or be in _AF_VALUES) and _ip_like(data, 4)
    if linktype == LINKTYPE_SLL:
        return len(data) >= 16 and ((data[0] << 8) | data[1]) <= 4
    if linktype == LINKTYPE_SLL2:
        return len(data) >= 20 and data[10] <= 4
    return True


def _ip_like(data: bytes, off: int) -> bool:
    if len(data) <= off:
        return False
    v = data[off] >> 4
    if v == 4:
        return len(data) >= off + 20 and data[off] & 0x0F >= 5
    return v == 6 and len(data) >= off + 40


def guess_linktype(data: bytes, declared: list[int]) -> tuple[int | None, str]:
    """The link type a frame of an undeclared interface most likely has, and why.

    Declared link types are tried first (the last declared first), then Ethernet and raw IP by
    content; when nothing fits, the last declared link type is used, and without one the frame
    cannot be placed (None).
    """
    seen: list[int] = []
    for lt in reversed(declared):
        if lt not in seen:
            seen.append(lt)
    for lt in seen:
        if looks_like(lt, data):
            return lt, ("the only declared link type" if len(seen) == 1
                        else "a declared link type its header matches")
    if looks_like(LINKTYPE_ETHERNET, data):
        return LINKTYPE_ETHERNET, "Ethernet by content"
    if _ip_like(data, 0):
        return LINKTYPE_RAW, "raw IP by content"
    if seen:
        return seen[0], "the last declared link type"
    return None, "no interface declared and the content is not Ethernet or IP"
