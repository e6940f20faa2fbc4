"""Live capture: scapy opens the socket, our own decoder parses the bytes.

scapy is imported here and nowhere else, lazily, so the CLI starts fast and file analysis never
pays for it. scapy's ``L2ListenSocket`` attaches the BPF filter and promiscuous mode; we read its
socket ourselves (no scapy packet objects) to see each frame's packet type, so that on loopback,
where every frame is seen twice (outgoing and incoming), one copy is kept. The kernel's drop
counter (PACKET_STATISTICS) is reported in ``CaptureStats.drops``.

Invariants: a missing interface or missing privilege is a ``CaptureError`` (one line, exit 2);
Ctrl-C ends the iteration cleanly so the caller can flush and summarise.
"""
from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from ..anomalies import AnomalySink
from ..errors import CaptureError
from ..model import LINKTYPE_ETHERNET, RawFrame
from .pcapfile import CaptureStats

PACKET_OUTGOING = 4  # sockaddr_ll.sll_pkttype of a frame this host sent (linux/if_packet.h)
SOL_PACKET = 263
PACKET_STATISTICS = 6  # getsockopt -> struct tpacket_stats {unsigned tp_packets, tp_drops}
MAX_FRAME = 262_144
DRAIN = 4096  # frames read in one go once the socket is readable
RCVBUF = 64 << 20  # the kernel buffer asked for: bursts wait there instead of being dropped
SO_RCVBUFFORCE = 33  # <asm-generic/socket.h>: past rmem_max, with CAP_NET_ADMIN
MSG_DONTWAIT = 0x40


def _is_loopback(iface: str) -> bool:
    try:
        with open(f"/sys/class/net/{iface}/type") as fp:
            return fp.read().strip() == "772"  # ARPHRD_LOOPBACK
    except OSError:
        return False


def _drops(sock: object) -> int | None:
    """Frames the kernel dropped since the last read (the socket's PACKET_STATISTICS)."""
    import struct

    try:
        raw = sock.ins.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)  # type: ignore[attr-defined]
        return int(struct.unpack("II", raw)[1])
    except (OSError, AttributeError):
        return None


def _add_drops(stats: CaptureStats, sock: object) -> None:
    """The kernel resets the counters on each read: accumulate them."""
    d = _drops(sock)
    if d is not None:
        stats.drops = (stats.drops or 0) + d


def _grow_buffer(sock: object, sink: AnomalySink) -> None:
    """Ask for a large kernel receive buffer (scapy leaves the default, about 200 KiB): a burst of
    print traffic is held there while a document is analysed, instead of being dropped."""
    import socket

    ins = sock.ins  # type: ignore[attr-defined]
    for opt in (SO_RCVBUFFORCE, socket.SO_RCVBUF):  # the first needs CAP_NET_ADMIN (root)
        try:
            ins.setsockopt(socket.SOL_SOCKET, opt, RCVBUF)
            return
        except OSError:
            continue
    sink.add(None, None, "capture", "small_receive_buffer", "the capture socket keeps its default receive buffer: "
             "bursts may be dropped by the kernel")


PACKET_FANOUT = 18  # setsockopt(SOL_PACKET): join a fanout group (linux/if_packet.h)
PACKET_FANOUT_HASH = 0  # the kernel's symmetric flow hash picks the socket: a flow's two directions stay together


def _join_fanout(sock: object, group: int) -> None:
    """Share the interface's packets with the other sockets of ``group`` by flow (``--jobs`` on a
    live interface: each worker process gets whole flows, both directions)."""
    try:
        sock.ins.setsockopt(SOL_PACKET, PACKET_FANOUT, (group & 0xFFFF) | (PACKET_FANOUT_HASH << 16))  # type: ignore[attr-defined]
    except OSError as exc:
        raise CaptureError(f"cannot share the capture among workers (PACKET_FANOUT): {exc.strerror}") from None


def _interfaces() -> list[str]:
    try:
        return sorted(os.listdir("/sys/class/net"))
    except OSError:
        return []


class _Stop(Protocol):
    def is_set(self) -> bool: ...


def read_live(iface: str, sink: AnomalySink, stats: CaptureStats, index_start: int = 0, *,
              bpf: str | None = None, duration: float | None = None, count: int | None = None,
              tick: Callable[[float], None] | None = None, stop: _Stop | None = None,
              ready: Callable[[str], None] | None = None, fanout: int | None = None) -> Iterator[RawFrame]:
    """Frames from ``iface`` until ``duration``, ``count``, ``stop`` (set by a signal handler) or
    Ctrl-C; ``tick(now)`` is called about twice a second, packets or not; ``ready(iface)`` once
    the socket and its filter are in place (nothing before that moment is seen)."""
    known = _interfaces()
    if known and iface not in known:
        raise CaptureError(f"interface {iface!r} does not exist (have: {', '.join(known)})")
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
    _grow_buffer(sock, sink)
    if fanout is not None:
        _join_fanout(sock, fanout)
    loopback = iface == "lo" or _is_loopback(iface)
    stats.format = "live"
    stats.linktypes.add(LINKTYPE_ETHERNET)
    if ready is not None:
        ready(iface)
    index = index_start
    deadline = time.monotonic() + duration if duration else None
    import select

    next_tick = time.monotonic() + 0.5
    recvfrom = sock.ins.recvfrom
    try:
        while True:
            if stop is not None and stop.is_set():
                return
            if tick is not None and time.monotonic() >= next_tick:
                next_tick = time.monotonic() + 0.5
                _add_drops(stats, sock)
                tick(time.time())
            if deadline is not None and time.monotonic() >= deadline:
                return
            if count is not None and stats.frames >= count:
                return
            wait = 0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))
            readable, _, _ = select.select([sock], [], [], wait)
            if not readable:
                continue
            # drain what the kernel holds (up to DRAIN frames) before looking at the clock again:
            # one select per burst, not per packet, is what keeps up with a busy link
            for _ in range(DRAIN):
                try:
                    data, sa_ll = recvfrom(MAX_FRAME, MSG_DONTWAIT)
                except BlockingIOError:
                    break
                except OSError:
                    break
                # On loopback every packet is seen twice (outgoing and incoming): keep one copy.
                if not data or (loopback and sa_ll[2] == PACKET_OUTGOING):
                    continue
                index += 1
                stats.frames += 1
                stats.bytes_read += len(data)
                t = time.time()
                if stats.first_ts is None:
                    stats.first_ts = t
                stats.last_ts = t
                yield RawFrame(t, LINKTYPE_ETHERNET, data, len(data), index)
                if count is not None and stats.frames >= count:
                    return
    except KeyboardInterrupt:
        return
    finally:
        _add_drops(stats, sock)
        try:
            sock.close()
        except Exception:  # noqa: BLE001 - closing a dead socket is not an error worth a trace
            sink.add(stats.last_ts, None, "capture", "live_close_failed", iface)
