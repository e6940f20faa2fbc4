"""Findings: what a flow and its jobs expose, as ``records.Finding`` with stable codes.

The codes, their titles and remediations are documented in ``codes.py`` (SP1xx clear, SP2xx
weak or unverifiable protection, SP3xx cleartext paths still open, SP9xx capture quality).

``Findings`` takes each finished flow (a ``FlowRecord``) with its jobs and their evidence, and
each job the moment it ends (a keep-alive connection can stay open long after its document
crossed); ``finish`` adds the per-port and capture-level findings. Every finding is counted in a
bounded tally (``records.TallyKey``) that the verdict reads, and against its printer
(``printers``). A finding whose server matches a policy exception is kept with ``suppressed`` set
to the reason and never counts toward exit status 1.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..evidence.pii import PII_KEYS
from ..evidence.redact import mask
from ..model import PRINT_SERVICES, JobDirection, Protection, Service, Severity
from ..records import Evidence, Finding, FlowRecord, JobRecord, Summary, TallyKey
from .codes import REMEDIATION, TITLES
from .policy import Policy, PrintServers
from .printers import Printer, Printers

WRITTEN = frozenset({"FSDOWNLOAD", "FSAPPEND"})  # a file written to the printer: never a print document
MAX_PATHS_SHOWN = 16
JobEvidence = tuple[JobRecord, Evidence | None]
_NOWHERE = None  # capture-level findings have no flow
INFO, LOW, MEDIUM, HIGH, CRITICAL = Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL


class Findings:
    """Turns finished flows (with their jobs and evidence) into findings; ``finish`` adds the
    per-printer, per-port and capture-level findings; ``printers.records()`` the printer records."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self.printers = Printers()
        self.listeners: dict[tuple[str, int], FlowRecord] = {}  # (server, port) -> first flow
        # connections answered but carrying no byte: a cleartext listener only if they were closed
        # (not cut by the capture's end) and no TLS was ever seen on that port
        self.dataless: dict[tuple[str, int], FlowRecord] = {}
        self.tls_ports: set[tuple[str, int]] = set()
        self.closed: dict[tuple[str, int], FlowRecord] = {}
        # what the verdict needs, bounded by printers x codes however long a live run lasts
        self.tally: dict[TallyKey, int] = {}
        self.print_seen = False
        self.reported: set[tuple[str, int]] = set()  # (uid, job index) reported at job end
        self._done_now: set[int] = set()  # job indexes of the flow being judged that were reported
        self.gaps_on_print = False
        self.violations_on_print = False
        self.unknown_smb = False
        # encrypted SMB sessions whose share cannot be seen, per server, and the servers this run
        # saw serving print under protection: decided once all flows are in, so that the result
        # does not depend on the order flows end in (nor on how --jobs shares them out)
        self.unknown: dict[str, _Unknown] = {}
        self.print_servers = PrintServers()
        self.internal_on_flows = 0  # internal errors tied to a flow
        self.internal_on_print = False  # one of them touched a print flow: the verdict cannot be clean

    # ------------------------------------------------------------------ helpers
    def _finding(self, code: str, severity: Severity, flow: FlowRecord | None, *, confidence: str = "high",
                 protocol: str | None = None, language: str | None = None, bytes_exposed: int = 0,
                 evidence: Evidence | None = None, remediation: str = "", detail: str = "",
                 job_index: int | None = None, capture: str | None = None) -> Finding:
        ip = flow.server_ip if flow is not None else None
        port = flow.server_port if flow is not None else None
        suppressed = self.policy.exception_for(ip, port) if ip is not None and port is not None else None
        rec = Finding(
            uid=flow.uid if flow is not None else None,
            capture=flow.capture if flow is not None else capture,
            community_id=flow.community_id if flow is not None else None,
            code=code,
            title=TITLES[code],
            severity=severity,
            confidence=confidence,
            client_ip=flow.client_ip if flow is not None else None,
            client_port=flow.client_port if flow is not None else None,
            server_ip=ip,
            server_port=port,
            protocol=protocol or (flow.service.value if flow is not None else None),
            language=language,
            bytes_exposed=bytes_exposed,
            evidence=evidence,
            remediation=remediation,
            detail=detail,
            job_index=job_index,
            ts=flow.ts_start if flow is not None else None,
            suppressed=suppressed,
        )
        k = TallyKey(code, severity, ip, port, suppressed)
        self.tally[k] = self.tally.get(k, 0) + 1
        pr = self.printers.find(ip)
        if pr is not None:
            pr.saw(code, severity, TITLES[code], suppressed is not None)
        return rec

    def _printer(self, flow: FlowRecord) -> Printer:
        return self.printers.get(flow.server_ip)

    # ------------------------------------------------------------------ per flow
    def flow(self, flow: FlowRecord, jobs: list[JobEvidence]) -> list[Finding]:
        out: list[Finding] = []
        uid = flow.uid
        self._done_now = {j.job_index for j, _ in jobs if (uid, j.job_index) in self.reported}
        self.reported.difference_update((uid, i) for i in self._done_now)  # the flow is over
        printing = flow.print
        if flow.internal_errors:
            self.internal_on_flows += flow.internal_errors
            if printing is not False or flow.service in PRINT_SERVICES or flow.server_port in self.policy.print_ports:
                self.internal_on_print = True  # a print dissector or a print port: it may have hidden a job
        port = flow.server_port
        clear = flow.protection is Protection.NONE
        answered = "h" in flow.history or "d" in flow.history  # the server sent a SYN-ACK or data: it listens
        if flow.state.value == "REJ" and port in self.policy.print_ports:
            _earliest(self.closed, (flow.server_ip, port), flow)
        if flow.service is Service.TLS or flow.protection is Protection.TLS:
            self.tls_ports.add((flow.server_ip, port))
        if printing is False:
            if clear and answered and port in self.policy.print_ports and flow.service is not Service.TLS:
                self._listener(flow)
                self._printer(flow).ports.add(port)
            return out
        if self.policy.serves_print(printing, flow.protection):
            self.print_servers.add(flow.server_ip)
        pr = self._printer(flow)
        pr.flows += 1
        pr.ports.add(port)
        pr.services.add(flow.service.value)
        pr.clients.add(flow.client_ip)
        pr.captures.add(flow.capture)
        self.print_seen = True
        pr.print_flows += 1
        if flow.service_violations:
            self.violations_on_print = True
        if flow.missed_bytes:
            self.gaps_on_print = True
            out.append(self._finding("SP902", LOW, flow, confidence="high", detail=(
                f"{flow.missed_bytes} bytes of this print flow are missing from the capture"),
                remediation=REMEDIATION["capture"]))
        if flow.smb1:  # whatever else it carries, SMB1 itself can never be encrypted
            out.append(self._finding("SP103", HIGH, flow, remediation=REMEDIATION["smb"],
                                     detail="SMB1 has no encryption at all"))
        if printing is None:  # encrypted SMB, share unknown: judged at the end (see _unknown_smb)
            u = self.unknown.get(flow.server_ip)
            if u is None:
                self.unknown[flow.server_ip] = u = _Unknown(flow)
            elif (flow.ts_start, flow.uid) < (u.first.ts_start, u.first.uid):
                u.first = flow
            u.flows += 1
            u.bytes += flow.c2s_bytes
            return out
        if clear:  # the client's bytes, and the documents the printer sent back (PJL FSUPLOAD)
            pr.bytes_clear += flow.c2s_bytes + sum(j.bytes for j, _ in jobs if j.direction is JobDirection.S2C)
            if answered and port in self.policy.print_ports and flow.service is not Service.TLS:
                self._listener(flow)
            out += self._cleartext(flow, jobs, pr)
        else:
            pr.bytes_protected += flow.c2s_bytes
            pr.protected_flows += 1
            out += self._protected(flow)
            # jobs sent before the protection started (RFC 2817 upgrade after a job, SMB
            # encryption switched on mid-session) crossed in clear all the same
            early = [(j, ev) for j, ev in jobs if j.protection is Protection.NONE]
            if early:
                pr.bytes_clear += sum(j.bytes for j, _ in early)
                out += self._cleartext(flow, early, pr)
        return out

    def _listener(self, flow: FlowRecord) -> None:
        where = (flow.server_ip, flow.server_port)
        if flow.c2s_bytes or flow.s2c_bytes:
            _earliest(self.listeners, where, flow)  # cleartext bytes crossed: proven
        elif flow.state.value not in ("S1", "OTH", "S0"):  # answered and closed: a complete connect
            _earliest(self.dataless, where, flow)

    def _cleartext(self, flow: FlowRecord, jobs: list[JobEvidence], pr: Printer) -> list[Finding]:
        out: list[Finding] = []
        fix = REMEDIATION.get(flow.service.value, REMEDIATION["ipp"])
        if flow.http_basic_auth:
            out.append(self._finding("SP104", HIGH, flow, remediation=fix + " Rotate the exposed password.",
                                     detail="an Authorization: Basic header crossed in clear (value not shown)"))
        if flow.pjl_fs_commands:
            out.append(self._finding("SP105", HIGH, flow, remediation=REMEDIATION["pjlfs"],
                                     detail=_fs_detail(flow, [j for j, _ in jobs])))
        if not jobs:
            if not flow.pjl_fs_commands:  # SP105 already says what was asked of the printer
                out.append(self._finding("SP302", MEDIUM, flow, remediation=fix, detail=_query_detail(flow)))
            return out
        for job, ev in jobs:
            if job.job_index in self._done_now:
                continue  # already reported when the job ended
            if job.file_transfer not in WRITTEN:
                pr.jobs_clear += 1
            out.append(self._job_finding(flow, job, ev))
        return out

    def job(self, flow: FlowRecord, job: JobRecord, ev: Evidence | None) -> list[Finding]:
        """A job that just ended in clear: its finding now, not when its flow ends (a keep-alive
        connection can stay open long after the document crossed). ``flow`` is the flow's record
        as it stands."""
        if job.protection is not Protection.NONE or flow.print is False:
            return []
        if flow.service not in PRINT_SERVICES:
            return []
        pr = self._printer(flow)
        if job.file_transfer not in WRITTEN:
            pr.jobs_clear += 1
        self.reported.add((flow.uid, job.job_index))
        return [self._job_finding(flow, job, ev)]

    def _job_finding(self, flow: FlowRecord, job: JobRecord, ev: Evidence | None) -> Finding:
        fix = REMEDIATION.get(flow.service.value, REMEDIATION["ipp"])
        if ev is None:  # the evidence stage failed on this job (an internal error was recorded)
            ev = Evidence(sha256=job.sha256, length=job.bytes, text_status="error",
                          text_detail="the evidence stage failed (a bug): sensitive data cannot be ruled out")
        pii = ev.pii_counts or {}
        # an extractor that failed (a bug) cannot rule sensitive data out: the job keeps the
        # severity it could have, never a silent drop to high
        critical = any(pii.get(k) for k in PII_KEYS) or ev.text_status == "error"
        if job.file_transfer in WRITTEN:  # a file planted on the printer: not a print document
            return self._finding(
                "SP105", CRITICAL if critical else HIGH, flow,
                confidence="medium" if job.partial else "high", protocol=job.protocol, language=job.language,
                bytes_exposed=job.bytes, evidence=ev, remediation=REMEDIATION["pjlfs"], job_index=job.job_index,
                detail=_written_detail(job, ev))
        if job.bytes:
            critical = critical or job.holdkey_present
            return self._finding(
                "SP101", CRITICAL if critical else HIGH, flow, confidence="medium" if job.partial else "high",
                protocol=job.protocol, language=job.language, bytes_exposed=job.bytes,
                evidence=ev, remediation=fix, job_index=job.job_index, detail=_job_detail(job, ev))
        return self._finding(
            "SP102", MEDIUM, flow, protocol=job.protocol, evidence=ev, remediation=fix,
            job_index=job.job_index, detail="job names sent in clear; no document bytes seen")

    def _protected(self, flow: FlowRecord) -> list[Finding]:
        out: list[Finding] = []
        if flow.protection is not Protection.TLS:
            return out
        weak = list(flow.tls_weak or ())
        version = flow.tls_version
        old = [w for w in weak if w in ("SSLv3", "TLS 1.0", "TLS 1.1")]
        if old or self.policy.tls_too_old(version):
            out.append(self._finding("SP201", HIGH, flow, remediation=REMEDIATION["tls"],
                                     detail=f"negotiated {version or 'an old version'}"))
        ciphers = [w for w in weak if w in self.policy.weak_ciphers]
        if ciphers:
            out.append(self._finding("SP202", HIGH, flow, remediation=REMEDIATION["tls"],
                                     detail=f"{flow.tls_cipher}: {', '.join(ciphers)}"))
        if any("forward secrecy" in w for w in weak):
            out.append(self._finding("SP203", LOW, flow, remediation=REMEDIATION["tls"],
                                     detail=f"{flow.tls_cipher}: RSA key exchange"))
        if flow.cert_self_signed:
            out.append(self._finding("SP204", INFO if self.policy.allow_self_signed else MEDIUM, flow,
                                     remediation=REMEDIATION["cert"], detail=str(flow.cert_subject)))
        if flow.cert_observable is False:
            out.append(self._finding("SP205", INFO if self.policy.allow_unobservable_certificate else LOW,
                                     flow, confidence="high",
                                     detail=f"{version or 'TLS'}: the certificate is encrypted"))
        not_after = flow.cert_not_after
        if isinstance(not_after, str) and flow.ts_start:
            try:
                expiry = datetime.fromisoformat(not_after.replace("Z", "+00:00"))
                if expiry < datetime.fromtimestamp(flow.ts_start, tz=timezone.utc):
                    out.append(self._finding("SP207", LOW, flow, remediation=REMEDIATION["cert"],
                                             detail=f"expired {not_after}"))
            except (ValueError, OverflowError, OSError):
                pass
        return out

    # ------------------------------------------------------------------ end of run
    def _unknown_smb(self) -> list[Finding]:
        out: list[Finding] = []
        for ip in sorted(self.unknown):
            u = self.unknown[ip]
            pr = self._printer(u.first)
            if ip in self.print_servers:  # a print server: its encrypted sessions are protected print
                pr.protected_flows += u.flows
                pr.bytes_protected += u.bytes
                continue
            pr.unknown_flows += u.flows
            self.unknown_smb = True
            out.append(self._finding(
                "SP206", INFO, u.first, confidence="medium", remediation=REMEDIATION["smb-unknown"],
                detail=f"{u.flows} encrypted SMB session(s): SMB3 encryption hides the tree connect, so printing "
                       "or file copy cannot be told"))
        return out

    def finish(self, stats: Summary) -> list[Finding]:
        out: list[Finding] = self._unknown_smb()
        for where, flow in self.dataless.items():
            if where not in self.tls_ports:  # a TLS port accepts a connect too: no proof of clear text
                _earliest(self.listeners, where, flow)
        for (ip, port), flow in sorted(self.listeners.items()):
            svc = {9100: "raw9100", 515: "lpd", 631: "ipp"}.get(port, flow.service.value)
            self._printer(flow).ports.add(port)
            out.append(self._finding("SP301", MEDIUM, flow, protocol=svc,
                                     remediation=REMEDIATION.get(svc, REMEDIATION["ipp"]),
                                     detail=f"{ip}:{port} accepted a cleartext TCP connection (SYN-ACK) "
                                            "that never became TLS"))
        for (ip, port), flow in sorted(self.closed.items()):
            if (ip, port) not in self.listeners:
                pr = self._printer(flow)
                pr.closed_ports.add(port)
                out.append(self._finding("SP303", INFO, flow, detail=f"{ip}:{port} answered a SYN with RST"))
        for c in stats.captures:
            if c.truncated:
                out.append(self._finding("SP901", INFO, _NOWHERE, remediation=REMEDIATION["capture"], capture=c.path,
                                         detail="the capture file ends inside a record: the end of the traffic "
                                                "is unknown"))
        for c in stats.captures:
            if c.damaged:
                out.append(self._finding("SP903", INFO, _NOWHERE, remediation=REMEDIATION["capture"], capture=c.path,
                                         detail="damaged records were skipped"))
        if not self.print_seen:
            out.append(self._finding("SP904", INFO, _NOWHERE, remediation=REMEDIATION["capture"],
                                     detail="no print flow (cleartext or protected) was seen"))
        return out


