"""The CLI contract: JSON lines fields, formats, exit codes, one-line errors."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from tests import pcapgen as g
from tests.conftest import PCAPS

FLOW_FIELDS = {"uid", "client_ip", "client_port", "server_ip", "server_port", "service", "protection",
               "c2s_bytes", "s2c_bytes", "c2s_packets", "s2c_packets", "missed_bytes", "history",
               "ts_start", "ts_end", "print"}
ANOMALY_FIELDS = {"ts", "uid", "layer", "kind", "detail"}


@pytest.fixture
def capture(tmp_path):
    frames, job = g.print_job_frames()
    c = g.Conversation(cport=50000, sport=443, server="10.0.0.3")  # a web server, not the printer
    web = c.handshake() + c.c2s(b"GET / HTTP/1.1\r\n\r\n") + c.s2c(b"HTTP/1.1 200 OK\r\n\r\nhi") + c.close()
    p = tmp_path / "c.pcap"
    p.write_bytes(g.pcap(frames + [g.ether(f) for f in web] + [b"\x00\x01"]))
    return p


def records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_json_contract(capture):
    r = CliRunner().invoke(main, ["scan", "--format", "json", str(capture)])
    assert r.exit_code == 0, r.output
    recs = records(r.stdout)
    flows = [x for x in recs if x["type"] == "flow"]
    assert len(flows) == 2
    for f in flows:
        assert FLOW_FIELDS <= f.keys()
        assert isinstance(f["client_port"], int) and isinstance(f["client_ip"], str)
        assert f["service"] in {"raw9100", "lpd", "ipp", "smb", "tls", "http", "other"}
        assert f["protection"] in {"none", "tls", "smb3-encrypted", "unknown"}
        assert f["print"] in (True, False, None)
    pr = next(f for f in flows if f["server_port"] == 9100)
    assert pr["service"] == "raw9100" and pr["print"] is True and pr["protection"] == "none"
    web = next(f for f in flows if f["server_port"] == 443)
    assert web["print"] is False
    anomalies = [x for x in recs if x["type"] == "anomaly"]
    assert anomalies and all(ANOMALY_FIELDS <= a.keys() for a in anomalies)
    assert recs[-1]["type"] == "summary"


def test_table_lists_flows_that_matter_and_a_summary(capture):
    r = CliRunner().invoke(main, ["scan", str(capture)])
    assert r.exit_code == 0
    assert "raw9100" in r.stdout and ":443" not in r.stdout
    assert "1 print flows: 1 in clear" in r.stdout
    r = CliRunner().invoke(main, ["scan", "--all", str(capture)])
    assert ":443" in r.stdout


def test_csv(capture):
    r = CliRunner().invoke(main, ["scan", "--format", "csv", "--all", str(capture)])
    lines = r.stdout.splitlines()
    assert lines[0].startswith("uid,capture,community_id,proto,client_ip") and len(lines) == 3


def test_output_file(capture, tmp_path):
    out = tmp_path / "o.jsonl"
    r = CliRunner().invoke(main, ["scan", "--format", "json", "-o", str(out), str(capture)])
    assert r.exit_code == 0 and r.stdout == ""
    assert any(x["type"] == "flow" for x in records(out.read_text()))


@pytest.mark.parametrize("content", [None, b"", b"not a capture\n" * 20, bytes(range(256)) * 16])
def test_unreadable_input_exits_2_with_one_line(tmp_path, content):
    p = tmp_path / "x.pcap"
    if content is not None:
        p.write_bytes(content)
    r = CliRunner().invoke(main, ["scan", str(p)])
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_directory_exits_2(tmp_path):
    r = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert r.exit_code == 2


def test_bad_option_exits_2(capture):
    assert CliRunner().invoke(main, ["scan", "--format", "nope", str(capture)]).exit_code == 2


def test_internal_error_exits_4(capture, monkeypatch):
    from sniffprint import api

    def boom(self):  # noqa: ANN001
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(api.Pipeline, "_finish", boom)
    r = CliRunner().invoke(main, ["scan", str(capture)])
    assert r.exit_code == 4 and "internal error" in r.stderr


def test_live_missing_interface_exits_2():
    r = CliRunner().invoke(main, ["live", "-i", "does-not-exist0", "--duration", "1"])
    assert r.exit_code == 2 and "does-not-exist0" in r.stderr


def test_cli_does_not_import_heavy_modules():
    import subprocess
    import sys

    code = ("import sys, sniffprint.cli; "
            "print(sorted(m for m in ('pandas','matplotlib','scapy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_job_metadata_masked_by_default_and_revealed_on_request():
    from tests.conftest import PCAPS

    cap = PCAPS / "raw9100-cups-socket.pcap"
    truth = json.loads((PCAPS / "raw9100-cups-socket.truth.json").read_text())
    secrets = {pf["user"] for pf in truth["print_flows"]} | {pf["job_name"] for pf in truth["print_flows"]}
    default = CliRunner().invoke(main, ["scan", "--format", "json", str(cap)]).stdout
    jobs = [x for x in records(default) if x["type"] == "job"]
    assert len(jobs) == len(truth["print_flows"])
    for s in secrets:
        assert s not in default
    revealed = CliRunner().invoke(main, ["scan", "--format", "json", "--reveal", str(cap)]).stdout
    rjobs = [x for x in records(revealed) if x["type"] == "job"]
    for j in rjobs:  # a PDF names its user only as the Info dictionary's author
        assert (j["user"] or j["author"]) == "alice"
    names = {j[k] for j in rjobs for k in ("job_name", "document_name", "title")}
    assert {pf["job_name"] for pf in truth["print_flows"]} <= names


def test_live_without_capture_privilege_exits_2_with_one_line(monkeypatch):
    import scapy.arch.linux as linux

    class Denied:
        def __init__(self, *a, **k):
            raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(linux, "L2ListenSocket", Denied)
    from sniffprint.evidence.sitekey import resolve

    resolve()  # a site that has its hash key already (the first run's notice is another line)
    r = CliRunner().invoke(main, ["live", "-i", "lo", "--duration", "1"])
    assert r.exit_code == 2 and "CAP_NET_RAW" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_max_flows_bounds_the_live_flow_table(tmp_path):
    frames = []
    for i in range(300):
        c = g.Conversation(cport=20000 + i)
        frames += [g.ether(f) for f in c.handshake()]
    p = tmp_path / "many.pcap"
    p.write_bytes(g.pcap(frames))
    r = CliRunner().invoke(main, ["scan", "--format", "json", "--max-flows", "100", str(p)])
    summary = records(r.stdout)[-1]
    assert summary["flows"] == 300 and summary["flows_evicted"] == 200


def test_a_closed_pipe_never_changes_the_verdict():
    import subprocess
    import sys

    from tests.conftest import PCAPS, ROOT

    cap = str(PCAPS / "raw9100-cups-socket.pcap")
    proc = subprocess.Popen([sys.executable, "-m", "sniffprint", "verify", "--format", "json", cap], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline()  # `| head -1`
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err  # still EXPOSED, not 0
    assert "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.skipif(not __import__("os").path.exists("/dev/full"), reason="no /dev/full")
def test_a_full_disk_is_exit_2_with_the_path_and_the_os_error():
    from tests.conftest import PCAPS

    r = CliRunner().invoke(main, ["scan", "--format", "json", "-o", "/dev/full", str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 2 and "/dev/full" in r.stderr and "No space left" in r.stderr
    r = CliRunner().invoke(main, ["verify", "-o", "/dev/full", str(PCAPS / "tls9100-socat.pcap")])
    assert r.exit_code == 2 and "/dev/full" in r.stderr
    r = CliRunner().invoke(main, ["verify", "-o", "/dev/full", str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 1 and "/dev/full" in r.stderr  # proof is proof: exposure still exits 1


@pytest.mark.parametrize(("cap", "code"), [("tls9100-socat.pcap", 2), ("lpd-cups.pcap", 1)])
def test_a_read_error_keeps_what_was_found_and_exits_2_unless_exposed(cap, code, monkeypatch):
    import errno

    from sniffprint import api
    from sniffprint.sources import CaptureReadError
    from tests.conftest import PCAPS

    real = api.open_source

    def cut_short(spec, sink, stats, index_start=0, **kw):  # noqa: ANN001
        yield from real(spec, sink, stats, index_start, **kw)  # everything, then the disk fails
        raise CaptureReadError(spec.name, OSError(errno.EIO, "Input/output error"), stats)

    monkeypatch.setattr(api, "open_source", cut_short)
    r = CliRunner().invoke(main, ["verify", "--format", "json", str(PCAPS / cap)])
    assert r.exit_code == code, r.stderr
    assert "Input/output error" in r.stderr and "Traceback" not in r.stderr
    recs = records(r.stdout)
    assert recs[-1]["type"] == "summary" and any(x["type"] == "flow" for x in recs)  # nothing found was lost


KEYED = {"SNIFFPRINT_HASH_KEY": "cli-tests"}  # no one-off "created a site key" notice on stderr


def test_quiet_leaves_only_the_exit_status_and_errors():
    r = CliRunner().invoke(main, ["verify", "-q", "--format", "json", str(PCAPS / "lpd-cups.pcap")], env=KEYED)
    assert r.exit_code == 1 and r.stderr == "" and r.stdout.startswith('{"type":')
    r = CliRunner().invoke(main, ["verify", "-q", str(PCAPS / "lpd-cups.pcap"), "missing.pcap"])
    assert r.exit_code == 2 and "missing.pcap" in r.stderr


def test_verbose_says_what_was_read():
    cap = str(PCAPS / "lpd-cups.pcap")
    r = CliRunner().invoke(main, ["scan", "-v", "--format", "json", cap], env=KEYED)
    assert r.exit_code == 0
    lines = r.stderr.splitlines()
    assert lines[0].startswith(f"sniffprint: {cap}: pcap, 68 packets, ") and "2026-11-25 19:07:14 UTC" in lines[0]
    assert lines[-1].startswith("sniffprint: 68 packets, 3 TCP flows, 0 anomalies in ") and "packets/s" in lines[-1]


def test_shell_completion_is_click_s():
    r = CliRunner().invoke(main, [], prog_name="sniffprint", env={"_SNIFFPRINT_COMPLETE": "bash_source"})
    assert "_sniffprint_completion" in r.stdout and "complete -o nosort -F" in r.stdout
    r = CliRunner().invoke(main, [], prog_name="sniffprint", env={
        "_SNIFFPRINT_COMPLETE": "bash_complete", "COMP_WORDS": "sniffprint scan --format ", "COMP_CWORD": "3"})
    offered = {line.split(",", 1)[1] for line in r.stdout.splitlines()}
    assert {"html", "json", "parquet", "table", "csv"} <= offered
    r = CliRunner().invoke(main, [], prog_name="sniffprint", env={
        "_SNIFFPRINT_COMPLETE": "bash_complete", "COMP_WORDS": "sniffprint ", "COMP_CWORD": "1"})
    assert {"scan", "verify", "live", "report"} <= {line.split(",", 1)[1] for line in r.stdout.splitlines()}
