"""Tests for sniffprint/dissectors/tls/dissector.py: probing, print ports, and real captures (manifest, tshark)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sniffprint.dissectors import DISSECTORS
from sniffprint.dissectors.base import choose
from sniffprint.dissectors.events import PrintSeen
from sniffprint.dissectors.tls import TlsDissector
from sniffprint.dissectors.tls.dissector import head_score
from sniffprint.dissectors.tls.handshake import ClientHello
from sniffprint.dissectors.tls.record import VERSION_NAMES, V2HelloHeader, looks_like_record, record_run
from sniffprint.dissectors.tls.suites import CIPHER_SUITES
from tests import pcapgen
from tests.conftest import PCAPS, SHARED
from tests.dissectors.tls.vectors import (
    C2S,
    S2C,
    appdata,
    client_hello,
    handshake,
    new,
    rec,
    side,
    v2_client_hello,
    v2_session,
)
from tests.helpers import feed_every_way, key


def test_print_only_on_print_ports() -> None:
    script, _, _ = handshake("1.3")
    assert PrintSeen(False) in feed_every_way(lambda: new(443), script)
    assert PrintSeen(True) in feed_every_way(lambda: new(631), script)


def test_probe() -> None:
    script, _, _ = handshake("1.3")
    c2s, s2c = side(script, C2S), side(script, S2C)
    k = key(9100)
    assert TlsDissector.probe(c2s[:2048], s2c[:2048], k) == 1.0
    assert TlsDissector.probe(c2s[:6], b"", key(12345)) == 0.95
    assert TlsDissector.probe(b"", s2c[:100], key(12345)) == 0.8
    assert TlsDissector.probe(appdata(30) + appdata(30), b"", key(12345)) == 0.8
    assert TlsDissector.probe(appdata(3000)[:2048], b"", key(12345)) == 0.5
    for junk in (b"GET / HTTP/1.1\r\n", b"\x1b%-12345X@PJL", b"\x00\x00\x00\x45\xfeSMB", b"%!PS-Adobe"):
        assert TlsDissector.probe(junk, b"", k) == 0.0
    assert looks_like_record(c2s, 1) and not looks_like_record(s2c, 1)
    cls, decided = choose(DISSECTORS, c2s[:300], b"", k, final=False)
    assert cls is TlsDissector and decided


def test_record_run_and_probe():
    hello = client_hello()
    assert record_run(hello + hello)[0] == 2
    assert head_score(hello, b"") >= 0.9
    assert head_score(b"GET / HTTP/1.1\r\n", b"") == 0.0


def _flows(cap: Path) -> dict[int, Any]:
    import sniffprint

    return {int(r.client_port): r for r in sniffprint.analyze(str(cap)).flows}


TLS_CAPTURES = [SHARED / "A4_ipps_ipptool.pcap", SHARED / "A6_tls9100_socat.pcap",
                PCAPS / "tls9100-socat.pcap", PCAPS / "ipps-ipptool.pcap"]


def test_reference_captures_match_manifest() -> None:
    manifest = SHARED / "MANIFEST.json"
    if not manifest.exists():
        pytest.skip("reference captures absent")
    caps = {c["file"]: c for c in json.loads(manifest.read_text())["captures"]}
    want = []
    for name in ("A4_ipps_ipptool.pcap", "A6_tls9100_socat.pcap"):
        flows = _flows(SHARED / name)
        for pf in caps[name]["print_flows"]:
            port = int(pf["client"].rsplit(":", 1)[1])
            r = flows[port]
            assert r.service == "tls" and r.protection == "tls" and r.print is True
            assert r.tls_version == pf["tls_version"][-1], (name, port)
            want.append(r.tls_version)
    assert want == ["TLSv1.3", "TLSv1.3", "TLSv1.3", "TLSv1.2"]


@pytest.mark.parametrize("cap", TLS_CAPTURES, ids=lambda p: p.name)
def test_tshark_agrees_on_version_and_cipher(cap: Path) -> None:
    if not cap.exists():
        pytest.skip(f"{cap.name} absent")
    if shutil.which("tshark") is None:
        pytest.skip("tshark not installed")
    out = subprocess.run(
        ["tshark", "-r", str(cap), "-d", "tcp.port==9100,tls", "-d", "tcp.port==631,tls",
         "-Y", "tls.handshake.type==2", "-T", "fields", "-e", "tcp.dstport", "-e", "tls.handshake.version",
         "-e", "tls.handshake.ciphersuite", "-e", "tls.handshake.extensions.supported_version"],
        capture_output=True, text=True, timeout=120, check=True).stdout
    flows = _flows(cap)
    names = {v: k for k, v in VERSION_NAMES.items()}
    suites = {v: k for k, v in CIPHER_SUITES.items()}
    rows = [line.split("\t") for line in out.splitlines() if line.strip()]
    assert rows
    for port, legacy, suite, selected in rows:
        r = flows[int(port)]
        assert names[str(r.tls_version)] == int(selected or legacy, 16)
        assert suites[str(r.tls_cipher)] == int(suite, 16)


# ----------------------------------------------------------------------------- SSL 2.0 compatible hello
def test_probe_sslv2_compatible_hello() -> None:
    hello = v2_client_hello()
    assert head_score(hello, b"") == 0.95
    assert head_score(hello[:5], b"") == 0.95  # the 5 bytes that identify it are enough
    assert head_score(hello + rec(22, bytes(70), 0x0301) + rec(20, b"\x01", 0x0301), b"") == 0.95
    assert head_score(hello + b"GET / HTTP/1.1\r\n", b"") == 0.0  # what follows must be TLS records
    assert head_score(v2_client_hello(0x0002), b"") == 0.0  # SSL 2.0 proper is not TLS
    assert head_score(b"\x80\x2a\x01\x03", b"") == 0.0  # too short to tell
    assert TlsDissector.probe(hello, b"", key(9100)) == 1.0
    cls, decided = choose(DISSECTORS, hello, b"", key(9100), final=False)
    assert cls is TlsDissector and decided


def _v2_capture(path: Path) -> Path:
    conv = pcapgen.Conversation(sport=9100)
    frames = conv.handshake()
    for direction, data in v2_session():
        frames += conv.c2s(data) if direction is C2S else conv.s2c(data)
    frames += conv.close()
    path.write_bytes(pcapgen.pcap([pcapgen.ether(f) for f in frames]))
    return path


def test_sslv2_compatible_hello_in_a_capture(tmp_path: Path) -> None:
    import sniffprint

    report = sniffprint.analyze(str(_v2_capture(tmp_path / "v2hello.pcap")))
    (flow,) = report.flows
    assert flow.service == "tls" and flow.protection == "tls" and flow.print is True
    assert flow.tls_version == "TLSv1.0" and flow.tls_offered_versions == ("TLSv1.0",)
    assert flow.tls_weak == ("SSLv2 hello", "TLS 1.0", "no forward secrecy (RSA key exchange)")
    assert not report.anomalies


def test_tshark_reads_the_sslv2_hello_vector_as_we_do(tmp_path: Path) -> None:
    # An independent reading of RFC 5246 E.2: Wireshark's dissector on the same bytes.
    if shutil.which("tshark") is None:
        pytest.skip("tshark not installed")
    cap = _v2_capture(tmp_path / "v2hello.pcap")
    out = subprocess.run(
        ["tshark", "-r", str(cap), "-d", "tcp.port==9100,tls", "-Y", "tls.record.version==0x0002", "-T", "fields",
         "-e", "tls.handshake.type", "-e", "tls.handshake.version", "-e", "tls.handshake.cipherspec"],
        capture_output=True, text=True, timeout=120, check=True).stdout
    (row,) = [line.split("\t") for line in out.splitlines() if line.strip()]
    hello = v2_session()[0][1]
    ch = ClientHello.parse_v2(V2HelloHeader.parse(hello).version, hello[5:])  # type: ignore[union-attr]
    assert int(row[0]) == 1 and int(row[1], 16) == ch.legacy_version
    assert tuple(int(s, 16) for s in row[2].split(",") if int(s, 16) >> 16 == 0) == ch.ciphers
