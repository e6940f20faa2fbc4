"""Sources: where frames come from.

A ``SourceSpec`` (``spec.py``) names a capture file (pcap, pcapng, gzip-compressed either; a
regular file, a FIFO or ``/dev/fd/N``), standard input, or a live interface. ``SOURCES`` maps each
kind to its opener, one line per kind.

For capture files, ``open_capture(path)`` opens the input once and checks it (``CaptureError``),
and ``Capture.frames(sink)`` then reads that same stream (``CaptureReadError`` on an OS error
mid-read, after the frames before it); ``peek(path)`` checks a path without consuming a stream,
which is what ``check_readable`` does. ``open_source(spec)`` opens and reads in one generator.
Modules: ``pcapfile`` (the face), ``pcap`` (framing and resync), ``pcapng`` (the reading loop),
``pcapngblocks`` (block layouts) and ``pcapngresync`` (damage and resync), ``gzipstream``,
``framing`` (shared pieces), ``live`` (scapy), ``pcapwriter``, ``spec``.
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
from .spec import SourceKind, SourceSpec


def _live(spec: SourceSpec, sink: AnomalySink, stats: CaptureStats, index_start: int,
          **kw: object) -> Iterator[RawFrame]:
    from .live import read_live  # scapy is imported only there, only when asked for

    kw.pop("limits", None)  # file reading limits
    return read_live(spec.name, sink, stats, index_start, bpf=spec.bpf, duration=spec.duration,
                     count=spec.count, **kw)  # type: ignore[arg-type]


def _file(spec: SourceSpec, sink: AnomalySink, stats: CaptureStats, index_start: int,
          **kw: object) -> Iterator[RawFrame]:
    limits = kw.get("limits")
    return read_capture(spec.name, sink, stats, index_start,
                        limits=limits if isinstance(limits, ReadLimits) else None)


SOURCES: dict[SourceKind, Callable[..., Iterator[RawFrame]]] = {
    SourceKind.FILE: _file,
    SourceKind.STDIN: _file,
    SourceKind.LIVE: _live,
}


def open_source(spec: SourceSpec, sink: AnomalySink, stats: CaptureStats, index_start: int = 0,
                **kw: object) -> Iterator[RawFrame]:
    """Frames of ``spec``. ``kw``: ``limits`` (a ``ReadLimits``: hash, gzip limits) for files, the
    live controls (tick, stop, ready) for live capture; each kind ignores the other's. Raises
    ``CaptureReadError`` (after the frames read before it) when the OS fails a read."""
    return SOURCES[spec.kind](spec, sink, stats, index_start, **kw)


def check_readable(spec: SourceSpec) -> None:
    """Raise ``CaptureError`` unless a capture file starts like a capture (before any work).

    A FIFO or ``/dev/fd/N`` (``verify <(cat x.pcap)``) is not read here: reading would consume
    it. It is checked when the run opens it, before its first frame.
    """
    if spec.kind is SourceKind.FILE:
        peek(spec.name)


__all__ = ["Capture", "CaptureReadError", "CaptureStats", "Peek", "ReadLimits", "SOURCES",
           "SourceKind", "SourceSpec", "check_readable", "open_capture", "open_source", "open_stream", "peek"]
