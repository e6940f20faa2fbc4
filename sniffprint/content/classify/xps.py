"""XPS (and OpenXPS): a ZIP package of fixed pages, what Windows sends for the "XPS_PASS" datatype.

Read from: ECMA-388 (OpenXPS) 9-10 and the XPS 1.0 specification (the package: a ZIP archive,
APPNOTE 4.3.7 local file headers, whose part names in clear include the FixedDocumentSequence
``.fdseq``, the FixedDocuments ``.fdoc`` and the FixedPages ``.fpage``).

A ZIP local file header signature followed, within the head, by the name of one of those parts.
Other ZIP files (an Office document copied to a printer) are not XPS.

Invariants: detection reads the head only (``SCAN`` bytes); no metadata is read (the package is
compressed).
"""
from __future__ import annotations

from .fields import DocField

NAME = "XPS"
ZIP_LOCAL = b"PK\x03\x04"  # APPNOTE 4.3.7 local file header signature
PARTS = (b".fdseq", b".fdoc", b".fpage", b"FixedDocumentSequence")
SCAN = 64 * 1024


def detect(buf: bytes, at: int) -> bool:
    if not buf.startswith(ZIP_LOCAL, at):
        return False
    window = buf[at:at + SCAN]
    return any(p in window for p in PARTS)


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    return []
