"""PWG Raster page counts, and gzip-wrapped documents classified by their decompressed head."""
from __future__ import annotations

import gzip
import shutil
import struct
import subprocess

import pytest

from sniffprint.content import classify
from sniffprint.content.classify import raster


def pwg(pages: int, total: int) -> bytes:
    out = bytearray(b"RaS2")
    for _ in range(pages):
        h = bytearray(raster.HEADER_BYTES)
        h[:10] = raster.PAGE_HEADER
        struct.pack_into(">I", h, raster.TOTAL_PAGES_AT, total)
        out += h + b"\x00\x01\x02"
    return bytes(out)


def test_detect_and_pages() -> None:
    assert classify.detect_all(pwg(2, 0)) == ["PWG-Raster"]
    assert raster.page_count(pwg(3, 0), whole=True) == 3
    assert raster.page_count(pwg(3, 0), whole=False) is None
    assert raster.page_count(pwg(1, 7), whole=False) == 7
    assert raster.metadata(b"RaS2") == []


def test_gzip_wrapped() -> None:
    z = gzip.compress(pwg(2, 0))
    assert classify.compression(z) == "gzip"
    assert classify.detect_all(z) == ["PWG-Raster"]
    assert {f.name: f.value for f in classify.metadata(z)} == {}  # a cut inflate cannot count pages
    assert classify.detect_all(gzip.compress(b"%PDF-1.7\n")) == ["PDF"]
    assert classify.gunzip_head(b"\x1f\x8bnot gzip") is None
    big = gzip.compress(b"%!PS\n" + b"\x00" * 10_000_000)
    assert len(classify.gunzip_head(big) or b"") == classify.GZIP_HEAD  # bounded inflate


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript not installed")
def test_ghostscript_pwgraster(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.ps"
    src.write_bytes(b"%!PS\nshowpage\nshowpage\n")
    out = tmp_path / "out.pwg"
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pwgraster", "-r30",
                    f"-sOutputFile={out}", str(src)], check=True, capture_output=True, timeout=60)
    doc = out.read_bytes()
    assert classify.detect_all(doc) == ["PWG-Raster"]
    assert {f.name: f.value for f in classify.metadata(doc)}["pages"] == "2"
