"""ESC/P: detection, and Ghostscript's epson driver output."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sniffprint.content import classify


def test_detect() -> None:
    assert classify.detect_all(b"\x1b@\x1bx1Hello\r\n\x0c") == ["ESC/P"]
    assert classify.detect_all(b"plain text") == []


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript not installed")
def test_ghostscript_epson(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.ps"
    src.write_bytes(b"%!PS\n72 720 moveto 100 0 rlineto stroke showpage\n")
    out = tmp_path / "out.escp"
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=epson", "-r60",
                    f"-sOutputFile={out}", str(src)], check=True, capture_output=True, timeout=60)
    assert classify.detect_all(out.read_bytes()) == ["ESC/P"]
