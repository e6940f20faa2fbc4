"""Redacted page-1 thumbnails: Ghostscript rendering, PJL stripping, pixelation, PNG encoding."""
from __future__ import annotations

import os
import shutil
import stat
import struct
import subprocess
import zlib

import numpy as np
import pytest

from sniffprint.evidence import thumbnail as th

GS = shutil.which("gs")
needs_gs = pytest.mark.skipif(GS is None, reason="Ghostscript (gs) not installed")

# US Letter (612 x 792 pt) pinned so the render size is known: 204 x 264 px at 24 dpi
PS = (b"%!PS-Adobe-3.0\n%%Pages: 2\n<< /PageSize [612 792] >> setpagedevice\n"
      b"/Helvetica-Bold findfont 96 scalefont setfont\n"
      b"40 600 moveto (SECRET) show 40 450 moveto (PAYROLL) show\n"
      b"/Helvetica findfont 12 scalefont setfont\n"
      b"40 300 moveto (Alice Example 123-45-6789 salary 98000) show\nshowpage\n"
      b"<< /PageSize [842 595] >> setpagedevice\n"
      b"/Helvetica findfont 96 scalefont setfont 40 300 moveto (PAGE TWO) show\nshowpage\n")
UEL = b"\x1b%-12345X"


def parse_png(data: bytes) -> tuple[int, int, np.ndarray]:
    """Check signature, chunk order and every CRC; return (width, height, pixels)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    p, kinds, idat, ihdr = 8, [], b"", None
    while p < len(data):
        (n,) = struct.unpack_from(">I", data, p)
        kind = data[p + 4:p + 8]
        body = data[p + 8:p + 8 + n]
        (crc,) = struct.unpack_from(">I", data, p + 8 + n)
        assert crc == zlib.crc32(kind + body), kind
        kinds.append(kind)
        if kind == b"IHDR":
            ihdr = body
        elif kind == b"IDAT":
            idat += body
        p += 12 + n
    assert p == len(data)
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    w, h, depth, ctype, comp, filt, interlace = struct.unpack(">IIBBBBB", ihdr)
    assert (depth, ctype, comp, filt, interlace) == (8, 0, 0, 0, 0)
    raw = zlib.decompress(idat)
    assert len(raw) == h * (w + 1)
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(h, w + 1)
    img = np.zeros((h, w), dtype=np.int32)
    prev = np.zeros(w, dtype=np.int32)
    for y in range(h):  # PNG filter types 0-4 (section 9), in full
        ftype, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        out = np.zeros(w, dtype=np.int32)
        for x in range(w):
            a = out[x - 1] if x else 0
            b = prev[x]
            c = prev[x - 1] if x else 0
            if ftype == 0:
                pred = 0
            elif ftype == 1:
                pred = a
            elif ftype == 2:
                pred = b
            elif ftype == 3:
                pred = (a + b) // 2
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
            else:
                raise AssertionError(f"bad filter type {ftype}")
            out[x] = (line[x] + pred) & 0xFF
        img[y] = out
        prev = out
    return w, h, img.astype(np.uint8)


def gs_render(path, dpi: int = 24) -> np.ndarray:
    out = subprocess.run([GS, "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dQUIET", "-dFirstPage=1", "-dLastPage=1",
                          "-sDEVICE=pgmraw", f"-r{dpi}", "-dTextAlphaBits=4", "-dGraphicsAlphaBits=4",
                          "-sOutputFile=-", str(path)], capture_output=True, check=True).stdout
    return th.read_pnm(out)


def blocks_uniform(img: np.ndarray, block: int) -> bool:
    h, w = img.shape
    return all((img[y:y + block, x:x + block] == img[y, x]).all()
               for y in range(0, h, block) for x in range(0, w, block))


@pytest.fixture(scope="module")
def pdf_bytes(tmp_path_factory) -> bytes:
    if GS is None:
        pytest.skip("Ghostscript (gs) not installed")
    d = tmp_path_factory.mktemp("pdf")
    (d / "in.ps").write_bytes(PS)
    subprocess.run([GS, "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dQUIET", "-sDEVICE=pdfwrite",
                    f"-sOutputFile={d / 'out.pdf'}", str(d / "in.ps")], check=True)
    return (d / "out.pdf").read_bytes()


@needs_gs
def test_postscript_page1_is_rendered_and_pixelated(tmp_path):
    t = th.redacted_thumbnail(PS, "PostScript")
    assert t.status == "ok", t.detail
    w, h, img = parse_png(t.png)
    assert (w, h) == (204, 264)  # page 1 (portrait Letter), not page 2 (landscape A4)
    # the plain render shows glyph detail inside cells; the thumbnail has none left
    (tmp_path / "p.ps").write_bytes(PS)
    plain = gs_render(tmp_path / "p.ps")
    assert plain.shape == img.shape
    b = th.cell_for(plain, 8)  # the cell grows past the tallest glyph (the big words)
    assert b > 8 and t.detail == f"page 1 at 24 dpi (204x264 px), pixelated in {b}x{b} blocks ({b * 3:g} pt)"
    assert not blocks_uniform(plain, b)
    assert blocks_uniform(img, b)
    cells = img[::b, ::b]
    assert cells.shape == (-(-264 // b), -(-204 // b))
    assert np.array_equal(np.repeat(np.repeat(cells, b, 0), b, 1)[:h, :w], img)
    # the layout survives: the big words darken cells, the top margin stays white
    assert cells.min() < 200
    assert (cells[:1] == 255).all()
    # each cell is the mean of the plain render over it (no other information is added)
    assert abs(int(cells[2, 1]) - round(plain[2 * b:3 * b, b:2 * b].mean())) <= 1


@needs_gs
def test_pdf(pdf_bytes):
    assert pdf_bytes.startswith(b"%PDF-")
    t = th.redacted_thumbnail(pdf_bytes, "PDF", dpi=36, block=12)
    assert t.status == "ok", t.detail
    w, h, img = parse_png(t.png)
    assert (w, h) == (306, 396)
    cell = int(t.detail.split(" blocks")[0].rsplit(" ", 1)[1].split("x")[0])
    assert cell >= 12 and blocks_uniform(img, cell)
    assert img.min() < 200


@needs_gs
def test_pjl_wrapped_postscript_equals_bare(pdf_bytes):
    job = (UEL + b"@PJL JOB NAME=\"payroll\"\r\n@PJL SET USERNAME=\"alice\"\r\n"
           b"@PJL ENTER LANGUAGE=POSTSCRIPT\r\n" + PS + b"\x04" + UEL + b"@PJL EOJ NAME=\"payroll\"\r\n" + UEL)
    bare = th.redacted_thumbnail(PS, "PostScript")
    wrapped = th.redacted_thumbnail(job, "PostScript")
    assert wrapped.status == "ok", wrapped.detail
    assert wrapped.png == bare.png
    # a job whose language was recorded as PJL is rendered from its body as well
    assert th.redacted_thumbnail(job, "PJL").png == bare.png
    pdf_job = UEL + b"@PJL ENTER LANGUAGE=PDF\r\n" + pdf_bytes + UEL
    assert th.redacted_thumbnail(pdf_job, "PDF").status == "ok"
    # CUPS' Ctrl-D around a PostScript job
    assert th.redacted_thumbnail(b"\x04" + PS + b"\x04", "postscript").png == bare.png


def test_strip_envelope():
    assert th.strip_envelope(UEL + b"@PJL ENTER LANGUAGE=PDF\r\n%PDF-1.4 x" + UEL + b"@PJL EOJ") == b"%PDF-1.4 x"
    assert th.strip_envelope(b"@PJL\r\n%!PS\nshowpage\n") == b"%!PS\nshowpage\n"
    assert th.strip_envelope(b"%!PS\n1 2 add\n") == b"%!PS\n1 2 add\n"
    assert th.strip_envelope(UEL + b"@PJL ENTER LANGUAGE=PCL\r\n\x1bE") == UEL + b"@PJL ENTER LANGUAGE=PCL\r\n\x1bE"


@needs_gs
@pytest.mark.parametrize(("doc", "lang"), [
    (b"payroll_secret_word \x00\x01\x02 garbage", "PostScript"),
    (b"%PDF-1.7\njunk payroll_secret_word\n", "PDF"),
    (b"%!PS\n/payroll_secret_word 1 0 div\n", "PostScript"),
    (bytes(range(256)) * 40, "PDF"),
    (b"", "PostScript"),
    (b"\x04\x04", "PostScript"),
])
def test_garbage_fails_without_quoting_the_document(doc, lang):
    t = th.redacted_thumbnail(doc, lang)
    assert t.status == "failed"
    assert t.png is None
    assert t.detail and "\n" not in t.detail
    assert "payroll" not in t.detail and "secret" not in t.detail


@needs_gs
def test_postscript_error_name_is_reported():
    t = th.redacted_thumbnail(b"%!PS\nnosuchoperator_payroll\n", "PostScript")
    assert t.status == "failed"
    assert t.detail == "Ghostscript could not render page 1 (exit 1, PostScript error /undefined)"


@needs_gs
def test_endless_loop_times_out():
    t = th.redacted_thumbnail(b"%!PS\n{ 1 pop } loop\n", "PostScript", timeout=1.0)
    assert t.status == "failed"
    assert "within 1 s" in t.detail or "CPU time" in t.detail


@needs_gs
def test_huge_page_is_a_failure_not_a_hang():
    doc = b"%!PS\n<< /PageSize [400000 400000] >> setpagedevice 0 setgray clippath fill showpage\n"
    t = th.redacted_thumbnail(doc, "PostScript", dpi=300, block=100, timeout=20)
    assert t.status == "failed", t.detail


@needs_gs
def test_private_temp_files_are_removed(monkeypatch, tmp_path):
    monkeypatch.setattr(th.tempfile, "tempdir", str(tmp_path))
    seen = {}
    real_run = subprocess.run

    def spy(argv, **kw):
        if "-dSAFER" not in argv:  # the one-off probe of network isolation
            return real_run(argv, **kw)
        doc = argv[-1]
        seen["mode"] = stat.S_IMODE(os.stat(doc).st_mode)
        seen["dirmode"] = stat.S_IMODE(os.stat(os.path.dirname(doc)).st_mode)
        seen["shell"] = kw.get("shell", False)
        seen["env"] = kw["env"]
        return real_run(argv, **kw)

    monkeypatch.setattr(th.subprocess, "run", spy)
    monkeypatch.setenv("GS_OPTIONS", "-dNOSAFER")
    assert th.redacted_thumbnail(PS, "PostScript").status == "ok"
    assert seen["mode"] == 0o400 and seen["dirmode"] == 0o700 and seen["shell"] is False
    assert "GS_OPTIONS" not in seen["env"]
    assert list(tmp_path.iterdir()) == []
    assert th.redacted_thumbnail(b"garbage", "PostScript").status == "failed"
    assert list(tmp_path.iterdir()) == []


def test_missing_ghostscript(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    t = th.redacted_thumbnail(PS, "PostScript")
    assert t == th.Thumbnail("no-ghostscript", "Ghostscript (gs) is not installed: no thumbnail", None)


def test_gs_that_cannot_run(monkeypatch, tmp_path):
    fake = tmp_path / "gs"
    fake.write_text("not an executable format")
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: str(fake))
    t = th.redacted_thumbnail(PS, "PostScript")
    assert t.status == "failed" and t.png is None


@pytest.mark.parametrize("lang", ["PCL5", "PCLXL", "PWG-Raster", "", "URF"])
def test_unsupported_languages(lang):
    t = th.redacted_thumbnail(b"\x1bE\x1b&l0O hello", lang)
    assert t.status == "unsupported" and t.png is None
    assert "Ghostscript renders only PostScript and PDF here" in t.detail
    assert t.detail.startswith(lang or "unknown language")


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        th.redacted_thumbnail(PS, "PostScript", dpi=0)
    with pytest.raises(ValueError):
        th.redacted_thumbnail(PS, "PostScript", block=0)
    with pytest.raises(ValueError, match="24 pt"):  # 8 px at 48 dpi: 12 pt cells would show headings
        th.redacted_thumbnail(PS, "PostScript", dpi=48)
    assert th.redacted_thumbnail(b"", "PCL5", dpi=48, block=16).status == "unsupported"


def test_pixelate_edges_and_png_roundtrip():
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, size=(21, 30), dtype=np.uint8)
    px = th.pixelate(img, 8)
    assert px.shape == img.shape and px.dtype == np.uint8
    assert blocks_uniform(px, 8)
    assert px[0, 0] == round(img[:8, :8].mean())
    assert px[20, 29] == round(img[16:21, 24:30].mean())  # a partial corner cell: its own mean
    w, h, back = parse_png(th.encode_png(px))
    assert (w, h) == (30, 21)
    assert np.array_equal(back, px)
    assert np.array_equal(th.pixelate(img, 1), img)


def test_read_pnm_variants():
    pgm = b"P5\n# comment\n3 2\n255\n" + bytes([0, 128, 255, 1, 2, 3])
    assert th.read_pnm(pgm).tolist() == [[0, 128, 255], [1, 2, 3]]
    ppm = b"P6 1 1 15\n" + bytes([15, 15, 15])
    assert th.read_pnm(ppm).tolist() == [[255]]
    for bad in (b"P4\n1 1\n", b"P5\n1 1\n255\n", b"P5\nx y\n255\n", b"P5\n0 1\n255\n"):
        with pytest.raises(th._RenderError):
            th.read_pnm(bad)


def test_png_is_readable_by_pillow_if_present():
    image = pytest.importorskip("PIL.Image")
    import io

    img = np.arange(48, dtype=np.uint8).reshape(6, 8)
    with image.open(io.BytesIO(th.encode_png(img))) as im:
        assert im.size == (8, 6) and im.mode == "L"
        assert np.array_equal(np.asarray(im), img)


@needs_gs
def test_every_cell_is_taller_than_the_tallest_glyph_even_at_300_pt(tmp_path):
    """A 300 pt headline was legible through 24 pt cells; the cell now grows with the text."""
    big = (b"%!PS-Adobe-3.0\n%%BoundingBox: 0 0 612 792\n/Helvetica-Bold findfont 300 scalefont setfont\n"
           b"20 400 moveto (SSN) show showpage\n")
    t = th.redacted_thumbnail(big, "PostScript")
    assert t.status == "ok", t.detail
    (tmp_path / "big.ps").write_bytes(big)
    plain = gs_render(tmp_path / "big.ps")
    ink_rows = np.where((plain < th.INK).any(axis=1))[0]
    glyph_height = int(ink_rows.max() - ink_rows.min() + 1)  # the capitals' height in pixels
    cell = th.cell_for(plain, 8)
    assert glyph_height > 60 and cell > glyph_height
    w, h, img = parse_png(t.png)
    assert blocks_uniform(img, cell)


def test_a_run_spends_at_most_its_render_budget():
    budget = th.RenderBudget(seconds=0.2)
    budget.spent = 0.0
    budget.spent = 0.19
    t = th.redacted_thumbnail(PS, "PostScript", budget=budget)
    assert t.status == "skipped" and "render budget" in t.detail
