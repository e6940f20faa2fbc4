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
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(bool(missing), reason=f"capture-lab software missing: {missing}"),
]


def test_lab_rebuilds_raw9100_and_lpd_captures_matching_their_truth():
    out = subprocess.run([sys.executable, "tools/make_captures.py", "--only", "raw9100-cups-socket,lpd-cups"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


WINDOWS_NEEDS = ["smbd", "rpcclient", "smbclient", "gs", "groff"]
win_missing = [t for t in WINDOWS_NEEDS if shutil.which(t) is None and not os.path.exists(f"/usr/sbin/{t}")]


@pytest.mark.skipif(bool(win_missing), reason=f"Samba/print software missing: {win_missing}")
def test_lab_rebuilds_windows_print_path_captures_matching_their_truth():
    """SMB1 spoolss (rpcclient + a job on 139), the SMB3 pipe with STATUS_BUFFER_OVERFLOW, and the
    PJL file-system session: rebuilt from scratch, compared with the committed truth files."""
    pytest.importorskip("impacket", reason="impacket not installed (pip install '.[lab]')")
    out = subprocess.run([sys.executable, "tools/make_captures.py", "--only",
                          "smb1-spoolss,spoolss-smb3-pipe,pjlfs-session"],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
