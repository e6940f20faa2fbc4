"""outputs/html.py: the HTML report is self-contained, escapes everything off the wire, states the
run's verdict, and renders in a real headless browser (Debian's chromium) with every finding."""
from __future__ import annotations

import base64
import dataclasses
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from sniffprint import analyze
from sniffprint.cli import main
from sniffprint.outputs.html import esc, render
from sniffprint.records import Thumbnail
from tests.conftest import PCAPS

BUNDLED = sorted(str(p) for p in PCAPS.glob("*.pcap*"))


class _Refs(HTMLParser):
    """Every tag, and every attribute that could load something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "srcset", "action", "data", "poster", "background", "formaction") or \
                    k.startswith("on"):
                self.refs.append((tag, k, v or ""))

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Refs:
    p = _Refs()
    p.feed(page)
    return p


def _hostile(report):
    """The bundled report with strings an attacker controls replaced by markup and control bytes."""
    evil = '<script>alert("x")</script><img src=http://evil.example/x>\x1b[2J\u202e'
    f0 = report.findings[0]
    ev = dataclasses.replace(f0.evidence, masked_excerpt=evil, text_detail=evil,
                             hashed_names={"user": evil}, pii_counts={"email": 1, evil: 2},
                             thumbnail=Thumbnail(status="failed", detail=evil, path=None))
    findings = [dataclasses.replace(f0, detail=evil, capture=evil, suppressed=evil, evidence=ev),
                *report.findings[1:]]
    stats = dataclasses.replace(report.stats, reasons=(evil,))
    printers = [dataclasses.replace(report.printers[0], protocols=(evil,)), *report.printers[1:]]
    return dataclasses.replace(report, findings=findings, stats=stats, printers=printers), evil


def test_strings_off_the_wire_are_escaped(bundled_report):
    rep, evil = _hostile(bundled_report)
    page = render(rep)
    parsed = _parse(page)
    assert "script" not in parsed.tags
    assert not any(v.startswith("http") for _, _, v in parsed.refs)
    assert "\x1b" not in page and "\u202e" not in page
    assert page.count("&lt;script&gt;") >= 6  # detail, capture, excerpt, names, reason, protocols ...
    assert '<span class="ctl">\\x1b</span>' in page


def test_the_page_is_self_contained(bundled_report):
    page = render(bundled_report)
    parsed = _parse(page)
    for tag, attr, value in parsed.refs:
        local = attr == "href" and value.startswith("#")
        inline = attr == "src" and value.startswith("data:image/png;base64,")
        assert local or inline, (tag, attr, value[:40])
    assert not {"script", "link", "iframe", "object", "embed", "base", "form"} & set(parsed.tags)
    assert "url(" not in page and "@import" not in page and "@font-face" not in page
    assert "default-src 'none'" in page  # the browser refuses any fetch that slipped in
    for m in re.finditer(r'src="data:image/png;base64,([^"]+)"', page):
        assert base64.b64decode(m.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png', page)) == 4  # the four plots


def test_the_page_states_the_runs_verdict_printers_and_every_finding(bundled_report):
    page = render(bundled_report)
    stats = bundled_report.stats
    assert f'<header class="verdict v-{stats.verdict}"' in page
    assert f"<title>sniffprint: {stats.verdict.upper()}</title>" in page
    for reason in stats.reasons:
        assert esc(reason) in page
    for p in bundled_report.printers:
        assert f'<td class="mono">{esc(p.server_ip)}</td><td><span class="badge b-{p.verdict.value}">' in page
    assert len(re.findall(r'<article class="finding sev-', page)) == len(bundled_report.findings)
    for f in bundled_report.findings:
        assert esc(f.remediation) in page
        if f.evidence is not None and f.evidence.sha256:
            assert f.evidence.sha256 in page
        if f.evidence is not None and f.evidence.masked_excerpt:
            assert esc(f.evidence.masked_excerpt) in page


# ---------------------------------------------------------------------------- CLI
def test_format_html_for_scan_and_verify():
    cap = str(PCAPS / "tls9100-socat.pcap")
    s = CliRunner().invoke(main, ["scan", "--format", "html", cap])
    v = CliRunner().invoke(main, ["verify", "--format", "html", cap])
    assert s.exit_code == 0 and v.exit_code == 0
    for page in (s.stdout, v.stdout):
        assert page.startswith("<!DOCTYPE html>") and '<header class="verdict v-protected"' in page


# ---------------------------------------------------------------------------- a real browser
def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _browser(args: list[str], url: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [_chromium() or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={profile}", *args, url],
            capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": profile})


@pytest.mark.skipif(_chromium() is None, reason="chromium not installed (apt-get install chromium)")
def test_the_bundled_report_renders_in_a_headless_browser(tmp_path):
    out = tmp_path / "report.html"
    r = CliRunner().invoke(main, ["report", *BUNDLED, "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    rep = analyze(BUNDLED)
    dom = _browser(["--dump-dom"], out.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    # the browser parsed the page into the elements the reader sees
    assert re.search(r'<header class="verdict v-exposed" id="verdict"><div class="word">EXPOSED</div>', text)
    table = re.search(r'<table id="printer-table">.*?</table>', text, re.S)
    assert table is not None
    assert len(re.findall(r"<tr><td class=\"mono\">", table.group(0))) == len(rep.printers)
    for p in rep.printers:
        assert esc(p.server_ip) in table.group(0)
    articles = re.findall(r'<article class="finding sev-(\w+)" id="f(\d+)">.*?<code>(SP\d+)</code>', text, re.S)
    assert len(articles) == len(rep.findings)
    assert sorted(code for _, _, code in articles) == sorted(f.code for f in rep.findings)
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', text)) == 4

    shot = tmp_path / "shot.png"
    r = _browser([f"--screenshot={shot}", "--window-size=1280,1600"], out.as_uri())
    assert r.returncode == 0 and shot.exists(), r.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 1600)
