"""findings/rules.py: job findings as soon as the job ends, printer verdicts, policy exceptions."""
from __future__ import annotations

import io

from sniffprint.api import Pipeline, parse_sources
from sniffprint.findings.policy import parse
from sniffprint.findings.rules import Findings
from sniffprint.outputs.base import Writer
from sniffprint.records import Evidence
from tests import pcapgen as g
from tests.dissectors.http.vectors import ipp_ok, post, print_job, response
from tests.records import flow_record, job_record, summary

SUMMARY = summary()


def test_a_job_is_reported_when_it_ends_not_when_its_keep_alive_flow_does(tmp_path):
    c = g.Conversation(sport=631)
    frames = c.handshake() + c.c2s(post(print_job())) + c.s2c(response(ipp_ok()))  # no FIN: kept alive
    p = tmp_path / "keepalive.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in frames]))
    order: list[str] = []

    class Order(Writer):
        def flow(self, rec):  # noqa: ANN001
            order.append("flow")

        def finding(self, rec):  # noqa: ANN001
            order.append(rec.code)

    specs = parse_sources(str(p))
    Pipeline(sinks=[Order(io.StringIO())]).run(specs)
    assert order.index("SP101") < order.index("flow")
    assert order.count("SP101") == 1  # not reported a second time when the flow ends


def _flow(**kw):
    return flow_record(**kw)


JOB = job_record()


def test_printer_verdicts():
    f = Findings()
    f.flow(_flow(), [(JOB, Evidence(sha256=JOB.sha256, length=JOB.bytes, pii_counts={"ssn": 1}))])
    f.flow(_flow(uid="C2", server_ip="10.0.0.3", protection="tls", service="tls", tls_version="TLSv1.3"), [])
    f.flow(_flow(uid="C3", server_ip="10.0.0.4", protection="tls", service="tls", tls_version="TLSv1.0",
                 tls_weak=["TLS 1.0"]), [])
    f.flow(_flow(uid="C4", server_ip="10.0.0.5", service="smb", server_port=445, protection="smb3-encrypted",
                 print=None), [])
    f.finish(SUMMARY)
    verdicts = {p.server_ip: p.verdict for p in f.printers.records()}
    assert verdicts == {"10.0.0.2": "exposed", "10.0.0.3": "protected", "10.0.0.4": "weak", "10.0.0.5": "unknown"}
    sp101 = next(k for k in f.tally if k.code == "SP101")
    assert sp101.severity == "critical"  # sensitive data in the document


def test_policy_exception_suppresses_but_keeps_the_finding():
    f = Findings(parse({"exceptions": [{"host": "10.0.0.2", "port": 9100, "reason": "lab printer"}]}))
    out = f.flow(_flow(), [(JOB, None)])
    assert out and all(x.suppressed == "lab printer" for x in out)


def test_listener_without_job_and_closed_port():
    f = Findings()
    f.flow(_flow(service="other", print=False, c2s_bytes=0, history="ShAFf"), [])
    f.flow(_flow(uid="C9", server_ip="10.0.0.8", service="other", print=False, history="Sr", state="REJ"), [])
    codes = [x.code for x in f.finish(SUMMARY)]
    assert "SP301" in codes and "SP303" in codes and "SP904" in codes


def test_file_system_session_without_jobs_is_not_also_sp302():
    f = Findings()
    out = f.flow(_flow(pjl_fs_commands=("FSDIRLIST",), pjl_fs_paths=("0:\\",)), [])
    assert [x.code for x in out] == ["SP105"]
    assert [x.code for x in Findings().flow(_flow(pjl_device_info="INFO ID: HP"), [])] == ["SP302"]


def test_a_connection_cut_before_its_first_byte_is_no_proof_of_a_cleartext_listener():
    f = Findings()
    # TLS-wrapped 9100 seen, then a connection the capture cut between SYN-ACK and ClientHello
    f.flow(_flow(uid="C1", service="tls", protection="tls", tls_version="TLSv1.3"), [])
    f.flow(_flow(uid="C2", service="other", print=False, c2s_bytes=0, history="ShA", state="S1"), [])
    assert "SP301" not in [x.code for x in f.finish(SUMMARY)]
    # the same on a port where no TLS was ever seen, but cut: still unknown
    g2 = Findings()
    g2.flow(_flow(uid="C3", server_port=515, service="other", print=False, c2s_bytes=0, history="ShA",
                  state="S1"), [])
    assert "SP301" not in [x.code for x in g2.finish(SUMMARY)]
    # a complete connect (answered and closed) where no TLS was seen is a listener
    g3 = Findings()
    g3.flow(_flow(uid="C4", server_port=515, service="other", print=False, c2s_bytes=0, history="ShAFf",
                  state="SF"), [])
    assert "SP301" in [x.code for x in g3.finish(SUMMARY)]


def _codes(out):
    return sorted(x.code for x in out)


def test_every_smb1_print_flow_is_sp103_job_or_not():
    f = Findings()
    spoolss_only = _flow(service="smb", server_port=139, smb1=True, rpc_interfaces=("MS-RPRN",),
                         rpc_calls=("EnumPrinters",))
    assert _codes(f.flow(spoolss_only, [])) == ["SP103", "SP302"]
    sealed = _flow(uid="C2", service="smb", server_port=445, smb1=True, protection="rpc-privacy",
                   rpc_interfaces=("MS-RPRN",), rpc_auth_level="privacy")
    assert _codes(f.flow(sealed, [])) == ["SP103"]  # RPC sealed inside, SMB1 all the same
    assert _codes(f.flow(_flow(uid="C3", service="smb", server_port=445, smb1=True, print=False), [])) == []


def test_print_rpc_at_privacy_is_protected_and_a_job_below_it_exposed():
    f = Findings()
    assert f.flow(_flow(service="dcerpc", server_port=49668, protection="rpc-privacy",
                        rpc_interfaces=("MS-PAR",), rpc_auth_level="privacy"), []) == []
    job = job_record(uid="C2", protocol="dcerpc", user="alice")
    (sp101,) = f.flow(_flow(uid="C2", server_ip="10.0.0.9", service="dcerpc", server_port=49668,
                            rpc_auth_level="integrity"), [(job, None)])
    assert sp101.code == "SP101" and sp101.protocol == "dcerpc" and "RpcAuthnLevelPrivacyEnabled" in sp101.remediation
    f.finish(SUMMARY)
    assert {p.server_ip: p.verdict for p in f.printers.records()} == {"10.0.0.2": "protected",
                                                                      "10.0.0.9": "exposed"}
