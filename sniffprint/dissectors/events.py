"""Events a dissector returns from ``feed`` / ``gap`` / ``close`` (see ``dissectors``).

Small frozen records named as nouns. The flow table absorbs flow-level facts (service, print,
protection, TLS and SMB facts) into the ``Flow``; job events build ``Job`` records.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Direction, Protection, Service


@dataclass(slots=True, frozen=True)
class ServiceSeen:
    """The dissector knows more precisely what the flow is (e.g. HTTP that turns out to be IPP)."""

    service: Service


@dataclass(slots=True, frozen=True)
class PrintSeen:
    """Whether the flow is print traffic: True, False, or None (cannot be seen: encrypted SMB)."""

    value: bool | None


@dataclass(slots=True, frozen=True)
class ProtectionSeen:
    """The flow's protection from here on (TLS after an RFC 2817 upgrade, SMB3 transform...)."""

    protection: Protection
    direction: Direction | None = None


@dataclass(slots=True, frozen=True)
class FlowFact:
    """A named flow-level fact for the flow record, e.g. ("tls_version", "TLSv1.3").

    The names are the JSON field names of the flow record; ``Flow.FACTS`` lists the allowed ones,
    so a dissector cannot invent an undocumented field.
    """

    name: str
    value: object


@dataclass(slots=True, frozen=True)
class ContentDone:
    """The dissector needs no more bytes of this flow: bytes are only counted from now on."""


@dataclass(slots=True, frozen=True)
class JobStarted:
    """A new job; it receives the DocumentData that follows.

    ``key`` names a job the dissector may finish later, after others have started (LPD in BSD
    order sends the data files first and the control file that names them last): a keyed job stays
    open until a ``JobEnded`` with its key. An unkeyed job ends when the next job starts.
    """

    protocol: str  # raw9100 | lpd | ipp | smb | dcerpc
    key: str | None = None
    # S2C: a document the server sends back (PJL FSUPLOAD reply). Such a job must be keyed; it
    # neither ends nor replaces the current client -> server job, whatever the interleaving.
    direction: Direction = Direction.C2S


@dataclass(slots=True, frozen=True)
class JobField:
    """Job metadata as sent: name is user, host, job_name, document_name, title, ..."""

    name: str
    value: str
    source: str = ""  # where it stood: pjl, dsc, lpd, ipp, smb, spoolss, dcerpc, pdf-info
    key: str | None = None  # the open keyed job it belongs to (None: the current job)


@dataclass(slots=True, frozen=True)
class DocumentData:
    """Bytes of the current job's document (or of the open job ``key``), in order."""

    data: bytes
    key: str | None = None


@dataclass(slots=True, frozen=True)
class DocumentGap:
    """Bytes of the current job's document (or of job ``key``) that were never captured."""

    length: int
    key: str | None = None


@dataclass(slots=True, frozen=True)
class JobEnded:
    partial: bool = False  # cut by a gap or by the end of the capture
    key: str | None = None  # the keyed job to end (None: the current job)
    # The job ends only because its stream stopped (``close()``), not at an end its protocol
    # marks (UEL/EOJ, a length, a CLOSE): it is whole only if the connection's FIN or RST was
    # seen; a job still open when the capture ends is partial.
    eof: bool = False


@dataclass(slots=True, frozen=True)
class EndpointExpected:
    """The server named one of its own ports as the endpoint of a service (an RPC endpoint
    mapper's ept_map answer): a later connection to that port is expected to speak it, a hint the
    flow table gives the probe (Zeek's expected connections). The flow's server is the host."""

    port: int
    service: Service
    detail: str = ""  # what was mapped there (e.g. the interface)


@dataclass(slots=True, frozen=True)
class Note:
    """Something noteworthy but not a violation (becomes an anomaly with layer 'dissector')."""

    kind: str
    detail: str


Event = (ServiceSeen | PrintSeen | ProtectionSeen | FlowFact | ContentDone | JobStarted | JobField
         | DocumentData | DocumentGap | JobEnded | EndpointExpected | Note)
