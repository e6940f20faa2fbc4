"""Connection-oriented DCE/RPC over an SMB named pipe, for the print spooler (spoolss).

Read from: C706 chapter 12 and MS-RPCE 2.2.2 (PDU formats), MS-RPRN 3.1.4 (the spoolss methods).

- Every PDU starts with the 16-byte common header (MS-RPCE 2.2.2.1 / C706 12.6.3.1): rpc_vers 5,
  rpc_vers_minor, PTYPE, pfc_flags, packed_drep (byte 0 bit 0x10 = little-endian), frag_length,
  auth_length, call_id. ``frag_length`` covers the whole PDU, so PDUs are cut out of the pipe's
  byte stream without knowing the PDU type.
- When ``auth_length`` is non-zero the PDU ends with an 8-byte sec_trailer (auth_type, auth_level,
  auth_pad_length, reserved, context id) followed by the auth value (C706 13.2.6.1). auth_level 6
  (RPC_C_AUTHN_LEVEL_PKT_PRIVACY) means request and response stubs are encrypted.
- A request (PTYPE 0) carries alloc_hint, p_cont_id and opnum, an object UUID when pfc_flags has
  PFC_OBJECT_UUID, then the NDR stub; a call may span fragments (PFC_FIRST_FRAG / PFC_LAST_FRAG).
- spoolss (MS-RPRN): opnum 17 RpcStartDocPrinter (PRINTER_HANDLE, DOC_INFO_CONTAINER with a
  DOC_INFO_1: pDocName, pOutputFile, pDatatype), opnum 19 RpcWritePrinter (PRINTER_HANDLE, a
  conformant byte array and its count), opnum 23 RpcEndDocPrinter.

Invariants: best effort, never raises: damaged or unexpected bytes stop the parsing of this pipe
(one ``Note``) and leave the SMB dissector running. The buffer per direction holds at most one PDU
(frag_length is 16 bits). Document bytes from RpcWritePrinter are streamed fragment by fragment.
"""
from __future__ import annotations

import struct
import uuid

from ..model import Direction
from .events import DocumentData, Event, FlowFact, JobEnded, JobField, JobStarted, Note, PrintSeen

PTYPE_REQUEST, PTYPE_RESPONSE, PTYPE_FAULT = 0, 2, 3
PTYPE_BIND, PTYPE_BIND_ACK, PTYPE_ALTER_CONTEXT, PTYPE_ALTER_CONTEXT_RESP, PTYPE_AUTH3 = 11, 12, 14, 15, 16
PFC_FIRST_FRAG = 0x01
PFC_LAST_FRAG = 0x02
PFC_OBJECT_UUID = 0x80  # an object UUID follows the request header
DREP_LITTLE_ENDIAN = 0x10  # packed_drep[0] high nibble: integer representation
AUTH_LEVELS = {1: "none", 2: "connect", 3: "call", 4: "packet", 5: "integrity", 6: "privacy"}
AUTH_LEVEL_PRIVACY = 6
SPOOLSS_UUID = uuid.UUID("12345678-1234-abcd-ef00-0123456789ab").bytes_le  # MS-RPRN 1.9
OPNUM_START_DOC = 17  # RpcStartDocPrinter
OPNUM_WRITE_PRINTER = 19  # RpcWritePrinter
OPNUM_END_DOC = 23  # RpcEndDocPrinter
HANDLE_LEN = 20  # an RPC context handle: 4-byte attributes + 16-byte UUID
MAX_STUB = 64 * 1024  # stub bytes kept for a non-streamed call (StartDocPrinter is tiny)

_COMMON = {"<": struct.Struct("<BBBB4sHHI"), ">": struct.Struct(">BBBB4sHHI")}
_REQ = {"<": struct.Struct("<IHH"), ">": struct.Struct(">IHH")}  # alloc_hint, p_cont_id, opnum
_SEC_TRAILER = struct.Struct("<BBBBI")  # auth_type, auth_level, auth_pad_length, reserved, ctx id


