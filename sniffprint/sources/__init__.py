"""Sources: where frames come from.

A spec is a capture path (pcap, pcapng, gzip-compressed either; a regular file, a FIFO or
``/dev/fd/N``), ``-`` for standard input, or ``live:IFACE`` for a live interface.

For capture files, ``open_capture(path)`` opens the input once and checks it (``CaptureError``),
and ``Capture.frames(sink)`` then reads that same stream (``CaptureReadError`` on an OS error
mid-read, after the frames before it); ``peek(path)`` checks a path without consuming a stream.
``open_source(spec)`` does both steps in one generator and dispatches through ``SOURCES``, which
maps a kind to its opener, one line per kind. Modules: ``pcapfile`` (the face), ``pcap`` and
``pcapng`` (framing and resync), ``gzipstream``, ``framing`` (shared pieces), ``live`` (scapy),
``pcapwriter``.
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
