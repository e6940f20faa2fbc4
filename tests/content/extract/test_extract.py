"""extract_text on hand-written documents and on real output of Ghostscript and groff."""
from __future__ import annotations

import gzip
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from sniffprint.content import classify
from sniffprint.content.extract import TextResult, extract_text

UEL = b"\x1b%-12345X"
PS = rb"""%!PS-Adobe-3.0
%%Title: (Quarterly \(draft\))
%%For: alice
%%Pages: 1
%%EndComments
/Helvetica findfont 12 scalefont setfont
72 720 moveto (CANARY-PS-1 Alice Example) show
72 700 moveto (alice.example@corp.example SSN 078-05-1120) show
72 680 moveto (Card 4111 1111 1111 1111) show
showpage
%%EOF
"""

needs_gs = pytest.mark.skipif(shutil.which("gs") is None, reason="ghostscript not installed")
needs_groff = pytest.mark.skipif(shutil.which("groff") is None, reason="groff not installed")


def run(data: bytes, langs: list[str] | None = None, **kw: int) -> TextResult:
    return extract_text(data, classify.detect_all(data) if langs is None else langs, **kw)


def gs(tmp_path: Path, device: str, src: bytes, *extra: str) -> bytes:
    inp, out = tmp_path / "in.ps", tmp_path / f"out.{device}"
    inp.write_bytes(src)
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", f"-sDEVICE={device}", *extra,
                    f"-sOutputFile={out}", str(inp)], check=True, capture_output=True, timeout=60)
    return out.read_bytes()


def words(s: str) -> list[str]:
    return s.split()


# --- PostScript -------------------------------------------------------------------------------

def test_postscript_show_and_dsc() -> None:
    r = run(PS)
    assert r.status == "text" and r.pages == 1
    lines = r.text.splitlines()
    assert lines[0] == "Quarterly (draft)" and lines[1] == "alice"
    assert "CANARY-PS-1 Alice Example" in lines
    assert "Card 4111 1111 1111 1111" in lines


def test_postscript_escapes_hex_nested() -> None:
    doc = (b"%!PS\n/F /Courier findfont 10 scalefont def F setfont\n"
           b"10 10 moveto (a\\(b\\) \\101\\102C tab\\tq nest(ed)\\\nline) show\n"
           b"10 30 moveto <48656c6c6f> show 10 50 moveto 1 0 (wide) ashow (k) kshow\n"
           b"10 70 moveto (xy) [1 2 3 4] xyshow /eacute glyphshow\n")
    r = run(doc)
    assert "a(b) ABC tab\tq nest(ed)line" in r.text
    assert "Hello" in r.text and "wide" in r.text and "xy" in r.text and "é" in r.text


def test_postscript_prolog_strings_are_not_text() -> None:
    doc = (b"%!PS-Adobe-3.0\n%%BeginProlog\n/err {(-mark-) show} def\n/Q {moveto show} bind def\n"
           b"%%EndProlog\n(Hello) 72 700 Q (World) 72 680 Q\n")
    r = run(doc)
    assert r.text == "Hello\nWorld"


def test_postscript_same_line_moves_make_spaces() -> None:
    doc = b"%!PS\n72 700 moveto (4111) show 110 700 moveto (1111) show 0 -20 rmoveto (next) show\n"
    assert run(doc).text == "4111 1111\nnext"


@needs_groff
def test_groff_ps_kerned_pieces_join() -> None:
    src = b"CANARY-G-1 Alice Example\n.br\nalice.example@corp.example 078-05-1120\n"
    ps = subprocess.run(["groff", "-Tps"], input=src, capture_output=True, check=True).stdout
    r = run(ps)
    assert r.status == "text"
    assert r.text.splitlines()[-2:] == ["CANARY-G-1 Alice Example", "alice.example@corp.example 078-05-1120"]


@needs_gs
def test_ps2write_output(tmp_path: Path) -> None:
    r = run(gs(tmp_path, "ps2write", PS))
    assert r.status == "text"
    assert "CANARY-PS-1 Alice Example" in r.text and "4111 1111 1111 1111" in r.text


# --- PDF --------------------------------------------------------------------------------------

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


def _pdf(objs: list[bytes | None]) -> bytes:
    out = b"%PDF-1.5\n"
    for i, o in enumerate(objs, 1):
        if o is not None:  # None: an object number used only inside an object stream
            out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _stream(data: bytes, extra: bytes = b"", flate: bool = True) -> bytes:
    if flate:
        data = zlib.compress(data)
        extra += b" /Filter [/FlateDecode]"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


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
        _stream(objstm, b" /Type /ObjStm /N 1 /First %d" % len(header)),
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /X /ToUnicode 6 0 R >>",
        _stream(cmap),
    ]
    # object 3 lives only in the object stream: renumber the list so the stream is object 7
    body = [objs[0], objs[1], None, objs[3], objs[4], objs[5], objs[2]]
    r = run(_pdf(body))
    assert r.status == "text", r
    assert r.text == "Hiéé H\nii\nZ"
    assert "ToUnicode" in r.detail


def test_pdf_differences_and_winansi() -> None:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources << /Font << /A 5 0 R /B 6 0 R >> >> >>",
        b"<< /Type /Page /Parent 2 0 R /Contents [4 0 R] >>",
        _stream(b"BT /A 10 Tf 1 0 0 1 10 700 Tm (\x01\x02\x03) Tj /B 10 Tf 1 0 0 1 10 680 Tm (caf\xe9 \x80) Tj ET",
                flate=False),
        b"<< /Type /Font /Subtype /Type1 /Encoding << /Differences [1 /S /S /N] >> >>",
        b"<< /Type /Font /Subtype /TrueType /Encoding /WinAnsiEncoding >>",
    ]
    r = run(_pdf(objs))
    assert r.text == "SSN\ncafé €"


