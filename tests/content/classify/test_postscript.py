"""PostScript: detection (Ctrl-D, TBCP) and DSC metadata, including (atend) values."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sniffprint.content import classify
from sniffprint.content.classify import postscript

DOC = (b"%!PS-Adobe-3.0\n%%Title: (pay\\(roll\\).doc)\n%%For: alice\n%%Creator: Writer 7\n"
       b"%%CreationDate: (D:2026)\n%%Pages: (atend)\n%%EndComments\nshowpage\n%%Trailer\n%%Pages: 3\n%%EOF\n")


def test_detect_prefixes() -> None:
    assert classify.detect(b"\x04%!PS") == "PostScript"
    assert classify.detect(b"\x01M%!PS-Adobe") == "PostScript"  # TBCP
    assert classify.detect(b"\x1b%-12345X\x01M%!PS") == "PJL"  # TBCP's UEL is a UEL
    assert not postscript.detect(b"%PDF-1.4", 0)


def test_dsc_metadata() -> None:
    got = {f.name: (f.value, f.source) for f in postscript.metadata(DOC)}
    assert got == {"title": ("pay(roll).doc", "dsc"), "user": ("alice", "dsc"), "creator": ("Writer 7", "dsc"),
                   "creation_date": ("D:2026", "dsc"), "pages": ("3", "dsc")}


def test_atend_from_tail_when_head_is_not_whole() -> None:
    head, tail = DOC[:120], DOC[-40:]
    got = {f.name: f.value for f in postscript.metadata(head, tail, whole=False)}
    assert got["pages"] == "3"


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript not installed")
def test_ghostscript_ps2write(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.ps"
    src.write_bytes(b"%!PS\n[ /Title (Quarterly) /Author (alice) /DOCINFO pdfmark\n"
                    b"/Helvetica findfont 12 scalefont setfont 72 720 moveto (Hi) show showpage\n")
    out = tmp_path / "out.ps"
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=ps2write", f"-sOutputFile={out}",
                    str(src)], check=True, capture_output=True, timeout=60)
    doc = out.read_bytes()
    assert classify.detect_all(doc) == ["PostScript"]
    got = {f.name: f.value for f in classify.metadata(doc)}
    assert got.get("creator", "").startswith("GPL Ghostscript")
    assert got.get("pages") == "1"
