"""outputs/htmlfinding.py: a thumbnail is embedded only from inside the evidence folder, only a PNG."""
from __future__ import annotations

import base64
import dataclasses

from sniffprint.outputs.html import render
from sniffprint.records import Evidence, Thumbnail


def test_thumbnails_come_only_from_the_evidence_folder(bundled_report, tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 40
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "t.png").write_bytes(png)
    (tmp_path / "evidence" / "fake.png").write_bytes(b"<svg onload=alert(1)>")
    outside = tmp_path.parent / "outside.png"
    outside.write_bytes(png)
    f0 = bundled_report.findings[0]

    def page_with(path):
        ev = dataclasses.replace(f0.evidence or Evidence(sha256=None, length=None),
                                 thumbnail=Thumbnail(status="ok", detail="", path=path))
        rep = dataclasses.replace(bundled_report, findings=[dataclasses.replace(f0, evidence=ev)])
        return render(rep, evidence_dir=str(tmp_path))

    assert 'class="thumb"' in page_with("evidence/t.png")
    assert base64.b64encode(png).decode() in page_with("evidence/t.png")
    for bad in ("evidence/fake.png", "../outside.png", str(outside), "evidence/missing.png"):
        page = page_with(bad)
        assert 'class="thumb"' not in page, bad
        assert "<dt>thumbnail</dt>" in page
