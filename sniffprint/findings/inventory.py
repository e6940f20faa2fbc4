"""The printer inventory: which hosts are printers, what they are, what they offer, TLS cost.

``Inventory.flow`` reads every finished flow record (print or not) for what it says about a
printer; ``finish`` settles what could only be settled at the end. Sources and what each gives:

| source (flow facts) | identifies | describes | offers |
|---|---|---|---|
| print flows, answered print ports (``rules``) | print, port | | |
| ``http_printer`` (web interface) | http | | http-admin |
| ``snmp_printer_mib`` (agent's answers) | snmp | sysName, hrDeviceDescr, sysDescr, serial | snmp |
| ``ipp_printer_*`` (Get-Printer-Attributes) | ipp | printer-name, make-and-model | ipp, ipps (URIs) |
| ``pjl_info_id`` | pjl | model | |
| ``printer_adverts`` (mDNS, CUPS browse) | mdns, cups-browse | name, make and model, uuid | the announced ones |
| any answered flow | | | raw, raw-tls, lpd, ipp, ipps, http-admin, https-admin, snmp by service and port |

``tls_advertised``: an announced ipps or https-admin service, a ``TLS`` TXT key,
``uri-security-supported`` tls or an ``ipps://`` URI. TLS handshake times
(``tls_handshake_ms``) are kept per server; TLS to 443/8443 counts (as https-admin and as a
timing) only for hosts that turn out to be printers.

Bounded: facts are filed only for hosts with a printer fact (``Printers.candidate``, capped); TLS
to web ports is kept aside for at most ``MAX_WEB_HOSTS`` hosts and ``MAX_WEB_TIMINGS`` times each.
"""
from __future__ import annotations

from ..model import PRINT_PORTS, PRINT_SERVICES, Protection, Service
from ..records import FlowRecord
from .paths import clear_name, protected_name
from .printers import ClearSeen, Printer, Printers

PRINT_OFFERS = frozenset({"ipp", "ipps", "raw", "lpd"})
WEB_TLS_PORTS = frozenset({443, 8443})
MAX_WEB_HOSTS = 4096
MAX_WEB_TIMINGS = 256
# (clear?, port) -> what a host answering there offers
_CLEAR_PORTS = {9100: "raw", 515: "lpd", 631: "ipp"}
_TLS_PORTS = {9100: "raw-tls", 631: "ipps"}


def answered(flow: FlowRecord) -> bool:
    """The server answered: a SYN-ACK or data back (TCP), a datagram back (UDP)."""
    if flow.proto == "udp":
        return flow.s2c_packets > 0
    return "h" in flow.history or "d" in flow.history


