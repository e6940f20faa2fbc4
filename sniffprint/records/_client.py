"""The workstation record: one client seen printing (``ClientRecord``) and each way it reached a
printer (``ClientPath``) -- the list a Group Policy change targets during a migration to IPPS/TLS.

Invariant: ``client_ip``, ``hostnames``, ``printers``, ``protocols_clear``, ``protocols_protected``,
``jobs_clear``, ``bytes_clear`` and ``last_seen`` are the fields issue 13 pins (a public contract).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..model import PrinterVerdict
from ._schema import _IP, _TS, col


# ------------------------------------------------------------------------------------- client
@dataclass(slots=True, frozen=True, kw_only=True)
class ClientPath:
    """One way a client reached one printer: a protocol, in clear or protected."""

    TYPE: ClassVar[str] = "client_path"
    printer: str = col("the printer (server address)", _IP)
    protocol: str = col("raw9100, lpd, ipp, smb, dcerpc in clear; ipps, raw-tls, lpd-tls, smb3-encrypted, "
                        "rpc-privacy, tls:PORT protected", "category")
    protected: bool = col("the flows were protected (TLS, SMB3 encryption, RPC privacy)", "boolean")
    use: str = col("print (a job in clear, or any protected print flow) or query (cleartext exchanges "
                   "without a job: status monitors, queue state)", "category")
    jobs: int = col("print jobs seen in clear on it (jobs inside TLS cannot be counted)", "UInt32")
    flows: int = col("its print flows", "UInt32")
    bytes: int = col("bytes the client sent over it", "UInt64")
    first_seen: float = col("start of its first flow", _TS)
    last_seen: float = col("end of its last flow", _TS)


@dataclass(slots=True, frozen=True, kw_only=True)
class ClientRecord:
    """One workstation (a client seen printing or talking to a print service): the printers it uses,
    how, and what of it still crosses in clear -- the list a Group Policy change targets."""

    TYPE: ClassVar[str] = "client"
    client_ip: str = col("client address", _IP)
    hostnames: tuple[str, ...] = col("its names as seen: NetBIOS (NBNS), LLMNR and mDNS answers, and the client "
                                     "host its print jobs named (LPD H line, PJL JobAcct2, IPP "
                                     "job-originating-host-name, SMB/NTLMSSP workstation); masked unless "
                                     "--reveal", "object")
    hostname_sources: tuple[str, ...] = col("where the names were seen: nbns, llmnr, mdns, lpd, pjl, ipp, smb, "
                                            "spoolss, dcerpc", "object")
    captures: tuple[str, ...] = col("the captures it was seen printing in", "object")
    verdict: PrinterVerdict = col("exposed (it printed in clear, or its only print traffic was in clear), weak "
                                  "(protected, but a flow's TLS is weak: old version or cipher), protected, or "
                                  "unknown", "category")
    printers: tuple[str, ...] = col("printers it printed to or queried", "object")
    protocols_clear: tuple[str, ...] = col("print protocols it printed over in clear", "object")
    protocols_protected: tuple[str, ...] = col("protected print protocols it printed over", "object")
    queries_clear: tuple[str, ...] = col("print protocols it used in clear without a job (status and queue "
                                         "queries)", "object")
    jobs_clear: int = col("print jobs it sent in clear", "UInt32")
    bytes_clear: int = col("bytes it sent on cleartext print flows", "UInt64")
    bytes_protected: int = col("bytes it sent on protected print flows", "UInt64")
    flows_clear: int = col("its cleartext print flows (jobs and queries)", "UInt32")
    flows_protected: int = col("its protected print flows", "UInt32")
    first_seen: float = col("start of its first print flow", _TS)
    last_seen: float = col("end of its last print flow", _TS)
    last_clear: float | None = col("end of its last cleartext print flow: still in clear as of then", _TS)
    paths: tuple[ClientPath, ...] = col("each printer and protocol it used, in clear or protected", "object")
    reason: str = col("the verdict in words: what it still sends in clear, to which printers", "string")

