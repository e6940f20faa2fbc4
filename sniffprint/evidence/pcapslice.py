"""Write the frames of chosen TCP flows from capture files to a new capture (the evidence slice).

``write_slice(sources, flows, out_path)`` reads the sources with the project's own reader
(``sources.pcapfile``: damage is an anomaly, never an exception) and decoder (``decode``: the same
idea of "which TCP flow is this frame" as the analysis that found the flow), and copies every frame
of the given flows, both directions, byte for byte, into a new file.

Output format:
- pcap (draft-ietf-opsawg-pcap, microsecond magic 0xA1B2C3D4, host byte order as libpcap writes
  it) when every copied frame has the same link type;
- pcapng (draft-ietf-opsawg-pcapng: one Section Header Block, one Interface Description Block
  per link type in order of first use, Enhanced Packet Blocks) when they differ, since a pcap file
  has a single link type. A slice with no frame is a pcap with the first source's link type.
Each record keeps the frame's captured bytes, its original wire length and its timestamp at
microsecond resolution (clamped to what pcap's unsigned 32-bit seconds hold, 1970-2106): the
reader hands timestamps on as a float of seconds, which holds about 0.25 us at today's epoch, so
the nanoseconds of a nanosecond capture cannot be carried honestly.

Decisions:
- The link type of the pcap header and the set of pcapng interfaces must be known before the
  first record is written, so the matching frames first go to a spool (in memory up to
  ``SPOOL_MEMORY``, then an anonymous temporary file *in the output's directory*, so document bytes
  never land in a shared ``/tmp``); only the slice is read twice, not the sources.
- Frames are written in source order, then file order (as ``analyze`` reads them): pass the
  sources in time order.
- Only frames the decoder turns into a TCP segment can be matched: IP fragments (no ports past the
  first) and frames on link types it does not decode are not copied.
- ``ts_range`` (inclusive) is compared in whole microseconds, so the rounded ``ts_start``/``ts_end``
  of a flow record select exactly that flow's frames.

Invariants:
- The output is created with ``O_CREAT | O_EXCL`` and mode 0600: an existing file is never
  overwritten (``FileExistsError``), and a slice of a print job is readable by its owner only.
- Arguments are checked and every source is checked to be a capture *before* the output is
  created (``ValueError``, ``CaptureError``); an error while writing removes the partial output.
- Memory: one source read buffer plus the spool's in-memory part.
"""
from __future__ import annotations

import ipaddress
import os
import struct
import tempfile
from collections.abc import Iterator
from typing import IO

from ..anomalies import AnomalySink
from ..engine.decode import Decoder
from ..errors import CaptureError
from ..model import LINKTYPE_ETHERNET
from ..sources.pcapfile import CaptureStats, peek, read_capture
from ..sources.pcapwriter import MAX_SNAPLEN, PcapWriter

SPOOL_MEMORY = 8 * 1024 * 1024
MAX_US = (1 << 32) * 1_000_000 - 1  # the last microsecond a pcap record's 32-bit seconds can hold
SNAPLEN = MAX_SNAPLEN  # libpcap's MAXIMUM_SNAPLEN; the reader refuses longer records anyway
_SPOOL = struct.Struct("<qIII")  # timestamp in us, link type, captured length, wire length
_SHB_BOM = 0x1A2B3C4D
_OPT_SHB_USERAPPL = 4

FlowSpec = tuple[str, int, str, int]


