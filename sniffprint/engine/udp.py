"""UDP pseudo-flows: datagrams in, finished ``UdpFlow``s out, beside the TCP flow table.

UDP has no connection, so a pseudo-flow is what flow meters (Zeek, nfstream) make of it: the
datagrams between two endpoints, in both directions, until the pair falls idle.

- **Keys and uids** as for TCP (``table._uid``, seeded with ``udp``): both orientations of
  (src ip, src port, dst ip, dst port) map to one flow.
- **Orientation** by port (RFC 768 has no handshake to tell): a datagram to a multicast or
  broadcast address comes from the client (a group never answers from its own address); else the
  side on a well-known UDP service port (``SERVER_PORTS``: 161 and 162 SNMP, 5353 mDNS, 631 CUPS
  browsing, DNS, NTP, syslog...) is the server (``port``), then the side below 1024 (``port``),
  else the first sender (``first``).
- **Dissection**: the first datagrams are offered to the datagram dissectors
  (``dissectors.DATAGRAM_DISSECTORS``, ``Dissector.datagram``) as the head of their direction;
  the first plausible one is fed every datagram whole (``feed(direction, datagram)``: boundaries
  kept). Up to ``PROBE_DATAGRAMS`` datagrams are tried; then the flow is ``other`` and its
  datagrams are only counted. A datagram cut by the capture's snap length is counted (its missing
  bytes in ``missed_bytes``, history ``G``), never fed. A ``ProtocolViolation`` detaches the
  dissector (service ``-name``), any other exception is an ``internal_error`` (history ``x``).
- **Secrets**: ``SecretSeen`` events (an SNMP community) are kept apart from the facts, for the
  composition root to redact; nothing here puts a secret into a record.
- **Bounded memory**: an idle timeout (``Options.udp_idle_timeout``, the normal end of a UDP
  pseudo-flow, no anomaly) and a cap on live pseudo-flows (``Options.max_flows``, its own table:
  the least recently active is evicted, a ``flow_evicted`` anomaly).
"""
from __future__ import annotations

import ipaddress
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..anomalies import AnomalySink
from ..dissectors import DATAGRAM_DISSECTORS
from ..dissectors.base import Dissector, choose
from ..dissectors.events import (
    ContentDone,
    FlowFact,
    Note,
    PrintSeen,
    ProtectionSeen,
    SecretSeen,
    ServiceSeen,
    TlsProgress,
)
from ..errors import ProtocolViolation
from ..model import ConnState, Direction, FlowKey, Orientation, Protection, Service
from ..options import Options
from ..records import Credential, FlowRecord
from .communityid import community_id
from .flowevents import MAX_SECRETS
from .flows import PrintRule
from .table import _uid, by_ports

log = logging.getLogger(__name__)

C2S, S2C = Direction.C2S, Direction.S2C
# Ports whose side is the server of a UDP exchange (SNMP agent and trap receiver, mDNS, CUPS
# browsing, DNS, DHCP, TFTP, NTP, NetBIOS, SNMP over TLS is TCP, syslog, SSDP, WS-Discovery, LLMNR).
SERVER_PORTS = frozenset({161, 162, 5353, 631, 53, 67, 68, 69, 123, 137, 138, 514, 1900, 3702, 5355, 427})
PROBE_DATAGRAMS = 4  # datagrams offered to the probes before a flow is "other"
SWEEP_EVERY = 1.0  # s between idle sweeps


def _is_group(raw: bytes) -> bool:
    """Multicast (224/4, ff00::/8) or an IPv4 address ending in .255 (a /24-or-wider broadcast)."""
    if len(raw) == 4:
        return 224 <= raw[0] <= 239 or raw[3] == 255
    return raw[0] == 0xFF


