"""The Python API: analyze() frames with a fixed schema, read_report() round trip."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

import sniffprint
from sniffprint.cli import main
from sniffprint.errors import CaptureError
from sniffprint.records import Anomaly, Finding, FlowRecord, JobRecord, PrinterRecord
from sniffprint.report import frame_columns
from tests.conftest import PCAPS

FRAMES = {"flows_frame": FlowRecord, "jobs_frame": JobRecord, "findings_frame": Finding,
          "printers_frame": PrinterRecord, "anomalies_frame": Anomaly}


def test_analyze_frames_dtypes():
    rep = sniffprint.analyze(str(PCAPS / "raw9100-cups-socket.pcap"))
    flows = rep.flows_frame()
    assert str(flows["server_port"].dtype) == "UInt16" and str(flows["ts_start"].dtype) == "datetime64[ns, UTC]"
    assert len(flows) == 4 and flows["print"].all()
    assert len(rep.findings_frame()) >= 4
    for method, cls in FRAMES.items():  # full frames keep the schema's dtypes too
        frame = getattr(rep, method)()
        assert {c: str(t) for c, t in frame.dtypes.items()} == dict(frame_columns(cls))


def test_analyze_takes_a_path_or_a_list():
    cap = PCAPS / "lpd-cups.pcap"
    by_str = sniffprint.analyze(str(cap))
    assert [f.uid for f in sniffprint.analyze(cap).flows] == [f.uid for f in by_str.flows]
    assert len(sniffprint.analyze([cap, Path(PCAPS / "tls9100-socat.pcap")]).flows) > len(by_str.flows)


def test_read_report_round_trip(tmp_path):
    out = tmp_path / "run.jsonl"
    CliRunner().invoke(main, ["scan", "--format", "json", "-o", str(out), str(PCAPS / "lpd-cups.pcap")])
    rep = sniffprint.read_report(str(out))
    direct = sniffprint.analyze(str(PCAPS / "lpd-cups.pcap"))
    assert rep.flows == direct.flows and rep.jobs == direct.jobs
    assert rep.findings == direct.findings and rep.printers == direct.printers
    assert rep.stats is not None and direct.stats is not None
    assert dataclasses.replace(rep.stats, elapsed_s=0) == dataclasses.replace(direct.stats, elapsed_s=0)
    assert rep.flows_frame().shape[0] == 3


def test_read_report_refuses_what_is_not_a_report(tmp_path):
    binary = tmp_path / "x.pcap"
    binary.write_bytes((PCAPS / "lpd-cups.pcap").read_bytes())
    with pytest.raises(CaptureError, match="not a sniffprint report"):
        sniffprint.read_report(binary)
    text = tmp_path / "x.json"
    text.write_text('{"hello": 1}\n')
    with pytest.raises(CaptureError, match="line 1"):
        sniffprint.read_report(text)
