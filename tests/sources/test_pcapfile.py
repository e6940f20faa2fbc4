"""pcap/pcapng framing: every variant, link type and kind of damage."""
from __future__ import annotations

import gzip
import subprocess
import sys

import pytest

from sniffprint import analyze
from sniffprint.errors import CaptureError
from sniffprint.options import Options
from tests import pcapgen as g


def _flows(tmp_path, data: bytes, name: str = "c.pcap"):
    p = tmp_path / name
    p.write_bytes(data)
    return analyze(str(p))


def _one_print_flow(report, job: bytes) -> dict:
    flows = [f for f in report.flows if f["service"] == "raw9100"]
    assert len(flows) == 1, report.flows
    f = flows[0]
    assert f["c2s_bytes"] == len(job)
    assert f["s2c_bytes"] == 0
    assert f["missed_bytes"] == 0
    assert f["print"] is True
    assert (f["client_port"], f["server_port"]) == (40000, 9100)
    return f


@pytest.mark.parametrize("nano", [False, True])
@pytest.mark.parametrize("big_endian", [False, True])
def test_pcap_variants(tmp_path, nano, big_endian):
    frames, job = g.print_job_frames()
    rep = _flows(tmp_path, g.pcap(frames, nano=nano, big_endian=big_endian, t0=1_700_000_000.25))
    f = _one_print_flow(rep, job)
    assert f["ts_start"] == pytest.approx(1_700_000_000.25, abs=1e-6)
    assert rep.stats["captures"][0]["format"] == "pcap"
    assert rep.anomalies == []


@pytest.mark.parametrize("wrap,linktype", [
    (g.ether, 1),
    (lambda p: g.ether(p, vlans=(10,)), 1),
    (lambda p: g.ether(p, vlans=(100, 10)), 1),  # QinQ
    (g.sll, 113),
    (g.sll2, 276),
    (lambda p: p, 101),  # raw IP
    (lambda p: p, 228),  # LINKTYPE_IPV4
    (g.null_lo, 0),  # BSD loopback, little-endian host
    (lambda p: g.null_lo(p, big_endian=True), 0),  # BSD loopback written on a big-endian host
    (lambda p: g.null_lo(p, big_endian=True), 108),  # OpenBSD DLT_LOOP (network order)
])
def test_link_types(tmp_path, wrap, linktype):
    frames, job = g.print_job_frames(wrap=wrap)
    rep = _flows(tmp_path, g.pcap(frames, linktype=linktype))
    _one_print_flow(rep, job)
    assert rep.stats["undecodable"] == 0


def test_ipv6_flow(tmp_path):
    frames, job = g.print_job_frames(client="fd00::1", server="fd00::2")
    rep = _flows(tmp_path, g.pcap(frames))
    f = _one_print_flow(rep, job)
    assert f["client_ip"] == "fd00::1" and f["ip_version"] == 6


def test_ipv6_raw_linktype_229(tmp_path):
    frames, job = g.print_job_frames(wrap=lambda p: p, client="fd00::1", server="fd00::2")
    _one_print_flow(_flows(tmp_path, g.pcap(frames, linktype=229)), job)


@pytest.mark.parametrize("big_endian", [False, True])
def test_pcapng_epb_several_interfaces_with_different_linktypes(tmp_path, big_endian):
    frames_eth, job = g.print_job_frames(wrap=g.ether)
    frames_sll, job2 = g.print_job_frames(wrap=g.sll, cport=40001)
    mixed = [(0, f) for f in frames_eth] + [(1, f) for f in frames_sll]
    rep = _flows(tmp_path, g.pcapng(mixed, [1, 113], big_endian=big_endian), "c.pcapng")
    flows = sorted((f for f in rep.flows if f["service"] == "raw9100"), key=lambda f: f["client_port"])
    assert [f["c2s_bytes"] for f in flows] == [len(job), len(job2)]
    assert rep.stats["captures"][0]["format"] == "pcapng"
    assert rep.stats["captures"][0]["linktypes"] == [1, 113]


def test_pcapng_simple_packet_blocks(tmp_path):
    frames, job = g.print_job_frames()
    rep = _flows(tmp_path, g.pcapng([(0, f) for f in frames], [1], simple=True), "c.pcapng")
    _one_print_flow(rep, job)


def test_pcapng_nanosecond_resolution(tmp_path):
    frames, job = g.print_job_frames()
    rep = _flows(tmp_path, g.pcapng([(0, f) for f in frames], [1], tsresol=9, t0=1_700_000_000.5), "c.pcapng")
    assert _one_print_flow(rep, job)["ts_start"] == pytest.approx(1_700_000_000.5, abs=1e-6)


def test_gzip_capture(tmp_path):
    frames, job = g.print_job_frames()
    rep = _flows(tmp_path, gzip.compress(g.pcap(frames)), "c.pcap.gz")
    _one_print_flow(rep, job)
    assert rep.stats["captures"][0]["format"] == "pcap-gzip"


