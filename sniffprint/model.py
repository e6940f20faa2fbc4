"""Core types shared by every layer: the vocabulary of the pipeline.

sources -> ``RawFrame`` -> decode -> (transient tuples) -> flows -> ``Flow`` records, ``Anomaly``
records. Per-packet data never becomes an object that outlives the packet: ``RawFrame`` is a
NamedTuple (a tuple, the cheapest record Python has) and the decoder hands plain tuples on.

Invariants:
- Closed sets are Enums whose values are the strings of the JSON contract (docs/json.md).
- ``Flow`` (engine) is the only mutable record; it is owned by ``FlowTable`` until the flow ends,
  then frozen into a ``records.FlowRecord``. The typed output records live in ``records``.
"""
from __future__ import annotations

import enum
from typing import NamedTuple


class Direction(enum.IntEnum):
    C2S = 0  # client -> server (originator)
    S2C = 1  # server -> client (responder)


class JobDirection(str, enum.Enum):
    """Which way a job's document crossed: the JSON ``direction`` of a job."""

    C2S = "c2s"  # client -> printer: a print job, or a file written to the printer
    S2C = "s2c"  # printer -> client: a document or file the printer sent back (PJL FSUPLOAD...)


class Service(str, enum.Enum):
    RAW9100 = "raw9100"
    LPD = "lpd"
    IPP = "ipp"
    SMB = "smb"
    TLS = "tls"
    HTTP = "http"
    DCERPC = "dcerpc"  # DCE/RPC over TCP (ncacn_ip_tcp): print RPC, the endpoint mapper
    HTTP_ADMIN = "http-admin"  # a printer's web interface (embedded web server, CUPS) over HTTP
    SNMP = "snmp"
    MDNS = "mdns"  # multicast DNS / DNS-SD (RFC 6762, RFC 6763)
    CUPS_BROWSE = "cups-browse"  # CUPS 1.x browse packets on UDP 631
    NBNS = "nbns"  # NetBIOS name service (RFC 1002), UDP 137
    LLMNR = "llmnr"  # link-local multicast name resolution (RFC 4795), UDP 5355
    OTHER = "other"


class Protection(str, enum.Enum):
    NONE = "none"
    TLS = "tls"
    SMB3 = "smb3-encrypted"
    RPC_PRIVACY = "rpc-privacy"  # print RPC at packet privacy: the stubs are sealed
    UNKNOWN = "unknown"


class Orientation(str, enum.Enum):
    """How the flow table decided which side is the client."""

    SYN = "syn"  # saw the SYN (or SYN-ACK): certain
    PORT = "port"  # mid-stream start: the side on a well-known/print port is the server (Zeek '^')
    FIRST = "first"  # no better hint: the sender of the first packet is the client


class Severity(str, enum.Enum):
    """Ordered: info < low < medium < high < critical (comparisons use the rank, not the text)."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class ConnState(str, enum.Enum):
    """Zeek conn_state of a TCP flow."""

    S0 = "S0"  # SYN seen, no reply
    REJ = "REJ"  # SYN answered by RST
    S1 = "S1"  # established, not closed
    SF = "SF"  # established and closed by FIN from both sides
    S2 = "S2"  # established, FIN from the client only
    S3 = "S3"  # established, FIN from the server only
    RSTO = "RSTO"  # established, the client reset it
    RSTR = "RSTR"  # established, the server reset it
    OTH = "OTH"  # no SYN seen: mid-stream


class PrinterVerdict(str, enum.Enum):
    """What one printer's traffic shows, worst first."""

    EXPOSED = "exposed"
    WEAK = "weak"
    PROTECTED = "protected"
    UNKNOWN = "unknown"


# Link-layer header types (https://www.tcpdump.org/linktypes.html); values are LINKTYPE_*.
LINKTYPE_NULL = 0  # BSD loopback: 4-byte address family in host byte order
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101  # raw IPv4 or IPv6, version nibble decides
LINKTYPE_LOOP = 108  # OpenBSD loopback: address family in network byte order
LINKTYPE_LINUX_SLL = 113  # Linux cooked v1
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276  # Linux cooked v2
DLT_RAW_ALT = 12  # some BSDs write DLT_RAW as 12 or 14 in pcap files
DLT_RAW_ALT2 = 14

PRINT_PORTS = frozenset({9100, 515, 631})
"""Print ports: raw JetDirect, LPD, IPP (the policy's default ``print_ports``; a TLS flow to one
of them counts as print traffic, since a TLS flow's content cannot be seen)."""
PRINT_SERVICES = frozenset({Service.RAW9100, Service.LPD, Service.IPP, Service.SMB, Service.DCERPC})
"""Services that carry print jobs (the policy's default ``print_protocols``)."""


class RawFrame(NamedTuple):
    """One captured frame as a source hands it over."""

    ts: float  # seconds since the epoch
    linktype: int  # LINKTYPE_* of the interface it was captured on
    data: bytes  # captured bytes (may be shorter than wirelen: snaplen)
    wirelen: int  # original length on the wire
    number: int  # 1-based frame number across the whole run


class FlowKey(NamedTuple):
    """A flow's endpoints, oriented client -> server, IPs as text."""

    proto: str
    client_ip: str
    client_port: int
    server_ip: str
    server_port: int


class ExitCode(enum.IntEnum):
    """The exit statuses of every command (README "Exit codes"); here, in the core vocabulary, so
    that the CLI can name them without importing the analysis (``findings.verdict`` decides them)."""

    CLEAN = 0
    EXPOSED = 1
    USAGE = 2
    INCONCLUSIVE = 3
    INTERNAL = 4
