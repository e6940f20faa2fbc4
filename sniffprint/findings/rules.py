"""Findings: what a flow and its jobs expose, with stable codes, and one verdict per printer.

Codes (stable; new codes may be added, none is ever reused for something else):

SP1xx  a print job's document or metadata crossed the network in clear
  SP101  high/critical  Print document sent in cleartext (critical when sensitive data was found
                        in it, or a PJL HOLDKEY PIN was sent)
  SP102  medium         Print job metadata sent in cleartext (user, job or document name; no
                        document bytes seen)
  SP103  high           Obsolete SMB1 print session (never encrypted)
  SP104  high           Password sent in cleartext (HTTP Basic authentication on a print flow)
SP2xx  protection that is weak or cannot be verified
  SP201  high           Print flow protected only by an obsolete TLS/SSL version
  SP202  high           Print flow uses a weak TLS cipher (RC4, 3DES, DES, NULL, EXPORT, anonymous)
  SP203  low            TLS key exchange without forward secrecy (RSA)
  SP204  info           Self-signed printer certificate (medium when the policy forbids it)
  SP205  info           TLS 1.3: the printer certificate is not observable (low when the policy
                        requires it to be seen)
  SP206  info           Encrypted SMB session: its share type cannot be seen
  SP207  low            Printer certificate expired at the time of the flow
SP3xx  a cleartext print path still accepting connections (no job needed, so never SP1xx)
  SP301  medium         Cleartext print listener answering on a print port (SYN answered by
                        SYN-ACK on a flow that never became TLS), once per printer and port
  SP302  medium         Print service queried in clear without a job (IPP request, LPD queue
                        state, PJL status)
  SP303  info           Print port closed: a SYN answered by RST (evidence the path is off)
SP9xx  capture quality
  SP901  info           Capture truncated before its end
  SP902  low            Gaps in a print flow: bytes are missing from the capture
  SP903  info           Capture damaged: records skipped
  SP904  info           No print traffic seen from this vantage point

Severity order: info < low < medium < high < critical. A finding whose server matches a policy
exception is kept with ``suppressed`` set to the reason and never counts toward exit status 1.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..evidence.pii import PII_KEYS
from .policy import Policy

SEVERITIES = ("info", "low", "medium", "high", "critical")
RANK = {s: i for i, s in enumerate(SEVERITIES)}
PRINT_SERVICES = frozenset({"raw9100", "lpd", "ipp", "smb"})
JobEvidence = tuple[dict[str, Any], dict[str, Any] | None]  # (job record, its evidence)

TITLES = {
    "SP101": "Print document sent in cleartext",
    "SP102": "Print job metadata sent in cleartext",
    "SP103": "Obsolete SMB1 print session (never encrypted)",
    "SP104": "Password sent in cleartext (HTTP Basic authentication)",
    "SP201": "Print flow protected only by an obsolete TLS/SSL version",
    "SP202": "Print flow uses a weak TLS cipher",
    "SP203": "TLS key exchange without forward secrecy",
    "SP204": "Self-signed printer certificate",
    "SP205": "TLS 1.3: printer certificate not observable",
    "SP206": "Encrypted SMB session: share type cannot be seen",
    "SP207": "Printer certificate expired",
    "SP301": "Cleartext print listener answering on a print port",
    "SP302": "Print service queried in clear",
    "SP303": "Print port closed (SYN answered by RST)",
    "SP901": "Capture truncated before its end",
    "SP902": "Gaps in a print flow",
    "SP903": "Capture damaged: records skipped",
    "SP904": "No print traffic seen from this vantage point",
}

_FIX_DISABLE = "then disable the cleartext protocol on the device"
REMEDIATION = {
    "raw9100": ("Move the queue to IPPS (ipps://PRINTER/ipp/print) or TLS-wrapped 9100, "
                f"{_FIX_DISABLE} (raw port 9100 / JetDirect / AppSocket)."),
    "lpd": f"Stop using LPD: recreate the queue as IPPS (ipps://PRINTER/ipp/print), {_FIX_DISABLE} (LPD, 515).",
    "ipp": ("Use IPPS (ipps:// URIs; CUPS: DefaultEncryption Required) so IPP runs inside TLS, "
            f"{_FIX_DISABLE} (cleartext IPP on 631)."),
    "smb": ("Require SMB3 encryption on the print share (Samba: smb encrypt = required; Windows: "
            "Set-SmbShare -EncryptData $true), disable SMB1, then refuse unencrypted sessions."),
    "tls": ("Require TLS 1.2 or newer with forward-secret AEAD cipher suites on the printer's TLS "
            "listener; disable SSLv3, TLS 1.0/1.1 and RC4/3DES/NULL/EXPORT/anonymous suites."),
    "cert": "Install a certificate issued by your internal CA on the printer, and renew it before it expires.",
    "smb-unknown": ("List the host in the policy's print_servers if it is a print server, so its "
                    "encrypted sessions count as protected printing."),
    "capture": "Capture again from the same vantage point for longer, without loss (check span/tap drops).",
}


@dataclass(slots=True)
class Printer:
    """What one server received: the aggregate behind its verdict."""

    ip: str
    services: set[str] = field(default_factory=set)
    ports: set[int] = field(default_factory=set)
    clients: set[str] = field(default_factory=set)
    flows: int = 0
    print_flows: int = 0
    jobs_clear: int = 0
    bytes_clear: int = 0
    bytes_protected: int = 0
    protected_flows: int = 0
    unknown_flows: int = 0
    worst: dict[str, Any] | None = None
    codes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    closed_ports: set[int] = field(default_factory=set)


class Findings:
    """Turns finished flows (with their jobs and evidence) into findings; ``finish`` adds the
    per-printer, per-port and capture-level findings and the printer records."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self.printers: dict[str, Printer] = {}
        self.listeners: dict[tuple[str, int], dict[str, Any]] = {}  # (server, port) -> first flow
        self.closed: dict[tuple[str, int], dict[str, Any]] = {}
        # (code, severity, server_ip, server_port, suppressed) -> how many: what the verdict needs,
        # bounded by printers x codes however long a live run lasts
        self.tally: dict[tuple[str, str, str | None, int | None, str | None], int] = {}
        self.print_seen = False
        self.reported: set[tuple[Any, Any]] = set()  # (uid, job index) reported at job end
        self._done_now: set[Any] = set()  # job indexes of the flow being judged that were reported
        self.gaps_on_print = False
        self.violations_on_print = False
        self.unknown_smb = False

    # ------------------------------------------------------------------ helpers
    def _finding(self, code: str, severity: str, flow: dict[str, Any], *, confidence: str = "high",
                 protocol: str | None = None, language: str | None = None, bytes_exposed: int = 0,
                 evidence: dict[str, Any] | None = None, remediation: str = "", detail: str = "",
                 job_index: int | None = None) -> dict[str, Any]:
        rec = {
            "type": "finding",
            "uid": flow.get("uid"),
            "code": code,
            "title": TITLES[code],
            "severity": severity,
            "confidence": confidence,
            "client_ip": flow.get("client_ip"),
            "client_port": flow.get("client_port"),
            "server_ip": flow.get("server_ip"),
            "server_port": flow.get("server_port"),
            "protocol": protocol or flow.get("service"),
            "language": language,
            "bytes_exposed": bytes_exposed,
            "evidence": evidence or {},
            "remediation": remediation,
            "detail": detail,
            "job_index": job_index,
            "ts": flow.get("ts_start"),
            "suppressed": None,
        }
        ip, port = flow.get("server_ip"), flow.get("server_port")
        suppressed = self.policy.exception_for(str(ip), int(port)) if ip is not None and port is not None else None
        rec["suppressed"] = suppressed
        k = (code, severity, None if ip is None else str(ip), None if port is None else int(port), suppressed)
        self.tally[k] = self.tally.get(k, 0) + 1
        if ip is not None:
            pr = self.printers.get(str(ip))
            if pr is not None:
                pr.codes[code] += 1
                if rec["suppressed"] is None and (pr.worst is None or RANK[severity] > RANK[pr.worst["severity"]]):
                    pr.worst = {"code": code, "severity": severity, "title": TITLES[code]}
        return rec

    def _printer(self, flow: dict[str, Any]) -> Printer:
        ip = str(flow["server_ip"])
        pr = self.printers.get(ip)
        if pr is None:
            pr = self.printers[ip] = Printer(ip)
        return pr

    def _is_print(self, flow: dict[str, Any]) -> bool | None:
        p = flow.get("print")
        if p is None and flow.get("service") == "smb" and self.policy.is_print_server(str(flow["server_ip"])):
            return True  # the policy names this host a print server: its encrypted sessions print
        if p and flow.get("service") in PRINT_SERVICES and flow["service"] not in self.policy.print_protocols:
            return False
        return None if p is None else bool(p)

    # ------------------------------------------------------------------ per flow
    def flow(self, flow: dict[str, Any], jobs: list[JobEvidence]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        uid = flow.get("uid")
        self._done_now = {j.get("job_index") for j, _ in jobs if (uid, j.get("job_index")) in self.reported}
        self.reported.difference_update((uid, i) for i in self._done_now)  # the flow is over
        printing = self._is_print(flow)
        port = int(flow["server_port"])
        clear = flow.get("protection") == "none"
        hist = str(flow.get("history") or "")
        answered = "h" in hist or "d" in hist  # the server sent a SYN-ACK or data: it listens
        if flow.get("state") == "REJ" and port in self.policy.print_ports:
            self.closed.setdefault((str(flow["server_ip"]), port), flow)
        if printing is False:
            if clear and answered and port in self.policy.print_ports and flow.get("service") != "tls":
                self.listeners.setdefault((str(flow["server_ip"]), port), flow)
                self._printer(flow).ports.add(port)
            return out
        pr = self._printer(flow)
        pr.flows += 1
        pr.ports.add(port)
        pr.services.add(str(flow.get("service")))
        pr.clients.add(str(flow.get("client_ip")))
        self.print_seen = True
        pr.print_flows += 1
        if flow.get("service_violations"):
            self.violations_on_print = True
        if flow.get("missed_bytes"):
            self.gaps_on_print = True
            out.append(self._finding("SP902", "low", flow, confidence="high", detail=(
                f"{flow['missed_bytes']} bytes of this print flow are missing from the capture"),
                remediation=REMEDIATION["capture"]))
        if printing is None:  # encrypted SMB, share unknown
            pr.unknown_flows += 1
            self.unknown_smb = True
            out.append(self._finding(
                "SP206", "info", flow, confidence="medium", remediation=REMEDIATION["smb-unknown"],
                detail="SMB3 encryption hides the tree connect: printing or file copy cannot be told"))
            return out
        if clear:
            pr.bytes_clear += int(flow.get("c2s_bytes") or 0)
            if answered and port in self.policy.print_ports and flow.get("service") != "tls":
                self.listeners.setdefault((str(flow["server_ip"]), port), flow)
            out += self._cleartext(flow, jobs, pr)
        else:
            pr.bytes_protected += int(flow.get("c2s_bytes") or 0)
            pr.protected_flows += 1
            out += self._protected(flow)
            # jobs sent before the protection started (RFC 2817 upgrade after a job, SMB
            # encryption switched on mid-session) crossed in clear all the same
            early = [(j, ev) for j, ev in jobs if j.get("protection", "none") == "none"]
            if early:
                pr.bytes_clear += sum(int(j.get("bytes") or 0) for j, _ in early)
                out += self._cleartext(flow, early, pr)
        return out

    def _cleartext(self, flow: dict[str, Any], jobs: list[JobEvidence], pr: Printer) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        service = str(flow.get("service"))
        fix = REMEDIATION.get(service, REMEDIATION["ipp"])
        if flow.get("smb1"):
            out.append(self._finding("SP103", "high", flow, remediation=REMEDIATION["smb"],
                                     detail="SMB1 has no encryption at all"))
        if flow.get("http_basic_auth"):
            out.append(self._finding("SP104", "high", flow, remediation=fix + " Rotate the exposed password.",
                                     detail="an Authorization: Basic header crossed in clear (value not shown)"))
        if not jobs:
            out.append(self._finding("SP302", "medium", flow, remediation=fix, detail=_query_detail(flow)))
            return out
        for job, ev in jobs:
            if job.get("job_index") in self._done_now:
                continue  # already reported when the job ended
            pr.jobs_clear += 1
            out.append(self._job_finding(flow, job, ev))
        return out

    def job(self, flow: dict[str, Any], job: dict[str, Any], ev: dict[str, Any] | None) -> list[dict[str, Any]]:
        """A job that just ended in clear: its finding now, not when its flow ends (a keep-alive
        connection can stay open long after the document crossed). ``flow`` holds what is known
        of the flow so far (``Flow.context()``)."""
        if job.get("protection", "none") != "none" or self._is_print(flow) is False:
            return []
        if flow.get("service") not in PRINT_SERVICES:
            return []
        pr = self._printer(flow)
        pr.jobs_clear += 1
        self.reported.add((flow.get("uid"), job.get("job_index")))
        return [self._job_finding(flow, job, ev)]

    def _job_finding(self, flow: dict[str, Any], job: dict[str, Any], ev: dict[str, Any] | None) -> dict[str, Any]:
        fix = REMEDIATION.get(str(flow.get("service")), REMEDIATION["ipp"])
        ev = dict(ev or {})
        ev.setdefault("sha256", job.get("sha256"))
        ev.setdefault("length", job.get("bytes"))
        if job.get("bytes"):
            pii = ev.get("pii_counts") or {}
            critical = any(pii.get(k) for k in PII_KEYS) or job.get("holdkey_present")
            partial = bool(job.get("partial"))
            return self._finding(
                "SP101", "critical" if critical else "high", flow, confidence="medium" if partial else "high",
                protocol=job.get("protocol"), language=job.get("language"), bytes_exposed=int(job["bytes"]),
                evidence=ev, remediation=fix, job_index=job.get("job_index"), detail=_job_detail(job, ev))
        return self._finding(
            "SP102", "medium", flow, protocol=job.get("protocol"), evidence=ev, remediation=fix,
            job_index=job.get("job_index"), detail="job names sent in clear; no document bytes seen")

    def _protected(self, flow: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        weak = list(flow.get("tls_weak") or [])
        version = flow.get("tls_version")
        if flow.get("protection") == "tls":
            old = [w for w in weak if w in ("SSLv3", "TLS 1.0", "TLS 1.1")]
            if old or self.policy.tls_too_old(version):
                out.append(self._finding("SP201", "high", flow, remediation=REMEDIATION["tls"],
                                         detail=f"negotiated {version or 'an old version'}"))
            ciphers = [w for w in weak if w in self.policy.weak_ciphers]
            if ciphers:
                out.append(self._finding("SP202", "high", flow, remediation=REMEDIATION["tls"],
                                         detail=f"{flow.get('tls_cipher')}: {', '.join(ciphers)}"))
            if any("forward secrecy" in w for w in weak):
                out.append(self._finding("SP203", "low", flow, remediation=REMEDIATION["tls"],
                                         detail=f"{flow.get('tls_cipher')}: RSA key exchange"))
            if flow.get("cert_self_signed"):
                out.append(self._finding("SP204", "info" if self.policy.allow_self_signed else "medium", flow,
                                         remediation=REMEDIATION["cert"], detail=str(flow.get("cert_subject"))))
            if flow.get("cert_observable") is False:
                out.append(self._finding("SP205", "info" if self.policy.allow_unobservable_certificate else "low",
                                         flow, confidence="high",
                                         detail=f"{version or 'TLS'}: the certificate is encrypted"))
            not_after = flow.get("cert_not_after")
            if isinstance(not_after, str) and flow.get("ts_start"):
                from datetime import datetime, timezone

                try:
                    expiry = datetime.fromisoformat(not_after.replace("Z", "+00:00"))
                    if expiry < datetime.fromtimestamp(float(flow["ts_start"]), tz=timezone.utc):
                        out.append(self._finding("SP207", "low", flow, remediation=REMEDIATION["cert"],
                                                 detail=f"expired {not_after}"))
                except ValueError:
                    pass
        return out

    # ------------------------------------------------------------------ end of run
    def finish(self, stats: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for (ip, port), flow in sorted(self.listeners.items()):
            svc = {9100: "raw9100", 515: "lpd", 631: "ipp"}.get(port, str(flow.get("service")))
            self._printer(flow).ports.add(port)
            out.append(self._finding("SP301", "medium", flow, protocol=svc,
                                     remediation=REMEDIATION.get(svc, REMEDIATION["ipp"]),
                                     detail=f"{ip}:{port} accepted a cleartext TCP connection (SYN-ACK) "
                                            "that never became TLS"))
        for (ip, port), flow in sorted(self.closed.items()):
            if (ip, port) not in self.listeners:
                pr = self._printer(flow)
                pr.closed_ports.add(port)
                out.append(self._finding("SP303", "info", flow, detail=f"{ip}:{port} answered a SYN with RST"))
        nowhere: dict[str, Any] = {"uid": None, "client_ip": None, "client_port": None, "server_ip": None,
                                   "server_port": None, "service": None, "ts_start": None}
        if stats.get("truncated"):
            out.append(self._finding("SP901", "info", nowhere, remediation=REMEDIATION["capture"],
                                     detail="the capture file ends inside a record: the end of the traffic is unknown"))
        if any(c.get("damaged") for c in stats.get("captures", [])):
            out.append(self._finding("SP903", "info", nowhere, remediation=REMEDIATION["capture"],
                                     detail="damaged records were skipped"))
        if not self.print_seen:
            out.append(self._finding("SP904", "info", nowhere, remediation=REMEDIATION["capture"],
                                     detail="no print flow (cleartext or protected) was seen"))
        return out

    def printer_records(self) -> list[dict[str, Any]]:
        out = []
        for ip in sorted(self.printers):
            pr = self.printers[ip]
            out.append({
                "type": "printer",
                "server_ip": ip,
                "verdict": self.verdict(pr),
                "protocols": sorted(pr.services - {"None"}),
                "ports": sorted(pr.ports),
                "clients": len(pr.clients),
                "flows": pr.flows,
                "print_flows": pr.print_flows,
                "jobs_clear": pr.jobs_clear,
                "bytes_clear": pr.bytes_clear,
                "bytes_protected": pr.bytes_protected,
                "closed_ports": sorted(pr.closed_ports),
                "worst": pr.worst,
                "findings": dict(sorted(pr.codes.items())),
            })
        return out

    @staticmethod
    def verdict(pr: Printer) -> str:
        """exposed > weak > protected > unknown, from the worst finding not excepted by policy."""
        worst = pr.worst
        if worst is not None and RANK[worst["severity"]] >= RANK["medium"]:
            if worst["code"][:3] in ("SP1", "SP3"):
                return "exposed"
            if worst["code"].startswith("SP2"):
                return "weak"
        return "protected" if pr.protected_flows else "unknown"


def _job_detail(job: dict[str, Any], ev: dict[str, Any]) -> str:
    parts = [f"{job.get('bytes')} bytes of {job.get('language') or 'a document'}"]
    if ev.get("text_detail"):
        parts.append(str(ev["text_detail"]))
    pii = {k: v for k, v in (ev.get("pii_counts") or {}).items() if v}
    if pii:
        parts.append("sensitive data: " + ", ".join(f"{v} {k}" for k, v in sorted(pii.items())))
    if job.get("holdkey_present"):
        parts.append("a PJL HOLDKEY PIN was sent in clear")
    if job.get("partial"):
        parts.append("partial (part of the job is missing from the capture)")
    return "; ".join(parts)


def _query_detail(flow: dict[str, Any]) -> str:
    ops = flow.get("ipp_operations")
    if ops:
        return "IPP operations in clear: " + ", ".join(map(str, ops))
    if flow.get("lpd_queue"):
        return "LPD command in clear (queue state or control, no job)"
    if flow.get("pjl_device_info"):
        return "PJL status exchange in clear"
    return "print protocol exchange in clear without a job"
