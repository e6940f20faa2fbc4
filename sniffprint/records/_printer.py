"""The printer record: one printer, its verdict, what is known of it, and its ``Worst`` finding."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..model import PrinterVerdict, Severity
from ._schema import _IP, col


# ------------------------------------------------------------------------------------ printer
@dataclass(slots=True, frozen=True, kw_only=True)
class Worst:
    TYPE: ClassVar[str] = "worst"
    code: str = col("finding code", "category")
    severity: Severity = col("its severity", "category")
    title: str = col("its title", "string")


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
