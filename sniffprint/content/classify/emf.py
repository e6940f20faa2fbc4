"""EMF and EMF spool (EMFSPOOL): what Windows sends through RpcWritePrinter for a job whose datatype
is "NT EMF 1.00x" (the spooler renders it later, on the server).

Read from: MS-EMFSPOOL 2.2.2 (the Header record: dwVersion 0x00010000, cjSize, dpszDocName and
dpszOutput, offsets of NUL-terminated UTF-16 strings from the record's start), 2.2.3 (the data
records that follow, among them the EMF metafiles), MS-EMF 2.3.4.2 (EMR_HEADER: record type 1,
then at offset 40 the signature 0x464D4520, " EMF").

A bare EMF starts with its EMR_HEADER; an EMFSPOOL starts with its Header record and holds EMF
metafiles soon after. The document name the spool file carries is its ``title``.

Invariants: detection reads the head only (``SCAN`` bytes); the name is read inside the header
record and bounded.
"""
from __future__ import annotations

import struct

from .fields import MAX_VALUE, DocField

NAME = "EMF"
SIGNATURE = b" EMF"  # ENHMETA_SIGNATURE 0x464D4520, little-endian (MS-EMF 2.1.14)
SIGNATURE_AT = 40  # its offset in EMR_HEADER
EMR_HEADER = b"\x01\x00\x00\x00"  # record type 1
SPOOL_VERSION = b"\x00\x00\x01\x00"  # EMFSPOOL dwVersion 0x00010000
SCAN = 8192  # bytes of an EMFSPOOL searched for its first metafile's signature
_HEADER = struct.Struct("<IIII")  # dwVersion, cjSize, dpszDocName, dpszOutput


def _start(buf: bytes, at: int) -> int:
    """Where the document starts: classification skips leading NULs, and dwVersion starts with two."""
    return at - 2 if at >= 2 and buf[at - 2:at + 2] == SPOOL_VERSION else at


def detect(buf: bytes, at: int) -> bool:
    s = _start(buf, at)
    if buf.startswith(EMR_HEADER, s):
        return buf[s + SIGNATURE_AT:s + SIGNATURE_AT + 4] == SIGNATURE
    return buf.startswith(SPOOL_VERSION, s) and SIGNATURE in buf[s:s + SCAN]


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    """The document name of an EMFSPOOL header record."""
    if not head.startswith(SPOOL_VERSION) or len(head) < _HEADER.size:
        return []
    _version, size, doc_at, _output = _HEADER.unpack_from(head)
    if not _HEADER.size <= doc_at < min(size, len(head)):
        return []
    raw = head[doc_at:min(size, len(head), doc_at + 2 * MAX_VALUE)]
    end = next((i for i in range(0, len(raw) - 1, 2) if raw[i:i + 2] == b"\x00\x00"), len(raw) & ~1)
    name = raw[:end].decode("utf-16-le", "replace").strip()
    return [DocField("title", name, "emfspool")] if name else []
