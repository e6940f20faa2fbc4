"""The composition root: ``Pipeline``, the only place where the stages are wired together.

    sources -> decode -> flows (reassembly, dissectors, jobs) -> evidence -> findings -> sinks

``Pipeline`` builds every stage once from a frozen ``Options`` and streams what it learns to its
sinks as soon as it is known: finished flows, each job the moment it ends, findings, anomalies,
and at the end the printer and client (workstation) records (the CLI writes JSON lines that way,
with memory bounded by the live flows, not by the capture). UDP datagrams go from the decoder to their own table of
pseudo-flows (``engine.udp``), whose records take the same path as TCP flows.

Invariants:

- Redaction happens here and only here, before any sink sees a record: user, host, job and
  document names are masked unless ``Options.reveal``, and the credentials a flow saw (kept apart
  by the engine) become redacted ``credentials``, always.
- A bug on one frame is an ``internal_error`` anomaly, never the end of the run; an OS error
  mid-read keeps what was read (``read_errors``, exit 2 at the end).
- Every output and the exit status read the same verdict (``verdict``).
"""
from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..anomalies import AnomalySink
from ..engine.decode import Decoder, UdpHandler
from ..engine.flows import Flow
from ..engine.jobs import Job
from ..engine.recorder import PrintFlowRecorder
from ..engine.table import FlowTable
from ..engine.udp import UdpFlow, UdpTable
from ..errors import CaptureError, OutputError
from ..evidence import sitekey
from ..evidence.folder import EvidenceFolder
from ..evidence.redact import credentials, redact_flow, redact_job
from ..evidence.stage import EvidenceStage
from ..findings.clients import Clients
from ..findings.policy import Policy
from ..findings.rules import Findings
from ..findings.verdict import Verdict, decide
from ..model import FlowKey, Protection, Service, Severity
from ..options import Options
from ..records import Anomaly, CaptureSummary, Evidence, Finding, FlowRecord, JobRecord, Summary
from ..sources import CaptureReadError, CaptureStats, ReadLimits, SourceSpec, open_source
from .gcpolicy import GcPolicy
from .sinks import FolderSink, Part, Sink

log = logging.getLogger(__name__)