class Inventory:
    def __init__(self, printers: Printers, print_ports: frozenset[int] = PRINT_PORTS) -> None:
        self.printers = printers
        self.print_ports = print_ports
        self.web: dict[str, list[float]] = {}  # TLS to 443/8443 of hosts not (yet) known as printers

    def flow(self, flow: FlowRecord) -> None:
        ip = flow.server_ip
        self._identity(flow)
        for ad in flow.printer_adverts or ():
            pr = self.printers.get(ad.host, ad.source) if ad.service in PRINT_OFFERS else \
                self.printers.candidate(ad.host)
            if pr is None:
                continue
            pr.offers.add(ad.service)
            ts = flow.ts_start
            pr.describe("name", ad.source, ad.name, ts)
            pr.describe("make_model", ad.source, ad.make_model, ts)
            pr.describe("uuid", ad.source, ad.uuid, ts)
            if ad.service in ("ipps", "https-admin") or ad.tls:
                pr.tls_advertised = True
        self._paths(flow)
        offer = self._observed(flow)
        tls = flow.protection is Protection.TLS
        if tls and flow.server_port in WEB_TLS_PORTS and not self.printers.is_printer(ip):
            self._web(ip, flow.tls_handshake_ms)
            return
        if offer is not None or (tls and flow.tls_handshake_ms is not None and self.printers.find(ip)):
            pr = self.printers.candidate(ip)
            if pr is not None:
                if offer is not None:
                    pr.offers.add(offer)
                if flow.tls_handshake_ms is not None:
                    pr.timing(flow.tls_handshake_ms)

    def _identity(self, flow: FlowRecord) -> None:
        ip, ts = flow.server_ip, flow.ts_start
        if flow.http_printer:
            self.printers.get(ip, "http")
        if flow.service is Service.SNMP and (flow.snmp_printer_mib or flow.snmp_sys_descr or flow.snmp_sys_name):
            agent = ip if flow.server_port != 162 else flow.client_ip
            pr = self.printers.get(agent, "snmp") if flow.snmp_printer_mib else self.printers.candidate(agent)
            if pr is not None:
                pr.describe("name", "snmp", flow.snmp_sys_name, ts)
                pr.describe("make_model", "snmp-device", flow.snmp_device_descr, ts)
                pr.describe("make_model", "snmp-descr", flow.snmp_sys_descr, ts)
                pr.describe("serial", "snmp", flow.snmp_serial, ts)
        if flow.ipp_printer_make_model or flow.ipp_printer_name or flow.ipp_printer_uris or flow.ipp_uri_security:
            pr = self.printers.get(ip, "ipp")
            pr.describe("name", "ipp", flow.ipp_printer_name, ts)
            pr.describe("make_model", "ipp", flow.ipp_printer_make_model, ts)
            for uri in flow.ipp_printer_uris or ():
                scheme = uri.split(":", 1)[0].lower()
                if scheme in ("ipp", "ipps"):
                    pr.offers.add(scheme)
                if scheme == "ipps":
                    pr.tls_advertised = True
            if "tls" in (flow.ipp_uri_security or ()):
                pr.tls_advertised = True
        if flow.pjl_info_id:
            self.printers.get(ip, "pjl").describe("make_model", "pjl", flow.pjl_info_id, ts)

    def _paths(self, flow: FlowRecord) -> None:
        """The migration view of a printer: the protected protocols it was seen printing over, the
        ports it speaks TLS on, and every cleartext print or admin port that answered, with how."""
        if flow.proto != "tcp":
            return
        ip = flow.server_ip
        if (flow.service is Service.TLS or flow.protection is Protection.TLS) and flow.server_port in self.print_ports:
            pr = self.printers.candidate(ip)  # a TLS listener on a print port accepts connects in clear too
            if pr is not None:
                pr.tls_ports.add(flow.server_port)
        if flow.print is True and flow.protection not in (Protection.NONE, Protection.UNKNOWN):
            pr = self.printers.candidate(ip)
            if pr is not None:
                pr.protected_protocols.add(protected_name(flow))
            return
        kinds = clear_evidence(flow, self.print_ports)
        if kinds:
            pr = self.printers.candidate(ip)
            if pr is not None:
                seen = pr.clear_seen.get((flow.server_port, clear_name(flow)))
                if seen is None:
                    seen = pr.clear_seen[(flow.server_port, clear_name(flow))] = ClearSeen()
                seen.saw(kinds, flow.ts_start, flow.uid, complete=flow.state.value not in ("S1", "OTH", "S0"))

    @staticmethod
    def _observed(flow: FlowRecord) -> str | None:
        """What the server was seen offering by answering this flow (None: nothing printer-ish)."""
        if not answered(flow):
            return None
        port = flow.server_port
        if flow.protection is Protection.TLS:
            return _TLS_PORTS.get(port) or ("https-admin" if port in WEB_TLS_PORTS else None)
        if flow.service is Service.HTTP_ADMIN:
            return "http-admin"
        if flow.service is Service.SNMP and port == 161:
            return "snmp"
        if flow.proto == "tcp" and flow.service in (Service.RAW9100, Service.LPD, Service.IPP, Service.OTHER,
                                                    Service.HTTP):
            by_service = {Service.RAW9100: "raw", Service.LPD: "lpd", Service.IPP: "ipp"}.get(flow.service)
            return by_service or _CLEAR_PORTS.get(port)
        return None

    def _web(self, ip: str, ms: float | None) -> None:
        times = self.web.get(ip)
        if times is None:
            if len(self.web) >= MAX_WEB_HOSTS:
                return
            times = self.web[ip] = []
        if ms is not None and len(times) < MAX_WEB_TIMINGS:
            times.append(ms)

    def finish(self) -> None:
        """TLS to a web port of a host that turned out to be a printer: its https-admin."""
        for ip, times in self.web.items():
            pr = self.printers.find(ip)
            if pr is not None and pr.identified_by:
                _web_to(pr, times)
        self.web.clear()


def clear_evidence(flow: FlowRecord, print_ports: frozenset[int] = PRINT_PORTS) -> set[str]:
    """How a cleartext print or admin port answered this flow (empty: not such a port, not in
    clear, or no answer): login (an admin login crossed), job (a print document was taken: a job
    in a page description language), page (admin pages served), reply (data back), syn-ack (the
    connection was accepted, nothing more)."""
    if flow.protection is not Protection.NONE or flow.service is Service.TLS or not answered(flow):
        return set()
    admin = flow.service is Service.HTTP_ADMIN
    printing = flow.service in PRINT_SERVICES and flow.print is True
    if not (admin or printing or flow.server_port in print_ports):
        return set()
    kinds = set()
    if admin and (flow.credentials or flow.http_basic_auth):
        kinds.add("login")
    if admin and flow.http_pages:
        kinds.add("page")
    if printing and flow.jobs and flow.languages not in ((), ("PJL",)):
        kinds.add("job")
    if flow.s2c_bytes:
        kinds.add("reply")
    return kinds or {"syn-ack"}


def _web_to(pr: Printer, times: list[float]) -> None:
    pr.offers.add("https-admin")
    for ms in times:
        pr.timing(ms)
