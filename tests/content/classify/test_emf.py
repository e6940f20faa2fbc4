"""EMF and EMF spool (MS-EMF 2.3.4.2, MS-EMFSPOOL 2.2.2): detection and the spooled document name."""
from __future__ import annotations

import struct

from sniffprint.content import classify
from sniffprint.content.classify import emf


def emr_header() -> bytes:
    """An EMR_HEADER record (type 1, size 108) with the " EMF" signature at offset 40."""
    body = struct.pack("<II", 1, 108) + struct.pack("<4i", 0, 0, 89, 89) + struct.pack("<4i", 0, 0, 3138, 3121)
    body += b" EMF" + struct.pack("<IIIHHIII", 0x10000, 108, 1, 1, 0, 0, 0, 0)
    return body + b"\x00" * (108 - len(body))


def emfspool(name: str) -> bytes:
    doc = (name + "\x00").encode("utf-16-le")
    size = 16 + len(doc) + (-len(doc) % 4)
    header = struct.pack("<IIII", 0x00010000, size, 16, 0) + doc + b"\x00" * (-len(doc) % 4)
    metafile = struct.pack("<II", 0x0C, 8 + 108) + emr_header()  # EMRI_METAFILE_DATA holding the EMF
    return header + metafile


def test_bare_emf_and_emf_spool():
    assert classify.detect_all(emr_header()) == ["EMF"]
    spool = emfspool("Microsoft Word - Budget.docx")
    assert classify.detect_all(spool) == ["EMF"]
    assert [(f.name, f.value, f.source) for f in emf.metadata(spool)] == [
        ("title", "Microsoft Word - Budget.docx", "emfspool")]


def test_what_is_not_emf():
    assert not emf.detect(b"\x01\x00\x00\x00" + b"\x00" * 60, 0)  # type 1 without the signature
    assert not emf.detect(b"\x00\x00\x01\x00" + b"\x00" * 60, 2)  # a version without a metafile
    assert emf.metadata(b"%!PS") == [] and emf.metadata(struct.pack("<IIII", 0x10000, 16, 99, 0)) == []
