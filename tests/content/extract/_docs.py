"""Documents and helpers shared by the extractor tests: a small DSC PostScript page with planted
sensitive strings, real producers (Ghostscript, groff) run at test time, and builders of PDF files
from object bodies."""
from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from sniffprint.content import classify
from sniffprint.content.extract import TextResult, extract_text

UEL = classify.UEL
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


def pdf_file(objs: list[bytes | None]) -> bytes:
    """A PDF whose object i+1 is ``objs[i]`` (None: a number used only inside an object stream)."""
    out = b"%PDF-1.5\n"
    for i, o in enumerate(objs, 1):
        if o is not None:
            out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def stream(data: bytes, extra: bytes = b"", flate: bool = True) -> bytes:
    """A stream object body (dictionary + data), Flate-compressed unless ``flate`` is false."""
    if flate:
        data = zlib.compress(data)
        extra += b" /Filter [/FlateDecode]"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"
