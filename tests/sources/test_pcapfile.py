"""pcap/pcapng framing: every variant, link type and kind of damage."""
from __future__ import annotations

import errno
import gzip
import hashlib
import io
import os
import random
import shutil
import subprocess
import sys
import threading
import time

import pytest

from sniffprint import analyze
from sniffprint.anomalies import AnomalySink
from sniffprint.errors import CaptureError
from sniffprint.options import Options
from sniffprint.sources.pcapfile import (
    CaptureReadError,
    CaptureStats,
    Peek,
    ReadLimits,
    open_capture,
    open_stream,
    peek,
)
from tests import pcapgen as g
from tests.conftest import ROOT
from tests.hostile import make_hostile as mh


def _flows(tmp_path, data: bytes, name: str = "c.pcap"):
    p = tmp_path / name
    p.write_bytes(data)
    return analyze(str(p))


def _one_print_flow(report, job: bytes) -> dict:
    flows = [f for f in report.flows if f.service == "raw9100"]
    assert len(flows) == 1, report.flows
    f = flows[0]
    assert f.c2s_bytes == len(job)
    assert f.s2c_bytes == 0
    assert f.missed_bytes == 0
    assert f.print is True
    assert (f.client_port, f.server_port) == (40000, 9100)
    return f


@pytest.mark.parametrize("nano", [False, True])
@pytest.mark.parametrize("big_endian", [False, True])
def test_pcap_variants(tmp_path, nano, big_endian):
    frames, job = g.print_job_frames()
    rep = _flows(tmp_path, g.pcap(frames, nano=nano, big_endian=big_endian, t0=1_700_000_000.25))
    f = _one_print_flow(rep, job)
    assert f.ts_start == pytest.approx(1_700_000_000.25, abs=1e-6)
    assert rep.stats.captures[0].format == "pcap"
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
    assert rep.stats.undecodable == 0


def test_ipv6_flow(tmp_path):
    frames, job = g.print_job_frames(client="fd00::1", server="fd00::2")
    rep = _flows(tmp_path, g.pcap(frames))
    f = _one_print_flow(rep, job)
    assert f.client_ip == "fd00::1" and f.ip_version == 6


def test_ipv6_raw_linktype_229(tmp_path):
    frames, job = g.print_job_frames(wrap=lambda p: p, client="fd00::1", server="fd00::2")
    _one_print_flow(_flows(tmp_path, g.pcap(frames, linktype=229)), job)


@pytest.mark.parametrize("big_endian", [False, True])
def test_pcapng_epb_several_interfaces_with_different_linktypes(tmp_path, big_endian):
    frames_eth, job = g.print_job_frames(wrap=g.ether)
    frames_sll, job2 = g.print_job_frames(wrap=g.sll, cport=40001)
    mixed = [(0, f) for f in frames_eth] + [(1, f) for f in frames_sll]
    rep = _flows(tmp_path, g.pcapng(mixed, [1, 113], big_endian=big_endian), "c.pcapng")
    flows = sorted((f for f in rep.flows if f.service == "raw9100"), key=lambda f: f.client_port)
    assert [f.c2s_bytes for f in flows] == [len(job), len(job2)]
    assert rep.stats.captures[0].format == "pcapng"
    assert rep.stats.captures[0].linktypes == (1, 113)


def test_pcapng_simple_packet_blocks(tmp_path):
    frames, job = g.print_job_frames()
    rep = _flows(tmp_path, g.pcapng([(0, f) for f in frames], [1], simple=True), "c.pcapng")
    _one_print_flow(rep, job)


def test_pcapng_nanosecond_resolution(tmp_path):
    frames, job = g.print_job_frames()
    rep = _flows(tmp_path, g.pcapng([(0, f) for f in frames], [1], tsresol=9, t0=1_700_000_000.5), "c.pcapng")
    assert _one_print_flow(rep, job).ts_start == pytest.approx(1_700_000_000.5, abs=1e-6)


def test_gzip_capture(tmp_path):
    frames, job = g.print_job_frames()
    rep = _flows(tmp_path, gzip.compress(g.pcap(frames)), "c.pcap.gz")
    _one_print_flow(rep, job)
    assert rep.stats.captures[0].format == "pcap-gzip"


