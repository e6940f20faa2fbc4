"""Leak test: no default output of any command or format shows a document's text, a sensitive
value found in it, a user, job or document name, or any credential a truth file lists in its
``sensitive_strings`` (passwords, Basic tokens, SNMP communities, session cookies, user names);
--reveal shows metadata but never a credential; --carve reproduces each document exactly.

The formats written as files are read the way a reader would: the HTML report unescaped (an
escaped name is still a name), Parquet decoded by pyarrow (its pages are compressed, a substring
search of the bytes would prove nothing), every CSV table."""
from __future__ import annotations

import hashlib
import html
import json
import stat

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from tests.conftest import PCAPS

TRUTHS = [json.loads(p.read_text()) for p in sorted(PCAPS.glob("*.truth.json"))]
SECRET_KEYS = ("canary", "name", "email", "ssn", "card", "job_title", "user")


CREDENTIAL_KINDS = ("password", "basic_token", "snmp_community", "session_cookie")  # never shown, not even --reveal


def _secrets(cap: dict) -> set[str]:
    out = set()
    for pf in cap["print_flows"]:
        docs = [pf.get("document") or {}] + [p.get("document") or {} for p in pf.get("payloads", [])]
        for doc in docs:
            strings = doc.get("strings") or {}
            out |= {strings[k] for k in SECRET_KEYS if strings.get(k)}
        out |= {pf[k] for k in ("user", "job_name") if pf.get(k)}
        out |= set((pf.get("pjl_fs") or {}).get("paths", [])) - {"0:\\"}  # printer file-system paths
    out |= {s["value"] for s in cap.get("sensitive_strings", [])}
    return out


def _credentials(cap: dict) -> set[str]:
    return {s["value"] for s in cap.get("sensitive_strings", []) if s["kind"] in CREDENTIAL_KINDS}


