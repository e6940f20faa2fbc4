"""SMB over TCP: NetBIOS session framing (RFC 1002 4.3.1, MS-SMB2 2.1) and SMB2/3 (MS-SMB2).

Every message on 445 is a 4-byte NetBIOS session header (type 0x00, 24-bit length) and one SMB
message: ``\\xffSMB`` (SMB1, obsolete and never encrypted), ``\\xfeSMB`` (SMB2/3 header,
MS-SMB2 2.2.1), ``\\xfdSMB`` (the SMB3 TRANSFORM_HEADER, 2.2.41: everything inside is encrypted)
or ``\\xfcSMB`` (compression transform, 2.2.42).

What decides ``print``: the TREE_CONNECT response's ShareType (2.2.10: 0x03 print). A session
whose messages are all in transform headers hides its shares, so ``print`` is null (unknown).
"""
from __future__ import annotations

import struct

from ..errors import ProtocolViolation
from ..events import Event, FlowFact, PrintSeen, ProtectionSeen
from ..model import Direction, Protection, Service
from . import Dissector
from ._buffer import Buffer

NBSS_MESSAGE = 0x00
NBSS_TYPES = frozenset({0x00, 0x81, 0x82, 0x83, 0x84, 0x85})  # RFC 1002 4.3.1
SMB1 = b"\xffSMB"
SMB2 = b"\xfeSMB"
SMB2_TRANSFORM = b"\xfdSMB"
SMB2_COMPRESSED = b"\xfcSMB"
SMB_MAGICS = (SMB1, SMB2, SMB2_TRANSFORM, SMB2_COMPRESSED)

SMB2_NEGOTIATE = 0x0000
SMB2_TREE_CONNECT = 0x0003
SMB2_FLAGS_SERVER_TO_REDIR = 0x00000001  # a response
SHARE_TYPE_DISK, SHARE_TYPE_PIPE, SHARE_TYPE_PRINT = 1, 2, 3
DIALECTS = {0x0202: "2.0.2", 0x0210: "2.1", 0x0300: "3.0", 0x0302: "3.0.2", 0x0311: "3.1.1"}
MAX_MESSAGE = 16 * 1024 * 1024 + 1024  # MS-SMB2 MaxWriteSize tops out at 8 MiB; leave headroom

_SMB2_HDR = struct.Struct("<4sHHIHHIIQIIQ16s")


class SmbDissector(Dissector):
    name = "smb"
    service = Service.SMB
    ports = frozenset({445, 139})

    def __init__(self, key) -> None:  # type: ignore[no-untyped-def]
        super().__init__(key)
        self.buf = (Buffer(MAX_MESSAGE), Buffer(MAX_MESSAGE))
        self.encrypted = False
        self.print_share = False

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key) -> float:  # type: ignore[no-untyped-def]
        for head in (c2s, s2c):
            if len(head) >= 8 and head[0] == NBSS_MESSAGE and head[4:8] in SMB_MAGICS:
                return 0.95
            if len(head) >= 4 and head[0] == 0x81 and key.server_port == 139:
                return 0.8
        return 0.0

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        buf = self.buf[direction]
        buf.feed(data)
        out: list[Event] = []
        while len(buf) >= 4:
            b = buf.data
            if b[0] not in NBSS_TYPES:
                raise ProtocolViolation(f"NetBIOS session type 0x{b[0]:02x}", buf.consumed)
            length = int.from_bytes(b[1:4], "big")
            if len(b) < 4 + length:
                return out
            msg = buf.take(4 + length)[4:]
            if msg:
                out += self._message(direction, msg)
        return out

    def _message(self, direction: Direction, msg: bytes) -> list[Event]:
        magic = msg[:4]
        if magic == SMB2_TRANSFORM:
            if not self.encrypted:
                self.encrypted = True
                return [ProtectionSeen(Protection.SMB3, direction)]
            return []
        if magic == SMB1 or magic == SMB2_COMPRESSED:
            return []
        if magic != SMB2:
            raise ProtocolViolation(f"not an SMB message: {magic.hex()}")
        out: list[Event] = []
        off = 0
        while off + 64 <= len(msg):  # compound chain, MS-SMB2 3.2.4.1.4
            (_pid, _size, _credit, status, command, _cr, flags, nxt, _mid, _r, _tid, _sid,
             _sig) = _SMB2_HDR.unpack_from(msg, off)
            body = msg[off + 64: off + nxt if nxt else len(msg)]
            if flags & SMB2_FLAGS_SERVER_TO_REDIR and status == 0:
                if command == SMB2_NEGOTIATE and len(body) >= 6:
                    dialect = struct.unpack_from("<H", body, 4)[0]
                    if dialect in DIALECTS:
                        out.append(FlowFact("smb_dialect", DIALECTS[dialect]))
                elif command == SMB2_TREE_CONNECT and len(body) >= 3:
                    if body[2] == SHARE_TYPE_PRINT and not self.print_share:
                        self.print_share = True
                        out.append(PrintSeen(True))
            if not nxt:
                break
            off += nxt
        return out

    def close(self) -> list[Event]:
        if self.print_share:
            return []
        return [PrintSeen(None if self.encrypted else False)]
