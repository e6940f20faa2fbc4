"""A flow: one TCP connection while the flow table owns it, and its content path.

``Flow`` holds both directions' reassembly streams (``reassembly.Stream``), Zeek-style history
and state, and the content path:
- **Content**: each direction's reassembled bytes go to the probe until a dissector is chosen
  (``dissectors.base.choose``, hinted by endpoints earlier flows announced; pending bytes and gaps
  are replayed to it), then to the dissector; what its events do to the flow (service, print,
  protection, facts, secrets, TLS timing, jobs) is ``flowevents``. A ``ProtocolViolation``
  detaches the dissector (service ``-name``, anomaly), any other exception is an
  ``internal_error`` (history ``x``); nothing found before is lost: the open jobs end partial.
- **History** in Zeek letters, uppercase for the client, lowercase for the server, each letter
  once per direction in order of first occurrence: S syn, H syn-ack, A pure ack, D data, F fin,
  R rst, C bad checksum, T retransmission, G content gap, I inconsistent retransmission,
  x dissector crash, ^ direction flipped by the port heuristic.
- **End**: ``finish()`` flushes the streams and the dissector, ends every job still open, and
  breaks the flow's reference cycles; the flow is read-only after it.
- **Record**: ``record()`` freezes what is known into a ``records.FlowRecord`` (``flowrecord``);
  whether the flow is print traffic comes from the run's print rule (``Policy.is_print``), never
  from here.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..dissectors import STREAM_DISSECTORS
from ..dissectors.base import PROBE_BYTES, Dissector, choose
from ..dissectors.events import SecretSeen
from ..errors import ProtocolViolation
from ..model import ConnState, Direction, FlowKey, Orientation, Protection, Service
from ..records import Credential, FlowRecord
from .flowevents import MAX_KEYED_JOBS, MAX_SECRETS, absorb, end_all_jobs
from .flowrecord import conn_state, flow_record
from .jobs import Job
from .reassembly import Stream

if TYPE_CHECKING:  # pragma: no cover
    from .table import FlowTable

__all__ = ["C2S", "MAX_KEYED_JOBS", "MAX_SECRETS", "S2C", "Flow", "PrintRule"]

log = logging.getLogger(__name__)

PrintRule = Callable[[Service, "bool | None", Protection, FlowKey], "bool | None"]
"""(service, what the content said, protection, key) -> print traffic: True, False or None (unknown)."""

C2S = Direction.C2S
S2C = Direction.S2C


class Flow:
    """One TCP connection, mutable while the flow table owns it."""

    __slots__ = ("uid", "key", "orientation", "first_ts", "last_ts", "packets", "wire_bytes",
                 "streams", "hist", "state_flags", "closed_at", "service",
                 "violations", "protection", "print", "facts", "dissector", "decided",
                 "heads", "pending", "pending_bytes", "jobs", "job", "keyed", "table", "bad_checksums",
                 "ip_version", "anomalies", "syn_isn", "internal_errors", "capture", "secrets", "tls_marks")

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
        self.secrets: list[SecretSeen] = []
        self.tls_marks: list[float | None] | None = None  # ClientHello, first protected c2s, s2c
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
        cls, decided = choose(STREAM_DISSECTORS, bytes(self.heads[C2S]), bytes(self.heads[S2C]), self.key, final,
                              hint)
        if not decided:
            if self.pending_bytes < 4 * PROBE_BYTES:
                return
            # enough bytes buffered: take the best plausible candidate rather than wait forever
            cls, _ = choose(STREAM_DISSECTORS, bytes(self.heads[C2S]), bytes(self.heads[S2C]), self.key, True,
                            hint)
        self.decided = True
        self.heads = (bytearray(), bytearray())
        pending, self.pending, self.pending_bytes = self.pending, [], 0
        if cls is None:
            self.service = Service.OTHER
            self.content_done()
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

    def content_done(self) -> None:
        """No more content is wanted (the dissector is done or detached): the streams only count."""
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
            absorb(self, ev)

    def _detach(self) -> None:
        self.dissector = None
        end_all_jobs(self)
        self.content_done()

    # ------------------------------------------------------------- end
    def finish(self) -> None:
        """Flush streams and the dissector; after this the flow is read-only."""
        for st in self.streams:
            st.close()
        if not self.decided:
            self._probe(final=True)
        if self.dissector is not None:
            self._run(self.dissector.close)
        end_all_jobs(self)  # cut by the end of the flow before the protocol ended them
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
        return conn_state(self.state_flags)

    def is_print(self) -> bool | None:
        """Print traffic as the run's print rule decides it from what was seen so far."""
        return self.table.print_rule(self.service or Service.OTHER, self.print, self.protection, self.key)

    def record(self, credentials: tuple[Credential, ...] | None = None) -> FlowRecord:
        """The flow as it stands (final once ``finish`` has run); ``credentials``: its secrets as
        the composition root redacted them (the engine never puts one into a record itself)."""
        return flow_record(self, credentials)
