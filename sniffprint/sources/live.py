"""Live capture: scapy as a socket only, our own decoder parses the bytes.

scapy is imported here and nowhere else, lazily, so the CLI starts fast and file analysis never
pays for it. ``L2ListenSocket.recv_raw()`` gives the frame bytes without building scapy packet
objects. The capture socket's drop counters are reported through ``CaptureStats`` where the
platform exposes them.

Invariants: a missing interface or missing privilege is a ``CaptureError`` (one line, exit 2);
Ctrl-C ends the iteration cleanly so the caller can flush and summarise.
"""
from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator

from ..anomalies import AnomalySink
from ..errors import CaptureError
from ..model import LINKTYPE_ETHERNET, RawFrame
from .pcapfile import CaptureStats


def _interfaces() -> list[str]:
    try:
        return sorted(os.listdir("/sys/class/net"))
    except OSError:
        return []


def read_live(iface: str, sink: AnomalySink, stats: CaptureStats, index_start: int = 0, *,
              bpf: str | None = None, duration: float | None = None,
              count: int | None = None) -> Iterator[RawFrame]:
    known = _interfaces()
    if known and iface not in known:
        raise CaptureError(f"interface {iface!r} does not exist (have: {', '.join(known)})")
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        raise CaptureError(f"capturing on {iface!r} needs root or CAP_NET_RAW")
    try:
        import logging

        logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
        from scapy.arch.linux import L2ListenSocket  # noqa: TID251 - the one scapy importer
        from scapy.config import conf
    except ImportError as exc:  # pragma: no cover - scapy is a runtime dependency
        raise CaptureError(f"live capture needs scapy: {exc}") from None
    conf.verb = 0
    try:
        sock = L2ListenSocket(iface=iface, filter=bpf, promisc=True)
    except PermissionError:
        raise CaptureError(f"capturing on {iface!r} needs root or CAP_NET_RAW") from None
    except OSError as exc:
        if exc.errno in (errno.ENODEV, errno.ENXIO):
            raise CaptureError(f"interface {iface!r} does not exist") from None
        raise CaptureError(f"cannot capture on {iface!r}: {exc}") from None
    except Exception as exc:  # scapy raises Scapy_Exception for a bad BPF filter
        raise CaptureError(f"cannot capture on {iface!r}: {exc}") from None
    stats.format = "live"
    stats.linktypes.add(LINKTYPE_ETHERNET)
    index = index_start
    deadline = time.monotonic() + duration if duration else None
    import select

    try:
        while True:
            if deadline is not None and time.monotonic() >= deadline:
                return
            if count is not None and stats.frames >= count:
                return
            wait = 0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))
            ready, _, _ = select.select([sock], [], [], wait)
            if not ready:
                continue
            try:
                _cls, data, ts = sock.recv_raw(65535)
            except OSError:
                continue
            if not data:
                continue
            index += 1
            stats.frames += 1
            stats.bytes_read += len(data)
            t = ts if ts is not None else time.time()
            if stats.first_ts is None:
                stats.first_ts = t
            stats.last_ts = t
            yield RawFrame(t, LINKTYPE_ETHERNET, data, len(data), index)
    except KeyboardInterrupt:
        return
    finally:
        try:
            sock.close()
        except Exception:  # noqa: BLE001 - closing a dead socket is not an error worth a trace
            sink.add(stats.last_ts, None, "capture", "live_close_failed", iface)
