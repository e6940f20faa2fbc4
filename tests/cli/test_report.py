"""cli/report.py: one HTML file with the verdict of verify, thumbnails from a temporary or kept
evidence folder, and a terminal needs -o."""
from __future__ import annotations

import base64
import re
import shutil
import tempfile

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from tests.conftest import PCAPS


def test_report_command_writes_one_file_with_the_verdict_of_verify(tmp_path):
    out = tmp_path / "report.html"
    cap = str(PCAPS / "raw9100-cups-socket.pcap")
    r = CliRunner().invoke(main, ["report", cap, "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert "sniffprint report: EXPOSED" in r.stderr and str(out) in r.stderr
    page = out.read_text()
    assert '<header class="verdict v-exposed"' in page
    v = CliRunner().invoke(main, ["verify", "--format", "json", cap])
    assert v.exit_code == 1  # the same verdict verify exits with
    assert "SHA-256" in page and re.search(r'<span class="mono">[0-9a-f]{64}</span></td>', page)  # capture hash
    assert not list(tmp_path.glob("sniffprint-report-*"))


def test_report_keeps_the_evidence_folder_when_asked_and_embeds_its_thumbnails(tmp_path):
    if shutil.which("gs") is None:
        pytest.skip("Ghostscript (gs) not installed: no thumbnails to embed")
    out, ev = tmp_path / "r.html", tmp_path / "ev"
    r = CliRunner().invoke(main, ["report", "--evidence", str(ev), str(PCAPS / "lpd-cups.pcap"), "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    page = out.read_text()
    thumbs = list((ev / "evidence").glob("*-page1.png"))
    assert thumbs
    for t in thumbs:
        assert base64.b64encode(t.read_bytes()).decode() in page


def test_report_without_thumbnails_writes_no_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: pytest.fail("no temporary folder without thumbnails"))
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["report", "--no-thumbnails", str(PCAPS / "lpd-cups.pcap"), "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert 'class="thumb"' not in out.read_text()


def test_report_to_a_terminal_needs_an_output(monkeypatch):
    monkeypatch.setattr("sniffprint.cli.report._tty", lambda stream: True)
    r = CliRunner().invoke(main, ["report", str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 2 and "-o FILE.html" in r.stderr
