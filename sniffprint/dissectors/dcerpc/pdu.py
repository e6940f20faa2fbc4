"""Connection-oriented DCE/RPC PDUs: the common header, the auth verifier, and the headers of the
PDU types read (bind, bind_ack, alter_context, request, response, fault, auth3).

Read from: C706 12.6 (connection-oriented PDU formats: 12.6.3.1 the common header, 12.6.4.3-4
bind / bind_ack, 12.6.4.9 request, 12.6.4.10 response, 12.6.4.7 fault), C706 13.2.6.1 (the
auth_verifier and its sec_trailer), MS-RPCE 2.2.2.11 (sec_trailer), 2.2.1.1.7-8 (auth types and
levels), C706 14.2.5 (packed_drep: the integer byte order of everything after it).

Every PDU starts with the 16-byte common header: rpc_vers 5, rpc_vers_minor 0 or 1, PTYPE,
pfc_flags, packed_drep (byte 0 bit 0x10 = little-endian), frag_length (the whole PDU), auth_length
(the auth value, after the 8-byte sec_trailer), call_id. When auth_length is non-zero the PDU ends
with the sec_trailer and the auth value, and the stub ends ``auth_pad_length`` bytes before the
trailer (MS-RPCE 2.2.2.11).

Invariants: ``parse`` functions never raise on short or foreign input: they return None (or an
empty result); every offset read is checked against the PDU's length.
"""
from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from enum import IntEnum

HEADER_LEN = 16
VERSION = 5  # rpc_vers of connection-oriented RPC
MINOR_VERSIONS = (0, 1)  # rpc_vers_minor 5.0 and 5.1
SEC_TRAILER_LEN = 8
MAX_FRAG = 0xFFFF  # frag_length is 16 bits

PFC_FIRST_FRAG = 0x01
PFC_LAST_FRAG = 0x02
PFC_OBJECT_UUID = 0x80  # a request carries an object UUID after its header (C706 12.6.3.1)
DREP_LITTLE_ENDIAN = 0x10  # packed_drep[0] high nibble: 1 = little-endian integers


class PType(IntEnum):
    """C706 12.6.3.1 PTYPE values of the connection-oriented PDUs."""

    REQUEST = 0
    RESPONSE = 2
    FAULT = 3
    BIND = 11
    BIND_ACK = 12
    BIND_NAK = 13
    ALTER_CONTEXT = 14
    ALTER_CONTEXT_RESP = 15
    AUTH3 = 16
    SHUTDOWN = 17
    CO_CANCEL = 18
    ORPHANED = 19


CO_TYPES = frozenset(int(t) for t in PType)


class AuthLevel(IntEnum):
    """MS-RPCE 2.2.1.1.8 authentication levels (RPC_C_AUTHN_LEVEL_*)."""

    DEFAULT = 0
    NONE = 1
    CONNECT = 2
    CALL = 3
    PKT = 4
    INTEGRITY = 5
    PRIVACY = 6  # the stub is encrypted (sealed)


# the JSON names of rpc_auth_level, and those of the older spoolss_auth_level (contract: "packet")
LEVEL_NAMES = {1: "none", 2: "connect", 3: "call", 4: "pkt", 5: "integrity", 6: "privacy"}
SPOOLSS_LEVEL_NAMES = {1: "none", 2: "connect", 3: "call", 4: "packet", 5: "integrity", 6: "privacy"}

# MS-RPCE 2.2.1.1.7 security providers (auth_type)
AUTH_TYPES = {0: "none", 9: "SPNEGO", 10: "NTLMSSP", 14: "Schannel", 16: "Kerberos", 0x44: "Netlogon",
              0xFF: "default"}

_COMMON = {True: struct.Struct("<BBBB4sHHI"), False: struct.Struct(">BBBB4sHHI")}
_SEC_TRAILER = struct.Struct("<BBBBI")  # auth_type, auth_level, auth_pad_length, reserved, context id
_U16 = {True: struct.Struct("<H"), False: struct.Struct(">H")}
_BIND = {True: struct.Struct("<HHIBBH"), False: struct.Struct(">HHIBBH")}  # xmit, recv, group, n, r, r2
_CONTEXT = {True: struct.Struct("<HBB"), False: struct.Struct(">HBB")}  # p_cont_id, n_transfer_syn, reserved
_SYNTAX = {True: struct.Struct("<16sI"), False: struct.Struct(">16sI")}  # if_uuid, if_version
_RESULT = {True: struct.Struct("<HH"), False: struct.Struct(">HH")}  # result, reason
_REQUEST = {True: struct.Struct("<IHH"), False: struct.Struct(">IHH")}  # alloc_hint, p_cont_id, opnum
_RESPONSE = {True: struct.Struct("<IHBB"), False: struct.Struct(">IHBB")}  # alloc_hint, p_cont_id, cancel, r
_FAULT_STATUS = {True: struct.Struct("<I"), False: struct.Struct(">I")}

