"""The flow table: TCP segments in, finished ``Flow``s out (Zeek's conn.log model).

- **Bidirectional flows** keyed by both orientations of (src ip, src port, dst ip, dst port);
  each flow has a stable ``uid`` derived from its endpoints and first timestamp, so the same
  capture always gives the same uids, and a reused port (which starts later) another one.
- **Orientation**: the SYN sender is the client (``syn``); without a SYN (mid-stream start) the
  side on a well-known or print port is the server (``port``, history ``^`` when that flips the
  first packet's direction); otherwise the first sender is the client (``first``).
- **Port reuse**: a SYN on a flow that has closed (FIN/RST) or that carries a different initial
  sequence number finishes the old flow and starts a new one.
- **Bounded memory**: idle timeout, active timeout and a cap on live flows (LRU); every eviction
  of a flow that had not closed is a ``flow_evicted`` anomaly. Streams bound their buffers
  (``reassembly``) and dissectors theirs.
- **Run-scoped hints**: endpoints announced by a flow (an RPC endpoint mapper's answer) are kept in
  ``expect.Expectations`` (bounded) for the probe of later flows. (Print servers are learned from
  finished flow records, by the findings, so that no record depends on the order flows end in.)
"""
from __future__ import annotations

import hashlib
import ipaddress
import logging
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

from ..anomalies import AnomalySink
from ..model import PRINT_PORTS, Direction, FlowKey, Orientation
from ..options import Options
from .budget import DocumentBudget
from .communityid import packed
from .decode import TH_ACK, TH_FIN, TH_RST, TH_SYN
from .expect import Expectations
from .flows import C2S, S2C, Flow, PrintRule
from .jobs import Job

log = logging.getLogger(__name__)

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


def by_ports(sport: int, dport: int, server_ports: frozenset[int]) -> tuple[Orientation, bool]:
    """Who is the server of a flow whose first packet is not a SYN (TCP) or of any datagram flow,
    and whether the first packet came from it: the side on a well-known service port
    (``server_ports``), else the side below 1024 against one above, else the sender of the first
    packet is the client (``Orientation.FIRST``)."""
    if dport in server_ports and sport not in server_ports:
        return Orientation.PORT, False
    if sport in server_ports and dport not in server_ports:
        return Orientation.PORT, True
    if dport < 1024 <= sport:
        return Orientation.PORT, False
    if sport < 1024 <= dport:
        return Orientation.PORT, True
    return Orientation.FIRST, False


@lru_cache(maxsize=8192)
def _ip_text(raw: bytes) -> str:
    """An address's text, formatted once per address (the same endpoints recur in flow after flow)."""
    return str(ipaddress.ip_address(raw))


class FlowTable:
    """Owns the live flows; ``process`` takes one decoded segment, ``flush`` ends them all."""

    def __init__(self, options: Options, sink: AnomalySink, emit: Callable[[Flow], None], *,
                 print_rule: PrintRule, on_job_done: Callable[[Flow, Job], None] | None = None) -> None:
        self.options = options
        self.sink = sink
        self.emit = emit
        self.budget = DocumentBudget(memory=options.max_buffer, disk=options.max_spill)  # kept documents, all jobs
        self.print_rule = print_rule  # the one place "print" is decided (findings.policy.Policy.is_print)
        self.on_job_done = on_job_done
        self.expected = Expectations()  # endpoints announced by other flows (RPC endpoint mappers)
        self.table: dict[tuple[bytes, int, bytes, int], tuple[Flow, Direction]] = {}
        self.lru: OrderedDict[str, Flow] = OrderedDict()
        self.closing: OrderedDict[str, Flow] = OrderedDict()
        self.next_sweep = 0.0
        self.next_active_sweep = 0.0
        self.flows_total = 0
        self.capture = ""  # the capture being read: new flows are tagged with it
        self.capture_index = 0  # its position in the run (uids stay unique across captures)
        self.evicted = 0
        self.now = 0.0
        self.last: Flow | None = None  # the flow of the last segment processed

    # ------------------------------------------------------------- creation
    def _new(self, ts: float, src: bytes, dst: bytes, sport: int, dport: int, flags: int) -> tuple[Flow, Direction]:
        if flags & TH_SYN:
            orientation = Orientation.SYN
            flipped = bool(flags & TH_ACK)  # a SYN-ACK comes from the server
        else:
            orientation, flipped = by_ports(sport, dport, SERVER_PORTS)
        if flipped:
            csrc, cport, ssrc, sport_ = dst, dport, src, sport
        else:
            csrc, cport, ssrc, sport_ = src, sport, dst, dport
        ck = (csrc, cport, ssrc, sport_)
        cip, sip = _ip_text(csrc), _ip_text(ssrc)
        key = FlowKey("tcp", cip, cport, sip, sport_)
        # endpoints + first timestamp: a reused port starts later, so it gets another uid, and no
        # per-endpoint counter has to be kept for days of live capture
        # the capture's position joins the seed from the second capture on: the same file read twice
        # (or two sensors' copies of one conversation) gives distinct uids, the first keeps its own
        seed = f"{cip}|{cport}|{sip}|{sport_}|{ts:.6f}" + (f"|c{self.capture_index}" if self.capture_index else "")
        uid = _uid(seed)
        if uid in self.lru:  # the same 4-tuple twice in one microsecond: keep uids unique
            uid = _uid(f"{seed}|{self.flows_total}")
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

    def begin_capture(self, name: str, index: int) -> None:
        """The next frames come from capture ``name``, the ``index``-th of the run."""
        self.capture = name
        self.capture_index = index

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
        c = packed(flow.key.client_ip)
        s = packed(flow.key.server_ip)
        return [(c, flow.key.client_port, s, flow.key.server_port),
                (s, flow.key.server_port, c, flow.key.client_port)]

    def flush(self) -> None:
        """End of input: finish every live flow, oldest first."""
        for flow in sorted(self.lru.values(), key=lambda f: f.first_ts):
            self._finish(flow)
        self.closing.clear()

    def __len__(self) -> int:
        return len(self.lru)
