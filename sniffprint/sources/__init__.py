"""Sources: where frames come from. ``open_source(spec)`` is the only entry point.

A spec is a capture path (pcap, pcapng, gzip-compressed either), ``-`` for standard input, or
``live:IFACE`` for a live interface. ``SOURCES`` maps a kind to its opener, one line per kind.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from ..anomalies import AnomalySink
from ..model import RawFrame
from .pcapfile import (
    Capture,
    CaptureReadError,
    CaptureStats,
    Peek,
    ReadLimits,
    open_capture,
    open_stream,
    peek,
    read_capture,
)


def _live(spec: str, sink: AnomalySink, stats: CaptureStats, index_start: int,
          **kw: object) -> Iterator[RawFrame]:
    from .live import read_live  # scapy is imported only there, only when asked for

    return read_live(spec, sink, stats, index_start, **kw)  # type: ignore[arg-type]


def _file(spec: str, sink: AnomalySink, stats: CaptureStats, index_start: int,
          **_kw: object) -> Iterator[RawFrame]:
    return read_capture(spec, sink, stats, index_start)


SOURCES: dict[str, Callable[..., Iterator[RawFrame]]] = {
    "file": _file,
    "live": _live,
}


def open_source(spec: str, sink: AnomalySink, stats: CaptureStats, index_start: int = 0,
                **kw: object) -> Iterator[RawFrame]:
    kind, name = ("live", spec[5:]) if spec.startswith("live:") else ("file", spec)
    return SOURCES[kind](name, sink, stats, index_start, **kw)


__all__ = ["Capture", "CaptureReadError", "CaptureStats", "Peek", "ReadLimits", "SOURCES", "open_capture",
           "open_source", "open_stream", "peek"]
