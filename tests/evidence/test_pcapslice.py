"""Flow slices: the frames of chosen TCP flows copied to a new pcap/pcapng."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess

import pytest

from sniffprint import analyze
from sniffprint.anomalies import AnomalySink
from sniffprint.errors import CaptureError
from sniffprint.evidence.pcapslice import write_slice
from sniffprint.sources.pcapfile import CaptureStats, read_capture
from tests import pcapgen as g
from tests.conftest import PCAPS

T0 = 1_700_000_000.0
STEP = 0.001


def frames_of(path) -> tuple[CaptureStats, list]:
    stats = CaptureStats(path=str(path))
    return stats, list(read_capture(str(path), AnomalySink(), stats))


def key(flow: dict) -> tuple[str, int, str, int]:
    return (flow.client_ip, flow.client_port, flow.server_ip, flow.server_port)


def two_flows(wrap=g.ether) -> tuple[list[bytes], list[int], bytes, bytes]:
    """Two interleaved print connections plus a UDP datagram; returns (frames, the indexes of
    flow A's frames, job A, job B)."""
    a, job_a = g.print_job_frames(wrap, job=b"%!PS\n(flow A payroll) show showpage\n" * 60,
                                  client="10.0.0.1", cport=40000)
    b, job_b = g.print_job_frames(wrap, job=b"%!PS\n(flow B other) show showpage\n" * 45,
                                  client="10.0.0.3", cport=40001)
    udp = wrap(bytes.fromhex("450000210001000040110000") + bytes([10, 0, 0, 1, 10, 0, 0, 2])
               + bytes.fromhex("9c409c40000d0000") + b"hello")
    frames, mine = [], []
    for i in range(max(len(a), len(b))):
        if i < len(a):
            mine.append(len(frames))
            frames.append(a[i])
        if i < len(b):
            frames.append(b[i])
        if i == 2:
            frames.append(udp)
    return frames, mine, job_a, job_b


def test_slice_one_of_two_flows(tmp_path):
    frames, mine, job_a, _ = two_flows()
    src = tmp_path / "two.pcap"
    src.write_bytes(g.pcap(frames, t0=T0, step=STEP))
    full = analyze(str(src))
    flow_a = next(f for f in full.flows if f.client_port == 40000)
    out = tmp_path / "a.pcap"
    n = write_slice([str(src)], [key(flow_a)], str(out))
    assert n == len(mine)
    stats, got = frames_of(out)
    assert stats.format == "pcap" and stats.linktypes == {1}
    # byte-identical frames, original timestamps, both directions, nothing else
    assert [f.data for f in got] == [frames[i] for i in mine]
    assert [round(f.ts, 6) for f in got] == [round(T0 + i * STEP, 6) for i in mine]
    sliced = analyze(str(out))
    assert len(sliced.flows) == 1
    f = sliced.flows[0]
    for field in ("client_ip", "client_port", "server_ip", "server_port", "c2s_bytes", "s2c_bytes",
                  "c2s_packets", "s2c_packets", "history", "state", "missed_bytes", "ts_start", "ts_end"):
        assert getattr(f, field) == getattr(flow_a, field), field
    assert f.c2s_bytes == len(job_a)
    job_full = next(j for j in full.jobs if j.uid == flow_a.uid)
    assert [j.sha256 for j in sliced.jobs] == [job_full.sha256]


def test_direction_of_the_tuple_does_not_matter(tmp_path):
    frames, mine, _, _ = two_flows()
    src = tmp_path / "two.pcap"
    src.write_bytes(g.pcap(frames))
    n = write_slice([str(src)], [("10.0.0.2", 9100, "10.0.0.1", 40000)], str(tmp_path / "r.pcap"))
    assert n == len(mine)
    n = write_slice([str(src)], [("10.0.0.1", 40000, "10.0.0.2", 9100), ("10.0.0.3", 40001, "10.0.0.2", 9100)],
                    str(tmp_path / "both.pcap"))
    assert n == len(frames) - 1  # all but the UDP datagram
    assert len(analyze(str(tmp_path / "both.pcap")).flows) == 2


def test_mixed_link_types_become_pcapng(tmp_path):
    """One connection seen half on an Ethernet capture and half on a Linux cooked one."""
    c = g.Conversation(client="10.0.0.1", cport=40000)
    ip_frames = c.handshake() + c.c2s(b"%!PS\n(mixed) show showpage\n" * 100) + c.close()
    half = len(ip_frames) // 2
    eth = tmp_path / "eth.pcap"
    eth.write_bytes(g.pcap([g.ether(f) for f in ip_frames[:half]], t0=T0))
    sll = tmp_path / "sll.pcapng"
    sll.write_bytes(g.pcapng([(0, g.sll(f)) for f in ip_frames[half:]], [113], t0=T0 + 1))
    both = analyze([str(eth), str(sll)])
    out = tmp_path / "mixed.pcapng"
    n = write_slice([str(eth), str(sll)], [key(both.flows[0])], str(out))
    assert n == len(ip_frames)
    stats, got = frames_of(out)
    assert stats.format == "pcapng" and stats.linktypes == {1, 113}
    assert [f.linktype for f in got] == [1] * half + [113] * (len(ip_frames) - half)
    assert out.read_bytes()[:4] == b"\x0a\x0d\x0d\x0a"
    sliced = analyze(str(out))
    assert len(sliced.flows) == 1
    for field in ("c2s_bytes", "s2c_bytes", "c2s_packets", "history", "ts_start", "ts_end"):
        assert getattr(sliced.flows[0], field) == getattr(both.flows[0], field), field
    assert [j.sha256 for j in sliced.jobs] == [j.sha256 for j in both.jobs]


def test_ipv6_from_pcapng_nanoseconds(tmp_path):
    a, job = g.print_job_frames(g.ether, client="2001:db8::1", server="2001:db8::2", cport=40000)
    b, _ = g.print_job_frames(g.ether, client="2001:db8::3", server="2001:db8::2", cport=40000)
    src = tmp_path / "v6.pcapng"
    src.write_bytes(g.pcapng([(0, f) for f in a + b], [1], t0=T0, tsresol=9))
    out = tmp_path / "v6.pcap"
    # a non-canonical spelling of the address matches too
    n = write_slice([str(src)], [("2001:0db8:0:0::1", 40000, "2001:db8::2", 9100)], str(out))
    assert n == len(a)
    _, got = frames_of(out)
    assert [f.data for f in got] == a
    f = analyze(str(out)).flows
    assert len(f) == 1 and f[0].ip_version == 6 and f[0].c2s_bytes == len(job)
    assert f[0].client_ip == "2001:db8::1"


def test_wire_length_of_cut_frames_is_kept(tmp_path):
    frames, job = g.print_job_frames(g.ether)
    src = tmp_path / "cut.pcap"
    src.write_bytes(g.pcap(frames, snaplen=120))
    out = tmp_path / "cut-slice.pcap"
    assert write_slice([str(src)], [("10.0.0.1", 40000, "10.0.0.2", 9100)], str(out)) == len(frames)
    _, orig = frames_of(src)
    _, got = frames_of(out)
    assert [(f.data, f.wirelen) for f in got] == [(f.data, f.wirelen) for f in orig]
    assert any(len(f.data) < f.wirelen for f in got)
    assert analyze(str(out)).flows[0].missed_bytes == analyze(str(src)).flows[0].missed_bytes > 0


def test_ts_range_is_inclusive(tmp_path):
    frames, mine, _, _ = two_flows()
    src = tmp_path / "two.pcap"
    src.write_bytes(g.pcap(frames, t0=T0, step=STEP))
    k = ("10.0.0.1", 40000, "10.0.0.2", 9100)
    lo, hi = T0 + mine[2] * STEP, T0 + mine[5] * STEP
    out = tmp_path / "range.pcap"
    assert write_slice([str(src)], [k], str(out), ts_range=(lo, hi)) == 4
    _, got = frames_of(out)
    assert [f.data for f in got] == [frames[i] for i in mine[2:6]]
    # a flow record's own (rounded) ts_start/ts_end select all of its frames
    flow = next(f for f in analyze(str(src)).flows if f.client_port == 40000)
    assert write_slice([str(src)], [k], str(tmp_path / "r2.pcap"),
                       ts_range=(flow.ts_start, flow.ts_end)) == len(mine)
    with pytest.raises(ValueError):
        write_slice([str(src)], [k], str(tmp_path / "r3.pcap"), ts_range=(hi, lo))
    assert not (tmp_path / "r3.pcap").exists()


def test_output_is_private_and_never_overwritten(tmp_path):
    frames, _ = g.print_job_frames(g.ether)
    src = tmp_path / "c.pcap"
    src.write_bytes(g.pcap(frames))
    out = tmp_path / "s.pcap"
    old = os.umask(0)
    try:
        write_slice([str(src)], [("10.0.0.1", 40000, "10.0.0.2", 9100)], str(out))
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    before = out.read_bytes()
    with pytest.raises(FileExistsError):
        write_slice([str(src)], [("10.0.0.1", 40000, "10.0.0.2", 9100)], str(out))
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.pcap", "s.pcap"]  # no spool left behind


def test_bad_arguments_and_sources_create_nothing(tmp_path):
    frames, _ = g.print_job_frames(g.ether)
    src = tmp_path / "c.pcap"
    src.write_bytes(g.pcap(frames))
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"this is not a capture at all")
    out = tmp_path / "o.pcap"
    for flows in ([("10.0.0.999", 1, "10.0.0.2", 9100)], [("10.0.0.1", 70000, "10.0.0.2", 9100)],
                  [("10.0.0.1", 1, "10.0.0.2")]):
        with pytest.raises(ValueError):
            write_slice([str(src)], flows, str(out))  # type: ignore[arg-type]
    for sources in ([str(src), str(junk)], [str(tmp_path / "missing.pcap")], ["-"]):
        with pytest.raises(CaptureError):
            write_slice(sources, [("10.0.0.1", 40000, "10.0.0.2", 9100)], str(out))
    assert not out.exists()


