"""End-to-end: the capture lab drives real print software in network namespaces and captures
from a third one; the fresh captures must match the committed ground truth (root only)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

NEEDS = ["ip", "tcpdump", "tshark", "socat", "cupsd", "lp", "gs"]
missing = [t for t in NEEDS if shutil.which(t) is None and not os.path.exists(f"/usr/sbin/{t}")]
pytestmark = [
    pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(bool(missing), reason=f"capture-lab software missing: {missing}"),
]


def test_lab_rebuilds_raw9100_and_lpd_captures_matching_their_truth():
    out = subprocess.run([sys.executable, "tools/make_captures.py", "--only", "raw9100-cups-socket,lpd-cups"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
