"""api/analysis.py: analyze() takes a path or a list and gives frames with a fixed schema."""
from __future__ import annotations

from pathlib import Path

import sniffprint
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
