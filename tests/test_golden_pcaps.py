"""Golden tests on the project's own captures (pcaps/*.truth.json, made by tools/make_captures.py)."""
from __future__ import annotations

import json

import pytest

from sniffprint import analyze
from tests.conftest import PCAPS
from tests.corpus import check_flows
from tools import goldens

TRUTHS = sorted(PCAPS.glob("*.truth.json"))


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_capture_matches_its_ground_truth(truth):
    cap = json.loads(truth.read_text())
    report = analyze(str(PCAPS / cap["file"]))
    assert check_flows(report, cap) == []
    bad = [a for a in report.anomalies if a.kind in ("internal_error", "protocol_violation", "content_gap")]
    assert bad == []


def test_there_are_golden_captures():
    assert len(TRUTHS) >= 8


GOLDEN_CAPTURES = goldens.captures()


@pytest.mark.parametrize("cap", GOLDEN_CAPTURES, ids=lambda p: p.stem)
def test_output_matches_its_golden(cap):
    """``pcaps/<name>.findings.json`` pins every record, the table and the verify verdict: any
    change of behaviour must come with ``python3 tools/goldens.py --update`` and a reviewed diff."""
    path = goldens.golden_path(cap)
    assert path.exists(), f"no golden for {cap.name}: run python3 tools/goldens.py --update"
    want = json.loads(path.read_text())
    got = json.loads(goldens.dump(goldens.produce(cap)))
    assert got == want
