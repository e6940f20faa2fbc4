"""A flow: one TCP connection while the flow table owns it, and the record it becomes.

``Flow`` holds both directions' reassembly streams (``reassembly.Stream``), Zeek-style history
and state, and the content path:
- **Content**: each direction's reassembled bytes go to the probe until a dissector is chosen
  (``dissectors.base.choose``; pending bytes and gaps are replayed to it), then to the dissector;
  its events update the flow (service, print, protection, facts) and build its jobs
  (``jobs.Job``). Endpoints a flow announces for a service (``EndpointExpected``: an RPC endpoint
  mapper naming a dynamic port) go to the table's ``expect.Expectations``, which hints the probe of
  later flows to that endpoint. A ``ProtocolViolation`` detaches the
  dissector (service ``-name``, anomaly), any other exception is an ``internal_error`` (history
  ``x``); nothing found before is lost.
- **History** in Zeek letters, uppercase for the client, lowercase for the server, each letter
  once per direction in order of first occurrence: S syn, H syn-ack, A pure ack, D data, F fin,
  R rst, C bad checksum, T retransmission, G content gap, I inconsistent retransmission,
  x dissector crash, ^ direction flipped by the port heuristic.
- **Job ends**: a job is whole only when its own end is seen (the protocol marks it, or the
  connection's FIN/RST follows it). A job the dissector ends at ``close()`` only because its
  stream stopped (``JobEnded.eof``) on a connection with no FIN or RST (still open when the
  capture ended, or evicted) is partial, and so is every job no one ended.
- **Directions**: a document the server sends back (``JobStarted`` with direction S2C, keyed)
  is a job of its own beside the client's current job.
- **Record**: ``record()`` freezes what is known into a ``records.FlowRecord``; whether the flow
  is print traffic comes from the run's print rule (``Policy.is_print``), never from here.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..dissectors import DISSECTORS
from ..dissectors.base import PROBE_BYTES, Dissector, choose
from ..dissectors.events import (
    ContentDone,
    DocumentData,
    DocumentGap,
    EndpointExpected,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
    ServiceSeen,
)
from ..errors import ProtocolViolation
from ..model import ConnState, Direction, FlowKey, JobDirection, Orientation, Protection, Service
from ..records import FlowRecord
from .communityid import community_id
from .jobs import Job
from .reassembly import Stream

if TYPE_CHECKING:  # pragma: no cover
    from .table import FlowTable

log = logging.getLogger(__name__)

PrintRule = Callable[[Service, "bool | None", Protection, FlowKey], "bool | None"]
"""(service, what the content said, protection, key) -> print traffic: True, False or None (unknown)."""

ENDED = 0b111100  # state_flags bits: a FIN or a RST from either side (the connection ended)
MAX_KEYED_JOBS = 16  # jobs a dissector may keep open at once in one flow (each keeps its document)
C2S = Direction.C2S
S2C = Direction.S2C
class Flow:
    """One TCP connection, mutable while the flow table owns it."""

    __slots__ = ("uid", "key", "orientation", "first_ts", "last_ts", "packets", "wire_bytes",
                 "streams", "hist", "state_flags", "closed_at", "service",
                 "violations", "protection", "print", "facts", "dissector", "decided",
                 "heads", "pending", "pending_bytes", "jobs", "job", "keyed", "table", "bad_checksums",
                 "ip_version", "anomalies", "syn_isn", "internal_errors", "capture")

    def __init__(self, table: FlowTable, uid: str, key: FlowKey, orientation: Orientation,
                 ts: float, ip_version: int) -> None:
        o = table.options
        self.table = table
        self.uid = uid
        self.capture = table.capture
        self.key = key
        self.orientation = orientation
        self.first_ts = ts
        self.last_ts = ts
        self.packets = [0, 0]
        self.wire_bytes = [0, 0]  # TCP payload bytes as seen on the wire, retransmissions included
        self.streams = (Stream(depth=o.max_stream_depth, ooo_max_bytes=o.max_ooo_bytes,
                               ooo_max_segs=o.max_ooo_segments),
                        Stream(depth=o.max_stream_depth, ooo_max_bytes=o.max_ooo_bytes,
                               ooo_max_segs=o.max_ooo_segments))
        self.hist: list[str] = []
        self.state_flags = 0  # bit0 SYN c2s, bit1 SYN-ACK s2c, bit2 FIN c2s, bit3 FIN s2c, bit4 RST c, bit5 RST s
        self.closed_at: float | None = None
        self.service: Service | None = None
        self.violations: list[str] = []
        self.protection = Protection.NONE
        self.print: bool | None = None
        self.facts: dict[str, Any] = {}
        self.dissector: Dissector | None = None
        self.decided = False
        self.heads = (bytearray(), bytearray())
        self.pending: list[tuple[Direction, bytes | int]] = []  # replay queue until decided
        self.pending_bytes = 0
        self.jobs: list[Job] = []
        self.job: Job | None = None  # the job DocumentData goes to
        self.keyed: dict[str, Job] = {}  # open jobs a dissector will end by key (JobStarted.key)
        self.bad_checksums = 0
        self.ip_version = ip_version
        self.anomalies = 0
        self.internal_errors = 0  # bugs caught on this flow (dissector, evidence): never silent
        self.syn_isn: int | None = None
        for d in (C2S, S2C):
            st = self.streams[d]
            st.on_data = self._data_c2s if d is C2S else self._data_s2c
            st.on_gap = self._gap_c2s if d is C2S else self._gap_s2c
            st.on_note = self._note_c2s if d is C2S else self._note_s2c

    # ------------------------------------------------------------- history
    def h(self, letter: str) -> None:
        if letter not in self.hist:  # at most ~20 letters: a list scan beats a set per flow
            self.hist.append(letter)

    def note(self, kind: str, detail: str, layer: str = "flow") -> None:
        self.anomalies += 1
        if kind == "internal_error":
            self.internal_errors += 1
            self.h("x")
        self.table.sink.add(self.last_ts, self.uid, layer, kind, detail)

    # ------------------------------------------------------------- stream callbacks
    def _data_c2s(self, data: bytes) -> None:
        self._data(C2S, data)

    def _data_s2c(self, data: bytes) -> None:
        self._data(S2C, data)

    def _gap_c2s(self, n: int) -> None:
        self._gap(C2S, n)

    def _gap_s2c(self, n: int) -> None:
        self._gap(S2C, n)

    def _note_c2s(self, kind: str, detail: str) -> None:
        self._stream_note(C2S, kind, detail)

    def _note_s2c(self, kind: str, detail: str) -> None:
        self._stream_note(S2C, kind, detail)

    def _stream_note(self, d: Direction, kind: str, detail: str) -> None:
        if kind == "rexmit_inconsistency":
            self.h("I" if d is C2S else "i")
        self.note(kind, f"{'c2s' if d is C2S else 's2c'}: {detail}", "reassembly")

    def _gap(self, d: Direction, n: int) -> None:
        self.h("G" if d is C2S else "g")
        self.note("content_gap", f"{'c2s' if d is C2S else 's2c'}: {n} bytes missing from the capture",
                  "reassembly")
        if not self.decided:
            self.pending.append((d, n))
            return
        if self.dissector is not None:
            self._run(lambda: self.dissector.gap(d, n))  # type: ignore[union-attr]

    def _data(self, d: Direction, data: bytes) -> None:
        if self.decided:
            if self.dissector is not None:
                self._run(lambda: self.dissector.feed(d, data))  # type: ignore[union-attr]
            return
        head = self.heads[d]
        if len(head) < PROBE_BYTES:
            head += data[: PROBE_BYTES - len(head)]
        self.pending.append((d, data))
        self.pending_bytes += len(data)
        self._probe(final=False)

    # ------------------------------------------------------------- dissection
    def _probe(self, final: bool) -> None:
        hint = self.table.expected.hint(self.key)  # an endpoint another flow announced (RPC endpoint mapper)
        cls, decided = choose(DISSECTORS, bytes(self.heads[C2S]), bytes(self.heads[S2C]), self.key, final, hint)
        if not decided:
            if self.pending_bytes < 4 * PROBE_BYTES:
                return
            # enough bytes buffered: take the best plausible candidate rather than wait forever
            cls, _ = choose(DISSECTORS, bytes(self.heads[C2S]), bytes(self.heads[S2C]), self.key, True, hint)
        self.decided = True
        self.heads = (bytearray(), bytearray())
        pending, self.pending, self.pending_bytes = self.pending, [], 0
        if cls is None:
            self.service = Service.OTHER
            self._content_done()
            return
        self.service = cls.service
        self.dissector = cls(self.key)
        for d, item in pending:
            diss = self.dissector
            if diss is None:  # detached by a violation while replaying
                break
            if isinstance(item, int):
                self._run(lambda: diss.gap(d, item))  # noqa: B023 - called right away
            else:
                self._run(lambda: diss.feed(d, item))  # noqa: B023 - called right away

    def _content_done(self) -> None:
        for st in self.streams:
            st.content = False
            st.tail = bytearray()

    def _run(self, call: Callable[[], list]) -> None:  # type: ignore[type-arg]
        try:
            events = call()
        except ProtocolViolation as exc:
            name = self.dissector.name if self.dissector else "?"
            self.violations.append(name)
            at = f" at offset {exc.offset}" if exc.offset is not None else ""
            self.note("protocol_violation", f"{name}: {exc.reason}{at}; dissector detached", "dissector")
            self._detach()
            return
        except Exception as exc:  # a bug: recorded per flow, the run goes on
            log.debug("dissector crash", exc_info=True)
            name = self.dissector.name if self.dissector else "?"
            self.h("x")
            self.note("internal_error", f"{name}: {type(exc).__name__}: {exc}", "internal")
            self._detach()
            return
        for ev in events:
            self._absorb(ev)

    def _detach(self) -> None:
        self.dissector = None
        self._end_all_jobs()
        self._content_done()

    def _end_all_jobs(self) -> None:
        """Whatever is still open was cut before its protocol ended it: partial."""
        for job in [*self.keyed.values(), *([self.job] if self.job is not None else [])]:
            if not job.ended:
                job.partial = True
                self._end_job(job)

    def _absorb(self, ev: object) -> None:
        t = type(ev)
        if t is DocumentData:
            key = ev.key  # type: ignore[attr-defined]
            if key is not None:
                job = self.keyed.get(key)
                if job is not None:  # else pushed out by the cap: it ended partial
                    self._add(job, ev.data)  # type: ignore[attr-defined]
                return
            if self.job is None:
                self._start_job(self.service.value if self.service else "unknown")
            self._add(self.job, ev.data)  # type: ignore[arg-type,attr-defined]
        elif t is DocumentGap:
            job = self.keyed.get(ev.key) if ev.key is not None else self.job  # type: ignore[attr-defined]
            if job is not None:
                job.gap(ev.length)  # type: ignore[attr-defined]
        elif t is JobStarted:
            if ev.direction is S2C and ev.key is not None:  # type: ignore[attr-defined]
                # a document the server sends back runs beside the client's job, never ends it
                self._start_job(ev.protocol, ev.key, JobDirection.S2C)  # type: ignore[attr-defined]
                return
            if self.job is not None and self.job.key is None:
                self._end_job(self.job)
            self._start_job(ev.protocol, ev.key)  # type: ignore[attr-defined]
        elif t is JobField:
            if ev.key is not None:  # type: ignore[attr-defined]
                target = self.keyed.get(ev.key)  # type: ignore[attr-defined]
                if target is None:
                    return  # that job was already ended (pushed out by the cap): nothing to name
            elif self.job is None:
                self._start_job(self.service.value if self.service else "unknown")
                target = self.job
            else:
                target = self.job
            target.fields.setdefault(ev.name, ev.value)  # type: ignore[union-attr,attr-defined]
            target.sources.setdefault(ev.name, ev.source)  # type: ignore[union-attr,attr-defined]
        elif t is JobEnded:
            job = self.keyed.get(ev.key) if ev.key is not None else self.job  # type: ignore[attr-defined]
            if job is not None:
                # ended only by the end of its stream: whole only if the connection really ended
                cut = ev.eof and not self.state_flags & ENDED  # type: ignore[attr-defined]
                job.partial = job.partial or ev.partial or cut  # type: ignore[attr-defined]
                self._end_job(job)
        elif t is PrintSeen:
            v = ev.value  # type: ignore[attr-defined]
            if v is True or self.print is not True:
                self.print = v
        elif t is ProtectionSeen:
            self.protection = ev.protection  # type: ignore[attr-defined]
        elif t is EndpointExpected:
            self.table.expected.expect(self.key.server_ip, ev.port, ev.service)  # type: ignore[attr-defined]
        elif t is ServiceSeen:
            self.service = ev.service  # type: ignore[attr-defined]
        elif t is FlowFact:
            if ev.name not in FlowRecord.FACTS:  # type: ignore[attr-defined]
                raise AssertionError(f"undocumented flow fact {ev.name!r}")  # type: ignore[attr-defined]
            self.facts[ev.name] = ev.value  # type: ignore[attr-defined]
        elif t is ContentDone:
            self._content_done()
        elif t is Note:
            self.note(ev.kind, ev.detail, "dissector")  # type: ignore[attr-defined]

    def _add(self, job: Job, data: bytes) -> None:
        was = job.trimmed
        job.add(data)
        if job.trimmed and not was:
            b = self.table.budget
            self.note("limit_exceeded", f"job {job.index}: the run's document budget ({b.disk >> 20} MiB on disk, "
                      f"{b.memory >> 20} MiB in memory) is spent: the rest of this document is counted and hashed, "
                      "not kept (its evidence is incomplete)")

    def _start_job(self, protocol: str, key: str | None = None,
                   direction: JobDirection = JobDirection.C2S) -> None:
        # the protection in force when the job starts: a job sent before an RFC 2817 upgrade (or
        # before SMB encryption starts) stays a cleartext job whatever the flow becomes later
        job = Job(uid=self.uid, capture=self.capture, index=len(self.jobs), protocol=protocol, key=key,
                  keep_bytes=self.table.options.keep_document_bytes, protection=self.protection.value,
                  budget=self.table.budget, direction=direction)
        if key is not None:
            old = self.keyed.pop(key, None)
            if old is not None:  # the same key again: the earlier job is over
                self._end_job(old)
            if len(self.keyed) >= MAX_KEYED_JOBS:  # bound what a hostile stream can keep open
                first = next(iter(self.keyed.values()))
                first.partial = True
                self._end_job(first)
            self.keyed[key] = job
        if direction is JobDirection.C2S:
            self.job = job
        self.jobs.append(job)

    def _end_job(self, job: Job) -> None:
        if job.ended and job.final is not None:
            return
        job.ended = True
        if self.job is job:
            self.job = None
        if job.key is not None and self.keyed.get(job.key) is job:
            del self.keyed[job.key]
        self.table.job_done(self, job)

    # ------------------------------------------------------------- end
    def finish(self) -> None:
        """Flush streams and the dissector; after this the flow is read-only."""
        for st in self.streams:
            st.close()
        if not self.decided:
            self._probe(final=True)
        if self.dissector is not None:
            self._run(self.dissector.close)
        self._end_all_jobs()  # cut by the end of the flow before the protocol ended them
        self._release()

    def _release(self) -> None:
        """Drop buffers and break the flow <-> stream callback cycles so memory is freed at once,
        not at the next cyclic garbage collection (finished flows must not accumulate)."""
        from .reassembly import _nothing

        for st in self.streams:
            st.on_data = st.on_gap = _nothing
            st.on_note = _nothing
            st.tail = bytearray()
            st.ooo = []
        self.dissector = None
        self.heads = (bytearray(), bytearray())
        self.pending = []

    def state(self) -> ConnState:
        """Zeek-style connection state."""
        f = self.state_flags
        syn, synack, fin_c, fin_s, rst_c, rst_s = (bool(f & (1 << i)) for i in range(6))
        if syn and not synack:
            if rst_s:
                return ConnState.REJ
            return ConnState.S0
        if not syn and not synack:
            return ConnState.OTH
        if rst_c:
            return ConnState.RSTO
        if rst_s:
            return ConnState.RSTR
        if fin_c and fin_s:
            return ConnState.SF
        if fin_c or fin_s:
            return ConnState.S2 if fin_c else ConnState.S3
        return ConnState.S1

    def is_print(self) -> bool | None:
        """Print traffic as the run's print rule decides it from what was seen so far."""
        return self.table.print_rule(self.service or Service.OTHER, self.print, self.protection, self.key)

    def record(self) -> FlowRecord:
        """The flow as it stands (final once ``finish`` has run)."""
        c, s = self.streams
        languages: list[str] = []
        for job in self.jobs:
            for lang in job.record().languages:
                if lang not in languages:
                    languages.append(lang)
        facts: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in self.facts.items()}
        return FlowRecord(
            uid=self.uid,
            capture=self.capture,
            community_id=community_id("tcp", self.key.client_ip, self.key.client_port, self.key.server_ip,
                                      self.key.server_port),
            proto="tcp",
            client_ip=self.key.client_ip,
            client_port=self.key.client_port,
            server_ip=self.key.server_ip,
            server_port=self.key.server_port,
            ip_version=self.ip_version,
            service=self.service or Service.OTHER,
            service_violations=tuple(f"-{v}" for v in self.violations),
            protection=self.protection,
            print=self.is_print(),
            c2s_bytes=c.delivered,
            s2c_bytes=s.delivered,
            c2s_packets=self.packets[0],
            s2c_packets=self.packets[1],
            c2s_wire_bytes=self.wire_bytes[0],
            s2c_wire_bytes=self.wire_bytes[1],
            missed_bytes=c.missed + s.missed,
            history="".join(self.hist),
            state=self.state(),
            orientation=self.orientation,
            ts_start=self.first_ts,
            ts_end=self.last_ts,
            duration=round(self.last_ts - self.first_ts, 6),
            rexmit_bytes=c.rexmit_bytes + s.rexmit_bytes,
            bad_checksums=self.bad_checksums,
            anomalies=self.anomalies,
            internal_errors=self.internal_errors or None,
            languages=tuple(languages),
            jobs=len(self.jobs),
            **facts,
        )
