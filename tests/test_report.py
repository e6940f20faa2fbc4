"""report.py: frames with the record schemas' columns and dtypes, empty or full."""
from __future__ import annotations

import pytest

from sniffprint.records import Anomaly, Finding, FlowRecord, JobRecord, PrinterRecord
from sniffprint.report import Report, frame_columns
from tests.records import flow_record, job_record

FRAMES = {"flows_frame": FlowRecord, "jobs_frame": JobRecord, "findings_frame": Finding,
          "printers_frame": PrinterRecord, "anomalies_frame": Anomaly}


@pytest.mark.parametrize("method", sorted(FRAMES))
def test_frames_have_the_record_schema_even_when_empty(method):
    frame = getattr(Report(), method)()
    schema = frame_columns(FRAMES[method])
    assert list(frame.columns) == [n for n, _ in schema] and len(frame) == 0
    assert {c: str(t) for c, t in frame.dtypes.items()} == dict(schema)


def test_a_full_frame_keeps_the_dtypes_and_the_values():
    r = Report()
    r.add(flow_record(tls_weak=("TLS 1.0",)))
    r.add(flow_record(uid="C2", print=None, protection="smb3-encrypted", service="smb"))
    r.add(job_record())
    flows = r.flows_frame()
    assert {c: str(t) for c, t in flows.dtypes.items()} == dict(frame_columns(FlowRecord))
    assert list(flows["service"]) == ["raw9100", "smb"] and flows["print"].isna().tolist() == [False, True]
    assert flows["tls_weak"][0] == ["TLS 1.0"]
    assert len(r.jobs_frame()) == 1 and r.print_flows == r.flows


def test_frames_of_every_bundled_capture_concatenate_with_their_dtypes():
    import pandas as pd

    from sniffprint import analyze
    from tests.conftest import PCAPS

    reports = [analyze(p) for p in sorted(PCAPS.glob("*.pcap*")) if not p.name.endswith(".json")]
    for method in FRAMES:
        frames = [getattr(r, method)() for r in reports]
        both = pd.concat(frames, ignore_index=True)
        assert {c: str(t) for c, t in both.dtypes.items()} == {c: str(t) for c, t in frames[0].dtypes.items()}, method
    findings = pd.concat([r.findings_frame() for r in reports], ignore_index=True)
    assert str(findings["severity"].dtype) == "category" and findings["severity"].cat.ordered
    ranked = findings.sort_values("severity")["severity"].tolist()
    assert ranked[0] == "info" and ranked[-1] == "critical"  # by rank, not alphabetically
    assert {"pii_ssn", "sha256", "text_status", "capture"} <= set(findings.columns)
    combined = Report.concat(reports)
    assert len(combined.flows) == sum(len(r.flows) for r in reports)
    assert combined.stats is not None and len(combined.stats.captures) == len(reports)
    assert len({f.uid for f in combined.flows}) == len(combined.flows)
