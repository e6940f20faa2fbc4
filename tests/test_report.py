"""report.py: frames with the record schemas' columns and dtypes, empty or full."""
from __future__ import annotations

import pytest

from sniffprint.records import Anomaly, Finding, FlowRecord, JobRecord, PrinterRecord, columns
from sniffprint.report import Report
from tests.records import flow_record, job_record

FRAMES = {"flows_frame": FlowRecord, "jobs_frame": JobRecord, "findings_frame": Finding,
          "printers_frame": PrinterRecord, "anomalies_frame": Anomaly}


@pytest.mark.parametrize("method", sorted(FRAMES))
def test_frames_have_the_record_schema_even_when_empty(method):
    frame = getattr(Report(), method)()
    schema = columns(FRAMES[method])
    assert list(frame.columns) == [c.name for c in schema] and len(frame) == 0
    assert {c: str(t) for c, t in frame.dtypes.items()} == {c.name: c.dtype for c in schema}


def test_a_full_frame_keeps_the_dtypes_and_the_values():
    r = Report()
    r.add(flow_record(tls_weak=("TLS 1.0",)))
    r.add(flow_record(uid="C2", print=None, protection="smb3-encrypted", service="smb"))
    r.add(job_record())
    flows = r.flows_frame()
    assert {c: str(t) for c, t in flows.dtypes.items()} == {c.name: c.dtype for c in columns(FlowRecord)}
    assert list(flows["service"]) == ["raw9100", "smb"] and flows["print"].isna().tolist() == [False, True]
    assert flows["tls_weak"][0] == ["TLS 1.0"]
    assert len(r.jobs_frame()) == 1 and r.print_flows == r.flows
