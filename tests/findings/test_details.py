"""findings/details.py: what a finding's detail says (file-system access with paths hashed, print RPC
calls named), and a PJL status query is no job (query_only)."""
from __future__ import annotations

from sniffprint.findings.rules import Findings
from sniffprint.records import Evidence
from tests.records import flow_record, job_record


def _flow(**kw):
    return flow_record(**kw)


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


def test_a_pjl_status_query_without_a_document_is_sp302_not_sp101():
    status = job_record(language="PJL", languages=("PJL",), bytes=56, pjl_device_info="INFO ID: HP LaserJet 4250")
    f = Findings()
    assert f.job(_flow(jobs=1), status, None) == []  # judged with its flow, not as a document
    found = f.flow(_flow(jobs=1, pjl_device_info="INFO STATUS: CODE=10001"), [(status, None)])
    assert [x.code for x in found] == ["SP302"] and found[0].detail == "PJL status exchange in clear"
    assert f.printers.records()[0].jobs_clear == 0
    # PJL alone that names a job, or sends a HOLDKEY PIN, is still a job in clear
    named = job_record(language="PJL", languages=("PJL",), bytes=80, job_name="payroll")
    assert [x.code for x in Findings().flow(_flow(jobs=1), [(named, None)])] == ["SP101"]
    pin = job_record(language="PJL", languages=("PJL",), bytes=80, holdkey_present=True)
    assert [(x.code, x.severity) for x in Findings().flow(_flow(jobs=1), [(pin, None)])] == [("SP101", "critical")]
