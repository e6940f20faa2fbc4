"""NTLMSSP messages as carried in SMB SESSION_SETUP security buffers (MS-NLMP 2.2.1).

Only the fields that name someone are read: the NEGOTIATE (type 1) and CHALLENGE (type 2) flags
and target name, and the AUTHENTICATE (type 3) user, domain and workstation (2.2.1.3). Every
variable field is a ``(Len, MaxLen, BufferOffset)`` triple whose offset counts from the start of
the NTLMSSP message; strings are UTF-16LE when NTLMSSP_NEGOTIATE_UNICODE is set, else OEM.

The token usually sits inside SPNEGO (RFC 4178) DER; rather than walk the DER, ``find`` looks for
the 8-byte signature, which cannot be confused with DER framing and also finds raw NTLMSSP.

Invariants: parsing is best effort and never raises; a truncated or inconsistent message gives
``None`` (the caller is an SMB dissector that must not fail because of its payload).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

SIGNATURE = b"NTLMSSP\x00"
NEGOTIATE, CHALLENGE, AUTHENTICATE = 1, 2, 3
NEGOTIATE_UNICODE = 0x00000001  # NTLMSSP_NEGOTIATE_UNICODE: strings are UTF-16LE
NEGOTIATE_ANONYMOUS = 0x00000800  # the client authenticates as the anonymous user
NEGOTIATE_SEAL = 0x00000020  # session key will be used for confidentiality (RPC privacy)

_FIELD = struct.Struct("<HHI")  # Len, MaxLen, BufferOffset (2.2.2.10-style field triple)
_TYPE = struct.Struct("<8sI")  # Signature, MessageType


@dataclass(slots=True, frozen=True)
class NtlmMessage:
    type: int  # 1 NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE
    flags: int = 0
    user: str = ""
    domain: str = ""
    workstation: str = ""
    target: str = ""  # CHALLENGE TargetName (the server's domain or name)
    anonymous: bool = False  # empty user and NT response: a NULL session


def _field(msg: bytes, at: int, unicode: bool) -> str | None:
    if at + 8 > len(msg):
        return None
    length, _max, off = _FIELD.unpack_from(msg, at)
    if length == 0:
        return ""
    if off + length > len(msg):
        return None
    raw = msg[off:off + length]
    return raw.decode("utf-16-le", "replace") if unicode else raw.decode("latin-1")


def parse(msg: bytes) -> NtlmMessage | None:
    """Parse an NTLMSSP message that starts at ``msg[0]``; None when it is not one or is damaged."""
    if len(msg) < 12:
        return None
    sig, mtype = _TYPE.unpack_from(msg)
    if sig != SIGNATURE:
        return None
    if mtype == NEGOTIATE:
        flags = struct.unpack_from("<I", msg, 12)[0] if len(msg) >= 16 else 0
        return NtlmMessage(NEGOTIATE, flags)
    if mtype == CHALLENGE:
        if len(msg) < 24:
            return None
        flags = struct.unpack_from("<I", msg, 20)[0]
        target = _field(msg, 12, bool(flags & NEGOTIATE_UNICODE))
        return NtlmMessage(CHALLENGE, flags, target=target or "")
    if mtype == AUTHENTICATE:
        # LmChallengeResponse 12, NtChallengeResponse 20, DomainName 28, UserName 36,
        # Workstation 44, EncryptedRandomSessionKey 52, NegotiateFlags 60 (2.2.1.3)
        if len(msg) < 64:
            return None
        flags = struct.unpack_from("<I", msg, 60)[0]
        uni = bool(flags & NEGOTIATE_UNICODE)
        domain, user, ws = _field(msg, 28, uni), _field(msg, 36, uni), _field(msg, 44, uni)
        if domain is None or user is None or ws is None:
            return None
        nt_len = _FIELD.unpack_from(msg, 20)[0]
        anonymous = bool(flags & NEGOTIATE_ANONYMOUS) or (not user and nt_len == 0)
        return NtlmMessage(AUTHENTICATE, flags, user, domain, ws, anonymous=anonymous)
    return None


def find(buf: bytes) -> NtlmMessage | None:
    """The first NTLMSSP message inside ``buf`` (raw, or wrapped in SPNEGO / GSS-API DER)."""
    i = buf.find(SIGNATURE)
    return parse(buf[i:]) if i >= 0 else None