def test_several_files_in_one_run(tmp_path):
    f1, job1 = g.print_job_frames()
    f2, job2 = g.print_job_frames(cport=40001)
    (tmp_path / "a.pcap").write_bytes(g.pcap(f1))
    (tmp_path / "b.pcapng").write_bytes(g.pcapng([(0, f) for f in f2], [1], t0=1_700_000_100.0))
    rep = analyze([str(tmp_path / "a.pcap"), str(tmp_path / "b.pcapng")])
    assert sorted(f.client_port for f in rep.flows) == [40000, 40001]
    assert rep.stats.frames == len(f1) + len(f2)


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


@pytest.mark.slow
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
        first = [f for f in rep.flows if f.client_port == 40000]
        assert first and first[0].c2s_bytes == len(job1), cut
        # a cut inside a record is reported; a cut on a record boundary cannot be told apart
        assert rep.stats.truncated is (cut not in boundaries), cut


def test_truncated_record_is_an_anomaly(tmp_path):
    frames, _ = _two_jobs()
    data = g.pcap(frames)
    rep = _flows(tmp_path, data[:-7])
    assert rep.stats.truncated is True
    assert any(a.kind == "truncated_capture" for a in rep.anomalies)


def test_lying_captured_length_is_read_by_the_wire_length_when_the_next_record_agrees(tmp_path):
    frames, job1 = _two_jobs()
    data = bytearray(g.pcap(frames))
    off = len(g.pcap(frames[: len(frames) // 2]))  # the record right after the first connection
    data[off + 8:off + 12] = (10_000_000).to_bytes(4, "little")
    rep = _flows(tmp_path, bytes(data))
    assert [a.kind for a in rep.anomalies] == ["bad_record_length"]
    assert rep.stats.captures[0].damaged is True
    assert rep.stats.frames == len(frames)  # nothing lost: the wire length was the truth
    assert {f.client_port for f in rep.flows} == {40000, 40001}


def test_lying_record_header_resyncs_and_keeps_what_came_before(tmp_path):
    frames, job1 = _two_jobs()
    data = bytearray(g.pcap(frames))
    off = len(g.pcap(frames[: len(frames) // 2]))
    data[off + 8:off + 16] = (10_000_000).to_bytes(4, "little") * 2  # both lengths lie
    rep = _flows(tmp_path, bytes(data))
    skips = [a for a in rep.anomalies if a.kind == "capture_damaged"]
    assert len(skips) == 1 and f"bytes {off}-" in skips[0].detail, rep.anomalies
    assert rep.stats.captures[0].damaged is True
    first = [f for f in rep.flows if f.client_port == 40000]
    assert first[0].c2s_bytes == len(job1)
    # resynchronised: the second connection is still seen (minus the damaged frame, a SYN)
    assert any(f.client_port == 40001 for f in rep.flows)
    assert rep.stats.frames == len(frames) - 1


def test_garbage_frames_are_anomalies_not_errors(tmp_path):
    frames, job = g.print_job_frames()
    junk = [b"\x00" * 5, g.ether(b"\x45" + b"\xff" * 30), g.ether(b"\x60" + b"\x00" * 10),
            g.ether(b"\x4f" + b"\x00" * 40), b"\xff" * 14 + b"\x45"]
    rep = _flows(tmp_path, g.pcap(frames[:3] + junk + frames[3:]))
    _one_print_flow(rep, job)
    kinds = {a.kind for a in rep.anomalies}
    assert {"bad_link_header", "bad_ip_header"} <= kinds


# ----------------------------------------------------------------------------- open once, read once
def _big_capture(n_jobs: int = 40) -> tuple[bytes, list[bytes]]:
    """About 1.6 MiB: more than one read buffer (framing.CHUNK)."""
    frames: list[bytes] = []
    for i in range(n_jobs):
        job = b"%!PS\n<" + random.Random(i).randbytes(20_000).hex().encode() + b"> image\nshowpage\n"
        frames += g.print_job_frames(job=job, cport=20000 + i)[0]
    return g.pcap(frames), frames


def _read_all(cap):
    sink = AnomalySink()
    return [f.data for f in cap.frames(sink)], sink


def _writer(path: str, data: bytes) -> threading.Thread:
    def run() -> None:
        with open(path, "wb") as fp:  # blocks until a reader opens the FIFO
            fp.write(data)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_a_fifo_is_peeked_without_being_consumed_and_read_once(tmp_path):
    frames, _ = g.print_job_frames()
    data = g.pcap(frames)
    fifo = tmp_path / "capture.fifo"
    os.mkfifo(fifo)
    t = _writer(str(fifo), data)
    assert peek(str(fifo)) == Peek("stream", False, b"")
    time.sleep(0.05)
    assert t.is_alive(), "peek opened the FIFO: its writer was released and its data is gone"
    with open_capture(str(fifo), limits=ReadLimits(sha256=True)) as cap:
        assert (cap.kind, cap.format) == ("pcap", "pcap")
        got, sink = _read_all(cap)
    t.join(5)
    assert got == frames and sink.kept == []
    assert cap.stats.sha256 == hashlib.sha256(data).hexdigest()


def test_process_substitution_path_is_a_stream(tmp_path):
    """``verify <(cat x.pcap)`` hands over /dev/fd/N, a pipe."""
    frames, _ = g.print_job_frames()
    data = gzip.compress(g.pcap(frames))
    r, w = os.pipe()
    try:
        path = f"/dev/fd/{r}"
        assert peek(path).kind == "stream"
        t = threading.Thread(target=lambda: (os.write(w, data), os.close(w)), daemon=True)
        t.start()
        with open_capture(path) as cap:
            got, _ = _read_all(cap)
        t.join(5)
        assert got == frames and cap.format == "pcap-gzip"
    finally:
        os.close(r)


def test_peek_identifies_regular_files_and_rejects_the_rest(tmp_path):
    frames, _ = g.print_job_frames()
    cases = {"a.pcap": (g.pcap(frames), ("pcap", False)),
             "b.pcapng": (g.pcapng([(0, f) for f in frames], [1]), ("pcapng", False)),
             "c.pcap.gz": (gzip.compress(g.pcapng([(0, f) for f in frames], [1])), ("pcapng", True))}
    for name, (data, (kind, compressed)) in cases.items():
        (tmp_path / name).write_bytes(data)
        p = peek(str(tmp_path / name))
        assert (p.kind, p.compressed, len(p.head)) == (kind, compressed, 4)
    assert peek("-").kind == "stream"
    (tmp_path / "x.txt").write_bytes(b"hello world, not a capture")
    for bad, msg in [(tmp_path / "x.txt", "not a pcap"), (tmp_path / "nope", "no such file"),
                     (tmp_path, "is a directory")]:
        with pytest.raises(CaptureError, match=msg):
            peek(str(bad))


class _FailingStream(io.RawIOBase):
    """Serves ``data`` and raises EIO once ``fail_at`` bytes were read (a dying disk, a lost NFS
    server)."""

    def __init__(self, data: bytes, fail_at: int) -> None:
        self.data, self.pos, self.fail_at = data, 0, fail_at

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.pos >= self.fail_at:
            raise OSError(errno.EIO, "Input/output error")
        out = self.data[self.pos:min(self.pos + n, self.fail_at)]
        self.pos += len(out)
        return out


@pytest.mark.parametrize("compressed", [False, True])
def test_a_read_error_keeps_the_frames_before_it_and_raises_one_typed_error(compressed):
    data, frames = _big_capture()
    if compressed:
        data = gzip.compress(data, compresslevel=1)
    fail_at = len(data) * 2 // 3
    cap = open_stream(_FailingStream(data, fail_at), "dying.pcap", limits=ReadLimits(sha256=True))
    sink = AnomalySink()
    got = []
    with pytest.raises(CaptureReadError) as err:
        for f in cap.frames(sink):
            got.append(f.data)
    e = err.value
    assert isinstance(e, CaptureError) and e.errno == errno.EIO and "Input/output error" in str(e)
    assert e.path == "dying.pcap" and e.stats is cap.stats
    assert len(got) > len(frames) // 3 and got == frames[:len(got)]
    assert e.stats.frames == len(got) and e.stats.truncated and e.stats.read_error
    assert e.stats.sha256 is None  # the input was not read to its end
    assert [a.kind for a in sink.kept] == ["read_error"]


def test_a_read_error_before_the_first_frame_is_a_plain_capture_error():
    with pytest.raises(CaptureError, match="cannot read") as err:
        open_stream(_FailingStream(b"\xd4\xc3\xb2\xa1" + bytes(60), 2), "x.pcap")
    assert not isinstance(err.value, CaptureReadError)


def test_a_file_cut_while_it_is_read_ends_as_truncated(tmp_path):
    data, frames = _big_capture()
    p = tmp_path / "growing.pcap"
    p.write_bytes(data)
    cut = (1 << 20) + 12_345  # inside the second read buffer
    with open_capture(str(p)) as cap:
        sink = AnomalySink()
        it = cap.frames(sink)
        got = [next(it).data]
        os.truncate(p, cut)
        got += [f.data for f in it]
    assert got == frames[:len(got)] and cap.stats.truncated
    assert len(got) == _complete_records(cut, frames)
    assert [a.kind for a in sink.kept] == ["truncated_capture"]


def _complete_records(size: int, frames: list[bytes]) -> int:
    n, end = 0, 24
    for f in frames:
        end += 16 + len(f)
        if end > size:
            return n
        n += 1
    return n


def test_the_running_sha256_is_the_hash_of_the_file_as_stored(tmp_path):
    data, _ = _big_capture(10)
    hostile = {h.name: h.data for h in (mh.pcap_garbage(), mh.ng_zero_length(), mh.gz_bomb(16))}
    files = {"a.pcap": data, "a.pcap.gz": gzip.compress(data), **hostile}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        with open_capture(str(tmp_path / name), limits=ReadLimits(sha256=True)) as cap:
            _read_all(cap)
        assert cap.stats.sha256 == hashlib.sha256(content).hexdigest(), name
        assert cap.stats.raw_bytes == len(content), name
    with open_capture(str(tmp_path / "a.pcap")) as cap:
        _read_all(cap)
    assert cap.stats.sha256 is None and cap.stats.raw_bytes == len(data)


def test_a_capture_is_read_once(tmp_path):
    frames, _ = g.print_job_frames()
    (tmp_path / "a.pcap").write_bytes(g.pcap(frames))
    cap = open_capture(str(tmp_path / "a.pcap"))
    assert len(_read_all(cap)[0]) == len(frames)
    with pytest.raises(RuntimeError):
        _read_all(cap)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash for process substitution")
def test_verify_reads_a_process_substitution_once(tmp_path):
    """``verify <(cat x.pcap)``: the readability check must not consume the pipe (issue 9)."""
    frames, _ = g.print_job_frames()
    (tmp_path / "x.pcap").write_bytes(g.pcap(frames))
    out = subprocess.run(["bash", "-c", f'"{sys.executable}" -m sniffprint verify <(cat x.pcap)'],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 1, out.stderr  # EXPOSED: the job was read, not "not a capture" (2)
    assert "EXPOSED" in out.stderr


def test_open_source_passes_the_read_limits_to_files(tmp_path):
    from sniffprint.sources import SourceSpec, open_source

    data, frames = _big_capture(4)
    (tmp_path / "a.pcap.gz").write_bytes(gzip.compress(data))
    stats = CaptureStats(path="a")
    sink = AnomalySink()
    got = list(open_source(SourceSpec.parse(str(tmp_path / "a.pcap.gz")), sink, stats,
                           limits=ReadLimits(sha256=True, max_inflated=50_000)))
    assert 0 < len(got) < len(frames) and stats.truncated
    assert [a.kind for a in sink.kept][-1] == "limit_exceeded"
    assert stats.sha256 == hashlib.sha256((tmp_path / "a.pcap.gz").read_bytes()).hexdigest()
