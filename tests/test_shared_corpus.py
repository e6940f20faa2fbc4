"""Reference captures made by real print software (../shared/pcaps-real, not shipped to users).

Skipped when the folder is absent. Ground truth comes from its MANIFEST.json.
"""
from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
import sys

import pytest

from sniffprint import analyze
from tests.conftest import SHARED

pytestmark = pytest.mark.skipif(not (SHARED / "MANIFEST.json").exists(), reason="../shared/pcaps-real absent")


def _manifest():
    if not (SHARED / "MANIFEST.json").exists():
        return []
    return json.loads((SHARED / "MANIFEST.json").read_text())["captures"]


def _ep(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return ipaddress.ip_address(host.strip("[]")).compressed, int(port)


def _find(report, pf):
    (cip, cport), (sip, sport) = _ep(pf["client"]), _ep(pf["server"])
    for f in report.flows:
        if (ipaddress.ip_address(f["client_ip"]).compressed, f["client_port"],
                ipaddress.ip_address(f["server_ip"]).compressed, f["server_port"]) == (cip, cport, sip, sport):
            return f
    return None


@pytest.mark.parametrize("cap", _manifest(), ids=lambda c: c["file"])
def test_every_print_flow_found_with_exact_stream_bytes(cap):
    report = analyze(str(SHARED / cap["file"]))
    for pf in cap["print_flows"]:
        f = _find(report, pf)
        assert f is not None, pf["client"]
        assert f["c2s_bytes"] == pf["client_to_server_stream_bytes"]
        assert f["s2c_bytes"] == pf["server_to_client_stream_bytes"]
        assert f["missed_bytes"] == 0
        if pf["protocol"] == "smb2" and pf["encrypted"]:
            assert f["print"] in (True, None)
        else:
            assert f["print"] is True
        assert f["protection"] == ("none" if not pf["encrypted"] else
                                   "smb3-encrypted" if pf["protocol"] == "smb2" else "tls")
    for of in cap.get("other_tcp_flows", []):
        f = _find(report, of)
        if f is not None and _ep(of["server"])[1] not in {9100, 515, 631, 445}:
            assert f["print"] is False
    assert not [a for a in report.anomalies if a["kind"] in ("internal_error", "protocol_violation")]


@pytest.mark.parametrize("level", ["flows", "bad-inputs"])
def test_acceptance_checker(level):
    checker = SHARED.parent / "acceptance" / "check.py"
    exe = shutil.which("sniffprint")
    if not checker.exists() or exe is None:
        pytest.skip("checker or installed sniffprint command absent")
    out = subprocess.run([sys.executable, str(checker), str(SHARED), "--level", level, "--cmd", exe],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
