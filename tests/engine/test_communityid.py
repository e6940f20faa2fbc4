"""engine/communityid.py: the spec's ordering rule, and tshark's own Community IDs as the oracle."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sniffprint import analyze
from sniffprint.engine.communityid import community_id
from tests.conftest import PCAPS


def test_direction_does_not_change_the_id():
    a = community_id("tcp", "10.0.0.1", 1234, "127.0.0.1", 80)
    assert a == community_id("tcp", "127.0.0.1", 80, "10.0.0.1", 1234) and a.startswith("1:")
    assert community_id("udp", "10.0.0.1", 1234, "127.0.0.1", 80) != a
    assert community_id("tcp", "fd77::10", 40000, "fd77::20", 9100) == community_id("tcp", "fd77::20", 9100,
                                                                                    "fd77::10", 40000)


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed")
@pytest.mark.parametrize("cap", ["lpd-cups.pcap", "raw9100-ipv6.pcap", "ipps-ipptool.pcap"])
def test_tshark_computes_the_same_ids(cap):
    out = subprocess.run(["tshark", "-n", "-r", str(PCAPS / cap), "--enable-protocol", "communityid", "-T",
                          "fields", "-e", "communityid"], capture_output=True, text=True, timeout=120).stdout
    theirs = {line.strip() for line in out.splitlines() if line.strip()}
    ours = {f.community_id for f in analyze(PCAPS / cap).flows}
    assert ours and ours <= theirs