def _all_default_output(cap_path: str, tmp_path) -> str:
    runner = CliRunner()
    parts = []
    for args in (["scan"], ["scan", "--all"], ["scan", "--format", "json"], ["scan", "--format", "csv", "--all"],
                 ["scan", "--format", "junit"], ["scan", "--format", "sarif"], ["scan", "--format", "line"],
                 ["verify"], ["verify", "--format", "table"], ["verify", "--format", "junit"],
                 ["verify", "--format", "sarif"], ["verify", "--format", "json"]):
        r = runner.invoke(main, [*args, cap_path])
        parts += [r.stdout, r.stderr]
    for args in (["scan", "--format", "html"], ["verify", "--format", "html"]):
        r = runner.invoke(main, [*args, cap_path])
        parts += [html.unescape(r.stdout), r.stderr]
    page = tmp_path / "report.html"
    r = runner.invoke(main, ["report", cap_path, "-o", str(page)])
    parts += [r.stderr, html.unescape(page.read_text()), page.read_text()]
    r = runner.invoke(main, ["scan", "--all", "--format", "csv", "-o", f"{tmp_path}/csv/", cap_path])
    parts += [r.stdout, r.stderr] + [f.read_text() for f in sorted((tmp_path / "csv").glob("*.csv"))]
    parts += _parquet_text(cap_path, tmp_path / "parquet")
    ev = tmp_path / "evidence"
    r = runner.invoke(main, ["scan", "--evidence", str(ev), cap_path])
    parts += [r.stdout, r.stderr]
    for f in ev.rglob("*"):
        if f.is_file():
            parts.append(f.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def _parquet_text(cap_path: str, out) -> list[str]:
    """Every value of every Parquet table, decoded."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return []
    r = CliRunner().invoke(main, ["scan", "--format", "parquet", "-o", str(out), cap_path])
    assert r.exit_code == 0, r.stderr
    tables = sorted(out.glob("*.parquet"))
    from sniffprint.report import TABLES

    assert len(tables) == len(TABLES)  # every table, the clients' (host names) included
    return [r.stderr] + [json.dumps(pq.read_table(t).to_pylist(), default=str, ensure_ascii=False) for t in tables]


@pytest.mark.parametrize("cap", [c for c in TRUTHS if _secrets(c)], ids=lambda c: c["file"])
def test_no_default_output_leaks(cap, tmp_path):
    text = _all_default_output(str(PCAPS / cap["file"]), tmp_path)
    leaked = sorted(s for s in _secrets(cap) if s in text)
    assert leaked == []


@pytest.mark.parametrize("cap", [c for c in TRUTHS if any(
    pf.get("doc_bytes_found_in_stream") and not pf["encrypted"] for pf in c["print_flows"])], ids=lambda c: c["file"])
def test_carve_reproduces_documents_byte_for_byte(cap, tmp_path):
    ev = tmp_path / "ev"
    r = CliRunner().invoke(main, ["scan", "--evidence", str(ev), "--carve", str(PCAPS / cap["file"])])
    assert r.exit_code == 0, r.stderr
    assert "now holds the reassembled print documents" in r.stderr
    files = [f for f in ev.rglob("*") if f.is_file()]
    hashes = {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    for pf in cap["print_flows"]:
        if pf.get("doc_bytes_found_in_stream") and not pf["encrypted"]:
            assert pf["document"]["sha256"] in hashes, pf["client"]
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    for d in [ev, *[p for p in ev.rglob("*") if p.is_dir()]]:
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    manifest = json.loads((ev / "manifest.json").read_text())
    assert manifest["captures"][0]["sha256"] == hashlib.sha256((PCAPS / cap["file"]).read_bytes()).hexdigest()
    for rel, meta in manifest["files"].items():
        if "sha256" in meta:
            assert hashlib.sha256((ev / rel).read_bytes()).hexdigest() == meta["sha256"], rel


def test_carve_keeps_files_read_back_and_written(tmp_path):
    """PJL file system: each FSUPLOAD body and each FSDOWNLOAD file is carved byte for byte."""
    cap = next(c for c in TRUTHS if c["file"] == "pjlfs-session.pcap")
    ev = tmp_path / "ev"
    r = CliRunner().invoke(main, ["scan", "--evidence", str(ev), "--carve", str(PCAPS / cap["file"])])
    assert r.exit_code == 0, r.stderr
    hashes = {hashlib.sha256(f.read_bytes()).hexdigest() for f in (ev / "documents").iterdir()}
    for payload in cap["print_flows"][0]["payloads"]:
        assert payload["document"]["sha256"] in hashes, payload["note"]


def test_every_truth_file_with_credentials_is_covered():
    planted = [c["file"] for c in TRUTHS if c.get("sensitive_strings")]
    assert {"http-admin-cups.pcap", "snmp-v2c.pcap", "snmp-v3.pcap"} <= set(planted)


@pytest.mark.parametrize("cap", [c for c in TRUTHS if _credentials(c)], ids=lambda c: c["file"])
def test_reveal_never_shows_a_credential(cap):
    runner = CliRunner()
    text = "".join(runner.invoke(main, [*args, "--reveal", str(PCAPS / cap["file"])]).stdout
                   for args in (["scan", "--all"], ["scan", "--format", "json"], ["scan", "--format", "csv", "--all"]))
    assert sorted(s for s in _credentials(cap) if s in text) == []
    if any(s["kind"] != "password" for s in cap["sensitive_strings"] if s["kind"] in CREDENTIAL_KINDS):
        assert '"credentials"' in text  # the records do say credentials crossed, redacted


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_reveal_shows_metadata_but_never_document_text(tmp_path, fmt):
    cap = next(c for c in TRUTHS if c["file"] == "raw9100-cups-socket.pcap")
    r = CliRunner().invoke(main, ["scan", "--format", fmt, "--reveal", str(PCAPS / cap["file"])])
    text = html.unescape(r.stdout)
    assert "alice" in text
    for pf in cap["print_flows"]:
        s = pf["document"]["strings"]
        for k in ("canary", "email", "ssn", "card"):
            assert s[k] not in text


def test_evidence_folder_refuses_to_mix_runs(tmp_path):
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "old.txt").write_text("x")
    r = CliRunner().invoke(main, ["scan", "--evidence", str(ev), str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 2 and "not empty" in r.stderr


def test_carve_needs_evidence():
    r = CliRunner().invoke(main, ["scan", "--carve", str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 2


def test_pii_counts_and_critical_severity_on_cleartext_documents():
    from sniffprint import analyze

    rep = analyze(str(PCAPS / "raw9100-cups-socket.pcap"))
    ps = [f for f in rep.findings if f.code == "SP101" and f.language == "PostScript"]
    assert ps and ps[0].severity == "critical"
    counts = ps[0].evidence.pii_counts
    assert counts["email"] >= 1 and counts["ssn"] >= 1 and counts["card"] >= 1
    raster = [f for f in rep.findings if f.code == "SP101" and f.language == "PCLXL"]
    assert raster and raster[0].evidence.text_status == "raster"
    assert "text not recoverable" in raster[0].evidence.text_detail


def test_job_names_a_printer_echoes_are_masked(tmp_path):
    """``@PJL USTATUS JOB`` echoes the job name: default outputs keep the status word, mask the name."""
    from tests import pcapgen as g

    c = g.Conversation()
    job = (b'\x1b%-12345X@PJL JOB NAME="Payroll Q3 secret"\r\n@PJL USTATUS JOB=ON\r\n@PJL ENTER LANGUAGE=PCL\r\n'
           b"\x1bEhello\x1b%-12345X@PJL EOJ\r\n\x1b%-12345X")
    frames = (c.handshake() + c.c2s(job[:70]) + c.s2c(b'@PJL USTATUS JOB\r\nSTART\r\nNAME="Payroll Q3 secret"\r\n\x0c')
              + c.c2s(job[70:]) + c.close())
    p = tmp_path / "ustatus.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in frames]))
    text = _all_default_output(str(p), tmp_path)
    assert "Payroll Q3 secret" not in text and "START; NAME=<redacted:" in text
    r = CliRunner().invoke(main, ["scan", "--format", "json", "--reveal", str(p)])
    assert 'START; NAME=Payroll Q3 secret' in r.stdout
