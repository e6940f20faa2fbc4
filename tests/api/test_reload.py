"""api/reload.py: read_report() round trip, and a clear error for what is not a report."""
from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner

import sniffprint
from sniffprint.cli import main
from sniffprint.errors import CaptureError
from tests.conftest import PCAPS


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
