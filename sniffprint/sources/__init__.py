"""Sources: where frames come from. ``open_source(spec)`` is the only entry point.

A ``SourceSpec`` (``spec.py``) names a capture file (pcap, pcapng, gzip-compressed either),
standard input, or a live interface. ``SOURCES`` maps each kind to its opener, one line per kind.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from ..anomalies import AnomalySink
from ..errors import CaptureError
from ..model import RawFrame
from .pcapfile import CaptureStats, open_binary, read_capture
from .spec import SourceKind, SourceSpec


def _live(spec: SourceSpec, sink: AnomalySink, stats: CaptureStats, index_start: int,
          **kw: object) -> Iterator[RawFrame]:
    from .live import read_live  # scapy is imported only there, only when asked for

    return read_live(spec.name, sink, stats, index_start, bpf=spec.bpf, duration=spec.duration,
                     count=spec.count, **kw)  # type: ignore[arg-type]


def _file(spec: SourceSpec, sink: AnomalySink, stats: CaptureStats, index_start: int,
          **_kw: object) -> Iterator[RawFrame]:
    return read_capture(spec.name, sink, stats, index_start)


SOURCES: dict[SourceKind, Callable[..., Iterator[RawFrame]]] = {
    SourceKind.FILE: _file,
    SourceKind.STDIN: _file,
    SourceKind.LIVE: _live,
}


def open_source(spec: SourceSpec, sink: AnomalySink, stats: CaptureStats, index_start: int = 0,
                **kw: object) -> Iterator[RawFrame]:
    """Frames of ``spec``; ``kw`` are the live controls (tick, stop, ready), ignored by files."""
    return SOURCES[spec.kind](spec, sink, stats, index_start, **kw)


CAPTURE_MAGICS = (b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1",
                  b"\x0a\x0d\x0d\x0a")  # pcap (us, ns; either byte order), pcapng


def check_readable(spec: SourceSpec) -> None:
    """Raise ``CaptureError`` unless a capture file starts like a capture (before any work)."""
    if spec.kind is not SourceKind.FILE:
        return
    fp, head, _ = open_binary(spec.name)
    fp.close()
    if len(head) < 4:
        raise CaptureError(f"{spec.name}: empty or too short to be a capture ({len(head)} bytes)")
    if head not in CAPTURE_MAGICS:
        raise CaptureError(f"{spec.name}: not a pcap or pcapng capture (starts with {head.hex()})")


__all__ = ["CAPTURE_MAGICS", "CaptureStats", "SOURCES", "check_readable", "SourceKind", "SourceSpec", "open_source"]
