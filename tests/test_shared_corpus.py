"""Reference captures made by real print software (../shared/pcaps-real, not shipped to users).

Skipped when the folder is absent. Ground truth comes from its MANIFEST.json.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from sniffprint import analyze
from tests.conftest import SHARED
from tests.corpus import check_flows, find

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (SHARED / "MANIFEST.json").exists(), reason="../shared/pcaps-real absent")]


def _manifest():
    if not (SHARED / "MANIFEST.json").exists():
        return []
    return json.loads((SHARED / "MANIFEST.json").read_text())["captures"]


@pytest.mark.parametrize("cap", _manifest(), ids=lambda c: c["file"])
def test_every_print_flow_found_with_exact_stream_bytes(cap):
    report = analyze(str(SHARED / cap["file"]))
    assert check_flows(report, cap) == []
    for pf in cap["print_flows"]:
        assert find(report, pf).missed_bytes == 0
    assert not [a for a in report.anomalies if a.kind in ("internal_error", "protocol_violation")]


@pytest.mark.parametrize("level", ["flows", "bad-inputs", "protocols", "metadata", "negatives", "leak", "carve",
                                   "pii", "verify"])
def test_acceptance_checker(level):
    checker = SHARED.parent / "acceptance" / "check.py"
    exe = shutil.which("sniffprint")
    if not checker.exists() or exe is None:
        pytest.skip("checker or installed sniffprint command absent")
    out = subprocess.run([sys.executable, str(checker), str(SHARED), "--level", level, "--cmd", exe],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
