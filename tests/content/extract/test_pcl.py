"""PCL 5 text between escape sequences, binary payloads skipped (``sniffprint/content/extract/pcl.py``)."""
from __future__ import annotations

import subprocess
from pathlib import Path

from ._docs import PS, gs, needs_groff, needs_gs, run


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