def write_slice(sources: list[str], flows: list[FlowSpec], out_path: str, *,
                ts_range: tuple[float, float] | None = None, sink: AnomalySink | None = None) -> int:
    """Copy every frame of ``flows`` (client_ip, client_port, server_ip, server_port; both
    directions; IPv4 or IPv6) in ``sources`` into a new capture at ``out_path``; return the number
    of frames written. Damage in a source goes to ``sink`` (a fresh one when not given)."""
    wanted = _endpoints(flows)
    lo_us = hi_us = 0
    if ts_range is not None:
        lo_us, hi_us = round(ts_range[0] * 1e6), round(ts_range[1] * 1e6)
        if lo_us > hi_us:
            raise ValueError(f"ts_range starts after it ends: {ts_range}")
    for path in sources:
        _check_capture(path)
    sink = sink if sink is not None else AnomalySink()
    decoder = Decoder(sink, verify_checksums=False)  # a bad checksum is still the flow's frame
    fd = os.open(out_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, tempfile.SpooledTemporaryFile(
                max_size=SPOOL_MEMORY, dir=os.path.dirname(os.path.abspath(out_path))) as spool:
            linktypes: list[int] = []  # in order of first use: the pcapng interface ids
            first_linktype: int | None = None
            count = 0
            index = 0
            for path in sources:
                stats = CaptureStats(path=path)
                for ts, linktype, data, wirelen, number in read_capture(path, sink, stats, index):
                    if first_linktype is None:
                        first_linktype = linktype
                    us = min(max(round(ts * 1e6), 0), MAX_US)
                    if ts_range is not None and not lo_us <= us <= hi_us:
                        continue
                    seg = decoder.decode(ts, linktype, data, number)
                    if seg is None or (seg[0], seg[2], seg[1], seg[3]) not in wanted:
                        continue
                    if linktype not in linktypes:
                        linktypes.append(linktype)
                    spool.write(_SPOOL.pack(us, linktype, len(data), wirelen))
                    spool.write(data)
                    count += 1
                index += stats.frames
            spool.seek(0)
            if len(linktypes) <= 1:
                lt = linktypes[0] if linktypes else (first_linktype if first_linktype is not None
                                                     else LINKTYPE_ETHERNET)
                _write_pcap(out, spool, count, lt)
            else:
                _write_pcapng(out, spool, count, linktypes)
    except BaseException:
        try:
            os.unlink(out_path)
        except OSError:
            pass
        raise
    return count


def _endpoints(flows: list[FlowSpec]) -> set[tuple[bytes, int, bytes, int]]:
    """(src ip, src port, dst ip, dst port) of both directions of every flow, IPs packed as the
    decoder hands them on (so text forms like '::1' and '0:0::1' match alike)."""
    out: set[tuple[bytes, int, bytes, int]] = set()
    for flow in flows:
        try:
            cip, cport, sip, sport = flow
            c, s = ipaddress.ip_address(cip).packed, ipaddress.ip_address(sip).packed
            cport, sport = int(cport), int(sport)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"not a (client_ip, client_port, server_ip, server_port) flow: {flow!r}") from exc
        if not (0 <= cport <= 0xFFFF and 0 <= sport <= 0xFFFF):
            raise ValueError(f"port out of range in flow {flow!r}")
        out.add((c, cport, s, sport))
        out.add((s, sport, c, cport))
    return out


def _check_capture(path: str) -> None:
    """``CaptureError`` unless ``path`` is a readable pcap or pcapng (possibly gzip) file."""
    if path == "-" or path.startswith("live:") or peek(path).kind == "stream":
        raise CaptureError(f"{path}: a slice is cut from capture files, not from a stream")


def _records(spool: IO[bytes], count: int) -> Iterator[tuple[int, int, bytes, int]]:
    size = _SPOOL.size
    for _ in range(count):
        us, linktype, caplen, wirelen = _SPOOL.unpack(spool.read(size))
        yield us, linktype, spool.read(caplen), wirelen


def _write_pcap(out: IO[bytes], spool: IO[bytes], count: int, linktype: int) -> None:
    writer = PcapWriter(out, linktype)
    for us, _lt, data, wirelen in _records(spool, count):
        writer.write_us(us, data, wirelen)


def _block(btype: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("=II", btype, n) + body + struct.pack("=I", n)


def _write_pcapng(out: IO[bytes], spool: IO[bytes], count: int, linktypes: list[int]) -> None:
    app = b"sniffprint pcapslice"
    opts = struct.pack("=HH", _OPT_SHB_USERAPPL, len(app)) + app + b"\0" * (-len(app) % 4)
    opts += struct.pack("=HH", 0, 0)  # opt_endofopt
    out.write(_block(0x0A0D0D0A, struct.pack("=IHHq", _SHB_BOM, 1, 0, -1) + opts))
    for lt in linktypes:  # no if_tsresol option: the default, microseconds
        out.write(_block(0x00000001, struct.pack("=HHI", lt, 0, SNAPLEN)))
    ifid = {lt: i for i, lt in enumerate(linktypes)}
    for us, linktype, data, wirelen in _records(spool, count):
        head = struct.pack("=IIIII", ifid[linktype], (us >> 32) & 0xFFFFFFFF, us & 0xFFFFFFFF,
                           len(data), wirelen)
        out.write(_block(0x00000006, head + data))
