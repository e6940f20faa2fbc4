"""The one place where the layers are wired together: sources -> decode -> flows -> report.

``Engine`` streams: finished flows, their jobs and anomalies go to callbacks as soon as they are
known (the CLI writes JSON lines that way, with memory bounded by the live flows, not by the
capture). ``analyze()`` collects everything into a ``Report`` for the Python API.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from .anomalies import AnomalySink
from .decode import Decoder
from .errors import CaptureError
from .flows import Flow, FlowTable
from .model import Anomaly
from .options import Options
from .report import Report
from .sources import CaptureStats, open_source
from .sources.pcapfile import open_binary

log = logging.getLogger(__name__)

Record = dict[str, Any]


def check_readable(path: str) -> None:
    """Raise ``CaptureError`` unless ``path`` starts like a capture (before any work is done)."""
    if path == "-" or path.startswith("live:"):
        return
    fp, head, _ = open_binary(path)
    fp.close()
    if len(head) < 4:
        raise CaptureError(f"{path}: empty or too short to be a capture ({len(head)} bytes)")
    if head not in (b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1",
                    b"\x0a\x0d\x0d\x0a"):
        raise CaptureError(f"{path}: not a pcap or pcapng capture (starts with {head.hex()})")


class Engine:
    """One analysis run over one or more sources."""

    def __init__(self, options: Options | None = None, *,
                 on_flow: Callable[[Record], None] | None = None,
                 on_job: Callable[[Record], None] | None = None,
                 on_anomaly: Callable[[Record], None] | None = None,
                 on_flow_object: Callable[[Flow], None] | None = None) -> None:
        self.options = options or Options()
        self.on_flow = on_flow
        self.on_job = on_job
        self.on_anomaly = on_anomaly
        self.on_flow_object = on_flow_object
        self.sink = AnomalySink(self.options.anomalies_per_kind,
                                listener=self._anomaly if on_anomaly else None)
        self.decoder = Decoder(self.sink, self.options.verify_checksums)
        self.table = FlowTable(self.options, self.sink, self._flow)
        self.captures: list[CaptureStats] = []
        self.internal_errors = 0
        self.flows_emitted = 0
        self.started = time.time()
        self.elapsed = 0.0

    def _anomaly(self, a: Anomaly) -> None:
        if self.on_anomaly is not None:
            self.on_anomaly(a.record())

    def _flow(self, flow: Flow) -> None:
        self.flows_emitted += 1
        if self.on_flow_object is not None:
            self.on_flow_object(flow)
        if self.on_flow is not None:
            self.on_flow(flow.record())
        if self.on_job is not None:
            for job in flow.jobs:
                self.on_job(job.record())

    def run(self, specs: Iterable[str], **source_kw: object) -> None:
        t0 = time.perf_counter()
        index = 0
        decode = self.decoder.decode
        process = self.table.process
        for spec in specs:
            stats = CaptureStats(path=spec)
            self.captures.append(stats)
            for ts, linktype, data, _wirelen, idx in open_source(spec, self.sink, stats, index, **source_kw):
                try:
                    seg = decode(ts, linktype, data, idx)
                    if seg is not None:
                        process(ts, seg)
                except Exception as exc:  # a bug: keep the run and what it found
                    self.internal_errors += 1
                    log.debug("internal error on frame %d", idx, exc_info=True)
                    self.sink.add(ts, None, "internal", "internal_error",
                                  f"frame {idx}: {type(exc).__name__}: {exc}")
            index += stats.frames
        self.finish()
        self.elapsed = time.perf_counter() - t0

    def finish(self) -> None:
        self.table.flush()
        for a in self.sink.summary_anomalies():
            self.sink.kept.append(a)
            self._anomaly(a)

    def stats(self) -> dict[str, Any]:
        d = self.decoder
        return {
            "captures": [{"path": c.path, "format": c.format, "frames": c.frames,
                          "bytes": c.bytes_read, "truncated": c.truncated, "damaged": c.damaged,
                          "linktypes": sorted(c.linktypes), "first_ts": c.first_ts, "drops": c.drops,
                          "last_ts": c.last_ts} for c in self.captures],
            "frames": d.frames,
            "tcp_segments": d.tcp,
            "udp_datagrams": d.udp,
            "other_ip": d.other_l4,
            "non_ip": d.non_ip,
            "ip_fragments": d.ip_fragments,
            "bad_ip_checksums": d.bad_ip_checksum,
            "bad_tcp_checksums": d.bad_tcp_checksum,
            "undecodable": d.undecodable,
            "flows": self.table.flows_total,
            "flows_evicted": self.table.evicted,
            "anomalies": self.sink.total(),
            "internal_errors": self.internal_errors,
            "truncated": any(c.truncated for c in self.captures),
            "elapsed_s": round(self.elapsed, 3),
        }


def analyze(source: str | Iterable[str], *, options: Options | None = None) -> Report:
    """Analyse one capture (or several, in order) and return everything found as a ``Report``."""
    specs = [source] if isinstance(source, str) else list(source)
    for spec in specs:
        check_readable(spec)
    report = Report()
    engine = Engine(options, on_flow=report.flows.append, on_job=report.jobs.append,
                    on_anomaly=report.anomalies.append)
    engine.run(specs)
    report.stats = engine.stats()
    return report
