"""PCL XL: stream header detection, byte order and header fields."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sniffprint.content import classify
from sniffprint.content.classify import pclxl


def test_detect_and_header() -> None:
    buf = b") HP-PCL XL;2;0;Comment Copyright\n\xd1"
    assert pclxl.detect(buf, 0)
    assert pclxl.byte_order(buf, 0) == "little-endian"
    assert pclxl.byte_order(b"( HP-PCL XL;1;1\n", 0) == "big-endian"
    assert pclxl.stream_header(buf, 0) == ("little-endian", "2.0", "Comment Copyright")
    assert pclxl.stream_header(b") HP-PCL XL;x\n", 0) is None
    assert not pclxl.detect(b")HP-PCL XL", 0)
    assert classify.detect(buf) == "PCLXL"


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript not installed")
def test_ghostscript_pxlcolor(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ps = tmp_path / "t.ps"
    ps.write_bytes(b"%!PS\n72 720 moveto 100 100 rlineto stroke showpage\n")
    out = tmp_path / "t.pxl"
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pxlcolor", "-r75",
                    f"-sOutputFile={out}", str(ps)], check=True, capture_output=True, timeout=60)
    doc = out.read_bytes()
    assert classify.detect_all(doc) == ["PJL", "PCLXL"]
    at = doc.find(b" HP-PCL XL") - 1
    header = pclxl.stream_header(doc, at)
    assert header is not None and header[0] == "little-endian"
