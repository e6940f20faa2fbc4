"""SMB3 transform headers: encrypted messages (0xFD 'SMB') and compressed ones (0xFC 'SMB').

Read from: MS-SMB2 2.2.41 (SMB2 TRANSFORM_HEADER), 2.2.42 (COMPRESSION_TRANSFORM_HEADER),
3.1.4.3 (encryption: everything after the 52-byte transform header is ciphertext).

An encrypted message hides everything, shares included: the first one makes the flow SMB3-protected
(``ProtectionSeen``) and, unless a print share was already seen in clear, its print status unknown
(``PrintSeen(None)``). Its SessionId marks that session as encrypted. A compressed message is
noted once and not decompressed.

Invariants: the protection is decided by the protocol id alone, even when the rest of the
transform header is cut; ``parse`` returns None on short input and never raises.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from ....model import Direction, Protection
from ...events import Event, Note, PrintSeen, ProtectionSeen
from ..nbss import Reader
from ..state import Connection

TRANSFORM_ID = b"\xfdSMB"
COMPRESSED_ID = b"\xfcSMB"

# ProtocolId, Signature, Nonce, OriginalMessageSize, Reserved, Flags/EncryptionAlgorithm, SessionId
_TRANSFORM = struct.Struct("<4s16s16sIHHQ")


@dataclass(slots=True, frozen=True)
class TransformHeader:
    original_size: int  # the size of the SMB2 message once decrypted
    flags: int
    session_id: int

    @classmethod
    def parse(cls, buf: bytes | memoryview, off: int = 0) -> TransformHeader | None:
        if len(buf) - off < _TRANSFORM.size:
            return None
        magic, _signature, _nonce, size, _reserved, flags, sid = _TRANSFORM.unpack_from(buf, off)
        return cls(size, flags, sid) if magic == TRANSFORM_ID else None


def encrypted(conn: Connection, direction: Direction, msg: bytes, stream: Reader | None) -> list[Event]:
    th = TransformHeader.parse(msg)
    if th is not None:
        session = conn.sessions.get(th.session_id)  # not created: an unknown id names nothing
        if session is not None:
            session.encrypted = True
    if conn.encrypted:
        return []
    conn.encrypted = True
    out: list[Event] = [ProtectionSeen(Protection.SMB3, direction)]
    if not conn.print_share:
        out.append(PrintSeen(None))
    return out


def compressed(conn: Connection, direction: Direction, msg: bytes, stream: Reader | None) -> list[Event]:
    if conn.compressed_noted:
        return []
    conn.compressed_noted = True
    return [Note("smb_compressed", "SMB2 COMPRESSION_TRANSFORM_HEADER: compressed messages are "
                 "not decompressed, their content is not read")]
