"""The flow table: TCP segments in, finished ``Flow`` records out.

Responsibilities (Zeek's conn.log model):
- **Bidirectional flows** keyed by both orientations of (src ip, src port, dst ip, dst port);
  each flow has a stable ``uid`` derived from its endpoints and first timestamp, so the same
  capture always gives the same uids, and a reused port (which starts later) another one.
- **Orientation**: the SYN sender is the client (``syn``); without a SYN (mid-stream start) the
  side on a well-known or print port is the server (``port``, history ``^`` when that flips the
  first packet's direction); otherwise the first sender is the client (``first``).
- **History** in Zeek letters, uppercase for the client, lowercase for the server, each letter
  once per direction in order of first occurrence: S syn, H syn-ack, A pure ack, D data, F fin,
  R rst, C bad checksum, T retransmission, G content gap, I inconsistent retransmission,
  x dissector crash, ^ direction flipped by the port heuristic.
- **Port reuse**: a SYN on a flow that has closed (FIN/RST) or that carries a different initial
  sequence number finishes the old flow and starts a new one.
- **Bounded memory**: idle timeout, active timeout and a cap on live flows (LRU); every eviction
  of a flow that had not closed is a ``flow_evicted`` anomaly. Streams bound their buffers
  (``reassembly``) and dissectors theirs.
- **Content**: each direction's reassembled bytes go to the probe until a dissector is chosen,
  then to the dissector; its events update the flow. Endpoints a flow announces for a service
  (``EndpointExpected``: an RPC endpoint mapper naming a dynamic port) are kept, bounded, in
  ``expect.Expectations`` and hint the probe of later flows to that endpoint. A ``ProtocolViolation`` detaches the
  dissector (service ``-name``, anomaly), any other exception is an ``internal_error`` (history
  ``x``); nothing found before is lost.
"""
from __future__ import annotations

import hashlib
import ipaddress
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..anomalies import AnomalySink
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
from ..model import PRINT_PORTS, ConnState, Direction, FlowKey, Orientation, Protection, Service
from ..options import Options
from ..records import FlowRecord
from .decode import TH_ACK, TH_FIN, TH_RST, TH_SYN
from .expect import Expectations
from .jobs import Job
from .reassembly import Stream

log = logging.getLogger(__name__)

PrintRule = Callable[[Service, "bool | None", Protection, FlowKey], "bool | None"]
"""(service, what the content said, protection, key) -> print traffic: True, False or None (unknown)."""

MAX_KEYED_JOBS = 16  # jobs a dissector may keep open at once in one flow (each keeps its document)
C2S = Direction.C2S
S2C = Direction.S2C
# Ports whose side is taken to be the server when no SYN was seen (Zeek's likely_server_ports).
SERVER_PORTS = PRINT_PORTS | {445, 139, 443, 80, 8080, 22, 21, 25, 53, 110, 143, 993, 995, 3389, 8443,
                              9101, 9102, 389, 636}
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _uid(seed: str) -> str:
    n = int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=12).digest(), "big")
    out = []
    for _ in range(17):
        n, r = divmod(n, 62)
        out.append(_B62[r])
    return "C" + "".join(out)


def _ip_text(raw: bytes) -> str:
    return str(ipaddress.ip_address(raw))


class Flow:
    """One TCP connection, mutable while the flow table owns it."""

    __slots__ = ("uid", "key", "orientation", "first_ts", "last_ts", "packets", "wire_bytes",
                 "streams", "hist", "state_flags", "closed_at", "service",
                 "violations", "protection", "print", "facts", "dissector", "decided",
                 "heads", "pending", "pending_bytes", "jobs", "job", "keyed", "table", "bad_checksums",
                 "ip_version", "anomalies", "syn_isn")

    def __init__(self, table: FlowTable, uid: str, key: FlowKey, orientation: Orientation,
                 ts: float, ip_version: int) -> None:
        o = table.options
        self.table = table
        self.uid = uid
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
        hint = self.table.expected.hint(self.key)
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
                    job.add(ev.data)  # type: ignore[attr-defined]
                return
            if self.job is None:
                self._start_job(self.service.value if self.service else "unknown")
            self.job.add(ev.data)  # type: ignore[union-attr,attr-defined]
        elif t is DocumentGap:
            job = self.keyed.get(ev.key) if ev.key is not None else self.job  # type: ignore[attr-defined]
            if job is not None:
                job.gap(ev.length)  # type: ignore[attr-defined]
        elif t is JobStarted:
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
                job.partial = job.partial or ev.partial  # type: ignore[attr-defined]
                self._end_job(job)
        elif t is PrintSeen:
            v = ev.value  # type: ignore[attr-defined]
            if v is True or self.print is not True:
                self.print = v
                self.table.print_changed(self)
        elif t is ProtectionSeen:
            self.protection = ev.protection  # type: ignore[attr-defined]
            self.table.print_changed(self)
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

    def _start_job(self, protocol: str, key: str | None = None) -> None:
        # the protection in force when the job starts: a job sent before an RFC 2817 upgrade (or
        # before SMB encryption starts) stays a cleartext job whatever the flow becomes later
        job = Job(uid=self.uid, index=len(self.jobs), protocol=protocol, key=key,
                  keep_bytes=self.table.options.keep_document_bytes, protection=self.protection.value)
        if key is not None:
            old = self.keyed.pop(key, None)
            if old is not None:  # the same key again: the earlier job is over
                self._end_job(old)
            if len(self.keyed) >= MAX_KEYED_JOBS:  # bound what a hostile stream can keep open
                first = next(iter(self.keyed.values()))
                first.partial = True
                self._end_job(first)
            self.keyed[key] = job
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
            languages=tuple(languages),
            jobs=len(self.jobs),
            **facts,
        )


