"""Apple Raster (URF): detection and the page count in the file header."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sniffprint.content import classify
from sniffprint.content.classify import urf


def test_header_page_count() -> None:
    doc = b"UNIRAST\x00\x00\x00\x00\x02" + bytes(32)
    assert classify.detect_all(doc) == ["URF"]
    assert [(f.name, f.value) for f in urf.metadata(doc)] == [("pages", "2")]
    assert urf.metadata(b"UNIRAST\x00\x00\x00\x00\x00") == []  # 0: the writer streamed it


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript not installed")
def test_ghostscript_urf(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.ps"
    src.write_bytes(b"%!PS\nshowpage\n")
    out = tmp_path / "out.urf"
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=urf", "-r30",
                    f"-sOutputFile={out}", str(src)], check=True, capture_output=True, timeout=60)
    assert classify.detect_all(out.read_bytes()) == ["URF"]
