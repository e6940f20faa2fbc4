"""PDF: version, Info dictionary (literal, hex and UTF-16 strings), XMP, xref streams, tails."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sniffprint.content import classify
from sniffprint.content.classify import pdf

SMALL = (b"%PDF-1.4\n1 0 obj\n<</Type/Catalog>>\nendobj\n"
         b"2 0 obj\n<</Title (Pay \\(Q1\\)\\051) /Author <FEFF0061006C006900630065>"
         b"/Creator(Writer)/Producer(gs)/Subject(secret)>>\nendobj\n"
         b"5 0 obj\n<</Title (outline entry)>>\nendobj\n"
         b"xref\n0 1\ntrailer\n<< /Size 3 /Root 1 0 R /Info 2 0 R >>\nstartxref\n9\n%%EOF\n")


def fields(head: bytes, tail: bytes = b"", whole: bool = True) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for f in pdf.metadata(head, tail, whole):
        out.setdefault(f.name, (f.value, f.source))
    return out


def test_detect_and_version() -> None:
    assert classify.detect(SMALL) == "PDF"
    assert pdf.version(SMALL) == "1.4"


def test_info_dictionary() -> None:
    got = fields(SMALL)
    assert got["title"] == ("Pay (Q1))", "pdf-info")
    assert got["author"] == ("alice", "pdf-info")
    assert got["creator"] == ("Writer", "pdf-info")
    assert got["pdf_version"] == ("1.4", "pdf-header")
    assert "subject" not in got


def test_info_in_tail_only() -> None:
    body = b"%PDF-1.5\n" + b"x" * 100_000
    tail = (b"7 0 obj\n<</Title(late)/Author(bob)>>endobj\n"
            b"9 0 obj\n<</Type/XRef/Size 10/Info 7 0 R/Root 1 0 R/Filter/FlateDecode>>stream\n")
    got = fields(body[:65536], tail, whole=False)
    assert got["title"] == ("late", "pdf-info") and got["author"] == ("bob", "pdf-info")


def test_xmp() -> None:
    doc = (b"%PDF-1.7\n<x:xmpmeta><dc:title><rdf:Alt><rdf:li xml:lang='x-default'>A &amp; B</rdf:li></rdf:Alt>"
           b"</dc:title><dc:creator><rdf:Seq><rdf:li>alice</rdf:li></rdf:Seq></dc:creator></x:xmpmeta>")
    got = fields(doc)
    assert got["title"] == ("A & B", "xmp") and got["author"] == ("alice", "xmp")


def test_read_string_edge_cases() -> None:
    assert pdf.read_string(b"(a\\\nb)", 0) == (b"ab", 6)
    assert pdf.read_string(b"(unterminated", 0) is None
    assert pdf.read_string(b"<414>", 0) == (b"A@", 5)


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript not installed")
def test_ghostscript_pdfwrite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.ps"
    src.write_bytes(b"%!PS\n[ /Title (Quarterly.doc) /Author (alice) /DOCINFO pdfmark\n"
                    b"/Helvetica findfont 12 scalefont setfont 72 720 moveto (Hi) show showpage\n")
    out = tmp_path / "out.pdf"
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", f"-sOutputFile={out}",
                    str(src)], check=True, capture_output=True, timeout=60)
    doc = out.read_bytes()
    assert classify.detect_all(doc) == ["PDF"]
    got = fields(doc)
    assert got["title"][0] == "Quarterly.doc" and got["author"][0] == "alice"