def test_pdf_image_only_is_raster() -> None:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >> >>",
        _stream(b"q 100 0 0 100 0 0 cm /Im0 Do Q"),
        _stream(b"\x00" * 10, b" /Type /XObject /Subtype /Image /Width 1 /Height 1", flate=False),
    ]
    r = run(_pdf(objs))
    assert r.status == "raster" and r.pages == 1


# --- PCL 5 / PCL XL ---------------------------------------------------------------------------

@needs_groff
def test_groff_lj4_text(tmp_path: Path) -> None:
    src = b"CANARY-L-1 Alice Example\n.br\nalice.example@corp.example 078-05-1120\n"
    pcl = subprocess.run(["groff", "-Tlj4"], input=src, capture_output=True, check=True).stdout
    r = run(pcl)
    assert r.status == "text" and r.pages == 1
    assert r.text.splitlines() == ["CANARY-L-1 Alice Example", "alice.example@corp.example 078-05-1120"]


def test_pcl_binary_payloads_skipped() -> None:
    doc = (b"\x1bE\x1b(s16.66H\x1b(s10V\x1b*p100x100YName:\x1b*p+40XBob\x1b*b5W(ab)c\x1b)s4W\x00\x01\x02\x03"
           b"\x1b*p100x200Y\x1b&p3Xraw\rnext\x0c\x1bE")
    r = run(doc, ["PCL5"])
    assert r.text == "Name: Bob\nraw\nnext", r
    assert r.pages == 1


@needs_gs
def test_ljet4_is_raster(tmp_path: Path) -> None:
    r = run(gs(tmp_path, "ljet4", PS + PS.replace(b"%!PS-Adobe-3.0", b"")))
    assert r.status == "raster" and r.pages == 2 and r.text == ""
    assert r.detail.startswith("raster: text not recoverable (2 pages)")


@needs_gs
def test_pxlmono_is_raster(tmp_path: Path) -> None:
    r = run(UEL + b"@PJL ENTER LANGUAGE=PCLXL\r\n" + gs(tmp_path, "pxlmono", PS) + UEL)
    assert r.status == "raster" and r.pages == 1 and r.text == ""


def _xl_text(s: str, y: int, wide: bool = False) -> bytes:
    point = b"\xd3" + struct.pack("<hh", 100, y) + b"\xf8\x4c\x6b"  # sint16_xy Point SetCursor
    if wide:
        arr = b"\xc9\xc1" + struct.pack("<H", len(s)) + b"".join(struct.pack("<H", ord(c)) for c in s)
    else:
        arr = b"\xc8\xc1" + struct.pack("<H", len(s)) + s.encode("latin-1")
    return point + arr + b"\xf8\xab\xa8"


def test_pclxl_text_data() -> None:
    body = (b") HP-PCL XL;2;0\n\xd1\x2c\x01\x2c\x01\xf8\x89\x41\x43" + _xl_text("Hello XL", 100)
            + _xl_text("Żółw 078-05-1120", 200, wide=True) + b"\x44\x42")
    r = run(UEL + b"@PJL JOB\r\n@PJL ENTER LANGUAGE=PCLXL\r\n" + body + UEL + b"@PJL EOJ\r\n" + UEL)
    assert r.status == "text" and r.pages == 1
    assert r.text == "Hello XL\nŻółw 078-05-1120"


# --- wrappers, raster formats, limits -----------------------------------------------------------

def test_pjl_wrapped_multi_language() -> None:
    doc = (UEL + b"@PJL JOB NAME=\"secret-title\"\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n" + PS
           + UEL + b"@PJL ENTER LANGUAGE=PCL\r\n\x1bEsecond part\x0c" + UEL + b"@PJL EOJ\r\n" + UEL)
    r = run(doc)
    assert r.status == "text"
    assert "secret-title" not in r.text  # PJL is metadata, reported elsewhere
    assert "CANARY-PS-1 Alice Example" in r.text and r.text.endswith("second part")
    assert r.pages == 2


def test_pwg_and_urf_are_raster() -> None:
    hdr = bytearray(1796)
    hdr[:10] = b"PwgRaster\x00"
    hdr[452:456] = struct.pack(">I", 3)
    r = run(b"RaS2" + bytes(hdr) + b"\x00" * 100)
    assert (r.status, r.pages) == ("raster", 3)
    assert r.detail.startswith("raster: text not recoverable (3 pages)")
    r = run(b"UNIRAST\x00" + struct.pack(">I", 2) + b"\x00" * 64)
    assert (r.status, r.pages) == ("raster", 2)


def test_unknown_and_empty() -> None:
    assert run(b"\x89PNG\r\n\x1a\nxxxx", []).status == "unsupported"
    assert run(b"", []).status == "no-text"
    assert run(UEL + b"@PJL INFO STATUS\r\n" + UEL).status == "no-text"


def test_gzip_wrapped() -> None:
    r = run(gzip.compress(PS), ["PostScript"])
    assert r.status == "text" and "CANARY-PS-1" in r.text and r.detail.startswith("gzip")


def test_truncated_at_max_chars() -> None:
    doc = b"%!PS\n" + b"(0123456789) show\n" * 100
    r = run(doc, max_chars=25)
    assert r.status == "truncated" and len(r.text) == 25


def test_flate_bomb_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from sniffprint.content.extract import pdf
    monkeypatch.setattr(pdf, "MAX_STREAM", 1 << 16)
    content = b"BT (x) Tj ET " + b" " * (10 << 20)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>", _stream(content)]
    r = run(_pdf(objs))
    assert r.text == "x" and "decompression capped" in r.detail
