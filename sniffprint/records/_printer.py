"""The printer record: one printer, its verdict, what is known of it, its ``Worst`` finding, and the
cleartext ports that answered (``ClearPort``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..model import PrinterVerdict, Severity
from ._schema import _IP, _PORT, col


# ------------------------------------------------------------------------------------ printer
@dataclass(slots=True, frozen=True, kw_only=True)
class Worst:
    TYPE: ClassVar[str] = "worst"
    code: str = col("finding code", "category")
    severity: Severity = col("its severity", "category")
    title: str = col("its title", "string")


@dataclass(slots=True, frozen=True, kw_only=True)
class ClearPort:
    """A cleartext print or admin port of a printer that answered, with the flows that show it."""

    TYPE: ClassVar[str] = "clear_port"
    port: int = col("the port", _PORT)
    service: str = col("what answered there: raw9100, lpd, ipp, http-admin, smb, dcerpc (by content, else by "
                       "port)", "category")
    evidence: tuple[str, ...] = col("how it answered: syn-ack (a connection accepted, nothing more), reply "
                                    "(it answered a request: PJL, LPD, IPP status, SMB), job (it took a print "
                                    "document), page (admin pages served), login (an admin login crossed)",
                                    "object")
    flows: int = col("cleartext flows it answered", "UInt32")
    uids: tuple[str, ...] = col("the earliest of those flows (at most 4): the evidence", "object")


@dataclass(slots=True, frozen=True, kw_only=True)
class PrinterRecord:
    """One printer: a server seen printing or answering on a print port, or a host whose web interface,
    SNMP answers or announcements say it is one; its verdict and what is known of it."""

    TYPE: ClassVar[str] = "printer"
    server_ip: str = col("printer or print server address", _IP)
    captures: tuple[str, ...] = col("the captures it was seen in", "object", ())
    verdict: PrinterVerdict = col("exposed, weak, protected or unknown", "category")
    protocols: tuple[str, ...] = col("print services seen", "object")
    ports: tuple[int, ...] = col("its print ports seen", "object")
    clients: int = col("distinct clients", "UInt32")
    flows: int = col("print flows", "UInt32")
    print_flows: int = col("print flows", "UInt32")
    jobs_clear: int = col("jobs seen in clear", "UInt32")
    bytes_clear: int = col("print bytes in clear: sent to it, and documents it sent back", "UInt64")
    bytes_protected: int = col("print bytes protected", "UInt64")
    closed_ports: tuple[int, ...] = col("print ports that answered a SYN with RST", "object")
    worst: Worst | None = col("worst finding not excepted by policy", "object")
    findings: dict[str, int] = col("count per finding code", "object")
    identified_by: tuple[str, ...] | None = col("how it is known to be a printer: print (seen printing), port "
                                                "(answered on a print port), http, snmp, ipp, pjl, mdns, "
                                                "cups-browse", "object", None, sparse=True)
    name: str | None = col("its name: mDNS instance, IPP printer-name, CUPS queue, SNMP sysName (first known, "
                           "in that order)", "string", None, sparse=True)
    make_model: str | None = col("make and model: IPP printer-make-and-model, DNS-SD ty/product, PJL INFO ID, "
                                 "SNMP hrDeviceDescr, CUPS make-and-model, SNMP sysDescr (first known, in that "
                                 "order)", "string", None, sparse=True)
    serial: str | None = col("serial number (SNMP prtGeneralSerialNumber)", "string", None, sparse=True)
    uuid: str | None = col("device UUID (DNS-SD TXT UUID)", "string", None, sparse=True)
    offers: tuple[str, ...] | None = col("protocols it offers, announced or seen answering: ipp, ipps, raw, "
                                         "raw-tls, lpd, http-admin, https-admin, snmp", "object", None, sparse=True)
    tls_advertised: bool | None = col("it announces TLS: IPPS or https-admin offered, a TLS TXT key, "
                                      "uri-security-supported tls", "boolean", None, sparse=True)
    clear_despite_tls: tuple[str, ...] | None = col("print protocols clients still used in clear although it "
                                                    "offers TLS (announced or used): the migration's "
                                                    "unfinished step", "object", None, sparse=True)
    tls_handshakes: int | None = col("TLS handshakes timed on flows to it (tls_handshake_ms)", "UInt32", None,
                                     sparse=True)
    tls_handshake_ms_p50: float | None = col("median TLS handshake time, ms", "Float64", None, sparse=True)
    tls_handshake_ms_p95: float | None = col("95th percentile TLS handshake time, ms (nearest rank)", "Float64",
                                             None, sparse=True)
    protocols_clear: tuple[str, ...] | None = col("print protocols that carried print jobs to it in clear: "
                                                  "raw9100, lpd, ipp, smb, dcerpc", "object", None, sparse=True)
    protocols_protected: tuple[str, ...] | None = col("protected print protocols it was seen printing over: ipps, "
                                                      "raw-tls, lpd-tls, smb3-encrypted, rpc-privacy, tls:PORT",
                                                      "object", None, sparse=True)
    clear_ports: tuple[ClearPort, ...] | None = col("cleartext print and admin ports that answered (SYN-ACK on a "
                                                    "port never seen with TLS, a PJL/LPD/IPP reply, a job, an "
                                                    "admin page), with their evidence flows", "object", None,
                                                    sparse=True)
    clear_still_enabled: tuple[int, ...] | None = col("seen printing protected, yet these cleartext print and "
                                                      "admin ports still answered: the migration's last step "
                                                      "(disable them) is undone", "object", None,
                                                      sparse=True)
    clear_still_enabled_reason: str | None = col("the same in words, e.g. \"TLS in use (ipps, raw-tls), cleartext "
                                                 "still enabled on 9100/515/80\"", "string", None, sparse=True)

