"""The flow record (one TCP connection or UDP pseudo-flow) and what it holds: ``Credential``
(redacted) and ``Advert`` (a printer service announced).

Invariants: a field a dissector may set (``FlowFact``) is listed in ``FlowRecord.FACTS``, derived
from the field names' prefixes; ``credentials`` is deliberately not a fact (a dissector reports
``SecretSeen``, never a record value). New flow facts are fields added here, never renamed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..model import ConnState, Orientation, Protection, Service
from ._schema import _IP, _PORT, _TS, col, columns


# ------------------------------------------------------------------------ inside a flow record
@dataclass(slots=True, frozen=True, kw_only=True)
class Credential:
    """A credential that crossed in clear, redacted: its kind, where it stood, a length and keyed
    hashes, never a value (made by ``evidence.redact.credentials`` from what the dissector saw)."""

    TYPE: ClassVar[str] = "credential"
    kind: str = col("basic, digest, form-urlencoded, form-multipart, session-cookie or snmp-community",
                    "category")
    label: str | None = col("where it stood: the header, form field or cookie name (never the value)", "string",
                            None)
    user_hash: str | None = col("keyed BLAKE2b of the user name (the key of hashed_names); null when none was sent",
                                "string", None)
    secret_length: int | None = col("characters of the password, community or cookie value; null when the "
                                    "secret itself is not on the wire (Digest)", "UInt32", None)
    secret_hash: str | None = col("keyed BLAKE2b of the secret under the site's hash key (never a public key: "
                                  "anyone could test guesses such as public)", "string", None)


@dataclass(slots=True, frozen=True, kw_only=True)
class Advert:
    """One printer service announced on the network (mDNS/DNS-SD, a CUPS browse packet)."""

    TYPE: ClassVar[str] = "advert"
    host: str = col("address of the announced printer (the SRV target's, the URI's host, else the sender's)",
                    _IP)
    source: str = col("mdns or cups-browse", "category")
    service: str = col("what it offers: ipp, ipps, raw, lpd, http-admin or https-admin", "category")
    port: int | None = col("port of the service", _PORT, None)
    name: str | None = col("instance or queue name as announced", "string", None)
    make_model: str | None = col("make and model (TXT ty, else product; CUPS make-and-model)", "string", None)
    adminurl: str | None = col("URL of its web interface (TXT adminurl)", "string", None)
    tls: str | None = col("highest TLS version it says it supports (TXT TLS)", "string", None)
    uuid: str | None = col("device UUID (TXT UUID)", "string", None)
    rp: str | None = col("resource path or queue (TXT rp)", "string", None)


@dataclass(slots=True, frozen=True, kw_only=True)
class HostName:
    """A host name bound to an address by a name service message (NetBIOS name service, LLMNR,
    mDNS): a registration, or an answer from the name's owner (never a question)."""

    TYPE: ClassVar[str] = "host_name"
    address: str = col("the address the name belongs to (the NB_ADDRESS, A or AAAA data; the sender's for a "
                       "NetBIOS node status answer)", _IP)
    name: str = col("the name (NetBIOS: the 15-character name without its suffix; masked unless --reveal)",
                    "string")
    source: str = col("nbns, llmnr or mdns", "category")