def test_damaged_source_keeps_frames_before_the_damage(tmp_path):
    frames, _ = g.print_job_frames(g.ether)
    data = g.pcap(frames)
    src = tmp_path / "cut.pcap"
    src.write_bytes(data[:-30])  # the last record is cut
    sink = AnomalySink()
    n = write_slice([str(src)], [("10.0.0.1", 40000, "10.0.0.2", 9100)], str(tmp_path / "o.pcap"), sink=sink)
    assert n == len(frames) - 1
    assert sink.total("truncated_capture") == 1


def test_no_matching_frame_is_an_empty_capture(tmp_path):
    frames, _ = g.print_job_frames(g.sll)
    src = tmp_path / "c.pcap"
    src.write_bytes(g.pcap(frames, linktype=113))
    out = tmp_path / "o.pcap"
    assert write_slice([str(src)], [("10.9.9.9", 1, "10.0.0.2", 9100)], str(out)) == 0
    stats, got = frames_of(out)
    assert got == [] and stats.format == "pcap" and stats.linktypes == {113}


def test_real_capture(tmp_path):
    src = PCAPS / "raw9100-cups-socket.pcap"
    full = analyze(str(src))
    flow = next(f for f in full.flows if f.print)
    out = tmp_path / "real.pcap"
    write_slice([str(src)], [key(flow)], str(out))
    sliced = analyze(str(out))
    assert [f.c2s_bytes for f in sliced.flows] == [flow.c2s_bytes]
    assert [j.sha256 for j in sliced.jobs] == [j.sha256 for j in full.jobs if j.uid == flow.uid]


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed")
@pytest.mark.parametrize("mixed", [False, True])
def test_tshark_reads_the_slice(tmp_path, mixed):
    a, _ = g.print_job_frames(g.ether, client="10.0.0.1")
    b, _ = g.print_job_frames(g.sll if mixed else g.ether, client="10.0.0.1", cport=40001)
    s1, s2 = tmp_path / "1.pcap", tmp_path / "2.pcap"
    s1.write_bytes(g.pcap(a, t0=T0))
    s2.write_bytes(g.pcap(b, linktype=113 if mixed else 1, t0=T0 + 10, snaplen=100))
    out = tmp_path / "slice.cap"
    n = write_slice([str(s1), str(s2)], [("10.0.0.1", 40000, "10.0.0.2", 9100),
                                         ("10.0.0.1", 40001, "10.0.0.2", 9100)], str(out))
    assert n == len(a) + len(b)
    res = subprocess.run(["tshark", "-n", "-r", str(out), "-T", "fields", "-e", "frame.time_epoch",
                          "-e", "frame.len", "-e", "frame.cap_len", "-e", "tcp.srcport", "-e", "frame.encap_type"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    rows = [line.split("\t") for line in res.stdout.splitlines()]
    assert len(rows) == n
    assert float(rows[0][0]) == pytest.approx(T0, abs=1e-6)
    assert float(rows[len(a)][0]) == pytest.approx(T0 + 10, abs=1e-6)
    assert [int(r[1]) for r in rows] == [len(f) for f in a + b]  # original wire lengths
    assert all(int(r[2]) <= 100 for r in rows[len(a):])
    assert {r[3] for r in rows} == {"40000", "40001", "9100"}