class UdpFlow:
    """One UDP pseudo-flow, mutable while the UDP table owns it (the same duck type as ``Flow`` for
    the composition root: ``uid``, ``key``, ``jobs``, ``secrets``, ``record()``)."""

    __slots__ = ("table", "uid", "key", "orientation", "first_ts", "last_ts", "packets", "payload",
                 "missed", "hist", "service", "violations", "protection", "print", "facts", "dissector",
                 "decided", "tries", "secrets", "anomalies", "ip_version", "jobs", "keys", "capture",
                 "internal_errors")

    def __init__(self, table: UdpTable, uid: str, key: FlowKey, orientation: Orientation, ts: float,
                 ip_version: int) -> None:
        self.table = table
        self.uid = uid
        self.key = key
        self.orientation = orientation
        self.first_ts = ts
        self.last_ts = ts
        self.packets = [0, 0]
        self.payload = [0, 0]  # payload bytes as they crossed (datagram bodies, claimed lengths)
        self.missed = 0  # bytes of datagrams cut by the snap length
        self.hist: list[str] = []
        self.service: Service | None = None
        self.violations: list[str] = []
        self.protection = Protection.NONE
        self.print: bool | None = None
        self.facts: dict[str, Any] = {}
        self.dissector: Dissector | None = None
        self.decided = False
        self.tries = 0
        self.secrets: list[SecretSeen] = []
        self.anomalies = 0
        self.ip_version = ip_version
        self.jobs: tuple[()] = ()  # datagram dissectors report no jobs
        self.keys: tuple[tuple[bytes, int, bytes, int], ...] = ()  # its two entries in the table
        self.capture = table.capture  # the capture it started in
        self.internal_errors = 0

    def h(self, letter: str) -> None:
        if letter not in self.hist:
            self.hist.append(letter)

    def note(self, kind: str, detail: str, layer: str = "flow") -> None:
        self.anomalies += 1
        self.table.sink.add(self.last_ts, self.uid, layer, kind, detail)

    # ------------------------------------------------------------- datagrams
    def datagram(self, d: Direction, payload: bytes, claimed: int) -> None:
        di = int(d)
        self.packets[di] += 1
        self.payload[di] += claimed
        upper = d is C2S
        self.h("D" if upper else "d")
        if len(payload) < claimed:  # cut by the snap length: never parsed half
            self.missed += claimed - len(payload)
            self.h("G" if upper else "g")
            self.note("truncated_datagram", f"{'c2s' if upper else 's2c'}: {claimed - len(payload)} of "
                      f"{claimed} bytes not captured; datagram counted, not parsed", "reassembly")
            return
        if not self.decided:
            self._probe(d, payload)
        if self.dissector is not None:
            self._run(lambda: self.dissector.feed(d, payload))  # type: ignore[union-attr]

    def _probe(self, d: Direction, payload: bytes) -> None:
        self.tries += 1
        c2s, s2c = (payload, b"") if d is C2S else (b"", payload)
        cls, _ = choose(DATAGRAM_DISSECTORS, c2s, s2c, self.key, True)
        if cls is None:
            if self.tries >= PROBE_DATAGRAMS:
                self.decided = True
                self.service = Service.OTHER
            return
        self.decided = True
        self.service = cls.service
        self.dissector = cls(self.key)

    def _run(self, call: Callable[[], list]) -> None:  # type: ignore[type-arg]
        try:
            events = call()
        except ProtocolViolation as exc:
            name = self.dissector.name if self.dissector else "?"
            self.violations.append(name)
            at = f" at offset {exc.offset}" if exc.offset is not None else ""
            self.note("protocol_violation", f"{name}: {exc.reason}{at}; dissector detached", "dissector")
            self.dissector = None
            return
        except Exception as exc:  # a bug: recorded per flow, the run goes on
            log.debug("datagram dissector crash", exc_info=True)
            name = self.dissector.name if self.dissector else "?"
            self.internal_errors += 1
            self.h("x")
            self.note("internal_error", f"{name}: {type(exc).__name__}: {exc}", "internal")
            self.dissector = None
            return
        for ev in events:
            self._absorb(ev)

    def _absorb(self, ev: object) -> None:
        t = type(ev)
        if t is FlowFact:
            if ev.name not in FlowRecord.FACTS:  # type: ignore[attr-defined]
                raise AssertionError(f"undocumented flow fact {ev.name!r}")  # type: ignore[attr-defined]
            self.facts[ev.name] = ev.value  # type: ignore[attr-defined]
        elif t is SecretSeen:
            if ev not in self.secrets and len(self.secrets) < MAX_SECRETS:
                self.secrets.append(ev)  # type: ignore[arg-type]
        elif t is ServiceSeen:
            self.service = ev.service  # type: ignore[attr-defined]
        elif t is PrintSeen:
            v = ev.value  # type: ignore[attr-defined]
            if v is True or self.print is not True:
                self.print = v
        elif t is ProtectionSeen:
            self.protection = ev.protection  # type: ignore[attr-defined]
        elif t is Note:
            self.note(ev.kind, ev.detail, "dissector")  # type: ignore[attr-defined]
        elif t is ContentDone:
            self.dissector = None
        elif t is TlsProgress:
            return  # no TLS over UDP here (DTLS is not dissected)
        else:  # job events: a datagram dissector has no documents to report
            raise AssertionError(f"{type(ev).__name__} from a datagram dissector")

    # ------------------------------------------------------------- end
    def finish(self) -> None:
        if self.dissector is not None:
            self._run(self.dissector.close)
        self.dissector = None

    def record(self, credentials: tuple[Credential, ...] | None = None) -> FlowRecord:
        """The pseudo-flow as it stands; ``credentials`` as for ``Flow.record``."""
        facts: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in self.facts.items()}
        service = self.service or Service.OTHER
        both = self.packets[0] and self.packets[1]
        k = self.key
        return FlowRecord(
            uid=self.uid,
            capture=self.capture,
            community_id=community_id("udp", k.client_ip, k.client_port, k.server_ip, k.server_port),
            proto="udp",
            client_ip=self.key.client_ip,
            client_port=self.key.client_port,
            server_ip=self.key.server_ip,
            server_port=self.key.server_port,
            ip_version=self.ip_version,
            service=service,
            service_violations=tuple(f"-{v}" for v in self.violations),
            protection=self.protection,
            print=self.table.print_rule(service, self.print, self.protection, self.key),
            c2s_bytes=self.payload[0],
            s2c_bytes=self.payload[1],
            c2s_packets=self.packets[0],
            s2c_packets=self.packets[1],
            c2s_wire_bytes=self.payload[0],
            s2c_wire_bytes=self.payload[1],
            missed_bytes=self.missed,
            history="".join(self.hist),
            state=ConnState.SF if both else ConnState.S0,
            orientation=self.orientation,
            ts_start=self.first_ts,
            ts_end=self.last_ts,
            duration=round(self.last_ts - self.first_ts, 6),
            rexmit_bytes=0,
            bad_checksums=0,
            anomalies=self.anomalies,
            internal_errors=self.internal_errors or None,
            languages=(),
            jobs=0,
            credentials=credentials,
            **facts,
        )


