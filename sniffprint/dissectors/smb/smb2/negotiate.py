"""SMB2 NEGOTIATE: the dialects offered and chosen, signing, and whether encryption is possible.

Read from: MS-SMB2 2.2.3 (request), 2.2.4 (response), 2.2.3.1 / 2.2.4.1 (negotiate contexts,
3.1.1 only), 2.2.3.1.2 (SMB2_ENCRYPTION_CAPABILITIES), 3.3.5.4 (how the server chooses).

Flow facts: ``smb_dialect``, ``smb_signing`` (SecurityMode SIGNING_REQUIRED), ``smb_encryption_
capable`` (SMB2_GLOBAL_CAP_ENCRYPTION for 3.0/3.0.2; for 3.1.1 a cipher in the response's
ENCRYPTION_CAPABILITIES context), ``smb_cipher``; ``smb1`` False when the client offered SMB1
and the server answered in SMB2.

Invariants: the dialect list read is bounded by the body; the context walk stops after 16
contexts or at the end of the message; only a STATUS_SUCCESS response is read.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from ...events import Event, FlowFact
from ..state import Connection
from .header import STATUS_SUCCESS
from .packet import Packet

DIALECTS = {0x0202: "2.0.2", 0x0210: "2.1", 0x0300: "3.0", 0x0302: "3.0.2", 0x0311: "3.1.1"}
DIALECT_311 = 0x0311  # the only dialect with negotiate contexts
SIGNING_ENABLED, SIGNING_REQUIRED = 0x01, 0x02  # SecurityMode
CAP_ENCRYPTION = 0x00000040  # SMB2_GLOBAL_CAP_ENCRYPTION (3.0 / 3.0.2; 3.1.1 uses a context)
CTX_ENCRYPTION = 0x0002  # SMB2_ENCRYPTION_CAPABILITIES negotiate context (2.2.3.1.2)
CIPHERS = {1: "AES-128-CCM", 2: "AES-128-GCM", 3: "AES-256-CCM", 4: "AES-256-GCM"}
MAX_CONTEXTS = 16  # contexts walked in a response (a few are defined)

# StructureSize 36, DialectCount, SecurityMode, Reserved, Capabilities, ClientGuid,
# NegotiateContextOffset (or ClientStartTime), NegotiateContextCount, Reserved2; Dialects follow
_REQUEST = struct.Struct("<HHHHI16sIHH")
# StructureSize 65, SecurityMode, DialectRevision, NegotiateContextCount, ServerGuid, Capabilities,
# MaxTransactSize, MaxReadSize, MaxWriteSize, SystemTime, ServerStartTime, SecurityBufferOffset,
# SecurityBufferLength, NegotiateContextOffset
_RESPONSE = struct.Struct("<HHHH16sIIIIQQHHI")
_CONTEXT = struct.Struct("<HHI")  # ContextType, DataLength, Reserved (2.2.3.1); data follows
_CIPHERS = struct.Struct("<HH")  # CipherCount, the first Cipher


@dataclass(slots=True, frozen=True)
class NegotiateRequest:
    dialects: tuple[int, ...]

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> NegotiateRequest | None:
        if len(buf) - off < _REQUEST.size:
            return None
        count = _REQUEST.unpack_from(buf, off)[1]
        n = min(count, (len(buf) - off - _REQUEST.size) // 2)  # as many as the body holds
        return cls(struct.unpack_from(f"<{n}H", buf, off + _REQUEST.size))


@dataclass(slots=True, frozen=True)
class NegotiateResponse:
    security_mode: int
    dialect: int
    context_count: int
    capabilities: int
    context_offset: int  # from the start of the SMB2 header

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> NegotiateResponse | None:
        if len(buf) - off < _RESPONSE.size:
            return None
        f = _RESPONSE.unpack_from(buf, off)
        return cls(security_mode=f[1], dialect=f[2], context_count=f[3], capabilities=f[5], context_offset=f[13])


def first_cipher(msg: bytes, at: int, count: int) -> int:
    """The cipher of the response's ENCRYPTION_CAPABILITIES context (2.2.4.1.2); 0 = none."""
    for _ in range(min(count, MAX_CONTEXTS)):
        if at + _CONTEXT.size > len(msg):
            return 0
        ctype, dlen, _reserved = _CONTEXT.unpack_from(msg, at)
        if ctype == CTX_ENCRYPTION and dlen >= 4 and at + 12 <= len(msg):
            n, first = _CIPHERS.unpack_from(msg, at + _CONTEXT.size)
            return first if n else 0
        at += (_CONTEXT.size + dlen + 7) & ~7  # contexts are 8-byte aligned
    return 0


def request(conn: Connection, p: Packet) -> list[Event]:
    req = NegotiateRequest.parse(p.body)
    if req is not None:
        conn.offered = [DIALECTS.get(c, f"0x{c:04x}") for c in req.dialects]
    return []


def response(conn: Connection, p: Packet) -> list[Event]:
    resp = NegotiateResponse.parse(p.body) if p.header.status == STATUS_SUCCESS else None
    if resp is None:
        return []
    out: list[Event] = []
    if resp.dialect in DIALECTS:
        conn.dialect = DIALECTS[resp.dialect]
        out.append(FlowFact("smb_dialect", conn.dialect))
        if conn.smb1_offered and conn.smb1 is None:
            conn.smb1 = False  # SMB1 was offered and the server moved to SMB2
            out.append(FlowFact("smb1", False))
    out += conn.saw_signing(bool(resp.security_mode & SIGNING_REQUIRED))
    capable = bool(resp.capabilities & CAP_ENCRYPTION)
    if resp.dialect == DIALECT_311 and resp.context_count:
        cipher = first_cipher(p.msg, p.off + resp.context_offset, resp.context_count)
        if cipher:
            capable = True
            conn.cipher = CIPHERS.get(cipher, f"0x{cipher:04x}")
            out.append(FlowFact("smb_cipher", conn.cipher))
    conn.encryption_capable = capable
    out.append(FlowFact("smb_encryption_capable", capable))
    return out
