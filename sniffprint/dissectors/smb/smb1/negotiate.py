"""SMB1 NEGOTIATE: the dialects the client offers and the one the server picks.

Read from: MS-CIFS 2.2.4.52.1 (request: 0x02-prefixed dialect strings), 2.2.4.52.2 (response:
DialectIndex, SecurityMode, Capabilities; 17 words for NT LM 0.12), 3.2.4.2.2 / 3.3.5.2.

A request offers dialects (``Connection.offered``; the flow is SMB1 unless the server answers in
SMB2: ``smb2.negotiate.response`` flags ``smb1`` False). A response picks one by index: the flow
fact ``smb_dialect`` ("NT LM 0.12"), ``smb_signing`` (SecurityMode signatures required),
``smb_encryption_capable`` False (SMB1 has no encryption at all). A server that clears
NEGOTIATE_ENCRYPT_PASSWORDS wants plaintext passwords (remembered for the session setup).

Invariants: at most ``MAX_DIALECTS`` dialects are kept; nothing here raises.
"""
from __future__ import annotations

from ...events import Event, FlowFact
from ..state import Connection
from .packet import Packet

DIALECT_FORMAT = 0x02  # the buffer format octet before each dialect string
MAX_DIALECTS = 32
NO_DIALECT = 0xFFFF  # DialectIndex when the server accepts none
ENCRYPT_PASSWORDS = 0x02  # SecurityMode NEGOTIATE_ENCRYPT_PASSWORDS (challenge/response)
SIGNATURES_REQUIRED = 0x08  # SecurityMode NEGOTIATE_SECURITY_SIGNATURES_REQUIRED
# MS-CIFS 1.7: the NT LAN Manager dialect is "NT LM 0.12", "also known as the NT LANMAN dialect";
# clients (Samba's among them) offer it under both strings, and servers pick either
ALIASES = {"NT LANMAN 1.0": "NT LM 0.12"}


def request(conn: Connection, p: Packet) -> list[Event]:
    conn.smb1_offered = True
    names = [d.decode("latin-1") for d in p.block.data.split(b"\x00") if d[:1] == bytes([DIALECT_FORMAT])]
    conn.offered = [d[1:] for d in names][:MAX_DIALECTS]
    return []


def response(conn: Connection, p: Packet) -> list[Event]:
    b = p.block
    index = b.u16(0)
    if not p.header.ok or index is None or index == NO_DIALECT:
        return []
    out: list[Event] = []
    if index < len(conn.offered):
        conn.dialect = ALIASES.get(conn.offered[index], conn.offered[index])
        out.append(FlowFact("smb_dialect", conn.dialect))
    mode = b.u8(2)
    if mode is not None:
        conn.plaintext_passwords = not mode & ENCRYPT_PASSWORDS
        out += conn.saw_signing(bool(mode & SIGNATURES_REQUIRED))
    conn.encryption_capable = False
    out.append(FlowFact("smb_encryption_capable", False))
    return out