class Pipeline:
    """One analysis run over one or more sources, built once from ``Options``.

    ``on_tick(pipeline)`` is called about twice a second during live capture (status lines);
    ``on_progress(pipeline)`` every ``PROGRESS_FRAMES`` frames read from files (the CLI's progress
    line; it reads ``read_so_far()`` and ``print_flows_seen``; in a parallel run worker 0 reports
    what it read); ``recorder`` keeps the packets of print flows (``live --write-pcap``).
    """

    PROGRESS_FRAMES = 2048

    def __init__(self, options: Options | None = None, sinks: Sequence[Sink] = (), *,
                 on_tick: Callable[[Pipeline], None] | None = None,
                 on_progress: Callable[[Pipeline], None] | None = None,
                 recorder: PrintFlowRecorder | None = None,
                 sources: Sequence[SourceSpec] = (),
                 part: Part | None = None, first_capture: int = 0, dask: Any = None) -> None:
        self.options = options = options or Options()
        self.policy = options.policy or Policy()
        # the key of the names' hashes, resolved once for the whole run (``site_key.notice`` is
        # what the caller should tell the user: the CLI prints it, ``analyze`` logs it)
        self.site_key = sitekey.resolve(options.hash_key)
        # the workers of a parallel or Dask run (``parallel``) get this key with the options, never
        # a site key of their own (another machine's key file would give other hashes)
        self.options = options = dataclasses.replace(options, hash_key=self.site_key.key)
        self.folder = (EvidenceFolder(options.evidence_dir, carve=options.carve,
                                      sources=[str(s) for s in sources if s.is_file or str(s) == "-"],
                                      hash_key=self.site_key)
                       if options.evidence_dir else None)
        self.sinks: list[Sink] = [*sinks, *([FolderSink(self.folder)] if self.folder else [])]
        self.on_tick = on_tick
        self.on_progress = on_progress
        self.recorder = recorder
        self.findings = Findings(self.policy, hash_key=self.site_key.key)
        self.clients = Clients()  # the workstation view, fed the records as the sinks see them
        # a worker of a parallel run (``parallel``) analyses only its share of the flows and hands
        # them on; the findings, the printers and the sinks are the parent's
        self.part = part
        self.first_capture = first_capture  # the run-wide index of this pipeline's first capture (Dask)
        self.dask = dask  # a dask.distributed Client: one task per capture file (parallel.run_dask)
        self.live_status: dict[str, int] | None = None  # a parallel live run's summed worker counters
        self.read_status: tuple[int, int] | None = None  # a parallel run: (bytes, frames) worker 0 has read
        self.sink = AnomalySink(options.anomalies_per_kind, listener=self._anomaly,
                                flows_only=part is not None and part.index > 0)
        self.evidence = EvidenceStage(keywords=options.keywords, folder=self.folder, reveal=options.reveal,
                                      extract=options.extract_text, hash_key=self.site_key.key)
        self.table = FlowTable(options, self.sink, self._flow, print_rule=self._is_print,
                               on_job_done=self._job_done)
        self.udp = UdpTable(options, self.sink, self._flow, print_rule=self._is_print)
        self.gc = GcPolicy()
        self.decoder = Decoder(self.sink, options.verify_checksums, on_udp=self._udp_handler())
        self.captures: list[CaptureStats] = []
        self.read_errors: list[CaptureError] = []  # inputs an OS error cut short (exit 2 at the end)
        # hash the captures while reading them when the evidence folder's manifest needs it
        self.limits = ReadLimits(sha256=self.folder is not None)
        self.elapsed = 0.0

    def _udp_handler(self) -> UdpHandler:
        """Where the decoder hands UDP datagrams: the UDP table, or in a worker of a parallel run
        only the datagrams of its own share (the same owner rule as TCP segments)."""
        process = self.udp.process
        if self.part is None:
            return process
        owns = self.part.owns

        def mine(ts: float, src: bytes, dst: bytes, sport: int, dport: int, payload: bytes, claimed: int) -> None:
            if owns((src, dst, sport, dport)):
                process(ts, src, dst, sport, dport, payload, claimed)
        return mine

    def _is_print(self, service: Service, content: bool | None, protection: Protection,
                  key: FlowKey) -> bool | None:
        return self.policy.is_print(service, content, protection, key)

    # ------------------------------------------------------------- streaming to the sinks
    def _anomaly(self, a: Anomaly) -> None:
        if self.part is not None:
            self.part.anomaly(a)
            return
        for s in self.sinks:
            s.anomaly(a)

    def _findings(self, found: Iterable[Finding]) -> None:
        for f in found:
            for s in self.sinks:
                s.finding(f)

    def _job_done(self, flow: Flow, job: Job) -> None:
        rec = job.record()
        job.evidence = ev = self.evidence(rec, job.document(), job.complete, flow.key,
                                          lambda kind, detail: flow.note(kind, detail, "evidence"))
        if ev is not None and rec.pages is None and ev.pages is not None:
            # a page count only the text extraction found: the job says the same as its evidence
            job.final = rec = dataclasses.replace(rec, pages=ev.pages)
        if self.part is None:  # a worker's jobs are judged with their flow, by the parent
            self._findings(self.findings.job(flow.record(), rec, job.evidence))

    def _flow(self, flow: Flow | UdpFlow) -> None:
        self.gc.flow_finished(len(self.table) + len(self.udp))
        # credentials redacted here, whatever --reveal says: a record never holds a secret
        rec = flow.record(credentials(flow.secrets, self.site_key.key) if flow.secrets else None)
        jobs = [(job.record(), job.evidence) for job in flow.jobs]
        if self.part is not None:
            self.part.flow(rec, jobs)
            return
        self.emit_flow(rec, jobs)

    def emit_flow(self, rec: FlowRecord, jobs: list[tuple[JobRecord, Evidence | None]]) -> None:
        """A finished flow with its jobs and their evidence: to the sinks (redacted), then judged."""
        shown = rec if self.options.reveal else redact_flow(rec, self.site_key.key)
        for s in self.sinks:
            s.flow(shown)
        shown_jobs = [job_rec if self.options.reveal else redact_job(job_rec, self.site_key.key)
                      for job_rec, _ in jobs]
        for shown_job in shown_jobs:
            for s in self.sinks:
                s.job(shown_job)
        # redacted records: a client's names are masked exactly as in its flow and job records
        self.clients.flow(shown, shown_jobs)
        self._findings(self.findings.flow(rec, jobs))

    def tick(self, now: float) -> None:
        """Live capture heartbeat: expire idle and closed flows (so their findings are printed
        without waiting for more packets) and let the caller print a status line."""
        self.table.sweep(now)
        self.udp.sweep(now)
        if self.recorder is not None:
            self.recorder.flush()
        if self.on_tick is not None:
            self.on_tick(self)

    # ------------------------------------------------------------- the run
    def run(self, specs: Iterable[SourceSpec], **live: object) -> Summary:
        """Read every source, end every flow, emit the capture-level findings and the printer
        records; returns the summary (``close`` hands it to the sinks). ``live`` holds the live
        capture controls (``stop``, ``ready``). With ``Options.jobs`` > 1 the flows are shared
        among worker processes (``parallel``) and the findings are made here, once."""
        specs = list(specs)
        if self.dask is not None and self.part is None:
            from ..parallel import run_dask

            return run_dask(self, specs, self.dask)
        if self.options.jobs > 1 and self.part is None:
            from ..parallel import run_parallel

            return run_parallel(self, specs, self.options.jobs, **live)
        # the collector's thresholds raised for speed, with a full collection every so many
        # finished flows so that the dissectors' reference cycles never pile up (gcpolicy)
        t0 = time.perf_counter()
        try:
            with self.gc:
                self._read(specs, live)
                self._finish()
        except BaseException as exc:  # a crash or an interrupt: the folder still says what it holds
            if self.folder is not None:
                self.folder.abort(f"{type(exc).__name__}: {exc}")
                self.folder = None
            raise
        finally:
            self.elapsed = time.perf_counter() - t0
        return self.stats()

    def _read(self, specs: Iterable[SourceSpec], live: dict[str, object]) -> None:
        index = 0
        decode = self.decoder.decode
        process = self.table.process
        recorder = self.recorder
        table = self.table
        for n, spec in enumerate(specs, self.first_capture):
            stats = CaptureStats(path=str(spec))
            self.captures.append(stats)
            self.table.begin_capture(stats.path, n)
            self.udp.begin_capture(stats.path, n)
            self.sink.capture = stats.path
            kw = {**live, "tick": self.tick} if spec.kind.value == "live" else {"limits": self.limits}
            mine = self.part.owns if self.part is not None else None
            try:
                frames = open_source(spec, self.sink, stats, index, **kw)
                if self.on_progress is not None and spec.kind.value != "live":
                    frames = self._progress(frames)
                for ts, linktype, data, wirelen, idx in frames:
                    try:
                        seg = decode(ts, linktype, data, idx)
                        if seg is not None and (mine is None or mine(seg)):
                            process(ts, seg)
                            if recorder is not None and table.last is not None:
                                recorder.frame(table.last, ts, data, wirelen)
                    except Exception as exc:  # a bug: keep the run and what it found
                        log.debug("internal error on frame %d", idx, exc_info=True)
                        self.sink.add(ts, None, "internal", "internal_error",
                                      f"frame {idx}: {type(exc).__name__}: {exc}")
            except CaptureReadError as exc:  # an OS error mid-read: keep what was read, say so at the end
                self.read_errors.append(exc)
            index += stats.frames

    def _progress(self, frames: Iterable[Any]) -> Iterator[Any]:
        """The frames, calling ``on_progress`` every ``PROGRESS_FRAMES`` of them (only when asked:
        the loop without it stays as it was)."""
        every = self.PROGRESS_FRAMES
        hook = self.on_progress
        for n, frame in enumerate(frames, 1):
            yield frame
            if hook is not None and n % every == 0:
                hook(self)

    def read_so_far(self) -> tuple[int, int]:
        """(bytes of the capture files, frames) read so far: this process's, or in a parallel run
        worker 0's (every worker reads every frame)."""
        if self.read_status is not None:
            return self.read_status
        return sum(c.raw_bytes for c in self.captures), self.decoder.frames

    @property
    def print_flows_seen(self) -> int:
        """Print flows finished so far (the progress line)."""
        return sum(p.print_flows for p in self.findings.printers.values())

    def _finish(self) -> None:
        self.table.flush()
        self.udp.flush()
        if self.part is not None:
            return  # the parent adds the capture-level findings and the printers, once
        self.conclude(self.stats())

    def conclude(self, stats: Summary) -> None:
        """The end of a run, once: capture-level findings, the printer and the client records."""
        for a in self.sink.summary_anomalies():
            self.sink.kept.append(a)
            self._anomaly(a)
        self._findings(self.findings.finish(stats))
        for printer in self.findings.printers.records():
            for s in self.sinks:
                s.printer(printer)
        for client in self.clients.records():
            for s in self.sinks:
                s.client(client)

    def verdict(self, stats: Summary, fail_on: Severity = Severity.MEDIUM, *,
                exit_code: bool = False) -> tuple[Verdict, Summary]:
        """The run's verdict (``findings.verdict.decide``) and the summary that carries it, so that
        every output and the exit status read the same object. ``exit_code``: verify's summary
        also names the exit status."""
        v = decide(self.findings, stats, fail_on)
        return v, dataclasses.replace(stats, verdict=v.word, reasons=v.reasons, fail_on=v.fail_on,
                                      exit_code=int(v.exit_code) if exit_code else None)

    def close(self, stats: Summary) -> None:
        """Hand the final summary (with the verdict, for verify) to every sink."""
        for s in self.sinks:
            s.end(stats)

    def write_failure(self) -> OutputError | None:
        """The first write that failed in the evidence folder (full disk...), once the run has
        finished and flushed what it could: the CLI exits 2 with it, ``analyze`` raises it."""
        return self.folder.failure if self.folder is not None else None

    def stats(self) -> Summary:
        d = self.decoder
        return Summary(
            captures=tuple(CaptureSummary(path=c.path, format=c.format, frames=c.frames, bytes=c.bytes_read,
                                          truncated=c.truncated, damaged=c.damaged,
                                          linktypes=tuple(sorted(c.linktypes)), first_ts=c.first_ts,
                                          drops=c.drops, last_ts=c.last_ts, skipped_bytes=c.skipped_bytes,
                                          undeclared_frames=c.undeclared_frames, raw_bytes=c.raw_bytes,
                                          sha256=c.sha256, read_error=c.read_error)
                           for c in self.captures),
            frames=d.frames,
            tcp_segments=d.tcp,
            udp_datagrams=d.udp,
            other_ip=d.other_l4,
            non_ip=d.non_ip,
            ip_fragments=d.ip_fragments,
            bad_ip_checksums=d.bad_ip_checksum,
            bad_tcp_checksums=d.bad_tcp_checksum,
            undecodable=d.undecodable,
            flows=self.table.flows_total,
            udp_flows=self.udp.flows_total,
            flows_evicted=self.table.evicted + self.udp.evicted,
            anomalies=self.sink.total(),
            internal_errors=self.sink.total("internal_error"),
            truncated=any(c.truncated for c in self.captures),
            elapsed_s=round(self.elapsed, 3),
        )
