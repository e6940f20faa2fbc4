"""The workstation view: per client, the printers it prints to, by protocol and protection.

A migration moves print queues to TLS client by client (by Group Policy at scale), so the list it
works from is per workstation: which printers it uses, over which protocols, what of it still
crosses in clear, when it was last seen doing so, and its names (``records.ClientRecord``).

``Clients`` is fed the records as the outputs see them (``flow(rec, jobs)``: a finished flow and
its jobs, already redacted, so the names in it are masked exactly as in the job and flow records),
and ``records()`` gives one ``ClientRecord`` per client at the end. ``clients_of(flows, jobs)``
does the same for the records of a saved report. Rules:

- A client is the client side of a TCP print flow (``print`` true: the policy's one decision).
  Encrypted SMB sessions whose share cannot be seen (``print`` null) are not counted: whether the
  client printed is unknown.
- A cleartext flow is a **print** path when it carried a print job (``rules.query_only`` and files
  written to the printer do not count), else a **query** path (status monitors, queue state, a
  connection without a job). Jobs sent in clear before a protection started (an RFC 2817 upgrade
  after a job) count as cleartext printing. A protected flow is always a print path.
- Verdict: ``exposed`` when it printed in clear, or when all its print traffic was in clear
  (queries only); ``weak`` when it printed only protected but a TLS flow of it is weak (an old
  version or a weak cipher, ``tls_weak``); ``protected`` when it printed only protected (cleartext
  queries are listed in ``queries_clear``, not counted); else ``unknown``.
- Names: ``host_names`` of any flow (NBNS, LLMNR, mDNS) for the client's address, and the client
  host its jobs named.

Invariants: the same records in any order give the same client records (sets, sums, minima and
maxima only), so one process, ``--jobs N`` and Dask agree. Memory is bounded: ``MAX_CLIENTS``
clients, ``MAX_PATHS`` paths each, ``MAX_NAMED`` addresses with ``MAX_NAMES`` names each.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..model import PrinterVerdict, Protection
from ..records import ClientPath, ClientRecord, FlowRecord, JobRecord
from .details import WRITTEN, query_only
from .paths import clear_name, protected_name

MAX_CLIENTS = 100_000
MAX_PATHS = 256
MAX_NAMED = 100_000
MAX_NAMES = 8


@dataclass(slots=True)
class _Path:
    jobs: int = 0
    flows: int = 0
    bytes: int = 0
    first: float = float("inf")
    last: float = float("-inf")

    def saw(self, flow: FlowRecord, *, jobs: int = 0, nbytes: int = 0, flows: int = 1) -> None:
        self.jobs += jobs
        self.flows += flows
        self.bytes += nbytes
        self.first = min(self.first, flow.ts_start)
        self.last = max(self.last, flow.ts_end)


@dataclass(slots=True)
class _Client:
    ip: str
    paths: dict[tuple[str, str, bool, str], _Path] = field(default_factory=dict)  # (printer, proto, protected, use)
    captures: set[str] = field(default_factory=set)
    names: set[tuple[str, str]] = field(default_factory=set)  # (name, source) its jobs gave
    weak: bool = False

    def path(self, printer: str, protocol: str, protected: bool, use: str) -> _Path | None:
        k = (printer, protocol, protected, use)
        p = self.paths.get(k)
        if p is None and len(self.paths) < MAX_PATHS:
            p = self.paths[k] = _Path()
        return p


def _real_jobs(jobs: Sequence[JobRecord]) -> list[JobRecord]:
    """The print jobs of a flow: no query, no file written to the printer."""
    return [j for j in jobs if not query_only(j) and j.file_transfer not in WRITTEN]


class Clients:
    """The clients of one run (or of a saved report), fed finished flows with their jobs."""

    def __init__(self) -> None:
        self.by_ip: dict[str, _Client] = {}
        self.named: dict[str, set[tuple[str, str]]] = defaultdict(set)  # address -> (name, source)

    def flow(self, rec: FlowRecord, jobs: Sequence[JobRecord] = ()) -> None:
        for hn in rec.host_names or ():
            names = self.named.get(hn.address)
            if names is None and len(self.named) >= MAX_NAMED:
                continue
            names = self.named[hn.address]
            if len(names) < MAX_NAMES:
                names.add((hn.name, hn.source))
        if rec.proto != "tcp" or rec.print is not True:
            return
        c = self.by_ip.get(rec.client_ip)
        if c is None:
            if len(self.by_ip) >= MAX_CLIENTS:
                return
            c = self.by_ip[rec.client_ip] = _Client(rec.client_ip)
        c.captures.add(rec.capture)
        for j in jobs:
            if j.host and len(c.names) < MAX_NAMES:
                c.names.add((j.host, j.sources.get("host", j.protocol)))
        printer = rec.server_ip
        clear_jobs = _real_jobs([j for j in jobs if j.protection is Protection.NONE])
        if rec.protection is Protection.NONE:
            protos = sorted({j.protocol for j in clear_jobs})
            if not protos:
                p = c.path(printer, clear_name(rec), False, "query")
                if p is not None:
                    p.saw(rec, nbytes=rec.c2s_bytes)
                return
            for n, proto in enumerate(protos):  # the flow's bytes go to its first protocol (one, in practice)
                p = c.path(printer, proto, False, "print")
                if p is not None:
                    p.saw(rec, jobs=sum(1 for j in clear_jobs if j.protocol == proto),
                          nbytes=rec.c2s_bytes if n == 0 else 0, flows=1 if n == 0 else 0)
            return
        p = c.path(printer, protected_name(rec), True, "print")
        if p is not None:
            p.saw(rec, nbytes=rec.c2s_bytes)
        if any("forward secrecy" not in w for w in rec.tls_weak or ()):
            c.weak = True
        for proto in sorted({j.protocol for j in clear_jobs}):  # jobs sent before the protection started
            early = [j for j in clear_jobs if j.protocol == proto]
            p = c.path(printer, proto, False, "print")
            if p is not None:
                p.saw(rec, jobs=len(early), nbytes=sum(j.bytes for j in early), flows=0)

    def records(self) -> list[ClientRecord]:
        return [self._record(self.by_ip[ip]) for ip in sorted(self.by_ip)]

    def _record(self, c: _Client) -> ClientRecord:
        paths = sorted(c.paths.items())
        clear_print = [(k, p) for k, p in paths if not k[2] and k[3] == "print"]
        clear_query = [(k, p) for k, p in paths if not k[2] and k[3] == "query"]
        protected = [(k, p) for k, p in paths if k[2]]
        names = c.names | self.named.get(c.ip, set())
        if clear_print or (clear_query and not protected):
            verdict = PrinterVerdict.EXPOSED
        elif protected:
            verdict = PrinterVerdict.WEAK if c.weak else PrinterVerdict.PROTECTED
        else:  # pragma: no cover - a client has at least one path
            verdict = PrinterVerdict.UNKNOWN
        clear = clear_print + clear_query
        return ClientRecord(
            client_ip=c.ip,
            hostnames=tuple(sorted({n for n, _ in names})),
            hostname_sources=tuple(sorted({s for _, s in names})),
            captures=tuple(sorted(c.captures)),
            verdict=verdict,
            printers=tuple(sorted({k[0] for k, _ in paths})),
            protocols_clear=tuple(sorted({k[1] for k, _ in clear_print})),
            protocols_protected=tuple(sorted({k[1] for k, _ in protected})),
            queries_clear=tuple(sorted({k[1] for k, _ in clear_query} - {k[1] for k, _ in clear_print})),
            jobs_clear=sum(p.jobs for _, p in clear_print),
            bytes_clear=sum(p.bytes for _, p in clear),
            bytes_protected=sum(p.bytes for _, p in protected),
            flows_clear=sum(p.flows for _, p in clear),
            flows_protected=sum(p.flows for _, p in protected),
            first_seen=min(p.first for _, p in paths),
            last_seen=max(p.last for _, p in paths),
            last_clear=max((p.last for _, p in clear), default=None),
            paths=tuple(ClientPath(printer=k[0], protocol=k[1], protected=k[2], use=k[3], jobs=p.jobs, flows=p.flows,
                                   bytes=p.bytes, first_seen=p.first, last_seen=p.last) for k, p in paths),
            reason=_reason(verdict, clear_print, clear_query, protected),
        )


Keyed = list[tuple[tuple[str, str, bool, str], _Path]]


def _by_printer(items: Keyed) -> str:
    """'raw9100, lpd to 10.0.0.5 (3 jobs); ipp to 10.0.0.6' (no text from the wire: addresses and names
    of protocols only)."""
    per: dict[str, list[str]] = defaultdict(list)
    jobs: dict[str, int] = defaultdict(int)
    for (printer, proto, _, _), p in items:
        if proto not in per[printer]:
            per[printer].append(proto)
        jobs[printer] += p.jobs
    parts = []
    for printer, protos in per.items():
        n = jobs[printer]
        parts.append(f"{', '.join(protos)} to {printer}" + (f" ({n} job{'s' if n != 1 else ''})" if n else ""))
    return "; ".join(parts)


def _reason(verdict: PrinterVerdict, clear_print: Keyed, clear_query: Keyed, protected: Keyed) -> str:
    over = ", ".join(sorted({k[1] for k, _ in protected}))
    queries = f"; still queries in clear: {_by_printer(clear_query)}" if clear_query else ""
    if clear_print:
        also = f"; also protected: {over}" if over else ""
        return f"prints in clear: {_by_printer(clear_print)}{also}{queries}"
    if verdict is PrinterVerdict.EXPOSED:
        return f"all its print traffic is in clear (no job seen): {_by_printer(clear_query)}"
    if verdict is PrinterVerdict.WEAK:
        return f"prints protected ({over}), but over weak TLS{queries}"
    if verdict is PrinterVerdict.PROTECTED:
        return f"prints protected only ({over}){queries}"
    return "no print flow it could be judged by"  # pragma: no cover


def clients_of(flows: Iterable[FlowRecord], jobs: Iterable[JobRecord]) -> list[ClientRecord]:
    """The client records of a saved report's flows and jobs (jobs joined to their flow by capture and
    uid; by uid alone for jobs written without their capture)."""
    by_uid: dict[tuple[str | None, str], list[JobRecord]] = defaultdict(list)
    for j in jobs:
        by_uid[(j.capture, j.uid)].append(j)
    agg = Clients()
    for f in flows:
        agg.flow(f, by_uid.get((f.capture, f.uid)) or by_uid.get((None, f.uid), []))
    return agg.records()
