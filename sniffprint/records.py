"""The typed records a run produces, and the one schema each of them carries.

Every stage after the flow table hands these frozen records on; nothing downstream of the engine
is a ``dict[str, Any]``. Each field is declared once, with ``col()``, and that declaration is the
schema from which everything else is derived:

- the JSON lines of ``scan --format json`` (``codec.to_json``: field name = JSON key, in order;
  ``sparse`` fields are written only when known, so older consumers see no new nulls);
- the pandas frames (``report.*_frame()``: column = field, dtype from ``dtype``);
- the CSV columns, the README/docs contract tables (``docs/json.md``, checked by a test).

Invariants:
- Field names are the public JSON contract: fields may be added, never renamed or removed.
- Closed sets are ``Enum``s whose values are the JSON strings; ``Severity`` is ordered.
- Collections are tuples (records are immutable) except the small per-record dicts of the
  contract (``sources``, ``pii_counts``, ``hashed_names``, ``findings``).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from .model import ConnState, Orientation, PrinterVerdict, Protection, Service, Severity

__all__ = ["Anomaly", "CaptureSummary", "Column", "Evidence", "Finding", "FlowRecord", "JobRecord",
           "PrinterRecord", "RECORD_TYPES", "Record", "Summary", "TallyKey", "Thumbnail", "Worst", "col",
           "columns"]


class Column(NamedTuple):
    """One field of a record as the schema sees it."""

    name: str
    dtype: str  # pandas dtype of its frame column ("object" for lists and dicts)
    doc: str  # one line for the contract tables
    sparse: bool  # written to JSON only when not None


def col(doc: str, dtype: str, default: Any = dataclasses.MISSING, *, sparse: bool = False,
        factory: Any = dataclasses.MISSING) -> Any:
    """Declare a record field with its schema (``dtype``, one-line ``doc``, ``sparse``)."""
    meta = {"doc": doc, "dtype": dtype, "sparse": sparse}
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def columns(cls: type) -> list[Column]:
    """The schema of a record class, in field order."""
    return [Column(f.name, f.metadata["dtype"], f.metadata["doc"], f.metadata["sparse"])
            for f in dataclasses.fields(cls)]


_IP, _PORT = "string", "UInt16"
_TS = "datetime64[ns, UTC]"


# ------------------------------------------------------------------------------------ anomaly
@dataclass(slots=True, frozen=True, kw_only=True)
class Anomaly:
    """Something odd about the input (Zeek's weird.log): recorded, never raised."""

    TYPE: ClassVar[str] = "anomaly"
    ts: float | None = col("when (seconds since the epoch), or null", _TS)
    uid: str | None = col("flow it belongs to, or null", "string")
    layer: str = col("capture, decode, flow, reassembly, dissector, evidence or internal", "category")
    kind: str = col("e.g. truncated_capture, bad_ip_header, content_gap, flow_evicted", "category")
    detail: str = col("what and where, never bytes of the traffic", "string")


# --------------------------------------------------------------------------------------- flow
@dataclass(slots=True, frozen=True, kw_only=True)
class FlowRecord:
    """One TCP connection, as the flow table saw it when it ended."""

    TYPE: ClassVar[str] = "flow"
    uid: str = col("stable flow id (same capture, same uid), Zeek style", "string")
    proto: str = col("transport: tcp", "category")
    client_ip: str = col("client address (the side that opened the connection)", _IP)
    client_port: int = col("client port", _PORT)
    server_ip: str = col("server address", _IP)
    server_port: int = col("server port", _PORT)
    ip_version: int = col("4 or 6", "UInt8")
    service: Service = col("raw9100, lpd, ipp, smb, tls, http, dcerpc or other, decided by content, not by port",
                           "category")
    service_violations: tuple[str, ...] = col("`-name` of each dissector detached by a protocol violation",
                                              "object")
    protection: Protection = col("none, tls, smb3-encrypted, rpc-privacy or unknown", "category")
    print: bool | None = col("print traffic: true, false, or null when it cannot be seen (encrypted SMB)",
                             "boolean")
    c2s_bytes: int = col("distinct stream payload bytes client to server (each byte once)", "UInt64")
    s2c_bytes: int = col("distinct stream payload bytes server to client", "UInt64")
    c2s_packets: int = col("packets client to server", "UInt64")
    s2c_packets: int = col("packets server to client", "UInt64")
    c2s_wire_bytes: int = col("payload bytes client to server incl. retransmissions", "UInt64")
    s2c_wire_bytes: int = col("payload bytes server to client incl. retransmissions", "UInt64")
    missed_bytes: int = col("bytes known to be missing from the capture (gaps, never zero-filled)", "UInt64")
    history: str = col("Zeek-style history letters (README)", "string")
    state: ConnState = col("Zeek conn_state: S0, REJ, S1, SF, S2, S3, RSTO, RSTR, OTH", "category")
    orientation: Orientation = col("how the client side was decided: syn, port or first", "category")
    ts_start: float = col("first packet", _TS)
    ts_end: float = col("last packet", _TS)
    duration: float = col("seconds from first to last packet", "Float64")
    rexmit_bytes: int = col("retransmitted payload bytes", "UInt64")
    bad_checksums: int = col("segments with a bad TCP checksum (kept, never dropped)", "UInt64")
    anomalies: int = col("anomalies recorded on this flow", "UInt64")
    languages: tuple[str, ...] = col("print languages of its jobs, in order of first appearance", "object")
    jobs: int = col("print jobs seen", "UInt64")
    tls_version: str | None = col("negotiated TLS version", "string", None)
    tls_cipher: str | None = col("negotiated cipher suite", "string", None)
    sni: str | None = col("server name the client asked for", "string", None)
    cert_subject: str | None = col("server certificate subject (TLS <= 1.2)", "string", None)
    cert_issuer: str | None = col("server certificate issuer", "string", None)
    cert_not_after: str | None = col("certificate expiry (ISO 8601)", "string", None)
    cert_self_signed: bool | None = col("certificate is self-signed", "boolean", None)
    smb_dialect: str | None = col("negotiated SMB dialect", "string", None)
    tls_alpn: tuple[str, ...] | None = col("ALPN protocols offered", "object", None)
    tls_offered_versions: tuple[str, ...] | None = col("TLS versions the client offered", "object", None)
    tls_weak: tuple[str, ...] | None = col("why the protection is weak (old version, cipher...)", "object", None)
    cert_key: str | None = col("certificate public key type and size", "string", None)
    cert_observable: bool | None = col("false when TLS 1.3 hides the certificate", "boolean", None)
    http_upgrade_tls: bool | None = col("an RFC 2817 Upgrade: TLS took place", "boolean", None, sparse=True)
    http_basic_auth: bool | None = col("an HTTP Basic password crossed (never the value)", "boolean", None,
                                       sparse=True)
    ipp_operations: tuple[str, ...] | None = col("IPP operations seen", "object", None, sparse=True)
    lpd_queue: str | None = col("LPD queue named", "string", None, sparse=True)
    pjl_device_info: str | None = col("PJL INFO/USTATUS reply seen", "string", None, sparse=True)
    smb1: bool | None = col("SMB1 was spoken", "boolean", None, sparse=True)
    smb_signing: bool | None = col("SMB signing in use", "boolean", None, sparse=True)
    smb_encryption_capable: bool | None = col("the SMB server offered encryption", "boolean", None, sparse=True)
    smb_encryption_required: bool | None = col("the session or share requires encryption", "boolean", None,
                                               sparse=True)
    smb_cipher: str | None = col("SMB3 cipher negotiated", "string", None, sparse=True)
    smb_session_flags: int | None = col("SMB2 SessionFlags of the session setup response", "UInt16", None,
                                        sparse=True)
    smb_user: str | None = col("NTLMSSP user (masked unless --reveal)", "string", None, sparse=True)
    smb_share: str | None = col("tree connect share names", "string", None, sparse=True)
    spoolss_auth_level: str | None = col("DCE/RPC auth level on the spoolss pipe", "string", None, sparse=True)
    rpc_interfaces: tuple[str, ...] | None = col("DCE/RPC interfaces bound: MS-RPRN, MS-PAR, EPM, others by UUID",
                                                 "object", None, sparse=True)
    rpc_auth_level: str | None = col("DCE/RPC auth level of the print calls (weakest): none, connect, call, pkt, "
                                     "integrity or privacy", "string", None, sparse=True)
    rpc_auth_type: str | None = col("DCE/RPC security provider of the print binds: NTLMSSP, SPNEGO, Kerberos...",
                                    "string", None, sparse=True)
    rpc_calls: tuple[str, ...] | None = col("print RPC calls seen in clear (EnumPrinters, OpenPrinterEx...)",
                                            "object", None, sparse=True)

    FACTS: ClassVar[frozenset[str]] = frozenset()  # filled below: fields a dissector may set


FlowRecord.FACTS = frozenset(c.name for c in columns(FlowRecord)
                             if c.name.startswith(("tls_", "cert_", "smb", "sni", "http_", "ipp_", "lpd_",
                                                   "pjl_", "spoolss_", "rpc_")))


# ---------------------------------------------------------------------------------------- job
@dataclass(slots=True, frozen=True, kw_only=True)
class JobRecord:
    """One print job (one document and its metadata) as it crossed the wire."""

    TYPE: ClassVar[str] = "job"
    uid: str = col("uid of its flow", "string")
    job_index: int = col("index of the job in its flow", "UInt32")
    protocol: str = col("raw9100, lpd, ipp, smb or dcerpc", "category")
    language: str | None = col("print language of the document body", "category")
    languages: tuple[str, ...] = col("every language seen in it (PJL first when present)", "object")
    user: str | None = col("user name as sent (masked unless --reveal)", "string")
    host: str | None = col("client host name as sent (masked)", "string")
    job_name: str | None = col("job name (masked)", "string")
    document_name: str | None = col("document name (masked)", "string")
    title: str | None = col("title (masked)", "string")
    bytes: int = col("document bytes captured", "UInt64")
    missed_bytes: int = col("document bytes missing from the capture", "UInt64")
    partial: bool = col("cut by a gap or by the end of the capture", "boolean")
    protection: Protection = col("protection of the flow when the job started", "category")
    author: str | None = col("author the document states (masked)", "string", None)
    creator: str | None = col("creating application (masked)", "string", None)
    producer: str | None = col("producing library (PDF)", "string", None)
    creation_date: str | None = col("creation date the document states", "string", None)
    pages: str | None = col("page count the document states", "string", None)
    lpd_print_type: str | None = col("LPD control-file print type", "string", None)
    pjl_device_info: str | None = col("PJL device reply seen during the job", "string", None)
    holdkey_present: bool = col("a PJL HOLDKEY PIN was sent (never the PIN)", "boolean", False)
    compression: str | None = col("compression of the document as sent", "string", None)
    sources: dict[str, str] = col("where each field stood: pjl, dsc, pdf-info, xmp, lpd, ipp, smb", "object",
                                  factory=dict)
    sha256: str | None = col("SHA-256 of the captured document bytes", "string", None)

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("user", "host", "job_name", "document_name", "title", "author",
                                              "creator")


# ----------------------------------------------------------------------------------- evidence
@dataclass(slots=True, frozen=True, kw_only=True)
class Thumbnail:
    TYPE: ClassVar[str] = "thumbnail"
    status: str = col("ok, no-ghostscript, unsupported, failed or skipped", "category")
    detail: str = col("why, in one line", "string")
    path: str | None = col("PNG in the evidence folder", "string", None)


@dataclass(slots=True, frozen=True, kw_only=True)
class Evidence:
    """Proof that a document crossed in clear, without leaking it again (``evidence.stage``)."""

    TYPE: ClassVar[str] = "evidence"
    sha256: str | None = col("SHA-256 of the reassembled document as captured", "string")
    length: int | None = col("its length in bytes", "UInt64")
    complete: bool | None = col("every byte captured and kept: the hash is the document's own", "boolean", None)
    missed_bytes: int | None = col("bytes of it missing from the capture", "UInt64", None)
    hashed_names: dict[str, str] | None = col("keyed BLAKE2b of user, host, job, document name, title, author",
                                              "object", None)
    masked_excerpt: str | None = col("word shapes of its text, digits masked", "string", None)
    pii_counts: dict[str, int] | None = col("sensitive data found: email, phone, ssn, card, iban, keyword",
                                            "object", None)
    text_status: str | None = col("text, raster, no-text, unsupported, truncated, not-kept or error",
                                  "category", None)
    text_detail: str | None = col("what the extractor saw", "string", None)
    pages: int | str | None = col("page count", "object", None)
    thumbnail: Thumbnail | None = col("pixelated page-1 thumbnail (evidence folder only)", "object", None)
    carved_path: str | None = col("the carved document (--carve only)", "string", None)
    names: dict[str, str] | None = col("metadata as sent (--reveal only)", "object", None, sparse=True)
    text_chars: int | None = col("characters of text extracted", "UInt64", None, sparse=True)
    carved_sha256: str | None = col("SHA-256 of the carved file", "string", None, sparse=True)
    text_path: str | None = col("the extracted text (--carve only)", "string", None, sparse=True)


# ------------------------------------------------------------------------------------ finding
@dataclass(slots=True, frozen=True, kw_only=True)
class Finding:
    """What a flow, a job or the capture exposes, with a stable code (``findings.rules``)."""

    TYPE: ClassVar[str] = "finding"
    uid: str | None = col("uid of the flow, or null for a capture-level finding", "string")
    code: str = col("stable finding code (SP101...)", "category")
    title: str = col("what the code means", "string")
    severity: Severity = col("info < low < medium < high < critical", "category")
    confidence: str = col("high, medium or low", "category")
    client_ip: str | None = col("client address", _IP)
    client_port: int | None = col("client port", _PORT)
    server_ip: str | None = col("server (printer) address", _IP)
    server_port: int | None = col("server port", _PORT)
    protocol: str | None = col("print protocol", "category")
    language: str | None = col("print language of the exposed document", "category")
    bytes_exposed: int = col("document bytes that crossed in clear", "UInt64")
    evidence: Evidence | None = col("redacted proof ({} when none)", "object")
    remediation: str = col("what to do about it", "string")
    detail: str = col("the specifics, redacted", "string")
    job_index: int | None = col("the job in its flow", "UInt32")
    ts: float | None = col("start of the flow", _TS)
    suppressed: str | None = col("the policy exception's reason, or null", "string")


# ------------------------------------------------------------------------------------ printer
@dataclass(slots=True, frozen=True, kw_only=True)
class Worst:
    TYPE: ClassVar[str] = "worst"
    code: str = col("finding code", "category")
    severity: Severity = col("its severity", "category")
    title: str = col("its title", "string")


@dataclass(slots=True, frozen=True, kw_only=True)
class PrinterRecord:
    """One server seen printing, and its verdict."""

    TYPE: ClassVar[str] = "printer"
    server_ip: str = col("printer or print server address", _IP)
    verdict: PrinterVerdict = col("exposed, weak, protected or unknown", "category")
    protocols: tuple[str, ...] = col("print services seen", "object")
    ports: tuple[int, ...] = col("its print ports seen", "object")
    clients: int = col("distinct clients", "UInt32")
    flows: int = col("print flows", "UInt32")
    print_flows: int = col("print flows", "UInt32")
    jobs_clear: int = col("jobs seen in clear", "UInt32")
    bytes_clear: int = col("print bytes in clear", "UInt64")
    bytes_protected: int = col("print bytes protected", "UInt64")
    closed_ports: tuple[int, ...] = col("print ports that answered a SYN with RST", "object")
    worst: Worst | None = col("worst finding not excepted by policy", "object")
    findings: dict[str, int] = col("count per finding code", "object")


# ------------------------------------------------------------------------------------ summary
@dataclass(slots=True, frozen=True, kw_only=True)
class CaptureSummary:
    TYPE: ClassVar[str] = "capture"
    path: str = col("the capture as given", "string")
    format: str | None = col("pcap, pcapng, or live", "category")
    frames: int = col("frames read", "UInt64")
    bytes: int = col("bytes read", "UInt64")
    truncated: bool = col("the file ends inside a record", "boolean")
    damaged: bool = col("damaged records were skipped", "boolean")
    linktypes: tuple[int, ...] = col("link-layer types seen", "object")
    first_ts: float | None = col("first frame", _TS)
    drops: int | None = col("packets the kernel dropped (live)", "UInt64")
    last_ts: float | None = col("last frame", _TS)


@dataclass(slots=True, frozen=True, kw_only=True)
class Summary:
    """The closing record of a run: capture statistics (and, from verify, the verdict)."""

    TYPE: ClassVar[str] = "summary"
    captures: tuple[CaptureSummary, ...] = col("each capture read", "object")
    frames: int = col("frames read", "UInt64")
    tcp_segments: int = col("TCP segments decoded", "UInt64")
    udp_datagrams: int = col("UDP datagrams", "UInt64")
    other_ip: int = col("other IP packets", "UInt64")
    non_ip: int = col("non-IP frames", "UInt64")
    ip_fragments: int = col("IP fragments (recorded, not reassembled)", "UInt64")
    bad_ip_checksums: int = col("bad IPv4 header checksums", "UInt64")
    bad_tcp_checksums: int = col("bad TCP checksums", "UInt64")
    undecodable: int = col("frames that could not be decoded", "UInt64")
    flows: int = col("TCP flows", "UInt64")
    flows_evicted: int = col("flows evicted by a limit before they ended", "UInt64")
    anomalies: int = col("anomalies recorded", "UInt64")
    internal_errors: int = col("internal errors caught (bugs)", "UInt64")
    truncated: bool = col("a capture ends inside a record", "boolean")
    elapsed_s: float = col("run time in seconds", "Float64")
    verdict: str | None = col("verify: exposed, protected or inconclusive", "category", None, sparse=True)
    exit_code: int | None = col("verify: its exit status", "UInt8", None, sparse=True)
    reasons: tuple[str, ...] | None = col("verify: why", "object", None, sparse=True)


Record = Anomaly | FlowRecord | JobRecord | Finding | PrinterRecord | Summary
RECORD_TYPES: dict[str, type] = {c.TYPE: c for c in (FlowRecord, JobRecord, Finding, PrinterRecord, Anomaly,
                                                      Summary)}


class TallyKey(NamedTuple):
    """What the verdict needs of a finding, counted (bounded by printers x codes)."""

    code: str
    severity: Severity
    server_ip: str | None
    server_port: int | None
    suppressed: str | None


def iter_fields(rec: Any) -> Iterator[tuple[str, Any]]:
    for f in dataclasses.fields(rec):
        yield f.name, getattr(rec, f.name)