class FlowTable:
    """Owns the live flows; ``process`` takes one decoded segment, ``flush`` ends them all."""

    def __init__(self, options: Options, sink: AnomalySink, emit: Callable[[Flow], None], *,
                 print_rule: PrintRule, on_job_done: Callable[[Flow, Job], None] | None = None,
                 on_print: Callable[[Flow], None] | None = None) -> None:
        self.options = options
        self.sink = sink
        self.emit = emit
        self.print_rule = print_rule  # the one place "print" is decided (findings.policy.Policy.is_print)
        self.on_job_done = on_job_done
        self.on_print = on_print  # told when a flow's print content or protection changes
        self.expected = Expectations()  # endpoints announced by other flows (RPC endpoint mappers)
        self.table: dict[tuple[bytes, int, bytes, int], tuple[Flow, Direction]] = {}
        self.lru: OrderedDict[str, Flow] = OrderedDict()
        self.closing: OrderedDict[str, Flow] = OrderedDict()
        self.next_sweep = 0.0
        self.next_active_sweep = 0.0
        self.flows_total = 0
        self.evicted = 0
        self.now = 0.0
        self.last: Flow | None = None  # the flow of the last segment processed

    # ------------------------------------------------------------- creation
    def _new(self, ts: float, src: bytes, dst: bytes, sport: int, dport: int, flags: int) -> tuple[Flow, Direction]:
        flipped = False
        if flags & TH_SYN:
            orientation = Orientation.SYN
            flipped = bool(flags & TH_ACK)  # a SYN-ACK comes from the server
        else:
            if dport in SERVER_PORTS and sport not in SERVER_PORTS:
                orientation, flipped = Orientation.PORT, False
            elif sport in SERVER_PORTS and dport not in SERVER_PORTS:
                orientation, flipped = Orientation.PORT, True
            elif dport < 1024 <= sport:
                orientation, flipped = Orientation.PORT, False
            elif sport < 1024 <= dport:
                orientation, flipped = Orientation.PORT, True
            else:
                orientation = Orientation.FIRST
        if flipped:
            csrc, cport, ssrc, sport_ = dst, dport, src, sport
        else:
            csrc, cport, ssrc, sport_ = src, sport, dst, dport
        ck = (csrc, cport, ssrc, sport_)
        cip, sip = _ip_text(csrc), _ip_text(ssrc)
        key = FlowKey("tcp", cip, cport, sip, sport_)
        # endpoints + first timestamp: a reused port starts later, so it gets another uid, and no
        # per-endpoint counter has to be kept for days of live capture
        uid = _uid(f"{cip}|{cport}|{sip}|{sport_}|{ts:.6f}")
        if uid in self.lru:  # the same 4-tuple twice in one microsecond: keep uids unique
            uid = _uid(f"{cip}|{cport}|{sip}|{sport_}|{ts:.6f}|{self.flows_total}")
        flow = Flow(self, uid, key, orientation, ts, 6 if len(src) == 16 else 4)
        if flipped and orientation is Orientation.PORT:
            flow.h("^")
        self.table[ck] = (flow, C2S)
        self.table[(ssrc, sport_, csrc, cport)] = (flow, S2C)
        self.lru[uid] = flow
        self.flows_total += 1
        if len(self.lru) > self.options.max_flows:
            _, victim = next(iter(self.lru.items()))
            self._evict(victim, f"flow table full ({self.options.max_flows} flows): least recently active flow evicted")
        return flow, (S2C if flipped else C2S)

    # ------------------------------------------------------------- per packet
    def process(self, ts: float, seg: tuple) -> None:  # type: ignore[type-arg]
        src, dst, sport, dport, seq, ack, flags, _win, payload, claimed, csum_bad = seg
        self.now = ts
        ent = self.table.get((src, sport, dst, dport))
        if ent is None:
            flow, d = self._new(ts, src, dst, sport, dport, flags)
        else:
            flow, d = ent
            if flags & TH_SYN and not flags & TH_ACK and d is C2S:
                st = flow.streams[0]
                if flow.closed_at is not None or (st.syn_seen and seq != st.isn):
                    self._finish(flow)  # port reuse: the old connection is over
                    flow, d = self._new(ts, src, dst, sport, dport, flags)
        if ts > flow.last_ts:
            flow.last_ts = ts
        self.lru.move_to_end(flow.uid)
        di = 0 if d is C2S else 1
        flow.packets[di] += 1
        upper = di == 0
        if csum_bad:
            flow.bad_checksums += 1
            flow.h("C" if upper else "c")
        st = flow.streams[di]
        if flags & TH_SYN:
            if flags & TH_ACK:
                flow.state_flags |= 2
                flow.h("H" if upper else "h")
            else:
                flow.state_flags |= 1
                flow.h("S" if upper else "s")
            st.syn(seq)
            seq = (seq + 1) & 0xFFFFFFFF
        if flags & TH_ACK:
            flow.streams[1 - di].last_ack = ack
            if not claimed and not flags & (TH_SYN | TH_FIN | TH_RST):
                flow.h("A" if upper else "a")
        if claimed or flags & TH_FIN:
            if claimed:
                flow.wire_bytes[di] += claimed
                flow.h("D" if upper else "d")
                before = st.rexmits
                st.add(seq, payload, claimed, bool(flags & TH_FIN))
                if st.rexmits != before:
                    flow.h("T" if upper else "t")
            else:
                st.add(seq, b"", 0, True)
        if flags & TH_FIN:
            flow.state_flags |= 4 if upper else 8
            flow.h("F" if upper else "f")
            if flow.state_flags & 12 == 12 and flow.closed_at is None:
                flow.closed_at = ts
                self.closing[flow.uid] = flow
        if flags & TH_RST:
            flow.state_flags |= 16 if upper else 32
            flow.h("R" if upper else "r")
            st.rst = True
            if flow.closed_at is None:
                flow.closed_at = ts
                self.closing[flow.uid] = flow
        self.last = flow
        if ts >= self.next_sweep:
            self.sweep(ts)

    # ------------------------------------------------------------- expiry
    def sweep(self, now: float) -> None:
        o = self.options
        self.next_sweep = now + 1.0
        while self.closing:
            uid, flow = next(iter(self.closing.items()))
            if flow.closed_at is not None and now - flow.last_ts < o.close_linger:
                break
            del self.closing[uid]
            if uid in self.lru:
                self._finish(flow)
        while self.lru:
            uid, flow = next(iter(self.lru.items()))
            if now - flow.last_ts < o.idle_timeout:
                break
            self._evict(flow, f"idle for {now - flow.last_ts:.0f} s (idle timeout {o.idle_timeout:g} s)")
        if now >= self.next_active_sweep:
            self.next_active_sweep = now + 60.0
            for flow in [f for f in self.lru.values() if now - f.first_ts >= o.active_timeout]:
                self._evict(flow, f"active for {now - flow.first_ts:.0f} s (active timeout "
                            f"{o.active_timeout:g} s); later packets start a new flow")

    def print_changed(self, flow: Flow) -> None:
        """A flow's print content or protection changed: the run may learn from it (the pipeline
        feeds the set of known print servers the print rule reads)."""
        if self.on_print is not None:
            self.on_print(flow)

    def job_done(self, flow: Flow, job: Job) -> None:
        """A job ended: let the evidence stage read its document once, then free it."""
        job.close()  # freeze the record once; the kept document stays until release()
        try:
            if self.on_job_done is not None:
                self.on_job_done(flow, job)
        except Exception as exc:  # an evidence bug costs the evidence, not the flow's dissection
            log.debug("evidence stage failed", exc_info=True)
            flow.note("internal_error", f"evidence for job {job.index}: {type(exc).__name__}: {exc}", "internal")
        finally:
            job.release()

    def _evict(self, flow: Flow, why: str) -> None:
        if flow.closed_at is None:
            self.evicted += 1
            flow.note("flow_evicted", why)
        self._finish(flow)

    def _finish(self, flow: Flow) -> None:
        self.lru.pop(flow.uid, None)
        self.closing.pop(flow.uid, None)
        for k in self._keys(flow):
            ent = self.table.get(k)
            if ent is not None and ent[0] is flow:
                del self.table[k]
        flow.finish()
        self.emit(flow)

    @staticmethod
    def _keys(flow: Flow) -> list[tuple[bytes, int, bytes, int]]:
        c = ipaddress.ip_address(flow.key.client_ip).packed
        s = ipaddress.ip_address(flow.key.server_ip).packed
        return [(c, flow.key.client_port, s, flow.key.server_port),
                (s, flow.key.server_port, c, flow.key.client_port)]

    def flush(self) -> None:
        """End of input: finish every live flow, oldest first."""
        for flow in sorted(self.lru.values(), key=lambda f: f.first_ts):
            self._finish(flow)
        self.closing.clear()

    def __len__(self) -> int:
        return len(self.lru)
