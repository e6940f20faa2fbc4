"""Golden tests on the project's own captures (pcaps/*.truth.json, made by tools/make_captures.py)."""
from __future__ import annotations

import json

import pytest

from sniffprint import analyze
from tests.conftest import PCAPS
from tests.corpus import check_flows

TRUTHS = sorted(PCAPS.glob("*.truth.json"))


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_capture_matches_its_ground_truth(truth):
    cap = json.loads(truth.read_text())
    report = analyze(str(PCAPS / cap["file"]))
    assert check_flows(report, cap) == []
    bad = [a for a in report.anomalies if a["kind"] in ("internal_error", "protocol_violation", "content_gap")]
    assert bad == []


def test_there_are_golden_captures():
    assert len(TRUTHS) >= 8
