"""Findings: what a flow and its jobs expose, as ``records.Finding`` with stable codes.

The codes, their titles and remediations are documented in ``codes.py`` (SP1xx clear, SP2xx
weak or unverifiable protection, SP3xx cleartext paths still open, SP9xx capture quality).
Every flow also feeds the printer inventory (``inventory``: which hosts are printers, what they
are and offer, TLS handshake times) and the management aggregates (``management``: admin panels
and SNMP in clear, SP106/SP107, decided at the end of the run).

``Findings`` takes each finished flow (a ``FlowRecord``) with its jobs and their evidence, and
each job the moment it ends (a keep-alive connection can stay open long after its document
crossed); ``finish`` adds the per-port and capture-level findings. Every finding is counted in a
bounded tally (``records.TallyKey``) that the verdict reads, and against its printer
(``printers``). A finding whose server matches a policy exception is kept with ``suppressed`` set
to the reason and never counts toward exit status 1. The words of each finding's detail are
``details``; the weaknesses of a flow under TLS are ``protection``.
"""
from __future__ import annotations

import secrets

from ..evidence.pii import PII_KEYS
from ..model import PRINT_SERVICES, JobDirection, Protection, Service, Severity
from ..records import Evidence, Finding, FlowRecord, JobRecord, Summary, TallyKey
from .codes import REMEDIATION, TITLES
from .details import WRITTEN, fs_detail, job_detail, query_detail, query_only, written_detail
from .inventory import Inventory
from .management import Management
from .policy import Policy, PrintServers
from .printers import Printer, Printers
from .protection import tls_findings

JobEvidence = tuple[JobRecord, Evidence | None]
_NOWHERE = None  # capture-level findings have no flow
INFO, LOW, MEDIUM, HIGH, CRITICAL = Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL


class Findings:
    """Turns finished flows (with their jobs and evidence) into findings; ``finish`` adds the
    per-printer, per-port and capture-level findings; ``printers.records()`` the printer records."""

    def __init__(self, policy: Policy | None = None, *, hash_key: bytes | None = None) -> None:
        self.policy = policy or Policy()
        # names in details (file paths, document names) are masked with the run's site key
        # (``evidence.sitekey``); without one, a key of this object's own: never a constant
        self.hash_key = hash_key or secrets.token_bytes(32)
        self.printers = Printers()
        self.inventory = Inventory(self.printers)
        self.management = Management()
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
                 job_index: int | None = None, capture: str | None = None,
                 printer_ip: str | None = None) -> Finding:
        """``printer_ip``: the printer the finding is about when it is not the flow's server (an
        SNMP trap the printer sent to its manager)."""
        ip = flow.server_ip if flow is not None else None
        port = flow.server_port if flow is not None else None
        target = printer_ip or ip
        suppressed = self.policy.exception_for(target, port) if target is not None and port is not None else None
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
        k = TallyKey(code, severity, target, port, suppressed)
        self.tally[k] = self.tally.get(k, 0) + 1
        pr = self.printers.find(target)
        if pr is not None:
            pr.saw(code, severity, TITLES[code], suppressed is not None)
        return rec

    def _printer(self, flow: FlowRecord, why: str = "print") -> Printer:
        return self.printers.get(flow.server_ip, why)

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
        if printing is not False:
            self._printer(flow)  # before the inventory files what the flow says about it
        self.inventory.flow(flow)
        self.management.flow(flow)
        if flow.proto != "tcp":
            return out  # UDP: inventory and management only (no print protocol runs over UDP)
        answered = "h" in flow.history or "d" in flow.history  # the server sent a SYN-ACK or data: it listens
        if flow.state.value == "REJ" and port in self.policy.print_ports:
            _earliest(self.closed, (flow.server_ip, port), flow)
        if flow.service is Service.TLS or flow.protection is Protection.TLS:
            self.tls_ports.add((flow.server_ip, port))
        if printing is False:
            if clear and answered and port in self.policy.print_ports and flow.service is not Service.TLS:
                self._listener(flow)
                self._printer(flow, "port").ports.add(port)
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
            out += tls_findings(flow, self.policy, self._finding)
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
                                     detail=fs_detail(flow, [j for j, _ in jobs], self.hash_key)))
        jobs = [(j, ev) for j, ev in jobs if not query_only(j)]
        if not jobs:
            if not flow.pjl_fs_commands:  # SP105 already says what was asked of the printer
                out.append(self._finding("SP302", MEDIUM, flow, remediation=fix, detail=query_detail(flow)))
            return out
        for job, ev in jobs:
            if job.job_index in self._done_now:
                continue  # already reported when the job ended
            if job.file_transfer not in WRITTEN:
                pr.jobs_clear += 1
                pr.clear_job_protocols.add(job.protocol)
            out.append(self._job_finding(flow, job, ev))
        return out

    def job(self, flow: FlowRecord, job: JobRecord, ev: Evidence | None) -> list[Finding]:
        """A job that just ended in clear: its finding now, not when its flow ends (a keep-alive
        connection can stay open long after the document crossed). ``flow`` is the flow's record
        as it stands."""
        if job.protection is not Protection.NONE or flow.print is False:
            return []
        if flow.service not in PRINT_SERVICES or query_only(job):
            return []  # a query is judged with its flow (SP302)
        pr = self._printer(flow)
        if job.file_transfer not in WRITTEN:
            pr.jobs_clear += 1
            pr.clear_job_protocols.add(job.protocol)
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
                detail=written_detail(job, ev, self.hash_key))
        if job.bytes:
            critical = critical or job.holdkey_present
            return self._finding(
                "SP101", CRITICAL if critical else HIGH, flow, confidence="medium" if job.partial else "high",
                protocol=job.protocol, language=job.language, bytes_exposed=job.bytes,
                evidence=ev, remediation=fix, job_index=job.job_index, detail=job_detail(job, ev, self.hash_key))
        return self._finding(
            "SP102", MEDIUM, flow, protocol=job.protocol, evidence=ev, remediation=fix,
            job_index=job.job_index, detail="job names sent in clear; no document bytes seen")

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
        self.inventory.finish()
        out += self.management.finish(self.printers, self._finding)
        for where, flow in self.dataless.items():
            if where not in self.tls_ports:  # a TLS port accepts a connect too: no proof of clear text
                _earliest(self.listeners, where, flow)
        for (ip, port), flow in sorted(self.listeners.items()):
            svc = {9100: "raw9100", 515: "lpd", 631: "ipp"}.get(port, flow.service.value)
            self._printer(flow, "port").ports.add(port)
            out.append(self._finding("SP301", MEDIUM, flow, protocol=svc,
                                     remediation=REMEDIATION.get(svc, REMEDIATION["ipp"]),
                                     detail=f"{ip}:{port} accepted a cleartext TCP connection (SYN-ACK) "
                                            "that never became TLS"))
        for (ip, port), flow in sorted(self.closed.items()):
            if (ip, port) not in self.listeners:
                pr = self._printer(flow, "port")
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
