"""Per-printer aggregation: what each server received, and its verdict.

A printer is any server seen receiving print traffic (or answering on a print port). Its verdict
is ``exposed`` > ``weak`` > ``protected`` > ``unknown``, from its worst finding that no policy
exception covers: an SP1xx/SP3xx finding at medium or above exposes it, an SP2xx one at medium or
above makes it weak; otherwise it is protected when a protected print flow was seen.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..model import PrinterVerdict, Severity
from ..records import PrinterRecord, Worst


@dataclass(slots=True)
class Printer:
    """What one server received: the aggregate behind its verdict."""

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

    def saw(self, code: str, severity: Severity, title: str, suppressed: bool) -> None:
        """Count a finding against this printer; the worst unsuppressed one names its verdict."""
        self.codes[code] += 1
        if not suppressed and (self.worst is None or severity > self.worst.severity):
            self.worst = Worst(code=code, severity=severity, title=title)

    def verdict(self) -> PrinterVerdict:
        worst = self.worst
        if worst is not None and worst.severity >= Severity.MEDIUM:
            if worst.code[:3] in ("SP1", "SP3"):
                return PrinterVerdict.EXPOSED
            if worst.code.startswith("SP2"):
                return PrinterVerdict.WEAK
        return PrinterVerdict.PROTECTED if self.protected_flows else PrinterVerdict.UNKNOWN

    def record(self) -> PrinterRecord:
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
        )


class Printers:
    """The printers of one run, by address."""

    def __init__(self) -> None:
        self.by_ip: dict[str, Printer] = {}

    def get(self, ip: str) -> Printer:
        pr = self.by_ip.get(ip)
        if pr is None:
            pr = self.by_ip[ip] = Printer(ip)
        return pr

    def find(self, ip: str | None) -> Printer | None:
        return None if ip is None else self.by_ip.get(ip)

    def records(self) -> list[PrinterRecord]:
        return [self.by_ip[ip].record() for ip in sorted(self.by_ip)]

    def values(self) -> list[Printer]:
        return list(self.by_ip.values())
