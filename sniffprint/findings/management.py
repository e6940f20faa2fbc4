"""Printers managed in clear: admin panels over HTTP (SP106) and SNMP without privacy (SP107).

Both are decided at the end of the run, because whether a host is a printer may be learnt after
its web interface or SNMP agent was used (a print job, an announcement, a Printer-MIB answer in
a later flow), and whether a session cookie was issued at a login may be learnt from another
connection than the one that sends it back. Both are aggregated, so that a browser's six
connections or a poller's fresh source port per round make one finding, not hundreds:

- **SP106**, per (printer, port, client), the worst of:
  critical "admin login in clear": an HTTP Basic or Digest authorization, a password field in a
  form POST, or a session cookie sent back that the printer had set in answer to a login (keyed
  hashes matched across flows);
  medium "admin pages served in clear without login": pages of its web interface served over
  HTTP, or a login asked for in clear (a password field, a 401 Basic/Digest challenge);
  info "HTTP only redirects to HTTPS": every answer sent the client to https://.
- **SP107**, per (agent, manager): SNMP v1/v2c (the community is a password in clear, RFC 1157
  section 3.2.5) or SNMPv3 without privacy (RFC 3414: the PDUs are readable): high when a
  set-request was sent, medium for reads (traps and informs included). SNMPv3 authPriv is
  protected and raises nothing.

The details name credentials by kind, where they stood, length and keyed-hash prefix only
(``records.Credential``); never a value. Memory is bounded by ``MAX_KEYS`` aggregates each. The
same flows in any order (one process or several) give the same findings: each finding names the
earliest flow of its kind, and its details are sorted.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Protection, Service, Severity
from ..records import Credential, Finding, FlowRecord
from .codes import REMEDIATION
from .printers import Printers

MAX_KEYS = 50_000
MAX_CREDENTIALS = 16
MAX_ISSUED = 10_000  # session cookies issued at a login, per printer
LOGIN_KINDS = frozenset({"basic", "digest", "form-urlencoded", "form-multipart"})
CLEAR_SNMP_LEVELS = frozenset({"noAuthNoPriv", "authNoPriv"})
MakeFinding = Callable[..., Finding]
_PDU_ORDER = {name: i for i, name in enumerate(("get-request", "get-next-request", "get-bulk-request", "get-response",
                                                "set-request", "trap", "snmpV2-trap", "inform-request", "report"))}


@dataclass(slots=True)
class _Panel:
    first: FlowRecord
    flows: int = 0
    login_flow: FlowRecord | None = None
    logins: list[Credential] = field(default_factory=list)
    cookies: list[Credential] = field(default_factory=list)
    pages: int = 0
    prompt: bool = False
    redirects: int = 0


@dataclass(slots=True)
class _Agent:
    first: FlowRecord
    flows: int = 0
    set_flow: FlowRecord | None = None
    versions: list[str] = field(default_factory=list)
    pdus: list[str] = field(default_factory=list)
    communities: list[Credential] = field(default_factory=list)
    v3_levels: list[str] = field(default_factory=list)


def _add(items: list, item: object, bound: int) -> None:  # type: ignore[type-arg]
    if item not in items and len(items) < bound:
        items.append(item)


def _earlier(old: FlowRecord | None, new: FlowRecord) -> FlowRecord:
    """The earlier of two flows (by start, then uid): the same whatever order they are judged in."""
    return new if old is None or (new.ts_start, new.uid) < (old.ts_start, old.uid) else old


def _order(c: Credential) -> tuple[str, str, str, str]:
    return (c.kind, c.label or "", c.user_hash or "", c.secret_hash or "")


def _short(h: str | None) -> str:
    return h[:8] if h else "?"


class Management:
    def __init__(self) -> None:
        self.panels: dict[tuple[str, int, str], _Panel] = {}
        self.agents: dict[tuple[str, str], _Agent] = {}
        self.issued: dict[str, set[str]] = {}  # printer -> hashes of cookies set at a login

    def flow(self, flow: FlowRecord) -> None:
        if flow.service is Service.SNMP:
            self._snmp(flow)
        elif flow.service in (Service.HTTP, Service.HTTP_ADMIN) and flow.protection is Protection.NONE:
            self._http(flow)

    # ------------------------------------------------------------- HTTP
    def _http(self, flow: FlowRecord) -> None:
        creds = flow.credentials or ()
        for c in creds:
            if c.kind == "session-set" and c.secret_hash:
                issued = self.issued.setdefault(flow.server_ip, set())
                if len(issued) < MAX_ISSUED:
                    issued.add(c.secret_hash)
        logins = [c for c in creds if c.kind in LOGIN_KINDS]
        cookies = [c for c in creds if c.kind == "session-cookie"]
        if not (logins or cookies or flow.http_pages or flow.http_login_prompt or flow.http_redirect_https):
            return
        key = (flow.server_ip, flow.server_port, flow.client_ip)
        p = self.panels.get(key)
        if p is None:
            if len(self.panels) >= MAX_KEYS:
                return
            p = self.panels[key] = _Panel(flow)
        p.first = _earlier(p.first, flow)
        p.flows += 1
        for c in logins:
            _add(p.logins, c, MAX_CREDENTIALS)
        for c in cookies:
            _add(p.cookies, c, MAX_CREDENTIALS)
        if logins:
            p.login_flow = _earlier(p.login_flow, flow)
        p.pages += flow.http_pages or 0
        p.prompt = p.prompt or bool(flow.http_login_prompt)
        p.redirects += bool(flow.http_redirect_https)

    # ------------------------------------------------------------- SNMP
    def _snmp(self, flow: FlowRecord) -> None:
        trap = flow.server_port == 162
        agent, manager = (flow.client_ip, flow.server_ip) if trap else (flow.server_ip, flow.client_ip)
        key = (agent, manager)
        a = self.agents.get(key)
        if a is None:
            if len(self.agents) >= MAX_KEYS:
                return
            a = self.agents[key] = _Agent(flow)
        a.first = _earlier(a.first, flow)
        a.flows += 1
        for v in flow.snmp_versions or ():
            _add(a.versions, v, 3)
        for pdu in flow.snmp_pdus or ():
            _add(a.pdus, pdu, 16)
        for c in flow.credentials or ():
            if c.kind == "snmp-community":
                _add(a.communities, c, MAX_CREDENTIALS)
        if flow.snmp_security:
            _add(a.v3_levels, flow.snmp_security, 3)
        if flow.snmp_set:
            a.set_flow = _earlier(a.set_flow, flow)

    # ------------------------------------------------------------- end of run
    def finish(self, printers: Printers, make: MakeFinding) -> list[Finding]:
        out: list[Finding] = []
        for (ip, port, client), p in sorted(self.panels.items()):
            if printers.is_printer(ip):
                f = self._panel_finding(ip, port, client, p, make)
                if f is not None:
                    out.append(f)
        for (agent, manager), a in sorted(self.agents.items()):
            if printers.is_printer(agent):
                f = self._agent_finding(agent, manager, a, make)
                if f is not None:
                    out.append(f)
        return out

    def _panel_finding(self, ip: str, port: int, client: str, p: _Panel, make: MakeFinding) -> Finding | None:
        issued = self.issued.get(ip, set())
        replayed = sorted((c for c in p.cookies if c.secret_hash in issued), key=_order)
        where = f"http://{ip}:{port} from {client}"
        flows = f"{p.flows} flow{'s' if p.flows != 1 else ''}"
        fix = REMEDIATION["http-admin"]
        if p.logins or replayed:
            parts = [_credential(c) for c in sorted(p.logins, key=_order)]
            parts += [f"session cookie {c.label} set at a login and sent back in clear "
                      f"(hash {_short(c.secret_hash)})" for c in replayed]
            return make("SP106", Severity.CRITICAL, p.login_flow or p.first, protocol="http-admin",
                        remediation=fix + " Change the admin password that crossed in clear.",
                        detail=f"admin login in clear to {where} ({flows}): " + "; ".join(parts))
        if p.pages or p.prompt:
            parts = []
            if p.pages:
                parts.append(f"{p.pages} page{'s' if p.pages != 1 else ''} of the web interface served over HTTP")
            if p.prompt:
                parts.append("a login is asked for in clear (password field or Basic/Digest challenge): "
                             "the next login will cross in clear")
            return make("SP106", Severity.MEDIUM, p.first, protocol="http-admin", remediation=fix,
                        detail=f"admin pages served in clear without login to {where} ({flows}): " + "; ".join(parts))
        if p.redirects:
            return make("SP106", Severity.INFO, p.first, protocol="http-admin", remediation=fix,
                        detail=f"HTTP only redirects to HTTPS at {where} ({flows}): the protected admin path "
                               "is in place; turn the HTTP listener off when nothing needs the redirect")
        return None

    @staticmethod
    def _agent_finding(agent: str, manager: str, a: _Agent, make: MakeFinding) -> Finding | None:
        clear_versions = [v for v in ("v1", "v2c") if v in a.versions]
        weak_v3 = [lv for lv in ("noAuthNoPriv", "authNoPriv") if lv in a.v3_levels]
        if not clear_versions and not weak_v3:
            return None  # SNMPv3 authPriv (or only an engine discovery): protected
        parts = []
        if clear_versions:
            comms = ", ".join(f"{_short(c.secret_hash)} ({c.secret_length} characters)"
                              for c in sorted(a.communities, key=_order))
            parts.append(f"SNMP {'/'.join(clear_versions)} communities in clear (keyed hashes): {comms or 'none seen'}")
        if weak_v3:
            parts.append(f"SNMPv3 {'/'.join(weak_v3)}: PDUs readable in clear")
        if a.set_flow is not None:
            parts.append("set-request sent: the printer's configuration was changed in clear")
        if a.pdus:
            parts.append("PDUs: " + ", ".join(sorted(a.pdus, key=lambda p: _PDU_ORDER.get(p, 99))))
        flows = f"{a.flows} flow{'s' if a.flows != 1 else ''}"
        severity = Severity.HIGH if a.set_flow is not None else Severity.MEDIUM
        return make("SP107", severity, a.set_flow or a.first, protocol="snmp", remediation=REMEDIATION["snmp"],
                    printer_ip=agent,
                    detail=f"printer {agent} managed in clear by {manager} ({flows}): " + "; ".join(parts))


def _credential(c: Credential) -> str:
    """One credential in a detail: kind, where, lengths and hash prefixes; never a value."""
    what = {"basic": "HTTP Basic authorization", "digest": "HTTP Digest authorization",
            "form-urlencoded": "form login (url-encoded)", "form-multipart": "form login (multipart)"}[c.kind]
    bits = []
    if c.label and c.kind.startswith("form"):
        bits.append(f"field {c.label}")
    if c.user_hash:
        bits.append(f"user {_short(c.user_hash)}")
    if c.secret_length is not None:
        bits.append(f"password {c.secret_length} characters, hash {_short(c.secret_hash)}")
    return what + (f" ({', '.join(bits)})" if bits else "")
