"""The Python API: analyze() frames with a fixed schema, read_report() round trip."""
from __future__ import annotations

from click.testing import CliRunner

import sniffprint
from sniffprint.cli import main
from sniffprint.report import FINDING_SCHEMA, FLOW_SCHEMA, JOB_SCHEMA, Report
from tests.conftest import PCAPS


def test_frames_have_the_fixed_schema_even_when_empty():
    empty = Report()
    for frame, schema in ((empty.flows_frame(), FLOW_SCHEMA), (empty.jobs_frame(), JOB_SCHEMA),
                          (empty.findings_frame(), FINDING_SCHEMA)):
        assert list(frame.columns) == list(schema) and len(frame) == 0
        assert {c: str(t) for c, t in frame.dtypes.items()} == schema


def test_analyze_frames_dtypes():
    rep = sniffprint.analyze(str(PCAPS / "raw9100-cups-socket.pcap"))
    flows = rep.flows_frame()
    assert str(flows["server_port"].dtype) == "UInt16" and str(flows["ts_start"].dtype) == "datetime64[ns, UTC]"
    assert len(flows) == 4 and flows["print"].all()
    assert len(rep.findings_frame()) >= 4


def test_read_report_round_trip(tmp_path):
    out = tmp_path / "run.jsonl"
    CliRunner().invoke(main, ["scan", "--format", "json", "-o", str(out), str(PCAPS / "lpd-cups.pcap")])
    rep = sniffprint.read_report(str(out))
    direct = sniffprint.analyze(str(PCAPS / "lpd-cups.pcap"))
    assert [f["uid"] for f in rep.flows] == [f["uid"] for f in direct.flows]
    assert len(rep.findings) == len(direct.findings) and rep.printers and rep.stats["frames"] == direct.stats["frames"]
    assert rep.flows_frame().shape[0] == 3
