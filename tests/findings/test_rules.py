"""findings.py: job findings as soon as the job ends, printer verdicts, policy exceptions."""
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


def test_printer_file_system_access_is_sp105_with_paths_hashed():
    from sniffprint.model import JobDirection

    f = Findings()
    flow = _flow(pjl_fs_commands=("FSDIRLIST", "FSUPLOAD", "FSDOWNLOAD"),
                 pjl_fs_paths=("0:\\saved\\Payroll.pcl", "0:\\pjl\\x.sh"), pjl_fs_listed=("0:\\saved\\Payroll.pcl",))
    read = job_record(direction=JobDirection.S2C, file_transfer="FSUPLOAD", document_name="0:\\saved\\Payroll.pcl")
    written = job_record(job_index=1, language="unknown", languages=("unknown",), file_transfer="FSDOWNLOAD",
                         document_name="0:\\pjl\\x.sh")
    out = f.flow(flow, [(read, Evidence(sha256="a", length=100, pii_counts={"private_key": 1})),
                        (written, Evidence(sha256="b", length=100, text_detail="shell script, not a print language"))])
    by = {(x.code, x.job_index): x for x in out}
    assert set(by) == {("SP105", None), ("SP101", 0), ("SP105", 1)}  # never SP101 for the file written
    access = by[("SP105", None)]
    assert access.severity == "high" and "FSDIRLIST, FSUPLOAD, FSDOWNLOAD" in access.detail
    assert "Payroll" not in access.detail and "x.sh" not in access.detail and "<redacted:" in access.detail
    assert "1 file(s) read back" in access.detail and "1 file(s) written" in access.detail
    assert by[("SP101", 0)].severity == "critical"  # a private key read back
    assert "sent back by the printer (FSUPLOAD of <redacted:" in by[("SP101", 0)].detail
    assert by[("SP105", 1)].evidence is not None and "shell script" in by[("SP105", 1)].detail
    assert "x.sh" not in by[("SP105", 1)].detail
    (pr,) = f.printers.records()
    assert pr.jobs_clear == 1  # the file written is no print job


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


def test_print_rpc_control_in_clear_is_sp302_naming_the_calls():
    f = Findings()
    (sp302,) = f.flow(_flow(service="smb", server_port=445, rpc_interfaces=("MS-RPRN",),
                            rpc_calls=("EnumPrinters", "AddPrinterDriverEx")), [])
    assert sp302.code == "SP302" and sp302.detail == "spoolss calls in clear: EnumPrinters, AddPrinterDriverEx"
    (sp302,) = f.flow(_flow(uid="C2", service="dcerpc", server_port=49668, rpc_interfaces=("EPM", "MS-PAR"),
                            rpc_calls=("AsyncEnumPrinters",)), [])
    assert sp302.detail == "winspool calls in clear: AsyncEnumPrinters" and "privacy" in sp302.remediation
    (sp302,) = f.flow(_flow(uid="C3", service="dcerpc", server_port=49668, rpc_interfaces=("MS-RPRN",)), [])
    assert sp302.detail == "spoolss bound in clear (no call seen)"


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
