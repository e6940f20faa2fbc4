"""Per-printer aggregation: what each printer received, what is known of it, and its verdict.

A printer is a server seen printing or answering on a print port, or a host that says it is one:
its web interface (``http_printer``), its SNMP answers (Printer-MIB), an IPP printer description,
a PJL ``INFO ID`` answer, or a discovery announcement (``inventory``). Hosts seen with printer
facts but none of these stay candidates: they get no record. Its verdict is ``exposed`` >
``weak`` > ``protected`` > ``unknown``, from its worst finding that no policy exception covers:
an SP1xx/SP3xx finding at medium or above exposes it, an SP2xx one at medium or above makes it
weak; otherwise it is protected when a protected print flow was seen.

What is known of it comes from several sources; each description keeps the value of the most
trusted source that gave one (``NAME_SOURCES``, ``MODEL_SOURCES``: a printer's own answer about
itself first, an announcement next, a management agent's free text last).
"""
from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..model import PrinterVerdict, Severity
from ..records import ClearPort, PrinterRecord, Worst
from .paths import port_order

# Sources of each description, most trusted first.
NAME_SOURCES = ("mdns", "ipp", "cups-browse", "snmp")
MODEL_SOURCES = ("ipp", "mdns", "pjl", "snmp-device", "cups-browse", "snmp-descr")
SERIAL_SOURCES = ("snmp",)
UUID_SOURCES = ("mdns", "cups-browse")
MAX_TIMINGS = 10_000  # TLS handshake times kept per printer (the first ones)
TLS_OFFERS = frozenset({"ipps", "raw-tls", "https-admin"})
MAX_EVIDENCE_UIDS = 4  # evidence flows kept per cleartext port (the earliest)
EVIDENCE_ORDER = ("login", "job", "page", "reply", "syn-ack")  # strongest first
TLS_PROTECTED = ("ipps", "raw-tls", "lpd-tls", "tls:")


@dataclass(slots=True)
class _Evidence:
    kinds: set[str] = field(default_factory=set)
    flows: int = 0
    first: list[tuple[float, str]] = field(default_factory=list)  # (ts_start, uid), earliest first

    def add(self, kinds: set[str], ts: float, uid: str) -> None:
        self.kinds |= kinds
        self.flows += 1
        self.first.append((ts, uid))
        self.first.sort()
        del self.first[MAX_EVIDENCE_UIDS:]


@dataclass(slots=True)
class ClearSeen:
    """A cleartext print or admin port of a printer that answered (``Inventory``): how, and the
    earliest flows that show it (the same ones in any order of judging). Connections accepted
    without a byte either way are kept apart: they prove cleartext only on a port never seen with
    TLS, and only when closed (not cut by the capture's end), as for SP301."""

    shown: _Evidence = field(default_factory=_Evidence)  # a byte crossed: a reply, a job, a page
    connects: _Evidence = field(default_factory=_Evidence)  # accepted and closed, nothing crossed

    def saw(self, kinds: set[str], ts: float, uid: str, *, complete: bool = True) -> None:
        if kinds != {"syn-ack"}:
            self.shown.add(kinds, ts, uid)
        elif complete:
            self.connects.add(kinds, ts, uid)

    def evidence(self, tls_port: bool) -> _Evidence:
        if tls_port or not self.connects.flows:
            return self.shown
        both = _Evidence(self.shown.kinds | self.connects.kinds, self.shown.flows + self.connects.flows,
                         sorted(self.shown.first + self.connects.first)[:MAX_EVIDENCE_UIDS])
        return both