class RpcPipe:
    """One named pipe carrying DCE/RPC; ``feed`` takes the pipe bytes of one direction in order."""

    __slots__ = ("bufs", "dead", "auth_level", "bound_spoolss", "call", "stub", "write_left",
                 "opnum", "job_open")

    def __init__(self) -> None:
        self.bufs = (bytearray(), bytearray())
        self.dead = False
        self.auth_level: int | None = None  # from the bind / alter_context verifier
        self.bound_spoolss = False
        self.call: int | None = None  # call_id of the request being reassembled
        self.opnum = -1
        self.stub = bytearray()
        self.write_left = -1  # RpcWritePrinter bytes still to hand on; -1 = array header not read
        self.job_open = False

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        if self.dead:
            return []
        buf = self.bufs[direction]
        buf += data
        out: list[Event] = []
        while len(buf) >= 16:
            if buf[0] != 5 or buf[1] not in (0, 1):
                self.dead = True
                buf.clear()
                out.append(Note("dcerpc_unparsed", f"pipe bytes are not DCE/RPC v5 (0x{buf[:2].hex()})"))
                return out
            e = "<" if buf[4] & DREP_LITTLE_ENDIAN else ">"
            frag_len = _COMMON[e].unpack_from(buf)[5]
            if frag_len < 16:
                self.dead = True
                buf.clear()
                out.append(Note("dcerpc_unparsed", f"frag_length {frag_len} below the header size"))
                return out
            if len(buf) < frag_len:
                break
            pdu = bytes(buf[:frag_len])
            del buf[:frag_len]
            out += self._pdu(pdu, e)
        return out

    # ------------------------------------------------------------- PDUs
    def _pdu(self, pdu: bytes, e: str) -> list[Event]:
        _v, _vm, ptype, flags, _drep, frag_len, auth_len, call_id = _COMMON[e].unpack_from(pdu)
        end = frag_len
        level = None
        if auth_len:
            t = frag_len - auth_len - 8
            if t < 16:
                return [Note("dcerpc_unparsed", "auth_length past the start of the PDU")]
            _atype, level, pad, _r, _ctx = _SEC_TRAILER.unpack_from(pdu, t)
            end = max(16, t - pad)
        out: list[Event] = []
        if ptype in (PTYPE_BIND, PTYPE_ALTER_CONTEXT):
            if SPOOLSS_UUID in pdu[16:end]:
                self.bound_spoolss = True
            self.auth_level = level if level is not None else 1
            out.append(FlowFact("spoolss_auth_level", AUTH_LEVELS.get(self.auth_level, str(self.auth_level))))
        elif ptype in (PTYPE_BIND_ACK, PTYPE_ALTER_CONTEXT_RESP, PTYPE_AUTH3) and level is not None:
            if level != self.auth_level:
                self.auth_level = level
                out.append(FlowFact("spoolss_auth_level", AUTH_LEVELS.get(level, str(level))))
        elif ptype == PTYPE_REQUEST:
            out += self._request(pdu, e, flags, call_id, end, level)
        return out

    def _request(self, pdu: bytes, e: str, flags: int, call_id: int, end: int, level: int | None) -> list[Event]:
        if len(pdu) < 24:
            return []
        _hint, _ctx, opnum = _REQ[e].unpack_from(pdu, 16)
        start = 24 + (16 if flags & PFC_OBJECT_UUID else 0)
        if level == AUTH_LEVEL_PRIVACY or (level is None and self.auth_level == AUTH_LEVEL_PRIVACY):
            return []  # the stub is sealed: nothing to read, and that is the point
        stub = pdu[start:end]
        out: list[Event] = []
        if flags & PFC_FIRST_FRAG or self.call != call_id:
            self.call, self.opnum = call_id, opnum
            self.stub = bytearray()
            self.write_left = -1
        if self.opnum == OPNUM_WRITE_PRINTER:
            out += self._write_printer(stub, e)
        elif len(self.stub) + len(stub) <= MAX_STUB:
            self.stub += stub
        if flags & PFC_LAST_FRAG:
            if self.opnum == OPNUM_START_DOC:
                name = doc_name(bytes(self.stub), e)
                self.job_open = True
                out += [PrintSeen(True), JobStarted("smb")]
                if name is not None:
                    out.append(JobField("document_name", name, "spoolss"))
            elif self.opnum == OPNUM_END_DOC and self.job_open:
                self.job_open = False
                out.append(JobEnded())
            self.call = None
            self.stub = bytearray()
        return out

    def _write_printer(self, stub: bytes, e: str) -> list[Event]:
        """RpcWritePrinter: handle, then a conformant array (max_count, bytes), then cbBuf."""
        if self.write_left < 0:
            self.stub += stub
            if len(self.stub) < HANDLE_LEN + 4:
                return []
            self.write_left = struct.unpack_from(e + "I", self.stub, HANDLE_LEN)[0]
            stub = bytes(self.stub[HANDLE_LEN + 4:])
            self.stub = bytearray()
        piece = stub[:self.write_left]
        self.write_left -= len(piece)
        if not piece:
            return []
        if not self.job_open:  # WritePrinter without a StartDocPrinter seen (capture began later)
            self.job_open = True
            return [PrintSeen(True), JobStarted("smb"), DocumentData(piece)]
        return [DocumentData(piece)]


def _ndr_string(stub: bytes, at: int, e: str) -> str | None:
    """A conformant varying UTF-16 string (max_count, offset, actual_count, chars) at ``at``."""
    if at + 12 > len(stub):
        return None
    mx, off, actual = struct.unpack_from(e + "III", stub, at)
    if off != 0 or actual == 0 or actual > mx or at + 12 + 2 * actual > len(stub):
        return None
    enc = "utf-16-le" if e == "<" else "utf-16-be"
    return stub[at + 12: at + 12 + 2 * actual].decode(enc, "replace").rstrip("\x00")


def doc_name(stub: bytes, e: str = "<") -> str | None:
    """pDocName of RpcStartDocPrinter's DOC_INFO_1, or None when the stub does not fit.

    The union inside DOC_INFO_CONTAINER is non-encapsulated, and NDR marshals its discriminant
    before the arm, so Level normally appears twice; a single Level is accepted as well.
    """
    at = HANDLE_LEN
    if at + 4 > len(stub) or struct.unpack_from(e + "I", stub, at)[0] != 1:
        return None
    for skip in (8, 4):  # Level, Level (union discriminant), pointer | Level, pointer
        p = at + skip
        if p + 16 > len(stub):
            continue
        ptr, p_doc = struct.unpack_from(e + "II", stub, p)
        if ptr == 0 or p_doc == 0:
            continue
        name = _ndr_string(stub, p + 16, e)  # after pointer + the three DOC_INFO_1 pointers
        if name is not None:
            return name
    return None