class UdpTable:
    """Owns the live UDP pseudo-flows; ``process`` takes one datagram, ``flush`` ends them all."""

    def __init__(self, options: Options, sink: AnomalySink, emit: Callable[[UdpFlow], None], *,
                 print_rule: PrintRule) -> None:
        self.options = options
        self.sink = sink
        self.emit = emit
        self.print_rule = print_rule
        self.table: dict[tuple[bytes, int, bytes, int], tuple[UdpFlow, Direction]] = {}
        self.lru: OrderedDict[str, UdpFlow] = OrderedDict()
        self.next_sweep = 0.0
        self.flows_total = 0
        self.evicted = 0
        self.capture = ""  # the capture being read: new pseudo-flows are tagged with it
        self.capture_index = 0  # its position in the run (uids stay unique across captures)

    def begin_capture(self, name: str, index: int) -> None:
        """The next datagrams come from capture ``name``, the ``index``-th of the run."""
        self.capture = name
        self.capture_index = index

    def process(self, ts: float, src: bytes, dst: bytes, sport: int, dport: int, payload: bytes,
                claimed: int) -> None:
        if ts >= self.next_sweep:
            self.sweep(ts)
        ent = self.table.get((src, sport, dst, dport))
        if ent is not None and ts - ent[0].last_ts >= self.options.udp_idle_timeout:
            self._finish(ent[0])  # idle since: this datagram starts the pair's next pseudo-flow
            ent = None
        if ent is None:
            flow, d = self._new(ts, src, dst, sport, dport)
        else:
            flow, d = ent
        if ts > flow.last_ts:
            flow.last_ts = ts
        self.lru.move_to_end(flow.uid)
        flow.datagram(d, payload, claimed)

    def _new(self, ts: float, src: bytes, dst: bytes, sport: int, dport: int) -> tuple[UdpFlow, Direction]:
        if _is_group(dst):
            orientation, flipped = Orientation.FIRST, False
        else:
            orientation, flipped = by_ports(sport, dport, SERVER_PORTS)
        if flipped:
            csrc, cport, ssrc, sport_ = dst, dport, src, sport
        else:
            csrc, cport, ssrc, sport_ = src, sport, dst, dport
        cip, sip = str(ipaddress.ip_address(csrc)), str(ipaddress.ip_address(ssrc))
        key = FlowKey("udp", cip, cport, sip, sport_)
        uid = _uid(f"udp|{cip}|{cport}|{sip}|{sport_}|{ts:.6f}"
                   + (f"|c{self.capture_index}" if self.capture_index else ""))
        if uid in self.lru:
            uid = _uid(f"udp|{cip}|{cport}|{sip}|{sport_}|{ts:.6f}|{self.flows_total}")
        flow = UdpFlow(self, uid, key, orientation, ts, 6 if len(src) == 16 else 4)
        if flipped:
            flow.h("^")
        flow.keys = ((csrc, cport, ssrc, sport_), (ssrc, sport_, csrc, cport))
        self.table[flow.keys[0]] = (flow, C2S)
        self.table[flow.keys[1]] = (flow, S2C)
        self.lru[uid] = flow
        self.flows_total += 1
        if len(self.lru) > self.options.max_flows:
            _, victim = next(iter(self.lru.items()))
            self.evicted += 1
            victim.note("flow_evicted", f"UDP table full ({self.options.max_flows} pseudo-flows): least "
                        "recently active evicted")
            self._finish(victim)
        return flow, (S2C if flipped else C2S)

    def sweep(self, now: float) -> None:
        """End the pseudo-flows idle for ``udp_idle_timeout`` (their normal end: no anomaly)."""
        self.next_sweep = now + SWEEP_EVERY
        idle = self.options.udp_idle_timeout
        while self.lru:
            _, flow = next(iter(self.lru.items()))
            if now - flow.last_ts < idle:
                break
            self._finish(flow)

    def _finish(self, flow: UdpFlow) -> None:
        self.lru.pop(flow.uid, None)
        for k in flow.keys:
            ent = self.table.get(k)
            if ent is not None and ent[0] is flow:
                del self.table[k]
        flow.finish()
        self.emit(flow)

    def flush(self) -> None:
        """End of input: finish every live pseudo-flow, oldest first."""
        for flow in sorted(self.lru.values(), key=lambda f: f.first_ts):
            self._finish(flow)

    def __len__(self) -> int:
        return len(self.lru)