class _Unknown:
    """Encrypted SMB sessions to one server whose share could not be seen."""

    __slots__ = ("first", "flows", "bytes")

    def __init__(self, first: FlowRecord) -> None:
        self.first = first
        self.flows = 0
        self.bytes = 0


def _earliest(seen: dict[tuple[str, int], FlowRecord], where: tuple[str, int], flow: FlowRecord) -> None:
    """Keep the earliest flow for ``where``: the same one whatever order the flows are judged in
    (one process or several)."""
    old = seen.get(where)
    if old is None or (flow.ts_start, flow.uid) < (old.ts_start, old.uid):
        seen[where] = flow


def _job_detail(job: JobRecord, ev: Evidence) -> str:
    lang = "unknown content" if job.language == "unknown" else job.language or "a document"
    parts = [f"{job.bytes} bytes of {lang}"]
    if job.direction is JobDirection.S2C:
        how = f" ({job.file_transfer} of {mask(job.document_name)})" if job.file_transfer else ""
        parts[0] += f" sent back by the printer{how}"
    return "; ".join(parts + _facts(job, ev))


def _written_detail(job: JobRecord, ev: Evidence) -> str:
    """What a file written to the printer was: never its name or content in clear."""
    what = f"file written to the printer's file system in clear ({job.file_transfer} of {mask(job.document_name)})"
    return "; ".join([what, f"{job.bytes} bytes, not a print document"] + _facts(job, ev))


