"""The human table: the flows that matter (print services, TLS, printer management, anything on a
print port), the findings, the printers (with what is known of them: name, model, offers, TLS
handshake times, cleartext ports still enabled beside TLS), the workstations (``ClientRecord``: what
each client still sends in clear, to which printers), then a summary line. ``--all`` lists every
flow. Every value is written through ``escape.safe``: text from the wire (a certificate subject, a
name, a printer's model) never reaches the terminal raw."""
from __future__ import annotations

import time

from ..model import PRINT_PORTS, PRINT_SERVICES, Protection, Service, Severity
from ..records import ClientRecord, Finding, FlowRecord, PrinterRecord, Summary
from .base import Writer
from .escape import safe

SHOWN_SERVICES = PRINT_SERVICES | {Service.TLS, Service.HTTP_ADMIN, Service.SNMP}
ALWAYS_SHOWN = ("SP204", "SP205", "SP206", "SP303")  # info findings worth a line even without --all


def matters(rec: FlowRecord) -> bool:
    """Whether a flow is worth a row without ``--all``: print traffic (``rec.print``, decided by the
    policy), a print, TLS, web-interface or SNMP service, or a TCP flow to a print port (a listener
    with no job)."""
    return (rec.print is not False or rec.service in SHOWN_SERVICES
            or (rec.server_port in PRINT_PORTS and rec.proto == "tcp"))


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _ep(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


class TableWriter(Writer):
    def begin(self) -> None:
        self.rows: list[FlowRecord] = []
        self.findings: list[Finding] = []
        self.printers: list[PrinterRecord] = []
        self.clients: list[ClientRecord] = []
        self.counts = {"flows": 0, "udp": 0, "print": 0, "clear": 0, "protected": 0, "unknown": 0}

    def finding(self, rec: Finding) -> None:
        if self.show_all or rec.severity is not Severity.INFO or rec.code in ALWAYS_SHOWN:
            self.findings.append(rec)

    def printer(self, rec: PrinterRecord) -> None:
        self.printers.append(rec)

    def client(self, rec: ClientRecord) -> None:
        self.clients.append(rec)

    def flow(self, rec: FlowRecord) -> None:
        c = self.counts
        c["flows" if rec.proto == "tcp" else "udp"] += 1
        if rec.print is not False:
            c["print"] += 1
            if rec.print is None or rec.protection is Protection.UNKNOWN:
                c["unknown"] += 1
            elif rec.protection is Protection.NONE:
                c["clear"] += 1
            else:
                c["protected"] += 1
        if self.show_all or matters(rec):
            self.rows.append(rec)

    def end(self, stats: Summary) -> None:
        head = ["uid", "client", "server", "service", "protection", "print", "languages", "c2s", "s2c",
                "missed", "history"]
        lines = [head]
        for r in sorted(self.rows, key=lambda r: r.ts_start):
            pr = {True: "yes", False: "no", None: "unknown"}[r.print]
            lines.append([safe(v) for v in (
                r.uid[:10], _ep(r.client_ip, r.client_port), _ep(r.server_ip, r.server_port),
                r.service.value, r.protection.value, pr, ",".join(r.languages) or "-",
                _size(r.c2s_bytes), _size(r.s2c_bytes), _size(r.missed_bytes) if r.missed_bytes else "-",
                r.history)])
        if len(lines) > 1:
            widths = [max(len(str(row[i])) for row in lines) for i in range(len(head))]
            for row in lines:
                self.fp.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
        else:
            self.fp.write("no print, TLS or print-port flows (use --all to list every flow)\n")
        if self.findings:
            self.fp.write("\nfindings:\n")
            for f in sorted(self.findings, key=lambda f: (-f.severity.rank, f.code)):
                where = _ep(f.server_ip, f.server_port) if f.server_ip and f.server_port is not None else "capture"
                sup = f"  [excepted: {safe(f.suppressed)}]" if f.suppressed else ""
                self.fp.write(f"  {f.code} {f.severity.value:<8} {safe(where):<22} {safe(f.title)}{sup}\n")
                if f.detail:
                    self.fp.write(f"         {safe(f.detail)}\n")
                if f.evidence is not None and f.evidence.masked_excerpt:
                    self.fp.write(f"         text (masked): {safe(f.evidence.masked_excerpt[:100])}\n")
        if self.printers:
            self.fp.write("\nprinters:\n")
            for p in self.printers:
                worst = p.worst.code if p.worst is not None else "-"
                self.fp.write(f"  {safe(p.server_ip):<16} {p.verdict.value:<9} protocols "
                              f"{safe(','.join(p.protocols)) or '-'}"
                              f"  clear {_size(p.bytes_clear)}, protected {_size(p.bytes_protected)}"
                              f"  worst {worst}\n")
                for line in _known(p):
                    self.fp.write(f"  {'':<16} {line}\n")
        if self.clients:
            self.fp.write("\nworkstations:\n")
            for w in self.clients:
                names = f" ({safe(', '.join(w.hostnames))})" if w.hostnames else ""
                clear = (f"clear {safe(','.join(w.protocols_clear))} ({w.jobs_clear} jobs, {_size(w.bytes_clear)})"
                         if w.protocols_clear else "clear -")
                self.fp.write(f"  {safe(w.client_ip):<16} {w.verdict.value:<9} {clear}  protected "
                              f"{safe(','.join(w.protocols_protected)) or '-'}  last seen {_utc(w.last_seen)}"
                              f"{names}\n")
                self.fp.write(f"  {'':<16} {safe(w.reason)}\n")
        c = self.counts
        trunc = " (capture truncated)" if stats.truncated else ""
        udp = f", {c['udp']} UDP flows" if c["udp"] else ""
        bugs = (f", {stats.internal_errors} internal errors (a bug: please report it; --debug shows the "
                "tracebacks)") if stats.internal_errors else ""
        self.fp.write(
            f"\n{stats.frames} frames, {c['flows']} TCP flows{udp}, {c['print']} print flows: "
            f"{c['clear']} in clear, {c['protected']} protected, {c['unknown']} unknown; "
            f"{stats.anomalies} anomalies{bugs}{trunc}\n")
        if stats.verdict:
            self.fp.write(f"verdict: {stats.verdict.upper()} -- {safe('; '.join(stats.reasons or ()))}\n")


def _known(p: PrinterRecord) -> list[str]:
    """What is known of a printer beyond its traffic, one short line per kind (none when nothing)."""
    lines = []
    what = " ".join(x for x in (p.make_model, f'"{p.name}"' if p.name else None,
                                f"serial {p.serial}" if p.serial else None) if x)
    if what:
        lines.append(what)
    if p.offers:
        tls = " (announces TLS)" if p.tls_advertised else ""
        lines.append(f"offers {','.join(p.offers)}{tls}")
    if p.tls_handshakes:
        lines.append(f"TLS handshake p50 {p.tls_handshake_ms_p50:.1f} ms, p95 {p.tls_handshake_ms_p95:.1f} ms "
                     f"({p.tls_handshakes} timed)")
    if p.clear_still_enabled_reason:
        uids = [u for c in p.clear_ports or () if c.port in (p.clear_still_enabled or ()) for u in c.uids[:1]]
        lines.append(f"{p.clear_still_enabled_reason} (evidence: {', '.join(uids)})")
    if p.clear_despite_tls:
        lines.append(f"still printing in clear although TLS is offered: {','.join(p.clear_despite_tls)}")
    return [safe(line) for line in lines]  # models and names come off the wire


def _utc(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))