# --------------------------------------------------------------------------------------- flow
@dataclass(slots=True, frozen=True, kw_only=True)
class FlowRecord:
    """One TCP connection, or one UDP pseudo-flow (the datagrams between two endpoints until they
    fall idle), as the engine saw it when it ended."""

    TYPE: ClassVar[str] = "flow"
    uid: str = col("stable flow id (same capture, same uid; unique across the captures of a run), Zeek style",
                   "string")
    capture: str = col("the capture (as given) in which the flow started", "string")
    community_id: str = col("Community ID v1 flow hash (as Zeek, Suricata and Wireshark emit it)", "string")
    proto: str = col("transport: tcp (udp for datagram pseudo-flows)", "category")
    client_ip: str = col("client address (the side that opened the connection)", _IP)
    client_port: int = col("client port", _PORT)
    server_ip: str = col("server address", _IP)
    server_port: int = col("server port", _PORT)
    ip_version: int = col("4 or 6", "UInt8")
    service: Service = col("raw9100, lpd, ipp, smb, tls, http, dcerpc, http-admin (a printer's web interface), "
                           "snmp, mdns, cups-browse, nbns, llmnr or other, decided by content, not by port", "category")
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
    history: str = col("Zeek-style history: S syn, H syn-ack, A ack, D data, F fin, R rst, C bad checksum, "
                       "T retransmission, G gap, I inconsistent retransmission, x dissector crash, ^ flipped "
                       "by the port heuristic; upper case client, lower case server", "string")
    state: ConnState = col("Zeek conn_state: S0, REJ, S1, SF, S2, S3, RSTO, RSTR, OTH (UDP: S0 one way, SF "
                           "both ways)", "category")
    orientation: Orientation = col("how the client side was decided: syn, port or first", "category")
    ts_start: float = col("first packet", _TS)
    ts_end: float = col("last packet", _TS)
    duration: float = col("seconds from first to last packet", "Float64")
    rexmit_bytes: int = col("retransmitted payload bytes", "UInt64")
    bad_checksums: int = col("segments with a bad TCP checksum (kept, never dropped)", "UInt64")
    anomalies: int = col("anomalies recorded on this flow", "UInt64")
    languages: tuple[str, ...] = col("print languages of its jobs, in order of first appearance", "object")
    jobs: int = col("job records of the flow (print jobs, documents sent back, files written)", "UInt64")
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
    pjl_device_info: str | None = col("PJL INFO/USTATUS reply seen (job names in it masked unless --reveal)",
                                      "string", None, sparse=True)
    pjl_fs_commands: tuple[str, ...] | None = col("PJL file-system commands sent (FSINIT, FSDIRLIST, FSUPLOAD...)",
                                                  "object", None, sparse=True)
    pjl_fs_paths: tuple[str, ...] | None = col("printer file-system paths those commands named (masked unless "
                                               "--reveal)", "object", None, sparse=True)
    pjl_fs_listed: tuple[str, ...] | None = col("paths the printer listed in FSDIRLIST replies (masked unless "
                                                "--reveal)", "object", None, sparse=True)
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
    internal_errors: int | None = col("internal errors (bugs) caught on this flow: its analysis is incomplete",
                                      "UInt32", None, sparse=True)
    rpc_interfaces: tuple[str, ...] | None = col("DCE/RPC interfaces bound: MS-RPRN, MS-PAR, EPM, others by UUID",
                                                 "object", None, sparse=True)
    rpc_auth_level: str | None = col("DCE/RPC auth level of the print calls (weakest): none, connect, call, pkt, "
                                     "integrity or privacy", "string", None, sparse=True)
    rpc_auth_type: str | None = col("DCE/RPC security provider of the print binds: NTLMSSP, SPNEGO, Kerberos...",
                                    "string", None, sparse=True)
    rpc_calls: tuple[str, ...] | None = col("print RPC calls seen in clear (EnumPrinters, OpenPrinterEx...)",
                                            "object", None, sparse=True)
    tls_handshake_ms: float | None = col("TLS handshake time: milliseconds from the packet carrying the "
                                         "ClientHello to the later of the two directions' first record under "
                                         "the negotiated keys (docs/performance.md)", "Float64", None, sparse=True)
    credentials: tuple[Credential, ...] | None = col("credentials that crossed in clear, redacted (never a "
                                                     "value)", "object", None, sparse=True)
    http_server: str | None = col("HTTP Server header of the first response that had one (at most 120 "
                                  "characters)", "string", None, sparse=True)
    http_printer: str | None = col("why the HTTP server is taken for a printer's web interface: cups, "
                                   "server-header, path, title or ipp", "string", None, sparse=True)
    http_pages: int | None = col("pages served in clear: 2xx answers that do not send the client to https:// "
                                 "(on a printer: its web interface)", "UInt32", None, sparse=True)
    http_login_prompt: bool | None = col("a login was asked for in clear: a page with a password field, or a 401 "
                                         "challenge for Basic or Digest", "boolean", None, sparse=True)
    http_redirect_https: bool | None = col("a response sent the client to https:// (3xx Location, 426 with "
                                           "Upgrade: TLS, or a meta refresh)", "boolean", None, sparse=True)
    snmp_versions: tuple[str, ...] | None = col("SNMP versions seen: v1, v2c, v3", "object", None, sparse=True)
    snmp_pdus: tuple[str, ...] | None = col("SNMP PDU types readable in clear, in order of first appearance",
                                            "object", None, sparse=True)
    snmp_set: bool | None = col("a set-request was sent", "boolean", None, sparse=True)
    snmp_security: str | None = col("SNMPv3 security level of the messages that carried a user: "
                                    "noAuthNoPriv, authNoPriv or authPriv (the weakest seen)", "string", None,
                                    sparse=True)
    snmp_user: str | None = col("SNMPv3 user name (masked unless --reveal)", "string", None, sparse=True)
    snmp_sys_descr: str | None = col("sysDescr.0 as the agent answered it", "string", None, sparse=True)
    snmp_sys_name: str | None = col("sysName.0 as the agent answered it", "string", None, sparse=True)
    snmp_device_descr: str | None = col("hrDeviceDescr (HOST-RESOURCES-MIB) as the agent answered it", "string",
                                        None, sparse=True)
    snmp_serial: str | None = col("prtGeneralSerialNumber (Printer-MIB) as the agent answered it", "string", None,
                                  sparse=True)
    snmp_printer_mib: bool | None = col("the agent answered Printer-MIB objects or hrDeviceType printer: it is a "
                                        "printer", "boolean", None, sparse=True)
    mdns_services: tuple[str, ...] | None = col("DNS-SD service types announced (answers, not questions)",
                                                "object", None, sparse=True)
    printer_adverts: tuple[Advert, ...] | None = col("printer services announced by this flow (mDNS/DNS-SD, "
                                                     "CUPS browse)", "object", None, sparse=True)
    ipp_printer_make_model: str | None = col("printer-make-and-model from a Get-Printer-Attributes answer",
                                             "string", None, sparse=True)
    ipp_printer_name: str | None = col("printer-name from a Get-Printer-Attributes answer", "string", None,
                                       sparse=True)
    ipp_printer_uris: tuple[str, ...] | None = col("printer-uri-supported from a Get-Printer-Attributes answer",
                                                   "object", None, sparse=True)
    ipp_uri_security: tuple[str, ...] | None = col("uri-security-supported (none, tls) from a "
                                                   "Get-Printer-Attributes answer", "object", None, sparse=True)
    pjl_info_id: str | None = col("the printer's answer to PJL INFO ID (its model)", "string", None, sparse=True)
    host_names: tuple[HostName, ...] | None = col("host names bound to addresses by this flow's name service "
                                                  "messages: NetBIOS registrations and answers, LLMNR and mDNS "
                                                  "answers (names masked unless --reveal)", "object", None,
                                                  sparse=True)

    FACTS: ClassVar[frozenset[str]] = frozenset()  # filled below: fields a dissector may set


# ``credentials`` is deliberately not a fact: a dissector reports ``SecretSeen``, never a record value.
FlowRecord.FACTS = frozenset(c.name for c in columns(FlowRecord)
                             if c.name.startswith(("tls_", "cert_", "smb", "sni", "http_", "ipp_", "lpd_",
                                                   "pjl_", "spoolss_", "rpc_", "snmp_", "mdns_", "printer_",
                                                   "host_")))
