"""SMB2 SESSION_SETUP: who authenticated (NTLMSSP), and the flags the server gave the session.

Read from: MS-SMB2 2.2.5 (request), 2.2.6 (response: SessionFlags), 3.3.5.5 (the exchange; a leg
answered STATUS_MORE_PROCESSING_REQUIRED is followed by another), MS-NLMP 2.2.1.3 (AUTHENTICATE,
read by ``ntlmssp``), RFC 4178 (SPNEGO, which usually wraps it).

Flow facts: ``smb_user`` (AUTHENTICATE UserName), ``smb_session_flags`` and
``smb_encryption_required`` (SMB2_SESSION_FLAG_ENCRYPT_DATA). The AUTHENTICATE is kept on the
session: its user and workstation name the session's print jobs.

Invariants: the security buffer is read only inside the message; an unreadable token is ignored.
Only a STATUS_SUCCESS response (the last leg) is read.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from ... import ntlmssp
from ...events import Event, FlowFact
from ..state import Connection
from .header import STATUS_SUCCESS
from .packet import Packet

SESSION_IS_GUEST = 0x0001  # SMB2_SESSION_FLAG_IS_GUEST
SESSION_IS_NULL = 0x0002  # SMB2_SESSION_FLAG_IS_NULL (anonymous)
SESSION_ENCRYPT_DATA = 0x0004  # SMB2_SESSION_FLAG_ENCRYPT_DATA: the server requires encryption

# StructureSize 25, Flags, SecurityMode, Capabilities, Channel, SecurityBufferOffset,
# SecurityBufferLength, PreviousSessionId
_REQUEST = struct.Struct("<HBBIIHHQ")
# StructureSize 9, SessionFlags, SecurityBufferOffset, SecurityBufferLength
_RESPONSE = struct.Struct("<HHHH")


@dataclass(slots=True, frozen=True)
class SessionSetupRequest:
    buffer_offset: int  # from the start of the SMB2 header
    buffer_length: int

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> SessionSetupRequest | None:
        if len(buf) - off < _REQUEST.size:
            return None
        f = _REQUEST.unpack_from(buf, off)
        return cls(buffer_offset=f[5], buffer_length=f[6])


@dataclass(slots=True, frozen=True)
class SessionSetupResponse:
    session_flags: int

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> SessionSetupResponse | None:
        if len(buf) - off < _RESPONSE.size:
            return None
        return cls(session_flags=_RESPONSE.unpack_from(buf, off)[1])


def request(conn: Connection, p: Packet) -> list[Event]:
    req = SessionSetupRequest.parse(p.body)
    if req is None:
        return []
    auth = ntlmssp.find(p.span(req.buffer_offset, req.buffer_length))
    if auth is None or auth.type != ntlmssp.AUTHENTICATE:
        return []
    conn.session(p.session_id).auth = auth
    conn.last_auth = auth
    return [FlowFact("smb_user", auth.user)] if auth.user else []


def response(conn: Connection, p: Packet) -> list[Event]:
    resp = SessionSetupResponse.parse(p.body) if p.header.status == STATUS_SUCCESS else None
    if resp is None:
        return []
    conn.session(p.session_id).flags = resp.session_flags
    out: list[Event] = [FlowFact("smb_session_flags", resp.session_flags)]
    if resp.session_flags & SESSION_ENCRYPT_DATA:
        out += conn.require_encryption()
    return out
