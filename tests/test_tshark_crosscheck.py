"""Cross-checks against tshark's own dissectors on the project's captures (skipped without tshark):
IPP operations and attributes, TLS version and cipher, SMB2 dialect and share type."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sniffprint import analyze
from tests.conftest import PCAPS

pytestmark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed")

OPERATIONS = {0x0002: "Print-Job", 0x0005: "Create-Job", 0x0006: "Send-Document", 0x000B: "Get-Printer-Attributes"}


def tshark(cap: str, *args: str) -> list[list[str]]:
    out = subprocess.run(["tshark", "-r", str(PCAPS / cap), *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines() if line.strip()]


def test_ipp_operations_and_attributes_match_tshark():
    rows = tshark("ipp-ipptool.pcap", "-d", "tcp.port==631,http", "-Y", "ipp.operation_id", "-T", "fields",
                  "-e", "tcp.srcport", "-e", "ipp.operation_id", "-e", "ipp.name")
    by_port: dict[int, list[str]] = {}
    names: dict[int, set[str]] = {}
    for port, op, attrs in rows:
        by_port.setdefault(int(port), []).append(OPERATIONS[int(op, 16)])
        names.setdefault(int(port), set()).update(attrs.split(","))
    report = analyze(str(PCAPS / "ipp-ipptool.pcap"), reveal=True)
    flows = {f.client_port: f for f in report.flows}
    for port, ops in by_port.items():
        assert flows[port].ipp_operations == tuple(dict.fromkeys(ops)), port
        jobs = [j for j in report.jobs if j.uid == flows[port].uid]
        if "requesting-user-name" in names[port] and jobs:
            assert all(j.user for j in jobs)
        if "job-name" in names[port] and jobs:
            assert all(j.job_name for j in jobs)


@pytest.mark.parametrize("cap,port", [("tls9100-socat.pcap", 9100), ("ipps-ipptool.pcap", 631)])
def test_tls_version_and_cipher_match_tshark(cap, port):
    rows = tshark(cap, "-d", f"tcp.port=={port},tls", "-Y", "tls.handshake.type==2", "-T", "fields",
                  "-e", "tcp.dstport", "-e", "tls.handshake.extensions.supported_version",
                  "-e", "tls.handshake.version", "-e", "tls.handshake.ciphersuite")
    names = {"0x0304": "TLSv1.3", "0x0303": "TLSv1.2"}
    flows = {f.client_port: f for f in analyze(str(PCAPS / cap)).flows}
    for dport, sv, legacy, cipher in rows:
        f = flows[int(dport)]
        assert f.tls_version == names[sv or legacy]
        from sniffprint.dissectors.tls.suites import cipher_name

        assert f.tls_cipher == cipher_name(int(cipher, 16))


def test_smb2_dialect_and_share_type_match_tshark():
    cap = "smb-print-clear.pcap"
    dialects = tshark(cap, "-Y", "smb2.cmd==0 && smb2.flags.response==1", "-T", "fields", "-e", "tcp.dstport",
                      "-e", "smb2.dialect")
    shares = tshark(cap, "-Y", "smb2.cmd==3 && smb2.flags.response==1", "-T", "fields", "-e", "tcp.dstport",
                    "-e", "smb2.share_type")
    flows = {f.client_port: f for f in analyze(str(PCAPS / cap)).flows}
    wire = {"0x0311": "3.1.1", "0x0302": "3.0.2", "0x0300": "3.0", "0x0210": "2.1", "0x0202": "2.0.2"}
    for port, dialect in dialects:
        assert flows[int(port)].smb_dialect == wire[dialect]
    types: dict[int, set[int]] = {}
    for port, share_type in shares:
        types.setdefault(int(port), set()).add(int(share_type, 16))
    for port, kinds in types.items():
        assert flows[int(port)].print is (3 in kinds), (port, kinds)  # 0x03: print share
