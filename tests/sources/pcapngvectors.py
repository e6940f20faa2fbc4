"""pcapng byte vectors the reader tests share: the frames of a few print jobs, blocks with
options and timestamps, and a reader over bytes in memory."""
from __future__ import annotations

import io
import struct

from sniffprint.anomalies import AnomalySink
from sniffprint.sources.pcapfile import open_stream
from tests import pcapgen as g
from tests.hostile.make_hostile import block


def print_frames() -> list[bytes]:
    out: list[bytes] = []
    for i in range(4):
        out += g.print_job_frames(cport=42000 + i)[0]
    return out


def read_ng(data: bytes):
    sink = AnomalySink()
    cap = open_stream(io.BytesIO(data), "t.pcapng")
    return list(cap.frames(sink)), cap.stats, sink.kept


def idb_block(linktype: int, tsresol: int | None = None, e: str = "<") -> bytes:
    opts = b""
    if tsresol is not None:
        opts = struct.pack(e + "HHB3x", 9, 1, tsresol) + struct.pack(e + "HH", 0, 0)
    return block(1, struct.pack(e + "HHI", linktype, 0, 0) + opts, e)


def epb_block(ifid: int, ticks: int, f: bytes, e: str = "<") -> bytes:
    return block(6, struct.pack(e + "IIIII", ifid, ticks >> 32, ticks & 0xFFFFFFFF, len(f), len(f)) + f, e)
