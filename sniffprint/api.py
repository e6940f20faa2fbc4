"""The one place where the layers are wired together: sources -> decode -> flows -> report.

``Engine`` streams: finished flows, their jobs and anomalies go to callbacks as soon as they are
known (the CLI writes JSON lines that way, with memory bounded by the live flows, not by the
capture). ``analyze()`` collects everything into a ``Report`` for the Python API.
"""
from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from .anomalies import AnomalySink
from .engine.decode import Decoder
from .engine.flows import Flow, FlowTable
from .engine.jobs import Job
from .engine.recorder import PrintFlowRecorder
from .errors import CaptureError
from .evidence.redact import redact_flow, redact_job
from .evidence.stage import EvidenceStage
from .findings.policy import Policy
from .findings.rules import Findings
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
                 on_finding: Callable[[Record], None] | None = None,
                 on_printer: Callable[[Record], None] | None = None,
                 on_flow_object: Callable[[Flow], None] | None = None,
                 policy: Policy | None = None,
                 evidence: EvidenceStage | None = None) -> None:
        self.options = options or Options()
        self.on_flow = on_flow
        self.on_job = on_job
        self.on_anomaly = on_anomaly
        self.on_finding = on_finding
        self.on_printer = on_printer
        self.on_flow_object = on_flow_object
        self.findings = Findings(policy)
        self.sink = AnomalySink(self.options.anomalies_per_kind,
                                listener=self._anomaly if on_anomaly else None)
        self.decoder = Decoder(self.sink, self.options.verify_checksums)
        self.evidence = evidence if evidence is not None else EvidenceStage()
        self.table = FlowTable(self.options, self.sink, self._flow, on_job_done=self._job_done)
        self.recorder: PrintFlowRecorder | None = None
        self.on_tick: Callable[[Engine], None] | None = None  # live: called about twice a second
        self.captures: list[CaptureStats] = []
        self.internal_errors = 0
        self.flows_emitted = 0
        self.started = time.time()
        self.elapsed = 0.0

    def _anomaly(self, a: Anomaly) -> None:
        if self.on_anomaly is not None:
            self.on_anomaly(a.record())

    def _job_done(self, flow: Flow, job: Job) -> None:
        self.evidence(flow, job)
        for finding in self.findings.job(flow.context(), job.record(), job.evidence):
            if self.on_finding is not None:
                self.on_finding(finding)

    def _flow(self, flow: Flow) -> None:
        self.flows_emitted += 1
        if self.on_flow_object is not None:
            self.on_flow_object(flow)
        rec = flow.record()
        jobs = [(job.record(), job.evidence) for job in flow.jobs]
        if self.on_flow is not None:
            self.on_flow(rec)
        if self.on_job is not None:
            for job_rec, _ in jobs:
                self.on_job(job_rec)
        for finding in self.findings.flow(rec, jobs):
            if self.on_finding is not None:
                self.on_finding(finding)

    def tick(self, now: float) -> None:
        """Live capture heartbeat: expire idle and closed flows (so their findings are printed
        without waiting for more packets) and let the caller print a status line."""
        self.table.sweep(now)
        if self.recorder is not None:
            self.recorder.flush()
        if self.on_tick is not None:
            self.on_tick(self)

    def run(self, specs: Iterable[str], **source_kw: object) -> None:
        # Hundreds of thousands of live flows are long-lived objects: the default gen-0 threshold
        # (700) makes the collector rescan them so often that it costs half the run on a SYN
        # flood. Flows break their own reference cycles when they finish (Flow._release).
        saved = gc.get_threshold()
        gc.set_threshold(20_000, 20, 20)
        try:
            self._run(specs, **source_kw)
        finally:
            gc.set_threshold(*saved)

    def _run(self, specs: Iterable[str], **source_kw: object) -> None:
        t0 = time.perf_counter()
        index = 0
        decode = self.decoder.decode
        process = self.table.process
        recorder = self.recorder
        table = self.table
        for spec in specs:
            stats = CaptureStats(path=spec)
            self.captures.append(stats)
            if spec.startswith("live:"):
                source_kw = {**source_kw, "tick": self.tick}
            for ts, linktype, data, wirelen, idx in open_source(spec, self.sink, stats, index, **source_kw):
                try:
                    seg = decode(ts, linktype, data, idx)
                    if seg is not None:
                        process(ts, seg)
                        if recorder is not None and table.last is not None:
                            recorder.frame(table.last, ts, data, wirelen)
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
        for finding in self.findings.finish(self.stats()):
            if self.on_finding is not None:
                self.on_finding(finding)
        for printer in self.findings.printer_records():
            if self.on_printer is not None:
                self.on_printer(printer)

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


def analyze(source: str | Iterable[str], *, options: Options | None = None, policy: Policy | None = None,
            keywords: Iterable[str] = (), reveal: bool = False) -> Report:
    """Analyse one capture (or several, in order) and return everything found as a ``Report``.

    As in the CLI, user, host, job and document names are masked unless ``reveal=True``.
    """
    specs = [source] if isinstance(source, str) else list(source)
    for spec in specs:
        check_readable(spec)
    report = Report()
    reveal = reveal or bool(options and options.reveal)
    on_flow, on_job = report.flows.append, report.jobs.append
    if not reveal:
        def on_flow(rec: Record) -> None:
            report.flows.append(redact_flow(rec))

        def on_job(rec: Record) -> None:
            report.jobs.append(redact_job(rec))

    engine = Engine(options, on_flow=on_flow, on_job=on_job,
                    on_anomaly=report.anomalies.append, on_finding=report.findings.append,
                    on_printer=report.printers.append, policy=policy,
                    evidence=EvidenceStage(keywords=tuple(keywords), reveal=reveal))
    engine.run(specs)
    report.stats = engine.stats()
    return report


def read_report(path: str) -> Report:
    """Reload the JSON lines written by ``scan``/``verify --format json`` (or an evidence folder's
    ``findings.jsonl``) into a ``Report``, so a notebook can work on a saved run."""
    import json

    report = Report()
    lists = {"flow": report.flows, "job": report.jobs, "anomaly": report.anomalies,
             "finding": report.findings, "printer": report.printers}
    try:
        fp = open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise CaptureError(f"{path}: cannot read ({exc.strerror})") from None
    with fp:
        for n, line in enumerate(fp, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                raise CaptureError(f"{path} line {n}: not a JSON record") from None
            kind = rec.get("type") if isinstance(rec, dict) else None
            if kind == "summary":
                report.stats = {k: v for k, v in rec.items() if k != "type"}
            elif kind in lists:
                lists[kind].append(rec)
    return report