MAX_CONTEXTS = 16  # presentation contexts read from one bind (Windows offers 3)
MAX_TRANSFER_SYNTAXES = 8
RESULT_ACCEPTANCE = 0  # p_cont_def_result_t (C706 12.6.3.1)


@dataclass(slots=True, frozen=True)
class Header:
    """C706 12.6.3.1 the common header."""

    ptype: int
    flags: int
    little: bool  # packed_drep says little-endian integers
    frag_length: int
    auth_length: int
    call_id: int

    @classmethod
    def parse(cls, buf: bytes | bytearray | memoryview, off: int = 0) -> Header | None:
        if len(buf) - off < HEADER_LEN or buf[off] != VERSION or buf[off + 1] not in MINOR_VERSIONS:
            return None
        little = bool(buf[off + 4] & DREP_LITTLE_ENDIAN)
        _v, _vm, ptype, flags, _drep, frag, auth, call_id = _COMMON[little].unpack_from(buf, off)
        return cls(ptype, flags, little, frag, auth, call_id)

    @property
    def plausible(self) -> bool:
        """A header that can open a PDU: a connection-oriented type, room for its parts."""
        return (self.ptype in CO_TYPES and HEADER_LEN <= self.frag_length
                and (self.auth_length == 0 or self.auth_length + SEC_TRAILER_LEN + HEADER_LEN <= self.frag_length))


def frag_length(buf: bytes | bytearray, off: int = 0) -> int:
    """frag_length of the header at ``off`` (its byte order from packed_drep); needs 10 bytes."""
    return int(_U16[bool(buf[off + 4] & DREP_LITTLE_ENDIAN)].unpack_from(buf, off + 8)[0])


@dataclass(slots=True, frozen=True)
class SecTrailer:
    """C706 13.2.6.1 / MS-RPCE 2.2.2.11 sec_trailer, and where the stub ends and the token starts."""

    auth_type: int
    auth_level: int
    pad: int  # auth_pad_length: stub padding before the trailer
    context_id: int
    stub_end: int  # offset of the end of the stub (the trailer start minus the padding)
    token: bytes  # the auth value (an NTLMSSP / SPNEGO / Kerberos token, or a signature)

    @classmethod
    def parse(cls, pdu: bytes, h: Header, body: int = HEADER_LEN) -> SecTrailer | None:
        """The trailer of ``pdu`` (None when auth_length is 0 or the trailer does not fit after
        ``body``, the end of the PDU type's own header)."""
        if not h.auth_length:
            return None
        at = min(h.frag_length, len(pdu)) - h.auth_length - SEC_TRAILER_LEN
        if at < body:
            return None
        atype, level, pad, _reserved, ctx = _SEC_TRAILER.unpack_from(pdu, at)
        return cls(atype, level, pad, ctx, max(body, at - pad), bytes(pdu[at + SEC_TRAILER_LEN:]))


def uuid_of(raw: bytes, little: bool) -> uuid.UUID:
    """An NDR uuid (C706 Appendix A: u32, u16, u16 in the drep byte order, then 8 bytes)."""
    return uuid.UUID(bytes_le=raw) if little else uuid.UUID(bytes=raw)


@dataclass(slots=True, frozen=True)
class SyntaxId:
    """p_syntax_id_t: an interface or transfer syntax UUID and its version."""

    uuid: uuid.UUID
    version: int


@dataclass(slots=True, frozen=True)
class ContextElem:
    """p_cont_elem_t: one presentation context offered in a bind or alter_context."""

    context_id: int
    abstract: SyntaxId
    transfers: tuple[SyntaxId, ...]