@dataclass(slots=True)
class Printer:
    """What one server received, and what is known of it: the aggregate behind its record."""

    ip: str
    services: set[str] = field(default_factory=set)
    ports: set[int] = field(default_factory=set)
    clients: set[str] = field(default_factory=set)
    captures: set[str] = field(default_factory=set)
    flows: int = 0
    print_flows: int = 0
    jobs_clear: int = 0
    bytes_clear: int = 0
    bytes_protected: int = 0
    protected_flows: int = 0
    unknown_flows: int = 0
    worst: Worst | None = None
    codes: Counter[str] = field(default_factory=Counter)
    closed_ports: set[int] = field(default_factory=set)
    identified_by: set[str] = field(default_factory=set)  # empty: a candidate, no record
    described: dict[str, dict[str, tuple[float, str]]] = field(default_factory=dict)  # field -> source -> (ts, value)
    offers: set[str] = field(default_factory=set)
    tls_advertised: bool = False
    clear_job_protocols: set[str] = field(default_factory=set)  # print protocols that carried jobs in clear
    timings: list[float] = field(default_factory=list)  # tls_handshake_ms of flows to it
    clear_seen: dict[tuple[int, str], ClearSeen] = field(default_factory=dict)  # (port, service) -> evidence
    tls_ports: set[int] = field(default_factory=set)  # ports it was seen speaking TLS on
    protected_protocols: set[str] = field(default_factory=set)  # protected print protocols seen printing

    def saw(self, code: str, severity: Severity, title: str, suppressed: bool) -> None:
        """Count a finding against this printer; the worst unsuppressed one names its verdict."""
        self.codes[code] += 1
        if not suppressed and (self.worst is None or severity > self.worst.severity):
            self.worst = Worst(code=code, severity=severity, title=title)

    def describe(self, what: str, source: str, value: str | None, ts: float = 0.0) -> None:
        """Note a description (name, make_model, serial, uuid) from one source, said by a flow that
        started at ``ts``: the earliest value of each source stands (in any order of judging)."""
        if value:
            known = self.described.setdefault(what, {})
            old = known.get(source)
            if old is None or (ts, value) < old:
                known[source] = (ts, value)

    def timing(self, ms: float) -> None:
        if len(self.timings) < MAX_TIMINGS:
            self.timings.append(ms)

    def _best(self, what: str, order: tuple[str, ...]) -> str | None:
        known = self.described.get(what, {})
        return next((known[s][1] for s in order if s in known), None)

    def verdict(self) -> PrinterVerdict:
        worst = self.worst
        if worst is not None and worst.severity >= Severity.MEDIUM:
            if worst.code[:3] in ("SP1", "SP3"):
                return PrinterVerdict.EXPOSED
            if worst.code.startswith("SP2"):
                return PrinterVerdict.WEAK
        return PrinterVerdict.PROTECTED if self.protected_flows else PrinterVerdict.UNKNOWN

    def offers_tls(self) -> bool:
        """TLS is on offer: announced, or seen in use for printing."""
        return self.tls_advertised or bool(self.offers & TLS_OFFERS) or self.protected_flows > 0

    def clear_ports(self) -> list[ClearPort]:
        """The cleartext ports that answered (``ClearSeen``), print ports first."""
        out = []
        for (port, service), seen in sorted(self.clear_seen.items(), key=lambda kv: (port_order(kv[0][0]), kv[0][1])):
            ev = seen.evidence(port in self.tls_ports)
            if ev.flows:
                kinds = tuple(e for e in EVIDENCE_ORDER if e in ev.kinds)
                out.append(ClearPort(port=port, service=service, evidence=kinds, flows=ev.flows,
                                     uids=tuple(uid for _, uid in ev.first)))
        return out

    def record(self) -> PrinterRecord:
        t = sorted(self.timings)
        despite = sorted(self.clear_job_protocols) if self.offers_tls() else []
        clear = self.clear_ports()
        protected = sorted(self.protected_protocols)
        still = sorted({c.port for c in clear}, key=port_order) if protected else []
        return PrinterRecord(
            server_ip=self.ip,
            captures=tuple(sorted(self.captures)),
            verdict=self.verdict(),
            protocols=tuple(sorted(self.services - {"None"})),
            ports=tuple(sorted(self.ports)),
            clients=len(self.clients),
            flows=self.flows,
            print_flows=self.print_flows,
            jobs_clear=self.jobs_clear,
            bytes_clear=self.bytes_clear,
            bytes_protected=self.bytes_protected,
            closed_ports=tuple(sorted(self.closed_ports)),
            worst=self.worst,
            findings=dict(sorted(self.codes.items())),
            identified_by=tuple(sorted(self.identified_by)) or None,
            name=self._best("name", NAME_SOURCES),
            make_model=self._best("make_model", MODEL_SOURCES),
            serial=self._best("serial", SERIAL_SOURCES),
            uuid=self._best("uuid", UUID_SOURCES),
            offers=tuple(sorted(self.offers)) or None,
            tls_advertised=True if self.tls_advertised else None,
            clear_despite_tls=tuple(despite) or None,
            tls_handshakes=len(t) or None,
            tls_handshake_ms_p50=round(statistics.median(t), 3) if t else None,
            tls_handshake_ms_p95=t[max(0, math.ceil(0.95 * len(t)) - 1)] if t else None,
            protocols_clear=tuple(sorted(self.clear_job_protocols)) or None,
            protocols_protected=tuple(protected) or None,
            clear_ports=tuple(clear) or None,
            clear_still_enabled=tuple(still) or None,
            clear_still_enabled_reason=_still_enabled(protected, still) if still else None,
        )


def _still_enabled(protected: list[str], ports: list[int]) -> str:
    """'TLS in use (ipps, raw-tls), cleartext still enabled on 9100/515/80'."""
    what = "TLS" if any(p.startswith(TLS_PROTECTED) for p in protected) else "encryption"
    return f"{what} in use ({', '.join(protected)}), cleartext still enabled on {'/'.join(map(str, ports))}"


class Printers:
    """The printers of one run (and the candidates), by address."""

    def __init__(self, max_candidates: int = 100_000) -> None:
        self.by_ip: dict[str, Printer] = {}
        self.max_candidates = max_candidates

    def get(self, ip: str, why: str | None = None) -> Printer:
        """The printer at ``ip`` (made if new); ``why`` adds to how it is known to be one."""
        pr = self.by_ip.get(ip)
        if pr is None:
            pr = self.by_ip[ip] = Printer(ip)
        if why is not None:
            pr.identified_by.add(why)
        return pr

    def candidate(self, ip: str) -> Printer | None:
        """The entry of a host that may turn out to be a printer (None once the bound is reached)."""
        pr = self.by_ip.get(ip)
        if pr is None and len(self.by_ip) < self.max_candidates:
            pr = self.by_ip[ip] = Printer(ip)
        return pr

    def find(self, ip: str | None) -> Printer | None:
        return None if ip is None else self.by_ip.get(ip)

    def is_printer(self, ip: str | None) -> bool:
        pr = self.find(ip)
        return pr is not None and bool(pr.identified_by)

    def records(self) -> list[PrinterRecord]:
        return [self.by_ip[ip].record() for ip in sorted(self.by_ip) if self.by_ip[ip].identified_by]

    def values(self) -> list[Printer]:
        return [p for p in self.by_ip.values() if p.identified_by]
