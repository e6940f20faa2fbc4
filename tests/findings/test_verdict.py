"""`sniffprint verify`: the exit-code contract row by row, policy files, pipeline outputs."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from tests import pcapgen as g
from tests.conftest import PCAPS


def _cap(tmp_path, name, frames):
    p = tmp_path / name
    p.write_bytes(g.pcap([g.ether(f) for f in frames]))
    return str(p)


def _listener_only(tmp_path):
    c = g.Conversation(sport=9100)
    return _cap(tmp_path, "listener.pcap", c.handshake() + c.close())


def _rst_only(tmp_path):
    return _cap(tmp_path, "rst.pcap", [g.tcp("10.0.0.1", "10.0.0.2", 40000, 9100, 1, 0, g.SYN),
                                       g.tcp("10.0.0.2", "10.0.0.1", 9100, 40000, 0, 2, g.RST | g.ACK)])


def _truncated(tmp_path):
    data = (PCAPS / "tls9100-socat.pcap").read_bytes()
    p = tmp_path / "cut.pcap"
    p.write_bytes(data[: int(len(data) * 0.7)])
    return str(p)


def _policy(tmp_path, text):
    p = tmp_path / "policy.toml"
    p.write_text(text)
    return str(p)


ROWS = [
    # (id, args builder, expected exit code)
    ("cleartext-jobs", lambda t: [str(PCAPS / "raw9100-cups-socket.pcap")], 1),
    ("cleartext-exit-zero", lambda t: ["--exit-zero", str(PCAPS / "raw9100-cups-socket.pcap")], 0),
    ("lpd-clear", lambda t: [str(PCAPS / "lpd-cups.pcap")], 1),
    ("smb-clear", lambda t: [str(PCAPS / "smb-print-clear.pcap")], 1),
    ("tls9100-only", lambda t: [str(PCAPS / "tls9100-socat.pcap")], 0),
    ("ipps-only", lambda t: [str(PCAPS / "ipps-ipptool.pcap")], 0),
    ("ipp-upgraded-before-any-job", lambda t: [str(PCAPS / "ipp-upgrade-tls.pcap")], 0),
    ("smb-encrypted-only", lambda t: [str(PCAPS / "smb-print-encrypted.pcap")], 3),
    # issue 10: Windows print paths, made with real software (tools/scenarios_windows.py)
    ("smb1-print-share", lambda t: [str(PCAPS / "smb1-print.pcap")], 1),
    ("smb1-spoolss", lambda t: [str(PCAPS / "smb1-spoolss.pcap")], 1),
    ("spoolss-control-in-clear", lambda t: [str(PCAPS / "spoolss-smb3-pipe.pcap")], 1),
    ("spoolss-job-named-pipe", lambda t: [str(PCAPS / "spoolss-printjob-np.pcap")], 1),
    ("rpc-tcp-below-privacy", lambda t: [str(PCAPS / "rpc-tcp-clear.pcap")], 1),
    ("rpc-tcp-privacy", lambda t: [str(PCAPS / "rpc-tcp-privacy.pcap")], 0),
    ("spoolss-smb3-encrypted-unknown-server", lambda t: [str(PCAPS / "spoolss-smb3-pipe-encrypted.pcap")], 3),
    ("windows-fleet-protected", lambda t: [str(PCAPS / "rpc-tcp-privacy.pcap"),
                                           str(PCAPS / "spoolss-smb3-pipe-encrypted.pcap")], 0),
    ("smb-encrypted-policy-print-server", lambda t: [
        "--policy", _policy(t, 'print_servers = ["10.77.0.0/24"]\n'), str(PCAPS / "smb-print-encrypted.pcap")], 0),
    ("no-print-traffic", lambda t: [str(PCAPS / "mixed-background.pcap")], 3),
    ("truncated", lambda t: [_truncated(t)], 3),
    ("listener-without-job", lambda t: [_listener_only(t)], 1),
    ("rst-only-is-inconclusive", lambda t: [_rst_only(t)], 3),
    ("policy-exception", lambda t: [
        "--policy", _policy(t, '[[exceptions]]\nhost = "10.77.0.20"\nreason = "isolated label printer"\n'),
        str(PCAPS / "raw9100-cups-socket.pcap")], 0),
    ("fail-on-critical-tls-info", lambda t: ["--fail-on", "info", str(PCAPS / "tls9100-socat.pcap")], 1),
    ("exit-zero-keeps-3", lambda t: ["--exit-zero", str(PCAPS / "mixed-background.pcap")], 3),
    ("missing-path", lambda t: [str(t / "nope.pcap")], 2),
    ("empty-file", lambda t: [_policy(t, "")], 2),
    ("not-a-capture", lambda t: [_policy(t, "hello")], 2),
    ("invalid-policy", lambda t: ["--policy", _policy(t, 'min_tls_version = "0.9"\n'),
                                  str(PCAPS / "tls9100-socat.pcap")], 2),
    ("captures-and-interface", lambda t: ["-i", "lo", "--duration", "1", str(PCAPS / "tls9100-socat.pcap")], 2),
    ("nothing-to-verify", lambda t: [], 2),
]


@pytest.mark.parametrize("args,expected", [(r[1], r[2]) for r in ROWS], ids=[r[0] for r in ROWS])
def test_exit_code_contract(tmp_path, args, expected):
    argv = args(tmp_path)
    r = CliRunner().invoke(main, ["verify", *argv])
    assert r.exit_code == expected, r.stderr + r.stdout[-2000:]
    assert "Traceback" not in r.stderr


def test_internal_error_exits_4(monkeypatch):
    from sniffprint.api import pipeline

    def boom(*_a, **_k):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(pipeline, "decide", boom)
    r = CliRunner().invoke(main, ["verify", str(PCAPS / "raw9100-cups-socket.pcap")])
    assert r.exit_code == 4 and "internal error" in r.stderr


def test_invalid_policy_names_the_line(tmp_path):
    pol = _policy(tmp_path, '# comment\nprint_ports = [9100]\nmin_tls_version = "0.9"\n')
    r = CliRunner().invoke(main, ["verify", "--policy", pol, str(PCAPS / "tls9100-socat.pcap")])
    assert r.exit_code == 2 and "line 3" in r.stderr and "min_tls_version" in r.stderr


def test_human_summary_on_stderr_names_the_printer_and_json_on_stdout():
    r = CliRunner().invoke(main, ["verify", str(PCAPS / "raw9100-cups-socket.pcap")])
    assert "EXPOSED" in r.stderr and "10.77.0.20" in r.stderr
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    printers = [x for x in recs if x["type"] == "printer"]
    assert printers == [p for p in printers if p["server_ip"] == "10.77.0.20"] and printers[0]["verdict"] == "exposed"
    summary = recs[-1]
    assert summary["type"] == "summary" and summary["exit_code"] == 1 and summary["verdict"] == "exposed"
    codes = {x["code"] for x in recs if x["type"] == "finding"}
    assert {"SP101", "SP301"} <= codes


def test_junit_one_testcase_per_printer(tmp_path):
    out = tmp_path / "r.xml"
    caps = [str(PCAPS / "raw9100-cups-socket.pcap"), str(PCAPS / "tls9100-socat.pcap")]
    r = CliRunner().invoke(main, ["verify", "--format", "junit", "-o", str(out), *caps])
    assert r.exit_code == 1
    suite = ET.parse(out).getroot()
    cases = {c.get("name"): c for c in suite.iter("testcase") if c.get("classname") == "sniffprint.printer"}
    assert list(cases) == ["10.77.0.20"]
    assert cases["10.77.0.20"].find("failure") is not None
    assert suite.get("failures") == "1"


def test_junit_inconclusive_is_an_error():
    r = CliRunner().invoke(main, ["verify", "--format", "junit", str(PCAPS / "mixed-background.pcap")])
    suite = ET.fromstring(r.stdout.split("\n", 1)[1])
    assert suite.get("errors") == "1" and r.exit_code == 3


def test_sarif_results_and_rules():
    r = CliRunner().invoke(main, ["verify", "--format", "sarif", str(PCAPS / "raw9100-cups-socket.pcap")])
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = {x["id"] for x in run["tool"]["driver"]["rules"]}
    results = run["results"]
    assert {"SP101", "SP301"} <= rules and all(x["ruleId"] in rules for x in results)
    assert any(x["level"] == "error" for x in results)


def test_policy_parsing_rules():
    from sniffprint.errors import OptionsError
    from sniffprint.findings.policy import parse

    p = parse({"min_tls_version": "TLSv1.3", "print_servers": ["10.0.0.0/8"], "allow_self_signed": False,
               "exceptions": [{"port": 515, "reason": "legacy"}]})
    assert p.tls_too_old("TLSv1.2") and not p.tls_too_old("TLSv1.3")
    assert p.is_print_server("10.2.3.4") and not p.is_print_server("192.0.2.1")
    assert p.exception_for("192.0.2.1", 515) == "legacy" and p.exception_for("192.0.2.1", 9100) is None
    for bad in ({"nope": 1}, {"print_servers": ["not-an-ip"]}, {"exceptions": [{"host": "10.0.0.1"}]},
                {"print_ports": [70000]}, {"allow_self_signed": "yes"}):
        with pytest.raises(OptionsError):
            parse(bad)


def test_self_signed_is_info_by_default_and_medium_when_policy_forbids(tmp_path):
    cap = str(PCAPS / "tls9100-socat.pcap")
    assert CliRunner().invoke(main, ["verify", cap]).exit_code == 0
    pol = _policy(tmp_path, "allow_self_signed = false\n")
    r = CliRunner().invoke(main, ["verify", "--policy", pol, cap])
    assert r.exit_code == 1 and "SP204" in r.stdout


def test_basic_auth_on_a_print_flow_is_sp104():
    from sniffprint.findings.rules import Findings
    from tests.records import flow_record

    f = Findings()
    flow = flow_record(server_port=631, service="ipp", history="ShADadFf", c2s_bytes=10, http_basic_auth=True,
                       ipp_operations=("Get-Jobs",))
    codes = {x.code: x for x in f.flow(flow, [])}
    assert codes["SP104"].severity == "high" and "SP302" in codes


def test_job_sent_before_an_rfc2817_upgrade_is_still_exposed(tmp_path):
    from tests.dissectors.http.vectors import HELLO, SERVER_HELLO, SWITCH, UPGRADE, ipp_ok, post, print_job, response

    c = g.Conversation(sport=631)
    frames = c.handshake() + c.c2s(post(print_job())) + c.s2c(response(ipp_ok())) + c.c2s(UPGRADE)
    frames += c.s2c(SWITCH + SERVER_HELLO) + c.c2s(HELLO) + c.close()
    cap = _cap(tmp_path, "late-upgrade.pcap", frames)
    r = CliRunner().invoke(main, ["verify", cap])
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    flow = next(x for x in recs if x["type"] == "flow")
    assert flow["protection"] == "tls" and flow["http_upgrade_tls"] is True
    assert any(x["type"] == "finding" and x["code"] == "SP101" for x in recs)
    assert r.exit_code == 1


def test_upgrade_before_any_job_is_protected(tmp_path):
    from tests.dissectors.http.vectors import HELLO, SERVER_HELLO, SWITCH, UPGRADE

    c = g.Conversation(sport=631)
    frames = c.handshake() + c.c2s(UPGRADE) + c.s2c(SWITCH + SERVER_HELLO) + c.c2s(HELLO) + c.close()
    r = CliRunner().invoke(main, ["verify", _cap(tmp_path, "early-upgrade.pcap", frames)])
    assert r.exit_code == 0, r.stderr


def _job_on_port(tmp_path, port: int = 9101) -> str:
    frames, _ = g.print_job_frames(sport=port)
    p = tmp_path / f"job-{port}.pcap"
    p.write_bytes(g.pcap(frames))
    return str(p)


def test_a_failing_extractor_is_never_silent(tmp_path, monkeypatch):
    import sniffprint.content.extract as extract

    def boom(*_a, **_k):
        raise RuntimeError("extractor bug")

    monkeypatch.setattr(extract, "extract_text", boom)
    r = CliRunner().invoke(main, ["verify", "--format", "json", "--fail-on", "critical", _job_on_port(tmp_path)])
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    sp101 = [x for x in recs if x["type"] == "finding" and x["code"] == "SP101"]
    # sensitive data cannot be ruled out: the finding keeps the severity it could have had
    assert sp101 and sp101[0]["severity"] == "critical" and sp101[0]["evidence"]["text_status"] == "error"
    assert any(x["type"] == "anomaly" and x["kind"] == "internal_error" for x in recs)
    assert recs[-1]["internal_errors"] >= 1 and r.exit_code == 1


def test_a_failing_dissector_on_a_print_flow_is_exit_4_not_0(tmp_path, monkeypatch):
    from sniffprint.dissectors.raw9100 import Raw9100Dissector

    def boom(self, direction, data):  # noqa: ANN001
        raise RuntimeError("dissector bug")

    monkeypatch.setattr(Raw9100Dissector, "feed", boom)
    r = CliRunner().invoke(main, ["verify", "--format", "table", _job_on_port(tmp_path)])
    assert r.exit_code == 4, r.stdout
    assert "internal errors" in r.stdout and "INTERNAL-ERROR" in r.stdout


# ----------------------------------------------------------------- print servers learned from the traffic
def _rpc_privacy_then_smb3(tmp_path, smb_server: str = "10.0.0.2") -> str:
    """A client prints at RPC packet privacy over TCP, then opens an SMB3-encrypted session."""
    from tests.dissectors.dcerpc import vectors as rpc
    from tests.dissectors.smb.wire import login, nbss, transform

    sealed = (rpc.NTLMSSP, 6, rpc.SIGNATURE)
    r = g.Conversation(sport=49668, cport=40001)
    frames = r.handshake() + r.c2s(rpc.bind(1, [(0, rpc.MS_PAR, [rpc.NDR])], auth=(rpc.NTLMSSP, 6, rpc.NTLM_NEGOTIATE)))
    frames += r.s2c(rpc.bind_ack(1)) + r.c2s(rpc.request(2, 10, b"\x93" * 64, auth=sealed, pad_to=16)) + r.close()
    s = g.Conversation(sport=445, cport=40002, server=smb_server)
    frames += s.handshake()
    for direction, data in login(session_flags=4) + [(0, nbss(transform()))]:
        frames += s.c2s(data) if direction == 0 else s.s2c(data)
    frames += s.close()
    return _cap(tmp_path, "fleet.pcap", frames)


def test_a_server_seen_at_rpc_privacy_makes_its_smb3_sessions_print(tmp_path):
    r = CliRunner().invoke(main, ["verify", "--format", "json", _rpc_privacy_then_smb3(tmp_path)])
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    flows = {x["server_port"]: x for x in recs if x["type"] == "flow"}
    assert flows[49668]["protection"] == "rpc-privacy" and flows[49668]["service"] == "dcerpc"
    # the flow record says what the traffic showed (its share is hidden); the findings count it as
    # protected print because its server was seen serving print at RPC privacy
    assert flows[445]["protection"] == "smb3-encrypted" and flows[445]["print"] is None
    assert not [x for x in recs if x["type"] == "finding" and x["code"] == "SP206"]
    assert r.exit_code == 0 and recs[-1]["verdict"] == "protected"
    # an SMB3 session to a server never seen serving print stays unknown
    r = CliRunner().invoke(main, ["verify", "--format", "json", _rpc_privacy_then_smb3(tmp_path, "10.0.0.7")])
    flows = {x["server_ip"]: x for x in map(json.loads, r.stdout.splitlines()) if x["type"] == "flow"}
    assert flows["10.0.0.7"]["print"] is None


def test_the_print_rule_and_the_servers_it_learns():
    from sniffprint.findings.policy import Policy, PrintServers
    from sniffprint.model import FlowKey, Protection, Service

    key = FlowKey("tcp", "10.0.0.1", 5000, "10.0.0.2", 445)
    known = PrintServers(cap=2)
    assert Policy().is_print(Service.SMB, None, Protection.SMB3, key) is None
    known.add("10.0.0.2")
    known.add("10.0.0.3")
    assert "10.0.0.2" in known
    known.add("10.0.0.4")
    assert "10.0.0.2" not in known and len(known) == 2  # bounded, oldest out
    assert Policy.serves_print(True, Protection.RPC_PRIVACY) and Policy.serves_print(True, Protection.TLS)
    assert not Policy.serves_print(True, Protection.NONE) and not Policy.serves_print(None, Protection.SMB3)
    assert Policy().is_print(Service.DCERPC, True, Protection.RPC_PRIVACY, key) is True
    assert Policy().is_print(Service.DCERPC, None, Protection.NONE, key) is False


def test_cleartext_still_enabled_beside_tls_is_a_reason_whatever_the_threshold():
    """The migration's unfinished last step, with the evidence flow of each port: IPPS and TLS 9100
    print, yet 9100, 515 and 80 still answer in clear (pcaps/migration-after.pcap)."""
    cap = str(PCAPS / "migration-after.pcap")
    for fail_on, code in (("medium", 1), ("critical", 1)):
        r = CliRunner().invoke(main, ["verify", "--format", "json", "--fail-on", fail_on, cap])
        assert r.exit_code == code
        summary = json.loads(r.stdout.splitlines()[-1])
        still = [x for x in summary["reasons"] if "cleartext still enabled" in x]
        assert len(still) == 1 and still[0].startswith("10.77.0.20: TLS in use (ipps, raw-tls), cleartext still "
                                                      "enabled on 9100/515/80 (evidence: C")
        printer = next(json.loads(line) for line in r.stdout.splitlines() if '"type":"printer"' in line)
        first = [p["uids"][0] for p in printer["clear_ports"]]
        assert still[0].endswith(f"(evidence: {', '.join(first)})")
    r = CliRunner().invoke(main, ["verify", "--format", "json", str(PCAPS / "migration-before.pcap")])
    assert "cleartext still enabled" not in r.stdout  # nothing protected yet: nothing "still" open