def parse_bind(pdu: bytes, h: Header) -> list[ContextElem]:
    """The presentation contexts of a bind or alter_context (C706 12.6.4.3); [] when damaged."""
    e = h.little
    end = min(h.frag_length, len(pdu))
    if HEADER_LEN + _BIND[e].size > end:
        return []
    n = _BIND[e].unpack_from(pdu, HEADER_LEN)[3]
    at = HEADER_LEN + _BIND[e].size
    out: list[ContextElem] = []
    for _ in range(min(n, MAX_CONTEXTS)):
        if at + _CONTEXT[e].size + _SYNTAX[e].size > end:
            break
        ctx_id, n_syn, _r = _CONTEXT[e].unpack_from(pdu, at)
        at += _CONTEXT[e].size
        raw, ver = _SYNTAX[e].unpack_from(pdu, at)
        at += _SYNTAX[e].size
        abstract = SyntaxId(uuid_of(raw, e), ver)
        transfers: list[SyntaxId] = []
        for i in range(n_syn):
            if at + _SYNTAX[e].size > end:
                break
            raw, ver = _SYNTAX[e].unpack_from(pdu, at)
            at += _SYNTAX[e].size
            if i < MAX_TRANSFER_SYNTAXES:
                transfers.append(SyntaxId(uuid_of(raw, e), ver))
        out.append(ContextElem(ctx_id, abstract, tuple(transfers)))
    return out


@dataclass(slots=True, frozen=True)
class ContextResult:
    """p_result_t: the answer to the n-th presentation context of the bind."""

    result: int  # 0 acceptance, 1 user rejection, 2 provider rejection, 3 negotiate_ack
    transfer: SyntaxId


def parse_bind_ack(pdu: bytes, h: Header) -> list[ContextResult]:
    """The results of a bind_ack or alter_context_resp (C706 12.6.4.4), in context order."""
    e = h.little
    end = min(h.frag_length, len(pdu))
    at = HEADER_LEN + 8  # max_xmit_frag, max_recv_frag, assoc_group_id
    if at + 2 > end:
        return []
    sec_addr_len = _U16[e].unpack_from(pdu, at)[0]  # port_any_t: length, then the string
    at += 2 + sec_addr_len
    at += -at % 4  # the result list is 4-byte aligned
    if at + 4 > end:
        return []
    n = pdu[at]
    at += 4
    out: list[ContextResult] = []
    for _ in range(min(n, MAX_CONTEXTS)):
        if at + _RESULT[e].size + _SYNTAX[e].size > end:
            break
        result, _reason = _RESULT[e].unpack_from(pdu, at)
        raw, ver = _SYNTAX[e].unpack_from(pdu, at + _RESULT[e].size)
        at += _RESULT[e].size + _SYNTAX[e].size
        out.append(ContextResult(result, SyntaxId(uuid_of(raw, e), ver)))
    return out


@dataclass(slots=True, frozen=True)
class RequestHeader:
    """C706 12.6.4.9 the request header after the common one; ``stub`` is where the stub starts."""

    alloc_hint: int
    context_id: int
    opnum: int
    object_uuid: uuid.UUID | None
    stub: int

    @classmethod
    def parse(cls, pdu: bytes, h: Header) -> RequestHeader | None:
        e = h.little
        at = HEADER_LEN + _REQUEST[e].size
        if at > len(pdu):
            return None
        hint, ctx, opnum = _REQUEST[e].unpack_from(pdu, HEADER_LEN)
        obj = None
        if h.flags & PFC_OBJECT_UUID:
            if at + 16 > len(pdu):
                return None
            obj = uuid_of(bytes(pdu[at:at + 16]), e)
            at += 16
        return cls(hint, ctx, opnum, obj, at)


@dataclass(slots=True, frozen=True)
class ResponseHeader:
    """C706 12.6.4.10 the response header (also the start of a fault, 12.6.4.7)."""

    alloc_hint: int
    context_id: int
    stub: int

    @classmethod
    def parse(cls, pdu: bytes, h: Header) -> ResponseHeader | None:
        e = h.little
        at = HEADER_LEN + _RESPONSE[e].size
        if at > len(pdu):
            return None
        hint, ctx, _cancel, _r = _RESPONSE[e].unpack_from(pdu, HEADER_LEN)
        return cls(hint, ctx, at)


def fault_status(pdu: bytes, h: Header) -> int | None:
    """The status of a fault PDU (C706 12.6.4.7), or None when it is cut."""
    at = HEADER_LEN + _RESPONSE[h.little].size
    if at + 4 > len(pdu):
        return None
    return int(_FAULT_STATUS[h.little].unpack_from(pdu, at)[0])
