"""PDF text through fonts, encodings, object streams and filters (``sniffprint/content/extract/pdf.py``
and ``_pdfobjects.py``)."""
from __future__ import annotations

import shutil
import subprocess
import time
import zlib
from pathlib import Path

import pytest

from sniffprint.content.extract import _pdfobjects

from ._docs import PS, gs, needs_groff, needs_gs, pdf_file, run, stream, words


@needs_gs
def test_pdfwrite_matches_pdftotext(tmp_path: Path) -> None:
    pdf = gs(tmp_path, "pdfwrite", PS)
    r = run(pdf)
    assert r.status == "text" and r.pages == 1
    assert "alice.example@corp.example SSN 078-05-1120" in r.text.splitlines()
    if shutil.which("pdftotext"):
        ref = subprocess.run(["pdftotext", str(tmp_path / "out.pdfwrite"), "-"], capture_output=True,
                             check=True).stdout.decode()
        assert words(r.text) == words(ref)


@needs_gs
@needs_groff
def test_pdfwrite_of_groff_matches_pdftotext(tmp_path: Path) -> None:
    src = b"CANARY-G-2 Alice Example\n.br\nKerning Taxes Wave Over\n.bp\nsecond page\n"
    ps = subprocess.run(["groff", "-Tps"], input=src, capture_output=True, check=True).stdout
    pdf = gs(tmp_path, "pdfwrite", ps)
    r = run(pdf)
    assert r.pages == 2
    if shutil.which("pdftotext"):
        ref = subprocess.run(["pdftotext", str(tmp_path / "out.pdfwrite"), "-"], capture_output=True,
                             check=True).stdout.decode()
        assert words(r.text) == words(ref)


def test_pdf_tounicode_objstm_tj_kerning() -> None:
    content = (b"BT /F1 12 Tf 72 720 Td <0102> Tj [(\x03)-50(\x03)-400(\x01)] TJ 0 -14 Td (\x02\x02) Tj "
               b"T* (Z) ' ET")
    cmap = (b"/CIDInit /ProcSet findresource begin begincmap 1 begincodespacerange <00> <FF> endcodespacerange "
            b"2 beginbfchar <01> <0048> <02> <0069> endbfchar 1 beginbfrange <03> <03> <00E9> endbfrange "
            b"endcmap end")
    objstm_obj = b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
    header = b"3 0 "
    objstm = header + objstm_obj
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        stream(objstm, b" /Type /ObjStm /N 1 /First %d" % len(header)),
        stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /X /ToUnicode 6 0 R >>",
        stream(cmap),
    ]
    # object 3 lives only in the object stream: renumber the list so the stream is object 7
    body = [objs[0], objs[1], None, objs[3], objs[4], objs[5], objs[2]]
    r = run(pdf_file(body))
    assert r.status == "text", r
    assert r.text == "Hiéé H\nii\nZ"
    assert "ToUnicode" in r.detail


def test_pdf_differences_and_winansi() -> None:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources << /Font << /A 5 0 R /B 6 0 R >> >> >>",
        b"<< /Type /Page /Parent 2 0 R /Contents [4 0 R] >>",
        stream(b"BT /A 10 Tf 1 0 0 1 10 700 Tm (\x01\x02\x03) Tj /B 10 Tf 1 0 0 1 10 680 Tm (caf\xe9 \x80) Tj ET",
                flate=False),
        b"<< /Type /Font /Subtype /Type1 /Encoding << /Differences [1 /S /S /N] >> >>",
        b"<< /Type /Font /Subtype /TrueType /Encoding /WinAnsiEncoding >>",
    ]
    r = run(pdf_file(objs))
    assert r.text == "SSN\ncafé €"


def test_pdf_image_only_is_raster() -> None:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >> >>",
        stream(b"q 100 0 0 100 0 0 cm /Im0 Do Q"),
        stream(b"\x00" * 10, b" /Type /XObject /Subtype /Image /Width 1 /Height 1", flate=False),
    ]
    r = run(pdf_file(objs))
    assert r.status == "raster" and r.pages == 1


def test_flate_bomb_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pdfobjects, "MAX_STREAM", 1 << 16)
    content = b"BT (x) Tj ET " + b" " * (10 << 20)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>", stream(content)]
    r = run(pdf_file(objs))
    assert r.text == "x" and "decompression capped" in r.detail


def test_small_flate_stream_of_parentheses_is_fast() -> None:
    """Issue 9: a 52-byte Flate stream inflating to unmatched "(" took 34 s (a rescan per "(")."""
    content = b"BT " + b"(" * 50_000 + b" (after) Tj ET"
    doc = pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>", stream(content)])
    assert len(zlib.compress(content)) < 200
    t0 = time.perf_counter()
    r = run(doc)
    assert time.perf_counter() - t0 < 2.0
    assert r.text == "after"


def test_cid_identity_without_tounicode_is_a_guess_said_so() -> None:
    """A Type 0 font with Identity-H and no ToUnicode: codes read as UCS-2, and the detail says so."""
    text = "SSN 078-05-1120"
    content = b"BT /F1 12 Tf 72 720 Td <" + text.encode("utf-16-be").hex().encode() + b"> Tj ET"
    objs: list[bytes | None] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        stream(content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /CIDToGIDMap /Identity >>",
    ]
    r = run(pdf_file(objs))
    assert r.status == "text" and r.text == text
    assert "cid-identity-guess" in r.detail


def test_simple_font_tounicode_with_two_byte_codespace() -> None:
    """matplotlib's Type 3 fonts and gropdf declare <0000> <FFFF> in the ToUnicode of a simple font,
    whose codes are one byte all the same (ISO 32000-1 9.6.1)."""
    cmap = (b"1 begincodespacerange <0000> <FFFF> endcodespacerange "
            b"1 beginbfrange <41> <42> [<0058> <0059>] endbfrange")
    objs: list[bytes | None] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        stream(b"BT /F1 12 Tf 72 720 Td (ABC) Tj ET"),
        b"<< /Type /Font /Subtype /Type3 /FontMatrix [0.001 0 0 0.001 0 0] /ToUnicode 6 0 R "
        b"/Encoding << /Differences [65 /A /B /C] >> /CharProcs << >> >>",
        stream(cmap),
    ]
    assert run(pdf_file(objs)).text == "XYC"


def test_labels_placed_by_cm_are_lines() -> None:
    """Each label drawn under its own cm (matplotlib) is a line, not glued to the previous one."""
    content = (b"q 1 0 0 1 20 170 cm BT /F1 10 Tf 0 0 Td (first) Tj ET Q "
               b"q 1 0 0 1 20 130 cm BT /F1 10 Tf 0 0 Td (second) Tj ET Q")
    objs: list[bytes | None] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    assert run(pdf_file(objs)).text == "first\nsecond"
