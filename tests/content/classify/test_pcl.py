"""PCL 5: detection and text runs, on hand-written vectors and on Ghostscript / groff output."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sniffprint.content import classify
from sniffprint.content.classify import pcl


@pytest.mark.parametrize("buf, ok", [
    (b"\x1bE\x1b&l0O", True),
    (b"\x1b&l26A", True),
    (b"\x1b*p900x200Y", True),
    (b"\x1b@", False),  # ESC/P
    (b"\x1b%-12345X", False),  # UEL: PJL, not PCL
    (b"hello", False),
])
def test_detect(buf: bytes, ok: bool) -> None:
    assert pcl.detect(buf, 0) is ok


def test_text_runs_skip_escapes_and_binary() -> None:
    doc = (b"\x1bE\x1b(s12.00H\x1b*p900x200YCONFIDENTIAL\x1b*p+100XPayroll"
           b"\x1b*b4WABCD\x1b*p+100Xrecord")
    assert pcl.text_runs(doc) == ["CONFIDENTIAL", "Payroll", "record"]


def test_no_metadata() -> None:
    assert pcl.metadata(b"\x1bE") == []


def _run(cmd: list[str], stdin: bytes = b"") -> bytes:
    return subprocess.run(cmd, input=stdin, check=True, capture_output=True, timeout=60).stdout


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff not installed")
def test_groff_lj4_text() -> None:
    doc = _run(["groff", "-Tlj4"], b"CONFIDENTIAL payroll\n.bp\nsecond page\n")
    assert classify.detect_all(doc) == ["PCL5"]
    assert "CONFIDENTIAL" in " ".join(pcl.text_runs(doc))


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript not installed")
def test_ghostscript_ljet4(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ps = tmp_path / "t.ps"
    ps.write_bytes(b"%!PS\n/Helvetica findfont 12 scalefont setfont 72 720 moveto (Hi) show showpage\n")
    out = tmp_path / "t.pcl"
    _run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=ljet4", "-r75", f"-sOutputFile={out}", str(ps)])
    assert classify.detect_all(out.read_bytes()) == ["PCL5"]
