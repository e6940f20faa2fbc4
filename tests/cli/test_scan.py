"""cli/scan.py: the JSON lines contract, the table, CSV, masked job metadata, the flow table bound."""
from __future__ import annotations

import json

from click.testing import CliRunner

from sniffprint.cli import main
from tests import pcapgen as g
from tests.cli.conftest import records

FLOW_FIELDS = {"uid", "client_ip", "client_port", "server_ip", "server_port", "service", "protection",
               "c2s_bytes", "s2c_bytes", "c2s_packets", "s2c_packets", "missed_bytes", "history",
               "ts_start", "ts_end", "print"}


ANOMALY_FIELDS = {"ts", "uid", "layer", "kind", "detail"}


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