def test_several_files_in_one_run(tmp_path):
    f1, job1 = g.print_job_frames()
    f2, job2 = g.print_job_frames(cport=40001)
    (tmp_path / "a.pcap").write_bytes(g.pcap(f1))
    (tmp_path / "b.pcapng").write_bytes(g.pcapng([(0, f) for f in f2], [1], t0=1_700_000_100.0))
    rep = analyze([str(tmp_path / "a.pcap"), str(tmp_path / "b.pcapng")])
    assert sorted(f["client_port"] for f in rep.flows) == [40000, 40001]
    assert rep.stats["frames"] == len(f1) + len(f2)


def test_stdin(tmp_path):
    frames, job = g.print_job_frames()
    out = subprocess.run([sys.executable, "-m", "sniffprint", "scan", "--format", "json", "-"],
                         input=g.pcap(frames), capture_output=True, check=True)
    assert b'"service":"raw9100"' in out.stdout


@pytest.mark.parametrize("content", [b"", b"this is not a capture\n" * 10, bytes(range(256)) * 4, b"\xa1\xb2"])
def test_not_a_capture_is_a_capture_error(tmp_path, content):
    p = tmp_path / "bad.pcap"
    p.write_bytes(content)
    with pytest.raises(CaptureError):
        analyze(str(p))


def test_missing_path_is_a_capture_error(tmp_path):
    with pytest.raises(CaptureError, match="no such file"):
        analyze(str(tmp_path / "nope.pcap"))


def _two_jobs():
    f1, job1 = g.print_job_frames()
    f2, job2 = g.print_job_frames(cport=40001)
    return f1 + f2, job1


@pytest.mark.parametrize("fmt", ["pcap", "pcapng"])
def test_cut_at_every_byte_of_the_last_records_never_raises(tmp_path, fmt):
    frames, job1 = _two_jobs()

    def build(fs):
        return g.pcap(fs) if fmt == "pcap" else g.pcapng([(0, f) for f in fs], [1])

    data = build(frames)
    boundaries = {len(build(frames[:i])) for i in range(len(frames) + 1)}
    p = tmp_path / f"cut.{fmt}"
    framing_only = Options(keep_document_bytes=0)  # no text extraction: this tests the reader
    for cut in range(len(build(frames[:-5])), len(data)):  # every byte of the last five records
        p.write_bytes(data[:cut])
        rep = analyze(str(p), options=framing_only)
        first = [f for f in rep.flows if f["client_port"] == 40000]
        assert first and first[0]["c2s_bytes"] == len(job1), cut
        # a cut inside a record is reported; a cut on a record boundary cannot be told apart
        assert rep.stats["truncated"] is (cut not in boundaries), cut


def test_truncated_record_is_an_anomaly(tmp_path):
    frames, _ = _two_jobs()
    data = g.pcap(frames)
    rep = _flows(tmp_path, data[:-7])
    assert rep.stats["truncated"] is True
    assert any(a["kind"] == "truncated_capture" for a in rep.anomalies)


def test_lying_captured_length_is_read_by_the_wire_length_when_the_next_record_agrees(tmp_path):
    frames, job1 = _two_jobs()
    data = bytearray(g.pcap(frames))
    off = len(g.pcap(frames[: len(frames) // 2]))  # the record right after the first connection
    data[off + 8:off + 12] = (10_000_000).to_bytes(4, "little")
    rep = _flows(tmp_path, bytes(data))
    assert [a["kind"] for a in rep.anomalies] == ["bad_record_length"]
    assert rep.stats["captures"][0]["damaged"] is True
    assert rep.stats["frames"] == len(frames)  # nothing lost: the wire length was the truth
    assert {f["client_port"] for f in rep.flows} == {40000, 40001}


def test_lying_record_header_resyncs_and_keeps_what_came_before(tmp_path):
    frames, job1 = _two_jobs()
    data = bytearray(g.pcap(frames))
    off = len(g.pcap(frames[: len(frames) // 2]))
    data[off + 8:off + 16] = (10_000_000).to_bytes(4, "little") * 2  # both lengths lie
    rep = _flows(tmp_path, bytes(data))
    skips = [a for a in rep.anomalies if a["kind"] == "capture_damaged"]
    assert len(skips) == 1 and f"bytes {off}-" in skips[0]["detail"], rep.anomalies
    assert rep.stats["captures"][0]["damaged"] is True
    first = [f for f in rep.flows if f["client_port"] == 40000]
    assert first[0]["c2s_bytes"] == len(job1)
    # resynchronised: the second connection is still seen (minus the damaged frame, a SYN)
    assert any(f["client_port"] == 40001 for f in rep.flows)
    assert rep.stats["frames"] == len(frames) - 1


def test_garbage_frames_are_anomalies_not_errors(tmp_path):
    frames, job = g.print_job_frames()
    junk = [b"\x00" * 5, g.ether(b"\x45" + b"\xff" * 30), g.ether(b"\x60" + b"\x00" * 10),
            g.ether(b"\x4f" + b"\x00" * 40), b"\xff" * 14 + b"\x45"]
    rep = _flows(tmp_path, g.pcap(frames[:3] + junk + frames[3:]))
    _one_print_flow(rep, job)
    kinds = {a["kind"] for a in rep.anomalies}
    assert {"bad_link_header", "bad_ip_header"} <= kinds