def _facts(job: JobRecord, ev: Evidence) -> list[str]:
    parts = []
    if ev.text_detail:
        parts.append(ev.text_detail)
    pii = {k: v for k, v in (ev.pii_counts or {}).items() if v}
    if pii:
        parts.append("sensitive data: " + ", ".join(f"{v} {k}" for k, v in sorted(pii.items())))
    if job.holdkey_present:
        parts.append("a PJL HOLDKEY PIN was sent in clear")
    if job.partial and job.missed_bytes:
        parts.append("partial (part of the job is missing from the capture)")
    elif job.partial:
        parts.append("partial (its end was not captured)")
    return parts


def _fs_detail(flow: FlowRecord, jobs: list[JobRecord]) -> str:
    """The commands, the paths by keyed hash, and what moved (never a path in clear)."""
    parts = ["PJL file-system commands in clear: " + ", ".join(flow.pjl_fs_commands or ())]
    paths = list(flow.pjl_fs_paths or ())
    if paths:
        shown = ", ".join(str(mask(p)) for p in paths[:MAX_PATHS_SHOWN])
        more = f" and {len(paths) - MAX_PATHS_SHOWN} more" if len(paths) > MAX_PATHS_SHOWN else ""
        parts.append(f"{len(paths)} paths named (keyed hashes): {shown}{more}")
    if flow.pjl_fs_listed:
        parts.append(f"{len(flow.pjl_fs_listed)} names listed by the printer")
    read = sum(1 for j in jobs if j.file_transfer == "FSUPLOAD")
    written = sum(1 for j in jobs if j.file_transfer in WRITTEN)
    if read:
        parts.append(f"{read} file(s) read back (FSUPLOAD)")
    if written:
        parts.append(f"{written} file(s) written to the printer")
    return "; ".join(parts)


def _query_detail(flow: FlowRecord) -> str:
    if flow.ipp_operations:
        return "IPP operations in clear: " + ", ".join(map(str, flow.ipp_operations))
    if flow.lpd_queue:
        return "LPD command in clear (queue state or control, no job)"
    if flow.pjl_device_info:
        return "PJL status exchange in clear"
    if flow.rpc_interfaces and any(i in _RPC_FAMILY for i in flow.rpc_interfaces):
        family = " and ".join(dict.fromkeys(_RPC_FAMILY[i] for i in flow.rpc_interfaces if i in _RPC_FAMILY))
        if flow.rpc_calls:
            return f"{family} calls in clear: " + ", ".join(flow.rpc_calls)
        return f"{family} bound in clear (no call seen)"
    return "print protocol exchange in clear without a job"


_RPC_FAMILY = {"MS-RPRN": "spoolss", "MS-PAR": "winspool"}  # how the print RPC interfaces are called
